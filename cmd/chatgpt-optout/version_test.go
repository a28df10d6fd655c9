package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tt := range []struct {
		name                 string
		stampedVer, stampRev string
		bi                   *debug.BuildInfo
		ver, rev             string
	}{
		{"no build info", "", "", nil, "dev", ""},
		{"stamped by a release", "v1.4.0", "0123abc", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("fff", "true")}, "v1.4.0", "0123abc"},
		{"stamped version only", "v1.4.0", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("fff", "false")}, "v1.4.0", "fff"},
		{"go install @v1.2.3", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3", ""},
		{"go build in a clean checkout", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201093000-0123456789ab"}, Settings: vcs("0123456789abcdef", "false")}, "v0.0.0-20261201093000-0123456789ab", "0123456789abcdef"},
		{"go build with changes", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef", "true")}, "dev", "0123456789abcdef+dirty"},
		{"go build outside a checkout", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev", ""},
	} {
		ver, rev := buildVersion(tt.stampedVer, tt.stampRev, tt.bi)
		if ver != tt.ver || rev != tt.rev {
			t.Errorf("%s: buildVersion = %q, %q; want %q, %q", tt.name, ver, rev, tt.ver, tt.rev)
		}
	}
}

// fakeChrome writes an executable shell script standing in for Chrome.
func fakeChrome(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "chrome")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVersion_JSONHasTheInterfaceKeys(t *testing.T) {
	t.Parallel()
	chrome := fakeChrome(t, `echo "Chromium 140.0.7339.185 built on Debian"`)
	code, out, _ := cli(t, map[string]string{"CHROME_PATH": chrome}, "version", "--output", "json")
	var info map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, k := range []string{"version", "revision", "selectors_version", "chrome"} {
		if _, ok := info[k]; !ok {
			t.Errorf("no %q in %v", k, info)
		}
	}
	if info["version"] == "" || info["selectors_version"] != mustDefault(t).Version || info["chrome"] != chrome || info["chrome_version"] != "Chromium 140.0.7339.185 built on Debian" {
		t.Errorf("version info = %v", info)
	}

	code, out, _ = cli(t, map[string]string{"CHROME_PATH": chrome}, "version")
	if code != 0 || !strings.HasPrefix(out, "chatgpt-optout ") || !strings.Contains(out, "\nselectors "+mustDefault(t).Version+"\n") || !strings.Contains(out, "chrome "+chrome+" (Chromium 140.0.7339.185 built on Debian)") {
		t.Errorf("version text: exit %d, %q", code, out)
	}
}

func TestVersion_AHangingChromeIsCutShort(t *testing.T) {
	defer func(d time.Duration) { chromeVersionTimeout = d }(chromeVersionTimeout)
	chromeVersionTimeout = 200 * time.Millisecond
	chrome := fakeChrome(t, "sleep 30")
	start := time.Now()
	got := chromeVersion(context.Background(), chrome)
	if took := time.Since(start); got != "" || took > 5*time.Second {
		t.Errorf("chromeVersion of a hanging browser = %q after %s", got, took)
	}
	if got := chromeVersion(context.Background(), fakeChrome(t, "exit 1")); got != "" {
		t.Errorf("chromeVersion of a failing browser = %q", got)
	}
}

// TestVersion_GoBuildInACheckout builds the binary as `go build
// ./cmd/chatgpt-optout` does in a checkout: its version must say more than
// "dev" (the commit it was built from). -buildvcs=true is explicit because
// a GOFLAGS of -buildvcs=false (set on some machines) would drop the VCS
// stamp.
func TestVersion_GoBuildInACheckout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	bin := filepath.Join(t.TempDir(), "chatgpt-optout")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	build := exec.Command(goTool, "build", "-buildvcs=true", "-o", bin, "./cmd/chatgpt-optout")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--output", "json").Output()
	if err != nil {
		t.Fatalf("version: %v", err)
	}
	var info versionInfo
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// The commit it names is one of the checkout's (HEAD may have moved on
	// since the build).
	rev := strings.TrimSuffix(info.Revision, "+dirty")
	if len(rev) != 40 {
		t.Fatalf("revision %q is not a commit", info.Revision)
	}
	if out, err := exec.Command("git", "-C", root, "cat-file", "-t", rev).Output(); err != nil || strings.TrimSpace(string(out)) != "commit" {
		t.Errorf("revision %q is not a commit of the checkout (%v)", info.Revision, err)
	}
	if info.Version == "" {
		t.Errorf("version is empty: %s", out)
	}
	t.Logf("go build in the checkout: %s", out)
}
