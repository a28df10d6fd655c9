//go:build unix

package automation

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// processAlive reports whether a process with this id exists (a process of
// another user counts: it exists, it only cannot be signalled).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// configureBrowserCmd makes the browser lead a process group of its own,
// so that its children can be told from the tool's other processes and are
// not hit by a terminal's Ctrl-C before the tool has stopped them itself.
func configureBrowserCmd(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)
}

// killGroup kills the process group pgid.
func killGroup(pgid int) {
	if pgid > 0 {
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// tryLockFile takes an exclusive lock on f without waiting. It reports
// false when another open file holds the lock. The lock ends when f is
// closed, also when the process dies.
func tryLockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
