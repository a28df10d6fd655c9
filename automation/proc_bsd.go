//go:build unix && !linux

package automation

import (
	"syscall"
	"time"
)

func setParentDeathSignal(attr *syscall.SysProcAttr) {}

func processStartTime(pid int) uint64 { return 0 }

// stopBrowserProcesses waits, at most wait, until the browser's process
// group is empty: without /proc, the group is all that finds its children.
func stopBrowserProcesses(pgid int, dirs []string, wait time.Duration) {
	if pgid <= 0 {
		return
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && syscall.Kill(-pgid, 0) == nil {
		time.Sleep(10 * time.Millisecond)
	}
}
