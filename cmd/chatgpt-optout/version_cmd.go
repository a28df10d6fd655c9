package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// version and revision are stamped at build time by the release build
// (.goreleaser.yaml) and the container image (Dockerfile):
//
//	-ldflags "-X main.version=v1.2.3 -X main.revision=<commit>"
//
// Unstamped, they come from the build info (see buildVersion).
var (
	version  = ""
	revision = ""
)

// chromeVersionTimeout bounds `CHROME --version`: a browser that hangs
// must not hang `version`.
var chromeVersionTimeout = 5 * time.Second

// toolVersion is the version the tool reports (also in fleet reports and
// the selectors fetch's User-Agent).
func toolVersion() string {
	bi, _ := debug.ReadBuildInfo() // nil when the binary has none
	v, _ := buildVersion(version, revision, bi)
	return v
}

// buildVersion is the tool's version and VCS revision: the stamped ones
// when set; otherwise the module version of the build info (`go install
// …@v1.2.3` gives v1.2.3; `go build` in a checkout a pseudo-version such
// as v0.0.0-20261201093000-0123456789ab+dirty) and its vcs.revision, with
// "+dirty" when vcs.modified says the work tree had uncommitted changes.
// With neither, the version is "dev" and the revision empty.
func buildVersion(ver, rev string, bi *debug.BuildInfo) (string, string) {
	if bi != nil && ver == "" && bi.Main.Version != "(devel)" {
		ver = bi.Main.Version
	}
	if bi != nil && rev == "" {
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if rev != "" && modified {
			rev += "+dirty"
		}
	}
	return cmp.Or(ver, "dev"), rev
}

// versionInfo is what `version` prints. Its JSON keys are part of the
// interface.
type versionInfo struct {
	Version          string `json:"version"`
	Revision         string `json:"revision"`
	SelectorsVersion string `json:"selectors_version"`
	// Chrome is the browser's path, or "not found".
	Chrome string `json:"chrome"`
	// ChromeVersion is what the browser's --version printed (empty when it
	// printed nothing in time).
	ChromeVersion string `json:"chrome_version"`
}

// chromeVersion runs `CHROME --version` within chromeVersionTimeout and
// returns its first line, or "" when it fails or takes longer.
func chromeVersion(ctx context.Context, chrome string) string {
	ctx, cancel := context.WithTimeout(ctx, chromeVersionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, chrome, "--version")
	var out bytes.Buffer
	cmd.Stdout = &out
	// A child that keeps stdout open must not keep Wait waiting.
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
	return strings.TrimSpace(line)
}

func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the tool version, the selectors version and the Chrome found",
		Long: `Print the tool version and VCS revision, the version of the embedded
selectors file, and the Chrome or Chromium that runs would start (CHROME_PATH,
or the first one found) with what its --version prints.

A release binary or the container image has its version stamped in; a binary
from ` + "`go install …@vX.Y.Z`" + ` reports that module version, and one from ` + "`go build`" + `
in a checkout reports the commit it was built from (+dirty when the work tree
had changes).`,
		Example: `  chatgpt-optout version
  chatgpt-optout version --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var info versionInfo
			bi, _ := debug.ReadBuildInfo()
			info.Version, info.Revision = buildVersion(version, revision, bi)
			if f, err := selectors.Default(); err == nil {
				info.SelectorsVersion = f.Version
			}
			// The browser runs would start: CHROME_PATH, or the first one found.
			chrome, err := automation.FindChrome()
			if p := g.sys.getenv("CHROME_PATH"); p != "" {
				chrome, err = p, nil
			}
			info.Chrome = "not found"
			if err == nil {
				info.Chrome, info.ChromeVersion = chrome, chromeVersion(cmd.Context(), chrome)
			}
			if g.output == "json" {
				return json.NewEncoder(g.stdout).Encode(info)
			}
			text := "chatgpt-optout " + info.Version
			if info.Revision != "" {
				text += " (revision " + info.Revision + ")"
			}
			text += "\nselectors " + info.SelectorsVersion + "\nchrome " + info.Chrome
			if info.ChromeVersion != "" {
				text += " (" + info.ChromeVersion + ")"
			}
			_, err = fmt.Fprintln(g.stdout, text)
			return err
		},
	}
}
