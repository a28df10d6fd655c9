package fleet

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// Shard is one of Count disjoint parts of a fleet, numbered from 0 (as a
// Kubernetes Indexed Job numbers its pods with JOB_COMPLETION_INDEX).
// Which shard an account falls in depends only on its name, so it is the
// same on every run, whatever the order of the file or the other accounts;
// the shards of one Count are disjoint and together hold every account.
type Shard struct {
	Index, Count int
}

// All is the whole fleet: one shard of one.
var All = Shard{Index: 0, Count: 1}

// ParseShard reads "I/N", with 0 <= I < N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, shardError("shard %q is not I/N, like 0/4 (shards are numbered from 0, as a Kubernetes completion index)", s)
	}
	if count < 1 || count > 10000 {
		return Shard{}, shardError("shard %q: the number of shards must be between 1 and 10000", s)
	}
	if index < 0 || index >= count {
		return Shard{}, shardError("shard %q: the index must be from 0 to %d (shards are numbered from 0)", s, count-1)
	}
	return Shard{Index: index, Count: count}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// shardOf is the shard index, from 0 to count-1, of the account named name.
func shardOf(name string, count int) int {
	if count <= 1 {
		return 0
	}
	sum := sha256.Sum256([]byte(name))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(count))
}

// Contains reports whether the account named name is in the shard.
func (s Shard) Contains(name string) bool {
	return shardOf(name, s.Count) == s.Index
}

// Select returns the accounts of the shard, in their order, keyed by
// Account.Label (the name, or the email when there is none).
func (s Shard) Select(accounts []automation.Account) []automation.Account {
	return slices.DeleteFunc(slices.Clone(accounts), func(a automation.Account) bool { return !s.Contains(a.Label()) })
}

func shardError(format string, args ...any) error {
	return &automation.Error{Kind: automation.KindConfig, Msg: fmt.Sprintf(format, args...), Fix: []automation.Setting{SettingShard}}
}
