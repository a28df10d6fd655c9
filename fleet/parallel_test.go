package fleet

import "testing"

func TestAutoParallel_FollowsTheCPUsTheMemoryAndTheFleet(t *testing.T) {
	const gib = 1 << 30
	for _, c := range []struct {
		name     string
		cpus     int
		mem      uint64
		accounts int
		parallel int
	}{
		{"two cores, plenty of memory", 2, 24 * gib, 100, 8},
		{"eight cores", 8, 64 * gib, 100, 32},
		{"a fleet smaller than the machine", 8, 64 * gib, 5, 5},
		{"one account", 2, 24 * gib, 1, 1},
		{"memory is the limit", 8, 1 * gib, 100, 3},
		{"too little memory for even one", 4, 100 << 20, 100, 1},
		{"memory unknown", 2, 0, 100, 8},
		{"never past MaxParallel", 64, 512 * gib, 1000, MaxParallel},
		{"three cores", 3, 24 * gib, 100, 12},
		{"no CPU count", 0, 0, 10, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := autoParallel(c.cpus, c.mem, c.accounts); got != c.parallel {
				t.Errorf("autoParallel(%d CPUs, %d MiB, %d accounts) = %d, want %d", c.cpus, c.mem>>20, c.accounts, got, c.parallel)
			}
		})
	}
	if p := AutoParallel(1000); p < 1 || p > MaxParallel {
		t.Errorf("AutoParallel on this machine = %d, want 1 to %d", p, MaxParallel)
	}
}
