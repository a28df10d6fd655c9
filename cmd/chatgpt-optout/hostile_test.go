package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Secrets written in the dotenv files of dotenvCases.
var dotenvSecrets = []string{"Dotenv-Password-Value-73", "JBSWY3DPEHPK3PXPDOTENV", "dotenv-session-token-value-0042", "bad-line here"}

// dotenvCases are malformed dotenv files, each with secrets around the bad
// line, and the line the error must name (0: none).
var dotenvCases = []struct {
	name, content string
	line          int
	words         []string
}{
	{"a line without =", "CHATGPT_EMAIL=a@example.com\nbad-line here\nCHATGPT_PASSWORD=Dotenv-Password-Value-73\nCHATGPT_TOTP_SECRET=JBSWY3DPEHPK3PXPDOTENV\n", 2, []string{"NAME=value"}},
	{"a name alone", "CHATGPT_PASSWORD=Dotenv-Password-Value-73\nDotenv-Password-Value-73\n", 2, []string{"NAME=value"}},
	{"an unterminated double quote", "CHATGPT_EMAIL=a@example.com\nCHATGPT_PASSWORD=\"Dotenv-Password-Value-73\nCHATGPT_SESSION_TOKEN=dotenv-session-token-value-0042\n", 2, []string{"never closed", `"`}},
	{"an unterminated single quote", "# comment\n\nexport CHATGPT_PASSWORD='Dotenv-Password-Value-73\n", 3, []string{"never closed", "'"}},
	{"text after a closing quote", "CHATGPT_PASSWORD=\"Dotenv-Password-Value-73\"dotenv-session-token-value-0042\n", 1, []string{"NAME=value"}},
	{"a CRLF file with a bad line", "CHATGPT_EMAIL=a@example.com\r\nCHATGPT_PASSWORD=Dotenv-Password-Value-73\r\n{bad-line here}\r\n", 3, []string{"NAME=value"}},
	{"a binary file", "CHATGPT_PASSWORD=Dotenv-Password-Value-73\n\x7fELF\x02\x01\x01\x00\x00Dotenv-Password-Value-73\x00\xff\xfe", 2, []string{"NUL", "binary"}},
	{"not UTF-8", "CHATGPT_PASSWORD=Dotenv-Password-Value-73\n\n\xff\xfeDotenv-Password-Value-73=x\n", 3, []string{"UTF-8"}},
	{"larger than 4 MiB", "CHATGPT_PASSWORD=Dotenv-Password-Value-73\nPAD=" + strings.Repeat("x", 5<<20) + "\n", 0, []string{"4 MiB"}},
}

// A malformed dotenv file, named or the automatic ./.env, is exit 1 with
// an error that names the file and the line and never quotes the file.
func TestDotenv_ErrorsNameTheFileAndLineAndNoValue(t *testing.T) {
	t.Parallel()
	for _, c := range dotenvCases {
		for _, auto := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, automatic %v", c.name, auto), func(t *testing.T) {
				t.Parallel() // a folder of its own
				dir := t.TempDir()
				file := filepath.Join(dir, "account.env")
				args := []string{"disable", "--base-url", "http://127.0.0.1:1", "--env-file", file}
				if auto {
					file = filepath.Join(dir, ".env")
					args = args[:3]
				}
				if err := os.WriteFile(file, []byte(c.content), 0o600); err != nil {
					t.Fatal(err)
				}
				code, stdout, stderr := cliIn(t, dir, map[string]string{"CHROME_PATH": "/nonexistent/chrome"}, args...)
				if code != 1 || stdout != "" {
					t.Fatalf("exit %d, stdout %q; want 1 and nothing", code, stdout)
				}
				name := file
				if auto {
					name = ".env"
				}
				want := "dotenv file " + name
				if c.line > 0 {
					want = fmt.Sprintf("dotenv file %s:%d: ", name, c.line)
				}
				for _, w := range append([]string{want}, c.words...) {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr lacks %q: %s", w, stderr)
					}
				}
				for _, s := range dotenvSecrets {
					if strings.Contains(stderr, s) {
						t.Errorf("stderr quotes %q from the file", s)
					}
				}
				if len(stderr) > 1000 {
					t.Errorf("stderr has %d bytes", len(stderr))
				}
			})
		}
	}
}

// A dotenv file's values are read, and never put in the tool's own
// environment (from which child processes would inherit them).
func TestDotenv_ValuesAreReadButNotExported(t *testing.T) {
	for _, k := range credentialVars {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	file := writeFile(t, "x.env", []byte("# a comment\nexport CHATGPT_EMAIL=alice@example.com\nCHATGPT_PASSWORD='quoted value # not a comment'\nCHATGPT_BASE_URL=http://127.0.0.1:9\nEMPTY=\n"))
	env, err := loadDotenv(file, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"CHATGPT_EMAIL": "alice@example.com", "CHATGPT_PASSWORD": "quoted value # not a comment", "CHATGPT_BASE_URL": "http://127.0.0.1:9"} {
		if v, ok := env.lookup(k); !ok || v != want {
			t.Errorf("%s = %q, %v; want %q", k, v, ok, want)
		}
		if _, ok := os.LookupEnv(k); ok {
			t.Errorf("%s was put in the environment", k)
		}
	}
	if got := env.origin("CHATGPT_BASE_URL"); got != "CHATGPT_BASE_URL ("+file+":4)" {
		t.Errorf("origin %q", got)
	}
	// The environment wins; set but empty there, the file's value counts.
	t.Setenv("CHATGPT_EMAIL", "bob@example.com")
	t.Setenv("CHATGPT_PASSWORD", "")
	if v, _ := env.lookup("CHATGPT_EMAIL"); v != "bob@example.com" {
		t.Errorf("the environment does not win: %q", v)
	}
	if v, _ := env.lookup("CHATGPT_PASSWORD"); v != "quoted value # not a comment" {
		t.Errorf("an empty variable hides the file's value: %q", v)
	}
}

var dotenvErrorLine = regexp.MustCompile(`^dotenv file fuzz\.env:[0-9]+: `)

// The fuzzer: whatever the file holds, the loader neither panics nor
// quotes it, and an error always names the file (and, when godotenv
// refuses the file, the line).
func FuzzDotenv(f *testing.F) {
	for _, c := range dotenvCases {
		if len(c.content) < 4096 {
			f.Add([]byte(c.content), uint(3))
		}
	}
	f.Add([]byte("A=1\nB=\"2\"\nexport C='3'\n# x\nD: 4\n"), uint(0))
	f.Add([]byte("A=\"multi\nline\"\nB=${A}\n"), uint(9))
	const secret = "Fuzz-Secret-Value-93"
	f.Fuzz(func(t *testing.T, data []byte, at uint) {
		i := int(at % uint(len(data)+1))
		// The secret as a value, a name, inside quotes, and around the
		// place where the file may break.
		input := []byte("CHATGPT_PASSWORD=" + secret + "\n")
		input = append(input, data[:i]...)
		input = append(input, secret...)
		input = append(input, data[i:]...)
		input = append(input, "\n\""+secret+"\n"...)
		for _, in := range [][]byte{data, input} {
			_, _, err := parseDotenv(in, "fuzz.env")
			if err == nil {
				continue
			}
			msg := err.Error()
			if strings.Contains(msg, secret) {
				t.Fatalf("the error quotes the file: %s", msg)
			}
			if !dotenvErrorLine.MatchString(msg) {
				t.Fatalf("the error does not name the file and line: %s", msg)
			}
			if len(msg) > 400 {
				t.Fatalf("the error has %d bytes", len(msg))
			}
		}
	})
}

// An explicitly empty base URL would mean the real site without a word:
// refused, naming the flag or the variable.
func TestBaseURL_EmptyIsRefused(t *testing.T) {
	t.Parallel()
	good := map[string]string{"CHATGPT_EMAIL": "a@example.com", "CHATGPT_PASSWORD": "x", "CHROME_PATH": "/nonexistent/chrome"}
	withEnv := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for a, b := range good {
			m[a] = b
		}
		return m
	}
	dotenv := writeFile(t, "empty.env", []byte("CHATGPT_PASSWORD=x\nCHATGPT_BASE_URL=\n"))
	for _, c := range []struct {
		name  string
		env   map[string]string
		args  []string
		words []string
	}{
		{"--base-url \"\"", good, []string{"--base-url", ""}, []string{"--base-url is empty"}},
		{"--base-url=\" \"", good, []string{"--base-url= "}, []string{"--base-url is empty"}},
		{"CHATGPT_BASE_URL set but empty", withEnv("CHATGPT_BASE_URL", ""), nil, []string{"CHATGPT_BASE_URL is empty", "unset"}},
		{"CHATGPT_BASE_URL= in the dotenv file", good, []string{"--env-file", dotenv}, []string{"CHATGPT_BASE_URL (" + dotenv + ":2) is empty"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, c.env, append([]string{"disable"}, c.args...)...)
			if code != 1 || stdout != "" {
				t.Errorf("exit %d stdout %q, want 1", code, stdout)
			}
			for _, w := range c.words {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "/nonexistent/chrome") {
				t.Error("the run got as far as the browser")
			}
		})
	}
}

// A value from the environment is named by its variable in messages, not
// only by the flag.
func TestMessages_NameTheVariableAValueCameFrom(t *testing.T) {
	t.Parallel()
	creds := map[string]string{"CHATGPT_EMAIL": "a@example.com", "CHATGPT_PASSWORD": "x"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{"CHROME_PATH": "/nonexistent/chrome"}
		for k, v := range creds {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	huge := strings.Repeat("y", 100_000)
	for _, c := range []struct {
		name  string
		env   map[string]string
		words []string
	}{
		{"base URL", with("CHATGPT_BASE_URL", "chatgpt.com"), []string{`CHATGPT_BASE_URL "chatgpt.com" is not an http(s) URL`}},
		{"huge base URL", with("CHATGPT_BASE_URL", "x"+huge), []string{"CHATGPT_BASE_URL", "(100001 characters)"}},
		{"selectors file", with("CHATGPT_OPTOUT_SELECTORS", "/nonexistent/s.yaml"), []string{"/nonexistent/s.yaml", "CHATGPT_OPTOUT_SELECTORS"}},
		{"browser", with(), []string{`"/nonexistent/chrome" cannot be run`, "--chrome PATH"}},
		{"TOTP secret", with("CHATGPT_TOTP_SECRET", "not base32!"), []string{"CHATGPT_TOTP_SECRET: the TOTP secret is not a base32"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := cli(t, c.env, "disable")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range c.words {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %.300q lacks %q", stderr, w)
				}
			}
			if len(stderr) > 2000 {
				t.Errorf("stderr has %d bytes", len(stderr))
			}
		})
	}
}

// Huge files and values are refused with short messages: the files are
// read up to 4 MiB, and a value quoted in a message is cut. Each refusal
// is a process of the tool, whose own CPU time says it did not parse or
// copy what it refused (its wall time says more about the machine's load
// than about the tool).
func TestHugeInput_IsCappedInFilesAndMessages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "accounts:\n  - name: alice\n    email: ")
	f.Write(bytes.Repeat([]byte("a"), 50<<20))
	fmt.Fprintf(f, "\n    password_env: ALICE_PASSWORD\n")
	f.Close()
	value := strings.Repeat("v", 1<<20)
	large := writeFile(t, "large.yaml", []byte("accounts:\n  - name: "+value+"\n    email: "+value+"\n    password_env: ALICE_PASSWORD\n    "+value+": x\n"))
	bigSelectors := writeFile(t, "selectors.yaml", append([]byte("schema_version: 1\n# "), bytes.Repeat([]byte("s"), 5<<20)...))
	huge := strings.Repeat("z", 100_000)
	env := map[string]string{"CHROME_PATH": "/nonexistent/chrome", "ALICE_PASSWORD": "p", "CHATGPT_EMAIL": "a@example.com", "CHATGPT_PASSWORD": "x", "CHATGPT_OPTOUT_SELECTORS": bigSelectors}
	for _, c := range []struct {
		name  string
		args  []string
		words []string
	}{
		{"a 50 MB accounts file", []string{"enforce", "--accounts", big, "--selectors", ""}, []string{big, "4 MiB"}},
		{"1 MB values in an accounts file", []string{"enforce", "--accounts", large, "--selectors", ""}, []string{large, "characters"}},
		{"a 5 MiB selectors file", []string{"disable"}, []string{bigSelectors, "4 MiB", "CHATGPT_OPTOUT_SELECTORS"}},
		{"a huge --ui", []string{"disable", "--ui", huge, "--selectors", ""}, []string{"--ui", "(100000 characters)"}},
		{"a huge --route", []string{"disable", "--route", huge, "--selectors", ""}, []string{"--route", "(100000 characters)"}},
		{"a huge --timeout", []string{"disable", "--timeout", huge, "--selectors", ""}, []string{"--timeout", "(100000 characters)"}},
		{"a huge --output", []string{"disable", "--output", huge, "--selectors", ""}, []string{"--output", "(100000 characters)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := toolCmd(t, shortTempDir(t), env, append(c.args, "--base-url", "http://127.0.0.1:1")...)
			code, stdout, stderr := runCmd(t, cmd)
			if code != 1 || stdout != "" {
				t.Errorf("exit %d, stdout %d bytes; want 1 and nothing", code, len(stdout))
			}
			for _, w := range c.words {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %.400q lacks %q", stderr, w)
				}
			}
			if len(stderr) > 4000 {
				t.Errorf("stderr has %d bytes: a value is quoted in full", len(stderr))
			}
			// A race-built tool takes about 1.5 s of CPU for the 1 MB
			// values; a copy per message, or a parse of the 50 MB file,
			// would take many times that. (Its peak memory is not read
			// here: the child's count starts from this test's before the
			// exec. The bomb tests bound the allocations.)
			use := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			cpu := time.Duration(use.Utime.Nano() + use.Stime.Nano())
			t.Logf("CPU %v", cpu.Round(time.Millisecond))
			if cpu > 10*time.Second {
				t.Errorf("the refusal took %v of CPU", cpu)
			}
		})
	}
}

// --parallel has one rule, auto or 1 to 32 (and --retries 0 to 10): 0,
// 33, 1000, -1 and a word are refused alike.
func TestEnforce_ParallelAndRetriesHaveOneRule(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "accounts.yaml", []byte("accounts:\n  - name: alice\n    email: alice@example.com\n    password_env: ALICE_PASSWORD\n"))
	env := map[string]string{"CHROME_PATH": "/nonexistent/chrome", "ALICE_PASSWORD": "p"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--parallel", "0"}, `--parallel must be auto or from 1 to 32, not "0"`},
		{[]string{"--parallel", "-1"}, `--parallel must be auto or from 1 to 32, not "-1"`},
		{[]string{"--parallel", "33"}, `--parallel must be auto or from 1 to 32, not "33"`},
		{[]string{"--parallel", "1000"}, `--parallel must be auto or from 1 to 32, not "1000"`},
		{[]string{"--parallel", "lots"}, `--parallel must be auto or from 1 to 32, not "lots"`},
		{[]string{"--parallel", ""}, `--parallel must be auto or from 1 to 32, not ""`},
		{[]string{"--retries", "-1"}, "--retries must be from 0 to 10, not -1"},
		{[]string{"--retries", "11"}, "--retries must be from 0 to 10, not 11"},
		{[]string{"--security-check-wait", "0s"}, "--security-check-wait must be positive, like 30s"},
		{[]string{"--settings", "training,telemetry"}, `--settings: setting "telemetry" is not one of training, voice, marketing, ads, memory, all`},
		{[]string{"--settings", ""}, "--settings is empty"},
		{[]string{"--security-check-wait", "-5s"}, "--security-check-wait must be positive, like 30s"},
		// Within the bounds, the run goes on to look for the browser.
		{[]string{"--parallel", "32", "--retries", "10"}, `"/nonexistent/chrome" cannot be run`},
		{[]string{"--parallel", "1", "--retries", "0"}, `"/nonexistent/chrome" cannot be run`},
		{[]string{"--parallel", "auto"}, `"/nonexistent/chrome" cannot be run`},
	} {
		code, _, stderr := cli(t, env, append([]string{"enforce", "--accounts", file, "--base-url", "http://127.0.0.1:1"}, c.args...)...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, code, stderr, c.want)
		}
	}
}

// A binary that is not Chrome is exit 1, with what was started, what it
// printed and how to point at a real Chrome.
func TestChrome_ABinaryThatIsNotChromeExits1(t *testing.T) {
	t.Parallel()
	creds := map[string]string{"CHATGPT_EMAIL": "a@example.com", "CHATGPT_PASSWORD": "x", "ALICE_PASSWORD": "p"}
	accounts := writeFile(t, "accounts.yaml", []byte("accounts:\n  - name: alice\n    email: alice@example.com\n    password_env: ALICE_PASSWORD\n"))
	tmp := shortTempDir(t)
	for _, c := range []struct {
		name  string
		env   map[string]string
		args  []string
		words []string
	}{
		{"disable --chrome /bin/false", creds, []string{"disable", "--chrome", "/bin/false", "--output", "json"}, []string{`"/bin/false"`, "exit status 1", "printed nothing", "CHROME_PATH", "apt-get install -y chromium"}},
		{"enforce with CHROME_PATH=/bin/false", map[string]string{"CHROME_PATH": "/bin/false", "ALICE_PASSWORD": "p"}, []string{"enforce", "--accounts", accounts}, []string{`"/bin/false"`, "CHROME_PATH", "printed nothing"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"TMPDIR": tmp}
			for k, v := range c.env {
				env[k] = v
			}
			code, stdout, stderr := cliProcess(t, env, append(c.args, "--base-url", "http://127.0.0.1:1")...)
			if code != 1 || stdout != "" {
				t.Errorf("exit %d stdout %q, want 1 and nothing", code, stdout)
			}
			for _, w := range c.words {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
	assertNothingLeft(t, tmp)
}

// A failed write to stdout or stderr (a closed pipe) ends the run like
// Ctrl-C, instead of going on writing to nobody.
func TestOutput_AFailedWriteStopsTheRun(t *testing.T) {
	done := make(chan int, 1)
	go func() {
		done <- execute(t.Context(), system{stdout: failingWriter{}, stderr: io.Discard}, []string{"sim"})
	}()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("sim kept running after its stdout failed")
	}
}

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, os.ErrClosed }

// A profile folder others can read is made private (0700), and the result
// says so.
func TestProfile_AFolderOthersCanReadIsMadePrivate(t *testing.T) {
	parallelChrome(t)
	srv := startSim(t, simulator.Options{})
	profile := filepath.Join(t.TempDir(), "profile")
	if err := os.Mkdir(profile, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(profile, 0o755)
	code, stdout, _ := cli(t, creds(t, srv, "bob@example.com"), "status", "--base-url", srv.AppURL(), "--profile-dir", profile, "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var res struct{ Warnings []string }
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(profile); st == nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the profile folder is %v, want 0700", st.Mode().Perm())
	}
	found := false
	for _, w := range res.Warnings {
		found = found || strings.Contains(w, profile) && strings.Contains(w, "0755") && strings.Contains(w, "0700")
	}
	if !found {
		t.Errorf("warnings %q do not say the folder was made private", res.Warnings)
	}
}

// The guard over stdout and stderr still lets the progress bar see a
// terminal.
func TestOutput_TheGuardKeepsTheTerminal(t *testing.T) {
	if unguarded(guard(os.Stderr, func() {})) != io.Writer(os.Stderr) {
		t.Error("the guarded stderr is not seen as os.Stderr")
	}
}
