package fleet

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// randomName is an account name: ASCII most of the time, sometimes other
// scripts, spaces and punctuation.
func randomName(r *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.@ ÄéßЖ中🙂"
	runes := []rune(alphabet)
	n := 1 + r.IntN(24)
	b := make([]rune, n)
	for i := range b {
		b[i] = runes[r.IntN(len(runes))]
	}
	return string(b)
}

// The shards of a fleet are disjoint, together hold every account, and do
// not depend on the order of the file or on which other accounts exist.
func TestShard_DisjointCompleteAndStable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		n := r.IntN(60)
		count := 1 + r.IntN(12)
		seen := map[string]bool{}
		var accounts []automation.Account
		for len(accounts) < n {
			name := randomName(r)
			if seen[name] {
				continue
			}
			seen[name] = true
			accounts = append(accounts, automation.Account{Name: name, Email: fmt.Sprintf("u%d@example.com", len(accounts))})
		}

		owner := map[string]int{}
		for i := 0; i < count; i++ {
			s := Shard{Index: i, Count: count}
			part := s.Select(accounts)
			// Order is the file's order.
			last := -1
			for _, a := range part {
				pos := slices.IndexFunc(accounts, func(b automation.Account) bool { return b.Name == a.Name })
				if pos <= last {
					t.Fatalf("shard %s changed the order of the accounts", s)
				}
				last = pos
				if prev, dup := owner[a.Name]; dup {
					t.Fatalf("%q is in shards %d and %d of %d", a.Name, prev, i, count)
				}
				owner[a.Name] = i
				if !s.Contains(a.Name) || shardOf(a.Name, count) != i {
					t.Fatalf("Select and Contains/Of disagree on %q", a.Name)
				}
			}
		}
		if len(owner) != len(accounts) {
			t.Fatalf("the %d shards hold %d of %d accounts", count, len(owner), len(accounts))
		}

		// Another ordering, and a fleet with some accounts removed and
		// others added: every account that remains stays where it was.
		shuffled := slices.Clone(accounts)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if len(shuffled) > 0 {
			shuffled = shuffled[r.IntN(len(shuffled)):]
		}
		shuffled = append(shuffled, automation.Account{Name: "added-" + randomName(r), Email: "x@example.com"})
		for i := 0; i < count; i++ {
			for _, a := range (Shard{Index: i, Count: count}).Select(shuffled) {
				if prev, ok := owner[a.Name]; ok && prev != i {
					t.Fatalf("%q moved from shard %d to %d when the file changed", a.Name, prev, i)
				}
			}
		}
	}
}

// The hash is fixed: the same name lands in the same shard on every run,
// machine and version. A change here moves accounts between CI jobs.
func TestShard_SameOnEveryRun(t *testing.T) {
	golden := []struct {
		name  string
		count int
		want  int
	}{
		{"alice", 4, 3},
		{"bob", 4, 2},
		{"carol@example.com", 3, 0},
		{"team-7", 10, 8},
		{"anything", 1, 0},
	}
	for _, g := range golden {
		if got := shardOf(g.name, g.count); got != g.want {
			t.Errorf("shardOf(%q, %d) = %d, pinned %d: the shard hash changed", g.name, g.count, got, g.want)
		}
	}
	// Spread: 4000 names over 4 shards, each within 10% of a quarter.
	counts := make([]int, 4)
	for i := 0; i < 4000; i++ {
		counts[shardOf(fmt.Sprintf("account-%d", i), 4)]++
	}
	for i, c := range counts {
		if c < 900 || c > 1100 {
			t.Errorf("shard %d of 4 holds %d of 4000 accounts", i, c)
		}
	}
}

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"0/1": {0, 1}, "3/4": {3, 4}, " 2 / 5 ": {2, 5}} {
		got, err := ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "1", "4/4", "-1/4", "0/0", "a/b", "1/2/3", "1/"} {
		_, err := ParseShard(in)
		if err == nil || automation.KindOf(err) != automation.KindConfig {
			t.Errorf("ParseShard(%q) err = %v, want a config error", in, err)
			continue
		}
		if !slices.Equal(automation.FixOf(err), []automation.Setting{SettingShard}) || !strings.HasPrefix(err.Error(), fmt.Sprintf("shard %q", in)) || strings.Contains(err.Error(), "--shard") {
			t.Errorf("ParseShard(%q) err = %q pointing at %v, want it to name the shard %q and point at %s", in, err, automation.FixOf(err), in, SettingShard)
		}
	}
}
