package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

func ageKey(t *testing.T) string {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

// Run 1 signs in with the password and saves the state, encrypted; run 2
// has no password and signs in by the state alone: no login page.
func TestDisable_StateTwiceSecondRunNeedsNoPassword(t *testing.T) {
	parallelShared(t)
	srv := startSim(t, simulator.Options{})
	key := ageKey(t)
	state := filepath.Join(t.TempDir(), "alice.state")
	env := creds(t, srv, "alice@example.com")
	env["CHATGPT_OPTOUT_STATE_KEY"] = key
	code, out, errOut := cli(t, env, "disable", "--base-url", srv.AppURL(), "--state", state, "--output", "json")
	if code != 0 {
		t.Fatalf("run 1: exit %d", code)
	}
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatalf("run 1 wrote no state: %v", err)
	}
	if st, _ := os.Stat(state); st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", st.Mode().Perm())
	}
	if !strings.HasPrefix(string(data), "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Errorf("the state file is not age-encrypted: starts %.30q", data)
	}
	for _, o := range []string{out, errOut} {
		if strings.Contains(o, key) {
			t.Error("the state key leaked into the output")
		}
	}
	before := srv.Counters("alice@example.com")
	srv.SetTrainingAllowed("alice@example.com", true)

	code, out, _ = cli(t, map[string]string{"CHATGPT_EMAIL": "alice@example.com", "CHATGPT_OPTOUT_STATE_KEY": key}, "disable", "--base-url", srv.AppURL(), "--state", state, "--output", "json")
	if code != 0 {
		t.Fatalf("run 2 (no password): exit %d", code)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res["outcome"] != "changed" || res["selectors_source"] != "embedded" {
		t.Errorf("run 2: outcome %v, selectors_source %v; want changed, embedded", res["outcome"], res["selectors_source"])
	}
	after := srv.Counters("alice@example.com")
	if n := after.LoginPageViews - before.LoginPageViews; n != 0 {
		t.Errorf("run 2 viewed the login page %d times, want 0", n)
	}
	if n := after.Logins - before.Logins; n != 0 {
		t.Errorf("run 2 signed in %d times, want 0", n)
	}
}

// An account that gets a code by email after its password signs in with
// the code from the simulator's mailbox (IMAPS, its certificate trusted
// through CHATGPT_IMAP_CA_FILE).
func TestDisable_EmailCodeFromTheMailbox(t *testing.T) {
	parallelShared(t)
	srv := startSim(t, simulator.Options{})
	ca := writeFile(t, "imap-ca.pem", srv.IMAPCertPEM())
	env := creds(t, srv, "frank@example.com")
	env["CHATGPT_IMAP_URL"] = srv.MailboxURL("frank@example.com")
	env["CHATGPT_IMAP_PASSWORD"] = srv.MailboxPassword("frank@example.com")
	env["CHATGPT_IMAP_CA_FILE"] = ca
	code, out, errOut := cli(t, env, "disable", "--base-url", srv.AppURL(), "--output", "json", "-vv")
	if code != 0 || !strings.Contains(out, `"outcome": "changed"`) {
		t.Fatalf("exit %d, want 0 and changed", code)
	}
	for _, o := range []string{out, errOut} {
		if strings.Contains(o, env["CHATGPT_IMAP_PASSWORD"]) {
			t.Error("the mailbox password leaked into the output")
		}
	}
}

// Bad state, key and mailbox values are refused before any browser
// starts: CHROME_PATH points nowhere, and the simulator sees nothing.
func TestSessionInput_Exits1BeforeAnyBrowserStarts(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	dir := t.TempDir()
	key := ageKey(t)
	corrupt := filepath.Join(dir, "corrupt.state")
	os.WriteFile(corrupt, []byte("{not json"), 0o600)
	encrypted := filepath.Join(dir, "enc.state")
	os.WriteFile(encrypted, []byte("-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBhYmMK\n-----END AGE ENCRYPTED FILE-----\n"), 0o600)
	bob := filepath.Join(dir, "bob.state")
	os.WriteFile(bob, []byte(`{"cookies": [], "origins": [], "chatgpt_optout_account": "bob@example.com"}`), 0o600)
	good := creds(t, srv, "alice@example.com")
	with := func(kv ...string) map[string]string {
		env := map[string]string{"CHROME_PATH": "/nonexistent/chrome"}
		for k, v := range good {
			env[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, c := range []struct {
		name  string
		env   map[string]string
		args  []string
		words []string
	}{
		{"state without a key", with(), []string{"--state", filepath.Join(dir, "new.state")}, []string{"unencrypted", "CHATGPT_OPTOUT_STATE_KEY", "--state-plaintext"}},
		{"corrupt state", with("CHATGPT_OPTOUT_STATE_KEY", key), []string{"--state", corrupt}, []string{corrupt, "storageState"}},
		{"encrypted state without a key", with(), []string{"--state", encrypted, "--state-plaintext"}, []string{encrypted, "CHATGPT_OPTOUT_STATE_KEY"}},
		{"encrypted state, wrong key", with("CHATGPT_OPTOUT_STATE_KEY", key), []string{"--state", encrypted}, []string{encrypted, "decrypted"}},
		{"state of another account", with("CHATGPT_OPTOUT_STATE_KEY", key), []string{"--state", bob}, []string{bob, "another account"}},
		{"a broken age identity", with("CHATGPT_OPTOUT_STATE_KEY", "AGE-SECRET-KEY-1NOTAKEY"), []string{"--state", filepath.Join(dir, "x.state")}, []string{"CHATGPT_OPTOUT_STATE_KEY", "age identity"}},
		{"mailbox URL with a password", with("CHATGPT_IMAP_URL", "imaps://frank:Hunter2-Secret@imap.example.com/INBOX", "CHATGPT_IMAP_PASSWORD", "x"), nil, []string{"CHATGPT_IMAP_URL", "password"}},
		{"mailbox URL not imaps", with("CHATGPT_IMAP_URL", "https://imap.example.com", "CHATGPT_IMAP_PASSWORD", "x"), nil, []string{"CHATGPT_IMAP_URL", "imaps"}},
		{"mailbox without a password", with("CHATGPT_IMAP_URL", "imaps://frank@imap.example.com/INBOX"), nil, []string{"CHATGPT_IMAP_PASSWORD"}},
		{"mailbox CA file missing", with("CHATGPT_IMAP_URL", "imaps://frank@imap.example.com/INBOX", "CHATGPT_IMAP_PASSWORD", "x", "CHATGPT_IMAP_CA_FILE", "/nonexistent/ca.pem"), nil, []string{"CHATGPT_IMAP_CA_FILE"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := cli(t, c.env, append([]string{"disable", "--base-url", srv.AppURL()}, c.args...)...)
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
			for _, s := range []string{key, "Hunter2-Secret"} {
				if strings.Contains(errOut, s) {
					t.Error("a secret is quoted in the message")
				}
			}
		})
	}
	if c := srv.Counters(""); c.LoginPageViews != 0 || c.SettingsReads != 0 {
		t.Errorf("bad input reached the site: %+v", c)
	}
}

// enforce --state-dir keeps a state per account: the second run signs
// nobody in.
func TestEnforce_StateDirSecondRunSignsNobodyIn(t *testing.T) {
	parallelShared(t)
	accts := onFleet("st", 3)
	srv := startSim(t, simulator.Options{Accounts: simAccounts(accts)})
	file, env := writeFleet(t, srv, accts, "")
	env["CHATGPT_OPTOUT_STATE_KEY"] = ageKey(t)
	states := filepath.Join(t.TempDir(), "states")
	code, _, _ := cli(t, env, "enforce", "--accounts", file, "--base-url", srv.AppURL(), "--state-dir", states)
	if code != 0 {
		t.Fatalf("run 1: exit %d", code)
	}
	if st, err := os.Stat(states); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("state folder: %v %v, want 0700", st, err)
	}
	for _, a := range accts {
		if _, err := os.Stat(filepath.Join(states, a.name+".state")); err != nil {
			t.Errorf("no state for %s: %v", a.name, err)
		}
	}
	before := srv.Counters("")
	code, out, _ := cli(t, env, "enforce", "--accounts", file, "--base-url", srv.AppURL(), "--state-dir", states, "--output", "json")
	if code != 0 {
		t.Fatalf("run 2: exit %d", code)
	}
	if !strings.Contains(out, `"selectors_source": "embedded"`) {
		t.Error("the report has no selectors_source")
	}
	after := srv.Counters("")
	if n := after.LoginPageViews - before.LoginPageViews; n != 0 {
		t.Errorf("run 2 viewed the login page %d times, want 0", n)
	}

	// Without the key the states are refused before Chrome starts.
	delete(env, "CHATGPT_OPTOUT_STATE_KEY")
	env["CHROME_PATH"] = "/nonexistent/chrome"
	code, _, errOut := cli(t, env, "enforce", "--accounts", file, "--base-url", srv.AppURL(), "--state-dir", states, "--state-plaintext")
	if code != 1 || !strings.Contains(errOut, "CHATGPT_OPTOUT_STATE_KEY") || !strings.Contains(errOut, "st-0") {
		t.Errorf("enforce with encrypted states and no key: exit %d, stderr %q; want 1 naming the key and the account", code, errOut)
	}
}
