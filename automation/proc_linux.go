//go:build linux

package automation

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// setParentDeathSignal has the kernel kill the browser when the tool dies,
// as chromedp's default command set-up does (but on AWS Lambda, where that
// breaks the start).
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	if _, ok := os.LookupEnv("LAMBDA_TASK_ROOT"); ok {
		return
	}
	attr.Pdeathsig = syscall.SIGKILL
}

// procInfo is what /proc/<pid>/stat tells of a process.
type procInfo struct {
	state byte // R, S, D, Z (zombie: ended, waiting to be reaped), …
	ppid  int
	start uint64 // start time, in clock ticks after boot
}

func readProc(pid int) (procInfo, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	// "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
	// majflt cmajflt utime stime cutime cstime priority nice threads
	// itrealvalue starttime …"; comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procInfo{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 || len(f[0]) == 0 {
		return procInfo{}, false
	}
	p := procInfo{state: f[0][0]}
	p.ppid, _ = strconv.Atoi(f[1])
	p.start, _ = strconv.ParseUint(f[19], 10, 64)
	return p, true
}

// processStartTime is the start time of a process, or 0 when unknown: with
// the id it tells a process from a later one that got the same id.
func processStartTime(pid int) uint64 {
	p, _ := readProc(pid)
	return p.start
}

// browserProcesses lists the running processes (not zombies) of a browser:
// their command line names one of dirs (Chrome passes --user-data-dir to
// every child, and its crash reporter's database is in the run's folder).
func browserProcesses(dirs []string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	mine := selfAndAncestors()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || mine[pid] {
			continue
		}
		p, ok := readProc(pid)
		if !ok || p.state == 'Z' || p.state == 'X' {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		for arg := range bytes.SplitSeq(cmdline, []byte{0}) {
			if mentionsAny(string(arg), dirs) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// selfAndAncestors is the tool's process and every process above it (a
// shell, timeout(1)): never a browser's, even when naming the same folders.
func selfAndAncestors() map[int]bool {
	mine := map[int]bool{}
	for pid := os.Getpid(); pid > 1 && !mine[pid]; {
		mine[pid] = true
		p, ok := readProc(pid)
		if !ok {
			break
		}
		pid = p.ppid
	}
	return mine
}

// stopBrowserProcesses kills the browser's processes (browserProcesses)
// and looks again until none runs, or wait is over.
func stopBrowserProcesses(pgid int, dirs []string, wait time.Duration) {
	deadline := time.Now().Add(wait)
	for {
		pids := browserProcesses(dirs)
		if len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if !time.Now().Before(deadline) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
