package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
	"github.com/chatgpt-optout/chatgpt-optout/state"
)

func TestDisable_PrintsTheChangeThenNothingToDo(t *testing.T) {
	t.Parallel()
	for _, era := range []struct {
		ui    simulator.UI
		label string
	}{{simulator.UICurrent, "Improve the model for everyone"}, {simulator.UI2023, "Chat history & training"}} {
		t.Run(string(era.ui), func(t *testing.T) {
			parallelShared(t) // a simulator of its own
			srv := startSim(t, simulator.Options{UI: era.ui})
			env := creds(t, srv, "alice@example.com")
			code, out, _ := cli(t, env, "disable", "--base-url", srv.AppURL())
			if code != 0 || out != era.label+": on → off (verified)\n" {
				t.Fatalf("first run: exit %d, stdout %q", code, out)
			}
			code, out, _ = cli(t, env, "disable", "--base-url", srv.AppURL())
			if code != 0 || out != era.label+": off (already off, nothing changed)\n" {
				t.Fatalf("second run: exit %d, stdout %q", code, out)
			}
			if on, _ := srv.TrainingAllowed("alice@example.com"); on {
				t.Error("the simulator still has the setting on")
			}
			if n := srv.Counters("alice@example.com").Patches; n != 1 {
				t.Errorf("PATCHes = %d, want 1 (the second run must change nothing)", n)
			}
		})
	}
}

func TestStatus_ExitCodeAndJSONReport(t *testing.T) {
	parallelShared(t)
	srv := startSim(t, simulator.Options{})
	code, out, _ := cli(t, creds(t, srv, "alice@example.com"), "status", "--base-url", srv.AppURL(), "--output", "json")
	if code != 2 {
		t.Errorf("status of an account that is on: exit %d, want 2", code)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v", err)
	}
	for k, want := range map[string]any{"account": "alice@example.com", "ui": "current", "before": "on", "after": "on", "action": "none", "outcome": "noncompliant", "selectors_version": mustDefault(t).Version} {
		if res[k] != want {
			t.Errorf("%s = %v, want %v", k, res[k], want)
		}
	}
	if _, ok := res["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms missing: %v", res)
	}
	code, out, _ = cli(t, creds(t, srv, "bob@example.com"), "status", "--base-url", srv.AppURL())
	if code != 0 || !strings.Contains(out, "off") {
		t.Errorf("status of an account that is off: exit %d, stdout %q, want 0", code, out)
	}
	if srv.Counters("").Patches != 0 {
		t.Error("status sent a change")
	}
}

func TestDisable_WrongPasswordExits3(t *testing.T) {
	parallelShared(t)
	srv := startSim(t, simulator.Options{})
	env := map[string]string{"CHATGPT_EMAIL": "alice@example.com", "CHATGPT_PASSWORD": "wrong-password"}
	code, out, _ := cli(t, env, "disable", "--base-url", srv.AppURL(), "--output", "json")
	if code != 3 || !strings.Contains(out, `"error_kind": "bad_credentials"`) {
		t.Fatalf("exit %d, stdout %s; want 3 and bad_credentials", code, out)
	}
}

func TestDisable_SwitchThatMatchesNothingExits4(t *testing.T) {
	parallelShared(t)
	srv := startSim(t, simulator.Options{})
	data := strings.ReplaceAll(string(selectors.Embedded()), "testid: improve-model-toggle", "testid: improve-model-switch-v2")
	data = strings.ReplaceAll(data, `name: "Improve the model for everyone"`+"\n", `name: "Improve the model"`+"\n")
	file := writeFile(t, "selectors.yaml", []byte(data))
	code, out, _ := cli(t, creds(t, srv, "alice@example.com"), "disable", "--base-url", srv.AppURL(), "--selectors", file)
	if code != 4 {
		t.Fatalf("exit %d, want 4", code)
	}
	for _, want := range []string{"path.switch", mustDefault(t).Version, "improve-model-switch-v2", file} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not name %q", want)
		}
	}
	if srv.Counters("").Patches != 0 {
		t.Error("a drifted run sent a change")
	}
}

// Bad input is refused before any browser starts: CHROME_PATH points
// nowhere, so a run that got as far as starting Chrome would fail
// differently, and the simulator would count a visit.
func TestBadInput_Exits1BeforeAnyBrowserStarts(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	good := creds(t, srv, "alice@example.com")
	broken := writeFile(t, "broken.yaml", []byte("schema_version: 1\nversion: [\n"))
	badInput := writeFile(t, "bad-input.yaml", []byte(strings.Replace(string(selectors.Embedded()), "input: pointerdown", "input: hover", 1)))
	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		words []string
	}{
		{"malformed selectors file", good, []string{"--selectors", broken}, []string{broken, "line"}},
		{"selectors file breaking the schema", good, []string{"--selectors", badInput}, []string{"profiles[0].path.profile_menu.input", "line"}},
		{"missing selectors file", good, []string{"--selectors", "/nonexistent/selectors.yaml"}, []string{"/nonexistent/selectors.yaml"}},
		{"no credentials", map[string]string{}, nil, []string{"CHATGPT_EMAIL", "CHATGPT_PASSWORD"}},
		{"email without password", map[string]string{"CHATGPT_EMAIL": "a@example.com"}, nil, []string{"CHATGPT_PASSWORD"}},
		{"bad TOTP secret", map[string]string{"CHATGPT_EMAIL": "a@example.com", "CHATGPT_PASSWORD": "x", "CHATGPT_TOTP_SECRET": "not base32!"}, nil, []string{"CHATGPT_TOTP_SECRET"}},
		{"unknown UI profile", good, []string{"--ui", "2031"}, []string{"2031", "current"}},
		{"bad base URL", good, []string{"--base-url", "chatgpt.com"}, []string{"--base-url"}},
		{"bad output format", good, []string{"--output", "yaml"}, []string{"--output"}},
		{"bad timeout", good, []string{"--timeout", "soon"}, []string{"timeout"}},
		{"zero timeout", good, []string{"--timeout", "0s"}, []string{"--timeout"}},
		{"unknown flag", good, []string{"--no-such-flag"}, []string{"no-such-flag"}},
		{"missing env file", good, []string{"--env-file", "/nonexistent/.env"}, []string{"/nonexistent/.env"}},
		{"bad route", good, []string{"--route", "teleport"}, []string{"teleport"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"CHROME_PATH": "/nonexistent/chrome"}
			for k, v := range c.env {
				env[k] = v
			}
			args := append([]string{"disable", "--base-url", srv.AppURL()}, c.args...)
			code, out, errOut := cli(t, env, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			for _, w := range c.words {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not name %q", errOut, w)
				}
			}
			if strings.Contains(errOut, "/nonexistent/chrome") || out != "" {
				t.Errorf("the run got past its configuration: stdout %q stderr %q", out, errOut)
			}
		})
	}
	if c := srv.Counters(""); c.LoginPageViews != 0 || c.SettingsReads != 0 || c.Patches != 0 {
		t.Errorf("bad input reached the site: %+v", c)
	}
}

func TestDisable_ReadsCredentialsFromDotEnv(t *testing.T) {
	parallelShared(t)
	srv := startSim(t, simulator.Options{})
	env := creds(t, srv, "alice@example.com")
	envFile := writeFile(t, "account.env", []byte("CHATGPT_EMAIL="+env["CHATGPT_EMAIL"]+"\nCHATGPT_PASSWORD="+env["CHATGPT_PASSWORD"]+"\n"))
	code, out, _ := cli(t, nil, "disable", "--base-url", srv.AppURL(), "--env-file", envFile)
	if code != 0 || !strings.Contains(out, "on → off (verified)") {
		t.Fatalf("exit %d stdout %q", code, out)
	}
}

// No secret may reach stdout, stderr, the artifacts or the environment of
// a browser process, even with debug JSON logs, failures that write
// artifacts, secrets from a dotenv file, and every dotenv error.
func TestSecretsNeverLeak(t *testing.T) {
	parallelChrome(t)
	srv := startSim(t, simulator.Options{})
	carol := creds(t, srv, "carol@example.com")
	srv.FailPatches("carol@example.com", 100)
	artifacts := t.TempDir()
	var outputs []string
	tmp := shortTempDir(t)
	// What the environments of the browser's processes held, read from
	// /proc while the runs go on.
	environs := watchEnvirons(t, tmp)

	var mu sync.Mutex
	keep := func(out ...string) {
		mu.Lock()
		defer mu.Unlock()
		outputs = append(outputs, out...)
	}
	wrong := map[string]string{"CHATGPT_EMAIL": "alice@example.com", "CHATGPT_PASSWORD": "Wrong-But-Secret-Password-7", "TMPDIR": tmp}
	tok, err := srv.NewSession("dave@example.com")
	if err != nil {
		t.Fatal(err)
	}
	srv.FailPatches("dave@example.com", 100)
	stateKey := ageKey(t)
	stateFile := filepath.Join(t.TempDir(), "frank.state")
	var st *state.Session
	// The runs are independent of each other (but frank's two), so they
	// go on side by side; the checks below wait for all of them.
	t.Run("runs", func(t *testing.T) {
		// A TOTP sign-in whose change never sticks, its secrets from a
		// dotenv file: artifacts of the settings page.
		t.Run("totp", func(t *testing.T) {
			t.Parallel()
			dotenv := writeFile(t, "carol.env", []byte("CHATGPT_EMAIL="+carol["CHATGPT_EMAIL"]+"\nCHATGPT_PASSWORD="+carol["CHATGPT_PASSWORD"]+"\nCHATGPT_TOTP_SECRET="+carol["CHATGPT_TOTP_SECRET"]+"\n"))
			code, out, errOut := cliProcess(t, map[string]string{"TMPDIR": tmp}, "disable", "--env-file", dotenv, "--base-url", srv.AppURL(), "-vv", "--log-format", "json", "--artifacts", artifacts, "--output", "json")
			if code != 3 || !strings.Contains(out, "did_not_stick") {
				t.Fatalf("exit %d: want 3, did_not_stick", code)
			}
			keep(out, errOut)
		})
		// A refused password from the environment: artifacts of the
		// password page, field filled.
		t.Run("refused password", func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cliProcess(t, wrong, "disable", "--base-url", srv.AppURL(), "-vv", "--log-format", "json", "--artifacts", artifacts)
			if code != 3 {
				t.Fatalf("exit %d: want 3", code)
			}
			keep(out, errOut)
		})
		// A session token run whose change never sticks.
		t.Run("session token", func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cliProcess(t, map[string]string{"CHATGPT_SESSION_TOKEN": tok, "TMPDIR": tmp}, "disable", "--base-url", srv.AppURL(), "-vv", "--log-format", "json", "--artifacts", artifacts, "--output", "json")
			if code != 3 {
				t.Fatalf("exit %d: want 3", code)
			}
			keep(out, errOut)
		})
		// A sign-in with an emailed code from the mailbox, its session
		// saved to an encrypted state file, then a run from that state
		// whose change never sticks: the state key, the mailbox password
		// and the saved cookie values must stay out of everything too.
		t.Run("mailbox and state", func(t *testing.T) {
			t.Parallel()
			frank := creds(t, srv, "frank@example.com")
			frank["CHATGPT_IMAP_URL"] = srv.MailboxURL("frank@example.com")
			frank["CHATGPT_IMAP_PASSWORD"] = srv.MailboxPassword("frank@example.com")
			frank["CHATGPT_IMAP_CA_FILE"] = writeFile(t, "imap-ca.pem", srv.IMAPCertPEM())
			frank["CHATGPT_OPTOUT_STATE_KEY"] = stateKey
			frank["TMPDIR"] = tmp
			code, out, errOut := cliProcess(t, frank, "disable", "--base-url", srv.AppURL(), "--state", stateFile, "-vv", "--log-format", "json", "--output", "json")
			if code != 0 {
				t.Fatalf("exit %d: want 0", code)
			}
			keep(out, errOut)
			var err error
			if st, err = state.ReadFile(stateFile, stateKey); err != nil || st == nil {
				t.Fatalf("reading the saved state: %v", err)
			}
			srv.SetTrainingAllowed("frank@example.com", true)
			srv.FailPatches("frank@example.com", 100)
			code, out, errOut = cliProcess(t, map[string]string{"CHATGPT_EMAIL": "frank@example.com", "CHATGPT_PASSWORD": "", "CHATGPT_OPTOUT_STATE_KEY": stateKey, "TMPDIR": tmp}, "disable", "--base-url", srv.AppURL(), "--state", stateFile, "-vv", "--log-format", "json", "--artifacts", artifacts, "--output", "json")
			if code != 3 {
				t.Fatalf("exit %d: want 3", code)
			}
			keep(out, errOut)
		})
	})
	if t.Failed() {
		return
	}
	stateSecrets := []string{stateKey, srv.MailboxPassword("frank@example.com")}
	for _, c := range st.Cookies {
		if len(c.Value) >= 12 {
			stateSecrets = append(stateSecrets, c.Value)
		}
	}

	files, _ := filepath.Glob(filepath.Join(artifacts, "*"))
	kinds := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(data))
		kinds[filepath.Ext(f)] = true
	}
	if !kinds[".png"] || !kinds[".html"] || !kinds[".log"] {
		t.Fatalf("artifacts %v: want a screenshot, the page HTML and the console log", files)
	}
	seen := environs()
	if len(seen) < 3 {
		t.Fatalf("read the environment of %d browser processes, want many", len(seen))
	}

	// Every malformed dotenv file: the error never quotes it.
	for _, c := range dotenvCases {
		file := writeFile(t, "bad.env", []byte(c.content))
		code, out, errOut := cli(t, map[string]string{"CHROME_PATH": "/nonexistent/chrome"}, "disable", "--env-file", file, "-vv", "--log-format", "json")
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", c.name, code)
		}
		outputs = append(outputs, out, errOut)
	}

	secrets := append([]string{carol["CHATGPT_PASSWORD"], carol["CHATGPT_TOTP_SECRET"], wrong["CHATGPT_PASSWORD"], tok, tok[len(tok)-40:]}, dotenvSecrets...)
	secrets = append(secrets, stateSecrets...)
	for _, o := range outputs {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("a secret (%d chars) leaked into the output or artifacts", len(s))
			}
		}
	}
	for pid, env := range seen {
		for _, s := range append(secrets, "CHATGPT_") {
			if strings.Contains(env, s) {
				t.Errorf("browser process %d had a secret (%d chars) in its environment", pid, len(s))
			}
		}
	}
}

// watchEnvirons reads, until the test ends, the environment of every
// process that runs on dir, and returns a function that stops and returns
// what it read, by process.
func watchEnvirons(t *testing.T, dir string) func() map[int]string {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	seen := map[int]string{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			pids, _ := processesUsing(dir)
			for _, pid := range pids {
				if _, ok := seen[pid]; !ok {
					if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid)); err == nil {
						seen[pid] = string(data)
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	var once sync.Once
	finish := func() map[int]string {
		once.Do(func() { close(stop); <-done })
		return seen
	}
	t.Cleanup(func() { finish() })
	return finish
}

func mustDefault(t *testing.T) *selectors.File {
	t.Helper()
	f, err := selectors.Default()
	if err != nil {
		t.Fatal(err)
	}
	return f
}
