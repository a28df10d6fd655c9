//go:build !unix

package automation

import (
	"os"
	"os/exec"
	"time"
)

func processAlive(pid int) bool { return true }

func configureBrowserCmd(cmd *exec.Cmd) {}

func killGroup(pgid int) {}

// tryLockFile has no lock to take here: Chrome's own profile lock is the
// only guard, and its refusal is reported as "in use".
func tryLockFile(f *os.File) (bool, error) { return true, nil }

func processStartTime(pid int) uint64 { return 0 }

// stopBrowserProcesses relies on chromedp here: it kills the browser
// process, and Chrome's children end with it.
func stopBrowserProcesses(pgid int, dirs []string, wait time.Duration) {}
