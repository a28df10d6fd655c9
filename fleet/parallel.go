package fleet

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Parallelism picked by AutoParallel. An account's run spends most of its
// time waiting on the site (page loads, the sign-in's own delays), with
// about 1.5 s of CPU (Chrome's and the tool's) in 5 to 7 s, so a core
// keeps about four accounts busy: 20 accounts on 2 cores took 29.5 s at
// 4, 23.0 s at 8, 21.2 s at 10 and 21.0 s at 16, while the memory grew
// by about 55 MB (PSS) per account at once (docs/fleet.md, Speed). A
// browser context with its renderers is given 150 MB, to be safe.
const (
	accountsPerCPU = 4
	bytesPerRun    = 150 << 20
)

// AutoParallel is how many accounts to run at once on this machine for a
// fleet of n accounts: four per CPU the Go runtime may use (which follows
// a container's CPU limit), as many as half the available memory holds,
// never more than n nor MaxParallel, at least 1.
func AutoParallel(n int) int {
	return autoParallel(runtime.GOMAXPROCS(0), availableMemory(), n)
}

// autoParallel is AutoParallel's decision: cpus usable, mem bytes
// available (0: unknown), n accounts.
func autoParallel(cpus int, mem uint64, n int) int {
	p := max(1, cpus) * accountsPerCPU
	if mem > 0 {
		p = min(p, int(mem/2/bytesPerRun))
	}
	return max(1, min(p, n, MaxParallel))
}

// availableMemory is the memory a run may use: the lower of the cgroup's
// limit (a container's, cgroup v2) and the machine's MemAvailable, in
// bytes; 0 when neither can be read (not Linux).
func availableMemory() uint64 {
	var avail uint64
	meminfo, _ := os.ReadFile("/proc/meminfo")
	for line := range strings.Lines(string(meminfo)) {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			avail = kb << 10
		}
	}
	if data, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if limit, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil && (avail == 0 || limit < avail) {
			avail = limit
		}
	}
	return avail
}
