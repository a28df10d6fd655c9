package fleet

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Parallelism picked by AutoParallel. An account's run spends most of its
// time waiting on the site (page loads, the sign-in's own delays) and
// about 1.5 s of CPU (Chrome's and the tool's) per 5 to 7 s alone, so a
// core keeps about three accounts busy; past that, runs only queue for
// the CPU and each takes longer (see docs/fleet.md, Speed, for the
// measurements that put the knee there). A browser context with its
// renderers holds about 150 MB at its peak.
const (
	accountsPerCPU = 3
	bytesPerRun    = 150 << 20
)

// AutoParallel is how many accounts to run at once on this machine for a
// fleet of n accounts: three per CPU the Go runtime may use (which follows
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
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				avail = kb << 10
			}
		}
	}
	if data, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if limit, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil && (avail == 0 || limit < avail) {
			avail = limit
		}
	}
	return avail
}
