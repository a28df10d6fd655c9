//go:build unix && !linux

package automation

import (
	"syscall"
	"time"
)

func setParentDeathSignal(attr *syscall.SysProcAttr) {}

func processStartTime(pid int) uint64 { return 0 }

// stopBrowserProcesses kills the browser's process group while it is known
// to be the browser's, then waits, at most wait, until the group is empty.
// Without /proc, the group is all that finds Chrome's children.
func stopBrowserProcesses(pgid int, groupIsOurs bool, dirs []string, wait time.Duration) {
	if pgid <= 0 {
		return
	}
	if groupIsOurs {
		killGroup(pgid)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && syscall.Kill(-pgid, 0) == nil {
		time.Sleep(10 * time.Millisecond)
	}
}
