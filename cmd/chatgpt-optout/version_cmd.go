package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the tool version, the selectors version and the Chrome found",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			info := map[string]string{"version": toolVersion()}
			if f, err := selectors.Default(); err == nil {
				info["selectors_version"] = f.Version
			}
			chrome, err := automation.FindChrome()
			if p := os.Getenv("CHROME_PATH"); p != "" {
				chrome, err = p, nil
			}
			if err != nil {
				info["chrome"] = "not found"
			} else {
				info["chrome"] = chrome
				if out, err := exec.CommandContext(cmd.Context(), chrome, "--version").Output(); err == nil {
					info["chrome_version"] = strings.TrimSpace(string(out))
				}
			}
			if g.output == "json" {
				return json.NewEncoder(g.stdout).Encode(info)
			}
			fmt.Fprintf(g.stdout, "chatgpt-optout %s\nselectors %s\nchrome %s %s\n", info["version"], info["selectors_version"], info["chrome"], info["chrome_version"])
			return nil
		},
	}
}
