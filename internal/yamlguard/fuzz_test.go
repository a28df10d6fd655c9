package yamlguard_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/fleet"
	"github.com/chatgpt-optout/chatgpt-optout/internal/yamlguard"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// FuzzYAMLLoaders feeds the same bytes to the guard in both modes and to
// both YAML loaders, selectors.Parse and fleet.ParseAccounts, from
// alias-heavy seeds. Nothing may panic; the guard's errors name the input
// and a line inside it; what the guard refuses, each loader refuses with
// the guard's message; and no input makes the loaders allocate more than
// 64 MB beyond a few KB per byte of input (a bomb that slipped past the
// guard would).
//
// testdata/fuzz/FuzzYAMLLoaders holds the files that ran for minutes in
// the accounts file's resolver before the guard refused them: a mapping
// merging itself, merge keys naming anchors below them, an anchor defined
// again.
//
// Run it with: go test ./internal/yamlguard -run '^$' -fuzz FuzzYAMLLoaders -fuzztime 30s -fuzzminimizetime 2s
// (minimising an input as large as the embedded selectors file takes the
// default minute otherwise).
func FuzzYAMLLoaders(f *testing.F) {
	laughs := func(levels, fan int, merge bool) string {
		var b strings.Builder
		if merge {
			b.WriteString("accounts:\n  - &x0 {name: a, email: a@x.io, password_env: A}\n")
		} else {
			b.WriteString("x0: &x0 [lol]\n")
		}
		for i := 1; i <= levels; i++ {
			refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d,", i-1), fan), ",")
			if merge {
				fmt.Fprintf(&b, "  - &x%d {<<: [%s]}\n", i, refs)
			} else {
				fmt.Fprintf(&b, "x%d: &x%d [%s]\n", i, i, refs)
			}
		}
		return b.String()
	}
	for _, s := range []string{
		laughs(9, 10, false), laughs(9, 10, true), laughs(4, 10, false), laughs(4, 10, true), laughs(30, 2, true), laughs(3, 50, false),
		"accounts:\n  - &d\n    name: a\n    email: a@x.io\n    password_env: A\n  - <<: *d\n    name: b\n    email: b@x.io\n",
		"defaults: &d {password_env: P}\naccounts:\n  - {<<: *d, name: a, email: a@x.io}\n",
		"accounts: &a [*a, *a]\n", "a: &a {<<: *a}\n", "a: &a\n  <<: [*a, *a]\n", "*a : b\n", "? *a\n: b\n", "a: &a !!map {}\nb: *a\n",
		"a: &a 1\nb: &a [*a, *a]\nc: [*a, *a, *a]\n", "a: *undefined\n", "a: &x 1\r\n# c\r\nb: *x\r\n", "a: '*x'\nb: \"&x *x\"\n",
		"a: |\n  *x\n  &y\nb: *y\n", "--- &a [1]\n--- *a\n", "a: [&b 1, *b, {*b : *b}]\n",
		strings.Repeat("[", 1000), strings.Repeat("- ", 1000) + "*a", strings.Repeat("{a: ", 200) + "*a",
		"schema_version: 2\nversion: &v \"2026.1.1\"\nchangelog:\n  - version: *v\n    changes: [x]\n",
	} {
		f.Add([]byte(s))
	}
	embedded := selectors.Embedded()
	f.Add(embedded)
	f.Add(bytes.Replace(embedded, []byte("profiles:\n  - name: "), []byte("profiles:\n  - &p\n    name: "), 1))

	f.Fuzz(func(t *testing.T, data []byte) {
		const source = "fuzz.yaml"
		var refused, capped, serr, aerr error
		alloc := allocated(func() {
			refused = yamlguard.Check(data, source, yamlguard.Limits{})
			capped = yamlguard.Check(data, source, yamlguard.Limits{AliasNodes: yamlguard.DefaultAliasNodes})
			_, serr = selectors.Parse(data, source)
			_, aerr = fleet.ParseAccounts(data, source)
		})
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		for _, err := range []error{refused, capped} {
			if err == nil {
				continue
			}
			var ge *yamlguard.Error
			if !errors.As(err, &ge) || ge.Source != source || ge.Line < 0 || ge.Line > lines || ge.Msg == "" {
				t.Fatalf("guard error %T %v: want a *yamlguard.Error naming %s, with a line within the %d lines", err, err, source, lines)
			}
		}
		if refused != nil {
			var se *selectors.Error
			if !errors.As(serr, &se) || !strings.Contains(serr.Error(), refused.(*yamlguard.Error).Msg) {
				t.Fatalf("the guard refused (%v) but selectors.Parse said %v", refused, serr)
			}
		}
		if capped != nil && (aerr == nil || !strings.Contains(aerr.Error(), capped.(*yamlguard.Error).Msg)) {
			t.Fatalf("the guard refused (%v) but fleet.ParseAccounts said %v", capped, aerr)
		}
		if limit := uint64(64<<20 + 4096*len(data)); alloc > limit {
			t.Fatalf("%d bytes of input: the guard and loaders allocated %d MB", len(data), alloc>>20)
		}
	})
}

// allocated is what f allocates, in bytes.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
