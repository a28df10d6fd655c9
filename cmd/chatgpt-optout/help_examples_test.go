package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command's help ends with examples, and each example's command line
// parses with the command's real flags.
func TestHelp_EveryCommandHasExamplesThatParse(t *testing.T) {
	g := &globalOptions{stdout: io.Discard, stderr: io.Discard}
	root := newRootCmd(g)
	checked := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			walk(sub)
		}
		if c == root || !c.Runnable() {
			return
		}
		checked++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: its help has no examples", c.CommandPath())
			return
		}
		for _, line := range strings.Split(c.Example, "\n") {
			args := strings.Fields(line)
			if len(args) < 2 || args[0] != "chatgpt-optout" {
				continue
			}
			// Redirections and pipes are the shell's.
			for i, a := range args {
				if a == ">" || a == "|" || a == ">>" {
					args = args[:i]
					break
				}
			}
			fresh := newRootCmd(&globalOptions{stdout: io.Discard, stderr: io.Discard})
			cmd, rest, err := fresh.Find(args[1:])
			if err != nil || cmd.CommandPath() != c.CommandPath() {
				t.Errorf("%s: example %q is not this command (%v)", c.CommandPath(), line, err)
				continue
			}
			if err := cmd.ParseFlags(rest); err != nil {
				t.Errorf("%s: example %q: %v", c.CommandPath(), line, err)
			}
		}
	}
	walk(root)
	if checked < 12 {
		t.Errorf("checked %d commands: the walk missed some", checked)
	}
}
