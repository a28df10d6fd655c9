package main

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// selectorsServer serves the embedded selectors file over TLS at
// /good/selectors.yaml (signed by key), /nosig/ (no signature) and
// /other/ (signed by another key), and counts the requests per path.
type selectorsServer struct {
	*httptest.Server
	key    selectors.PublicKey
	caFile string
	mu     sync.Mutex
	hits   map[string]int
}

func (s *selectorsServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func newSelectorsServer(t *testing.T) *selectorsServer {
	t.Helper()
	data := selectors.Embedded()
	sign := func() (selectors.PublicKey, []byte) {
		pub, secret, err := selectors.GenerateKey("")
		if err != nil {
			t.Fatal(err)
		}
		k, err := selectors.ParsePrivateKey(secret, "")
		if err != nil {
			t.Fatal(err)
		}
		return pub, selectors.Sign(k, data)
	}
	pub, goodSig := sign()
	_, otherSig := sign()
	s := &selectorsServer{key: pub, hits: map[string]int{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		switch r.URL.Path {
		case "/good/selectors.yaml", "/nosig/selectors.yaml", "/other/selectors.yaml":
			w.Write(data)
		case "/good/selectors.yaml.sig":
			w.Write(goodSig)
		case "/other/selectors.yaml.sig":
			w.Write(otherSig)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	s.caFile = writeFile(t, "selectors-ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}))
	return s
}

// remoteEnv trusts the test server (SSL_CERT_FILE, which Go honours on
// Linux) and gives the run a cache of its own.
func (s *selectorsServer) env(t *testing.T, kv ...string) map[string]string {
	env := map[string]string{"SSL_CERT_FILE": s.caFile, "XDG_CACHE_HOME": t.TempDir(), "CHATGPT_OPTOUT_SELECTORS_KEY": s.key.String()}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

func runTool(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	cmd := toolCmd(t, shortTempDir(t), env, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	t.Logf("chatgpt-optout %v → exit %d\nstdout:\n%s\nstderr:\n%s", args, cmd.ProcessState.ExitCode(), stdout.String(), stderr.String())
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

func TestSelectorsURL_SignedFileIsUsedOthersExit1(t *testing.T) {
	t.Parallel()
	ss := newSelectorsServer(t)
	srv := startSim(t, simulator.Options{})
	alice := creds(t, srv, "alice@example.com")
	withCreds := func(env map[string]string) map[string]string {
		for k, v := range alice {
			env[k] = v
		}
		return env
	}

	t.Run("good signature", func(t *testing.T) {
		url := ss.URL + "/good/selectors.yaml"
		code, out, _ := runTool(t, withCreds(ss.env(t)), "status", "--base-url", srv.AppURL(), "--selectors", url, "--output", "json")
		if code != 2 {
			t.Fatalf("exit %d, want 2 (on)", code)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		src, _ := res["selectors_source"].(string)
		if !strings.Contains(src, url) || !strings.Contains(src, ss.key.KeyID()) {
			t.Errorf("selectors_source %q does not name the URL and key %s", src, ss.key.KeyID())
		}
	})
	for _, c := range []struct{ name, path, word string }{
		{"no signature", "/nosig/selectors.yaml", "signature"},
		{"another key", "/other/selectors.yaml", "not trusted"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runTool(t, withCreds(ss.env(t, "CHROME_PATH", "/nonexistent/chrome")), "disable", "--base-url", srv.AppURL(), "--selectors", ss.URL+c.path)
			if code != 1 || out != "" || !strings.Contains(errOut, c.word) || strings.Contains(errOut, "/nonexistent/chrome") {
				t.Fatalf("exit %d stdout %q stderr %q; want 1 naming %q before Chrome", code, out, errOut, c.word)
			}
		})
	}
	t.Run("fallback to the embedded file", func(t *testing.T) {
		env := withCreds(ss.env(t, "CHATGPT_OPTOUT_SELECTORS", ss.URL+"/nosig/selectors.yaml"))
		code, out, _ := runTool(t, env, "status", "--base-url", srv.AppURL(), "--selectors-fallback", "embedded", "--output", "json")
		if code != 2 {
			t.Fatalf("exit %d, want 2", code)
		}
		var res struct {
			Source   string   `json:"selectors_source"`
			Warnings []string `json:"warnings"`
		}
		json.Unmarshal([]byte(out), &res)
		if res.Source != "embedded" || !strings.Contains(strings.Join(res.Warnings, "\n"), "fallback") {
			t.Errorf("selectors_source %q, warnings %q; want embedded and the fallback's warning", res.Source, res.Warnings)
		}
	})
	t.Run("bad flag values", func(t *testing.T) {
		for _, args := range [][]string{
			{"--selectors-fallback", "latest"},
			{"--selectors-key", "RWnotakey"},
		} {
			code, _, errOut := runTool(t, withCreds(ss.env(t, "CHROME_PATH", "/nonexistent/chrome")), append([]string{"disable", "--base-url", srv.AppURL(), "--selectors", ss.URL + "/good/selectors.yaml"}, args...)...)
			if code != 1 || !strings.Contains(errOut, args[0]) {
				t.Errorf("%v: exit %d stderr %q; want 1 naming the flag", args, code, errOut)
			}
		}
		code, _, errOut := runTool(t, withCreds(ss.env(t, "CHROME_PATH", "/nonexistent/chrome", "CHATGPT_OPTOUT_SELECTORS_KEY", "nope")), "disable", "--base-url", srv.AppURL())
		if code != 1 || !strings.Contains(errOut, "CHATGPT_OPTOUT_SELECTORS_KEY") {
			t.Errorf("bad key variable: exit %d stderr %q; want 1 naming it", code, errOut)
		}
	})
	if n := srv.Counters("").Patches; n != 0 {
		t.Errorf("%d changes sent; every run here only reads or stops before Chrome", n)
	}
}

// enforce fetches the file once for the whole run, not per account, and
// its report names where the file came from.
func TestSelectorsURL_EnforceFetchesOnce(t *testing.T) {
	t.Parallel()
	ss := newSelectorsServer(t)
	accts := onFleet("url", 3)
	srv := startSim(t, simulator.Options{Accounts: simAccounts(accts)})
	file, env := writeFleet(t, srv, accts, "")
	for k, v := range ss.env(t) {
		env[k] = v
	}
	report := filepath.Join(t.TempDir(), "report.json")
	junit := filepath.Join(t.TempDir(), "junit.xml")
	url := ss.URL + "/good/selectors.yaml"
	code, _, _ := runTool(t, env, "enforce", "--accounts", file, "--base-url", srv.AppURL(), "--selectors", url, "--report-json", report, "--report-junit", junit)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := ss.count("/good/selectors.yaml"); n != 1 {
		t.Errorf("the file was fetched %d times, want 1", n)
	}
	data, _ := os.ReadFile(report)
	var rep struct {
		Source  string `json:"selectors_source"`
		Results []struct {
			Source string `json:"selectors_source"`
		} `json:"results"`
	}
	json.Unmarshal(data, &rep)
	if !strings.Contains(rep.Source, url) || len(rep.Results) != 3 || rep.Results[2].Source != rep.Source {
		t.Errorf("report selectors_source %q, results %+v; want the URL everywhere", rep.Source, rep.Results)
	}
	if x, _ := os.ReadFile(junit); !strings.Contains(string(x), `name="selectors_source"`) {
		t.Error("the JUnit report has no selectors_source property")
	}
}

// keygen, sign and verify-signature, and the minisign tool on the same
// files both ways.
func TestSelectorsSigning_KeygenSignVerifyAndMinisign(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := filepath.Join(dir, "team.key")
	code, out, _ := runTool(t, nil, "selectors", "keygen", "--out", key)
	pub := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(pub, "RW") {
		t.Fatalf("keygen: exit %d, stdout %q", code, out)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret key: %v, want mode 0600", err)
	}
	file := filepath.Join(dir, "selectors.yaml")
	os.WriteFile(file, selectors.Embedded(), 0o644)
	if code, _, _ := runTool(t, nil, "selectors", "sign", "--key", key, file); code != 0 {
		t.Fatalf("sign: exit %d", code)
	}
	if code, out, _ := runTool(t, nil, "selectors", "verify-signature", "--selectors-key", pub, file); code != 0 || !strings.Contains(out, "good signature") {
		t.Errorf("verify-signature: exit %d, stdout %q", code, out)
	}
	if code, _, errOut := runTool(t, nil, "selectors", "verify-signature", file); code != 1 || !strings.Contains(errOut, "not trusted") {
		t.Errorf("verify-signature without the key: exit %d, stderr %q; want 1", code, errOut)
	}
	os.WriteFile(file, append(selectors.Embedded(), []byte("# tampered\n")...), 0o644)
	if code, _, _ := runTool(t, nil, "selectors", "verify-signature", "--selectors-key", pub, file); code != 1 {
		t.Errorf("verify-signature of a tampered file: exit %d, want 1", code)
	}

	if _, err := exec.LookPath("minisign"); err != nil {
		t.Skip("minisign is not installed (scripts/ensure-tools installs it)")
	}
	os.WriteFile(file, selectors.Embedded(), 0o644)
	runTool(t, nil, "selectors", "sign", "--key", key, file)
	if out, err := exec.Command("minisign", "-V", "-p", key+".pub", "-m", file, "-x", file+".sig").CombinedOutput(); err != nil {
		t.Errorf("minisign -V of a file signed by selectors sign: %v\n%s", err, out)
	}
	os.Remove(file + ".sig")
	if out, err := exec.Command("minisign", "-S", "-s", key, "-m", file, "-x", file+".sig").CombinedOutput(); err != nil {
		t.Fatalf("minisign -S: %v\n%s", err, out)
	}
	if code, out, _ := runTool(t, nil, "selectors", "verify-signature", "--selectors-key", pub, file); code != 0 || !strings.Contains(out, "good signature") {
		t.Errorf("verify-signature of minisign's signature: exit %d, stdout %q", code, out)
	}
}
