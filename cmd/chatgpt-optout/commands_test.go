package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

func TestSim_FirstLineDescribesTheSimulator(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, system{stdout: pw, stderr: io.Discard}, []string{"sim", "--ui", "2023"})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	var info simulator.Info
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("first line %q is not the JSON object: %v", line, err)
	}
	if info.UI != simulator.UI2023 || !strings.HasPrefix(info.App, "http://") || !strings.HasPrefix(info.Auth, "http://") || info.App == info.Auth {
		t.Errorf("info = %+v", info)
	}
	if len(info.Accounts) == 0 || info.Accounts[0].Email == "" || info.Accounts[0].Password == "" {
		t.Errorf("accounts = %+v", info.Accounts)
	}
	resp, err := http.Get(info.App + "/")
	if err != nil {
		t.Fatalf("the app does not answer: %v", err)
	}
	resp.Body.Close()
	go io.Copy(io.Discard, pr)
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("sim exited %d after Ctrl-C, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop when interrupted")
	}
}

func TestDemo_DisablesThenReportsOff(t *testing.T) {
	parallelChrome(t)
	code, out, errOut := cliProcess(t, nil, "demo")
	if code != 0 {
		t.Fatalf("demo exit %d", code)
	}
	for _, want := range []string{"== disable", "on → off (verified)", "== status", "already off", "training allowed = false"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if !strings.Contains(errOut, "signed in") {
		t.Errorf("demo does not show its steps on stderr")
	}
}

func TestSelectors_ValidateAndShow(t *testing.T) {
	t.Parallel()
	code, out, _ := cliProcess(t, nil, "selectors", "validate")
	if code != 0 || !strings.Contains(out, "valid, version "+mustDefault(t).Version) {
		t.Errorf("validate of the built-in file: exit %d, %q", code, out)
	}
	bad := writeFile(t, "bad.yaml", []byte("schema_version: 1\nversion: \"2026.11.1\"\nchangelog: []\nprofiles: []\n"))
	code, _, errOut := cli(t, nil, "selectors", "validate", bad)
	if code != 1 || !strings.Contains(errOut, bad) || !strings.Contains(errOut, "changelog") {
		t.Errorf("validate of a bad file: exit %d, stderr %q", code, errOut)
	}
	code, out, _ = cli(t, nil, "selectors", "show")
	if code != 0 || !strings.Contains(out, "# version: "+mustDefault(t).Version) || !strings.Contains(out, "improve-model-toggle") {
		t.Errorf("show: exit %d", code)
	}
}

func TestVersion_NamesSelectorsAndChrome(t *testing.T) {
	t.Parallel()
	code, out, _ := cliProcess(t, nil, "version", "--output", "json")
	var info map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if info["selectors_version"] != mustDefault(t).Version || info["chrome"] == "" || info["chrome"] == "not found" {
		t.Errorf("version info = %v", info)
	}
}

func TestLogin_RefusesWithoutAProfileOrADisplay(t *testing.T) {
	t.Parallel()
	code, _, errOut := cli(t, nil, "login")
	if code != 1 || !strings.Contains(errOut, "--profile-dir") {
		t.Errorf("login without --profile-dir: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = cliProcess(t, map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": ""}, "login", "--profile-dir", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "xvfb-run") {
		t.Errorf("login without a display: exit %d, stderr %q", code, errOut)
	}
}

func TestSelectorsVerify_PrintsTheTableAndExits4OnMissing(t *testing.T) {
	parallelShared(t) // its one run as a process is short
	srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantProfileTopRight}})
	env := creds(t, srv, "alice@example.com")
	code, out, _ := cliProcess(t, env, "selectors", "verify", "--base-url", srv.AppURL())
	if code != 0 {
		t.Fatalf("verify exit %d, want 0 (stale is a warning)", code)
	}
	for _, want := range []string{"ELEMENT", "path.profile_menu", "stale", "profile-button", "path.switch"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	data := strings.Replace(string(selectors.Embedded()), "testid: improve-model-toggle", "testid: gone-toggle", 1)
	data = strings.Replace(data, `name: "Improve the model for everyone"`+"\n", `name: "Gone"`+"\n", 1)
	code, out, _ = cli(t, env, "selectors", "verify", "--base-url", srv.AppURL(), "--selectors", writeFile(t, "s.yaml", []byte(data)), "--output", "json")
	if code != 4 || !strings.Contains(out, `"status": "missing"`) {
		t.Errorf("verify with a switch that matches nothing: exit %d, want 4 and a missing row", code)
	}
	if srv.Counters("").Patches != 0 {
		t.Error("verify sent a change")
	}
}
