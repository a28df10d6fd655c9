package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// selectorsServer serves the embedded selectors file over TLS at
// /good/selectors.yaml (signed by key), /nosig/ (no signature), /other/
// (signed by another key), /tampered/ (the file changed by one byte, the
// original's signature), /newer/ (a file with a min_tool_version far above
// any release, signed by key), /hang/ (a file that never arrives) and
// /etag/ (the good file and signature with ETags, answering 304 to a
// matching If-None-Match), and counts the requests per path and, for
// /etag/, per path and status.
type selectorsServer struct {
	*httptest.Server
	key    selectors.PublicKey
	caFile string
	done   chan struct{} // closed when the test ends: /hang/ returns
	mu     sync.Mutex
	hits   map[string]int
	codes  map[string]int // "PATH STATUS"
}

func (s *selectorsServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *selectorsServer) countStatus(path string, code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.codes[path+" "+strconv.Itoa(code)]
}

// newerToolVersion is the min_tool_version of /newer/: above any release.
const newerToolVersion = "v99.0.0"

func newSelectorsServer(t *testing.T) *selectorsServer {
	t.Helper()
	data := selectors.Embedded()
	newKey := func() (selectors.PublicKey, *selectors.PrivateKey) {
		pub, secret, err := selectors.GenerateKey("")
		if err != nil {
			t.Fatal(err)
		}
		k, err := selectors.ParsePrivateKey(secret, "")
		if err != nil {
			t.Fatal(err)
		}
		return pub, k
	}
	pub, key := newKey()
	_, otherKey := newKey()
	goodSig, otherSig := selectors.Sign(key, data), selectors.Sign(otherKey, data)
	// One byte of a comment changed: still a valid file, so only the
	// signature can refuse it.
	tampered := bytes.Clone(data)
	i := bytes.Index(tampered, []byte("chatgpt-optout selectors file"))
	if i < 0 {
		t.Fatal("the embedded file's heading comment moved; pick another byte to change")
	}
	tampered[i] = 'C'
	newer := bytes.Replace(data, []byte("\nschema_version:"), []byte("\nmin_tool_version: \""+newerToolVersion+"\"\nschema_version:"), 1)
	if bytes.Equal(newer, data) {
		t.Fatal("no schema_version line in the embedded file to put min_tool_version before")
	}
	newerSig := selectors.Sign(key, newer)
	s := &selectorsServer{key: pub, done: make(chan struct{}), hits: map[string]int{}, codes: map[string]int{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		switch r.URL.Path {
		case "/good/selectors.yaml", "/nosig/selectors.yaml", "/other/selectors.yaml":
			w.Write(data)
		case "/good/selectors.yaml.sig", "/tampered/selectors.yaml.sig":
			w.Write(goodSig)
		case "/other/selectors.yaml.sig":
			w.Write(otherSig)
		case "/tampered/selectors.yaml":
			w.Write(tampered)
		case "/newer/selectors.yaml":
			w.Write(newer)
		case "/newer/selectors.yaml.sig":
			w.Write(newerSig)
		case "/hang/selectors.yaml", "/hang/selectors.yaml.sig":
			select {
			case <-r.Context().Done():
			case <-s.done:
			}
		case "/etag/selectors.yaml", "/etag/selectors.yaml.sig":
			body, tag := data, `"file-1"`
			if strings.HasSuffix(r.URL.Path, ".sig") {
				body, tag = goodSig, `"sig-1"`
			}
			w.Header().Set("ETag", tag)
			code := http.StatusOK
			if r.Header.Get("If-None-Match") == tag {
				code = http.StatusNotModified
			}
			s.mu.Lock()
			s.codes[r.URL.Path+" "+strconv.Itoa(code)]++
			s.mu.Unlock()
			w.WriteHeader(code)
			if code == http.StatusOK {
				w.Write(body)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	// Runs before s.Close, which waits for the handlers.
	t.Cleanup(func() { close(s.done) })
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

func TestSelectorsURL_SignedFileIsUsedOthersExit1(t *testing.T) {
	parallelShared(t)
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
		code, out, _ := cli(t, withCreds(ss.env(t)), "status", "--base-url", srv.AppURL(), "--selectors", url, "--output", "json")
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
			code, out, errOut := cli(t, withCreds(ss.env(t, "CHROME_PATH", "/nonexistent/chrome")), "disable", "--base-url", srv.AppURL(), "--selectors", ss.URL+c.path)
			if code != 1 || out != "" || !strings.Contains(errOut, c.word) || strings.Contains(errOut, "/nonexistent/chrome") {
				t.Fatalf("exit %d stdout %q stderr %q; want 1 naming %q before Chrome", code, out, errOut, c.word)
			}
		})
	}
	t.Run("fallback to the embedded file", func(t *testing.T) {
		env := withCreds(ss.env(t, "CHATGPT_OPTOUT_SELECTORS", ss.URL+"/nosig/selectors.yaml"))
		code, out, _ := cli(t, env, "status", "--base-url", srv.AppURL(), "--selectors-fallback", "embedded", "--output", "json")
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
			code, _, errOut := cli(t, withCreds(ss.env(t, "CHROME_PATH", "/nonexistent/chrome")), append([]string{"disable", "--base-url", srv.AppURL(), "--selectors", ss.URL + "/good/selectors.yaml"}, args...)...)
			if code != 1 || !strings.Contains(errOut, args[0]) {
				t.Errorf("%v: exit %d stderr %q; want 1 naming the flag", args, code, errOut)
			}
		}
		code, _, errOut := cli(t, withCreds(ss.env(t, "CHROME_PATH", "/nonexistent/chrome", "CHATGPT_OPTOUT_SELECTORS_KEY", "nope")), "disable", "--base-url", srv.AppURL())
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
	parallelShared(t)
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
	code, _, _ := cli(t, env, "enforce", "--accounts", file, "--base-url", srv.AppURL(), "--selectors", url, "--report-json", report, "--report-junit", junit)
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
	code, out, _ := cliProcess(t, nil, "selectors", "keygen", "--out", key)
	pub := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(pub, "RW") {
		t.Fatalf("keygen: exit %d, stdout %q", code, out)
	}
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret key: %v, want mode 0600", err)
	}
	file := filepath.Join(dir, "selectors.yaml")
	os.WriteFile(file, selectors.Embedded(), 0o644)
	if code, _, _ := cli(t, nil, "selectors", "sign", "--key", key, file); code != 0 {
		t.Fatalf("sign: exit %d", code)
	}
	if code, out, _ := cli(t, nil, "selectors", "verify-signature", "--selectors-key", pub, file); code != 0 || !strings.Contains(out, "good signature") {
		t.Errorf("verify-signature: exit %d, stdout %q", code, out)
	}
	if code, _, errOut := cli(t, nil, "selectors", "verify-signature", file); code != 1 || !strings.Contains(errOut, "not trusted") {
		t.Errorf("verify-signature without the key: exit %d, stderr %q; want 1", code, errOut)
	}
	os.WriteFile(file, append(selectors.Embedded(), []byte("# tampered\n")...), 0o644)
	if code, _, _ := cli(t, nil, "selectors", "verify-signature", "--selectors-key", pub, file); code != 1 {
		t.Errorf("verify-signature of a tampered file: exit %d, want 1", code)
	}

	if _, err := exec.LookPath("minisign"); err != nil {
		missingTool(t, "minisign is not installed (scripts/ensure-tools installs it)")
	}
	os.WriteFile(file, selectors.Embedded(), 0o644)
	cli(t, nil, "selectors", "sign", "--key", key, file)
	if out, err := exec.Command("minisign", "-V", "-p", key+".pub", "-m", file, "-x", file+".sig").CombinedOutput(); err != nil {
		t.Errorf("minisign -V of a file signed by selectors sign: %v\n%s", err, out)
	}
	os.Remove(file + ".sig")
	if out, err := exec.Command("minisign", "-S", "-s", key, "-m", file, "-x", file+".sig").CombinedOutput(); err != nil {
		t.Fatalf("minisign -S: %v\n%s", err, out)
	}
	if code, out, _ := cli(t, nil, "selectors", "verify-signature", "--selectors-key", pub, file); code != 0 || !strings.Contains(out, "good signature") {
		t.Errorf("verify-signature of minisign's signature: exit %d, stdout %q", code, out)
	}
}

var (
	releaseBinOnce sync.Once
	releaseBinPath string
	releaseBinErr  error
)

// releaseVersion is what releaseBinary is stamped with, the way the
// release build stamps it.
const releaseVersion = "v1.0.0"

// releaseBinary builds the command stamped as release releaseVersion
// (-ldflags -X main.version), once per test run: buildBinary's is a
// development build, whose version (a pseudo-version of no release, or
// dev) lets any min_tool_version pass with a warning.
func releaseBinary(t *testing.T) string {
	t.Helper()
	// Beside buildBinary's, whose directory TestMain removes.
	dir := filepath.Dir(buildBinary(t))
	releaseBinOnce.Do(func() {
		releaseBinPath = filepath.Join(dir, "chatgpt-optout-"+releaseVersion)
		releaseBinErr = goBuild(releaseBinPath, "-ldflags", "-X main.version="+releaseVersion)
	})
	if releaseBinErr != nil {
		t.Fatal(releaseBinErr)
	}
	return releaseBinPath
}

// A file changed after signing (one byte, the original's signature
// beside it) stops the run before Chrome, naming the mismatch.
func TestSelectorsURL_TamperedFileExit1(t *testing.T) {
	t.Parallel()
	ss := newSelectorsServer(t)
	srv := startSim(t, simulator.Options{})
	env := ss.env(t, "CHROME_PATH", "/nonexistent/chrome")
	for k, v := range creds(t, srv, "alice@example.com") {
		env[k] = v
	}
	url := ss.URL + "/tampered/selectors.yaml"
	code, out, errOut := cli(t, env, "disable", "--base-url", srv.AppURL(), "--selectors", url)
	if code != 1 || out != "" || strings.Contains(errOut, "/nonexistent/chrome") {
		t.Fatalf("exit %d stdout %q stderr %q; want 1 before Chrome", code, out, errOut)
	}
	for _, want := range []string{url, "does not match the file", ss.key.KeyID(), "nothing was run"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q does not say %q", errOut, want)
		}
	}
	if n := ss.count("/tampered/selectors.yaml.sig"); n != 1 {
		t.Errorf("the signature was fetched %d times, want 1", n)
	}
	if c := srv.Counters(""); c.LoginPageViews != 0 || c.Patches != 0 {
		t.Errorf("the simulator saw %+v; nothing should reach it", c)
	}
}

// A signed file whose min_tool_version is above this tool: a release
// build stops before Chrome naming both versions; a development build
// cannot compare, so it goes on with the file and says so in the result.
func TestSelectorsURL_FileNeedingNewerTool(t *testing.T) {
	parallelShared(t)
	ss := newSelectorsServer(t)
	srv := startSim(t, simulator.Options{})
	alice := creds(t, srv, "alice@example.com")
	url := ss.URL + "/newer/selectors.yaml"
	env := func(kv ...string) map[string]string {
		e := ss.env(t, kv...)
		for k, v := range alice {
			e[k] = v
		}
		return e
	}

	t.Run("release build exits 1", func(t *testing.T) {
		bin := releaseBinary(t)
		release := func(env map[string]string, args ...string) (int, string, string) {
			t.Helper()
			cmd := toolCmd(t, shortTempDir(t), env, args...)
			cmd.Path, cmd.Args[0] = bin, bin
			return runCmd(t, cmd)
		}
		if code, out, _ := release(nil, "version"); code != 0 || !strings.Contains(out, releaseVersion) {
			t.Fatalf("the stamped build says exit %d %q; want version %s", code, out, releaseVersion)
		}
		code, out, errOut := release(env("CHROME_PATH", "/nonexistent/chrome"), "disable", "--base-url", srv.AppURL(), "--selectors", url)
		if code != 1 || out != "" || strings.Contains(errOut, "/nonexistent/chrome") {
			t.Fatalf("exit %d stdout %q stderr %q; want 1 before Chrome", code, out, errOut)
		}
		for _, want := range []string{url, "min_tool_version is " + newerToolVersion, "chatgpt-optout " + releaseVersion} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr %q does not say %q", errOut, want)
			}
		}
		if c := srv.Counters(""); c.LoginPageViews != 0 {
			t.Errorf("the simulator saw %+v before the refusal", c)
		}
	})
	t.Run("development build goes on with a warning", func(t *testing.T) {
		code, out, _ := cli(t, env(), "status", "--base-url", srv.AppURL(), "--selectors", url, "--output", "json")
		if code != 2 {
			t.Fatalf("exit %d, want 2 (on)", code)
		}
		var res struct {
			Source   string   `json:"selectors_source"`
			Warnings []string `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		w := strings.Join(res.Warnings, "\n")
		if !strings.Contains(res.Source, url) || !strings.Contains(w, newerToolVersion) || !strings.Contains(w, "not a release version") {
			t.Errorf("selectors_source %q, warnings %q; want the URL and a warning that %s could not be checked", res.Source, res.Warnings, newerToolVersion)
		}
	})
	if n := srv.Counters("").Patches; n != 0 {
		t.Errorf("%d changes sent; the runs here only read or stop before Chrome", n)
	}
}

// A server that accepts the request and never answers: the fetch
// deadline ends the run with exit 1 before Chrome, naming the wait.
func TestSelectorsURL_HangingServerExit1(t *testing.T) {
	t.Parallel()
	ss := newSelectorsServer(t)
	srv := startSim(t, simulator.Options{})
	env := ss.env(t, "CHROME_PATH", "/nonexistent/chrome")
	for k, v := range creds(t, srv, "alice@example.com") {
		env[k] = v
	}
	url := ss.URL + "/hang/selectors.yaml"
	code, out, errOut := cli(t, env, "disable", "--base-url", srv.AppURL(), "--selectors", url)
	if code != 1 || out != "" || strings.Contains(errOut, "/nonexistent/chrome") {
		t.Fatalf("exit %d stdout %q stderr %q; want 1 before Chrome", code, out, errOut)
	}
	for _, want := range []string{url, "did not arrive within", "nothing was run"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q does not say %q", errOut, want)
		}
	}
	if n := ss.count("/hang/selectors.yaml"); n != 1 {
		t.Errorf("the file was requested %d times, want 1", n)
	}
	if c := srv.Counters(""); c.LoginPageViews != 0 || c.Patches != 0 {
		t.Errorf("the simulator saw %+v; nothing should reach it", c)
	}
}

// The second run with the same cache sends If-None-Match, gets 304 for the
// file and its signature, and uses the cached file.
func TestSelectorsURL_CachedFileReusedOn304(t *testing.T) {
	parallelShared(t)
	ss := newSelectorsServer(t)
	srv := startSim(t, simulator.Options{})
	env := ss.env(t) // one XDG_CACHE_HOME for every run
	for k, v := range creds(t, srv, "alice@example.com") {
		env[k] = v
	}
	url := ss.URL + "/etag/selectors.yaml"
	const file, sig = "/etag/selectors.yaml", "/etag/selectors.yaml.sig"
	run := func() {
		t.Helper()
		code, out, _ := cli(t, env, "status", "--base-url", srv.AppURL(), "--selectors", url, "--output", "json")
		if code != 2 {
			t.Fatalf("exit %d, want 2 (on)", code)
		}
		var res struct {
			Source string `json:"selectors_source"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Source, url) || !strings.Contains(res.Source, ss.key.KeyID()) {
			t.Errorf("selectors_source %q does not name the URL and key %s", res.Source, ss.key.KeyID())
		}
	}
	counts := func() [4]int {
		return [4]int{ss.countStatus(file, 200), ss.countStatus(sig, 200), ss.countStatus(file, 304), ss.countStatus(sig, 304)}
	}

	run()
	if got := counts(); got != [4]int{1, 1, 0, 0} {
		t.Fatalf("first run: [file 200, sig 200, file 304, sig 304] = %v, want [1 1 0 0]", got)
	}
	run()
	if got := counts(); got != [4]int{1, 1, 1, 1} {
		t.Fatalf("second run: [file 200, sig 200, file 304, sig 304] = %v, want [1 1 1 1] (a 304 for each)", got)
	}
	code, out, _ := cli(t, env, "selectors", "show", "--selectors", url)
	if code != 0 || !strings.Contains(out, url) || !strings.Contains(out, "unchanged since the cached copy") {
		t.Errorf("selectors show: exit %d, stdout starts %q; want the URL, unchanged since the cached copy", code, firstLines(out, 2))
	}
	if got := counts(); got != [4]int{1, 1, 2, 2} {
		t.Errorf("after selectors show: %v, want [1 1 2 2]", got)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// missingTool skips a test whose tool is missing, except in CI (CI set),
// where every tool is installed by the scripts and a missing one fails.
func missingTool(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg + ": in CI the scripts install it, so this is a failure")
	}
	t.Skip(msg)
}
