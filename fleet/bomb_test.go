package fleet

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// mergeLaughs is a "billion laughs" accounts file: an account merged from
// 10 copies of a mapping merged from 10 copies of ..., 9 levels, 10^9 merges
// for the resolver, which follows each merge key at each use, in under
// 1 KB. Its level 4, on line 6, takes the copies past the cap
// (yamlguard.DefaultAliasNodes).
func mergeLaughs() []byte {
	var b strings.Builder
	b.WriteString("accounts:\n  - &x0 {name: a, email: a@example.com, password_env: A}\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "  - &x%d {<<: [%s]}\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d,", i-1), 10), ","))
	}
	return []byte(b.String())
}

// listLaughs is the classic bomb, lists of aliases of lists, under a key
// the file does not have, with accounts: naming the last level.
func listLaughs() []byte {
	var b strings.Builder
	b.WriteString("l0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 10), ","))
	}
	b.WriteString("accounts: *l9\n")
	return []byte(b.String())
}

// A bomb is a configuration error naming the file and the line of the alias
// that takes it over the cap, found in bounded memory (and at once: it took
// over a minute before).
func TestParseAccounts_AliasBombIsRefusedInBoundedMemory(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"merge keys", mergeLaughs(), "accounts file bomb.yaml: nothing was run: bomb.yaml:6: YAML aliases expand to more than 100000 values at *x3 (aliases of aliases multiply, a \"billion laughs\"): write the values out; an alias may share a few keys, like <<: *defaults"},
		{"lists", listLaughs(), "accounts file bomb.yaml: nothing was run: bomb.yaml:6: YAML aliases expand to more than 100000 values at *l4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.data) > 1024 {
				t.Fatalf("the bomb is %d bytes", len(c.data))
			}
			path := filepath.Join(t.TempDir(), "bomb.yaml")
			if err := os.WriteFile(path, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, load := range []struct {
				name string
				f    func() ([]AccountSpec, error)
			}{
				{"ParseAccounts", func() ([]AccountSpec, error) { return ParseAccounts(c.data, "bomb.yaml") }},
				{"LoadAccounts", func() ([]AccountSpec, error) { return LoadAccounts(path) }},
			} {
				var specs []AccountSpec
				var err error
				alloc := allocated(func() { specs, err = load.f() })
				t.Logf("%s: %v: %.2f MB allocated", load.name, err, float64(alloc)/(1<<20))
				var ae *AccountsError
				if specs != nil || automation.KindOf(err) != automation.KindConfig || !errors.As(err, &ae) {
					t.Fatalf("%s: specs %v, err %v (%T); want a config error wrapping *AccountsError", load.name, specs, err, err)
				}
				want := strings.ReplaceAll(c.want, "bomb.yaml", ae.Source)
				if len(ae.Problems) != 1 || ae.Problems[0].Line != 6 || !strings.HasPrefix(err.Error(), want) {
					t.Errorf("%s: err = %q, want %q", load.name, err, want)
				}
				if alloc > 64<<20 {
					t.Errorf("%s: allocated %d MB", load.name, alloc>>20)
				}
			}
		})
	}
}

// The resolver looks anchors up by name over the whole file and follows
// merge keys at each use, so an alias before its anchor, inside the value it
// names, or an anchor defined twice would loop or multiply there (a self
// merge of two copies ran for minutes): each is refused with its line.
func TestParseAccounts_AliasLoopsAreRefused(t *testing.T) {
	tens := func(name string) string {
		return strings.TrimSuffix(strings.Repeat("*"+name+",", 10), ",")
	}
	var upsideDown strings.Builder
	upsideDown.WriteString("accounts:\n  - <<: *x9\n")
	for i := 9; i >= 1; i-- {
		fmt.Fprintf(&upsideDown, "  - &x%d {<<: [%s]}\n", i, tens(fmt.Sprintf("x%d", i-1)))
	}
	upsideDown.WriteString("  - &x0 {name: a, email: a@example.com, password_env: A}\n")
	for _, c := range []struct {
		name, data string
		want       string
	}{
		{"a merge of itself", "accounts:\n  - &a {name: x, email: a@x.io, password_env: A, <<: [*a, *a]}\n",
			"f.yaml:2: the YAML alias *a is inside the value of &a (line 2), which it names: a loop; write the value out"},
		{"a bomb upside down", upsideDown.String(), "f.yaml:2: the YAML alias *x9 names no anchor before it: define &x9 above it, or write the value out"},
		{"an anchor defined again", "accounts:\n  - &a {name: a, email: a@x.io, password_env: A}\n  - &b {<<: [" + tens("a") + "], name: b, email: b@x.io}\n  - &a {<<: [" + tens("b") + "], name: c, email: c@x.io}\n",
			"f.yaml:4: the YAML anchor &a is defined again (first on line 2): give each anchor a name of its own"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = ParseAccounts([]byte(c.data), "f.yaml") })
			if automation.KindOf(err) != automation.KindConfig || !strings.Contains(err.Error(), "accounts file f.yaml: nothing was run: "+c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}

// Shared defaults stay allowed, for many accounts too; deep nesting is
// refused.
func TestParseAccounts_SharedDefaultsAndDeepNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("accounts:\n  - &d\n    name: a0\n    email: a0@example.com\n    password_env: P\n    profile_dir: p/a0\n")
	for i := 1; i < 3000; i++ {
		fmt.Fprintf(&b, "  - <<: *d\n    name: a%d\n    email: a%d@example.com\n    profile_dir: p/a%d\n", i, i, i)
	}
	specs, err := ParseAccounts([]byte(b.String()), "f.yaml")
	if err != nil || len(specs) != 3000 || specs[2999].PasswordEnv != "P" {
		t.Fatalf("%d specs, err %v", len(specs), err)
	}
	for _, data := range []string{
		"accounts:\n  - name: " + strings.Repeat("[", 100_000),
		"accounts:\n  - name: " + strings.Repeat("{", 100_000),
		"accounts:\n  - " + strings.Repeat("- ", 100_000),
	} {
		var err error
		alloc := allocated(func() { _, err = ParseAccounts([]byte(data), "f.yaml") })
		if automation.KindOf(err) != automation.KindConfig || !strings.Contains(err.Error(), "f.yaml:2: YAML nested more than 100 levels deep") {
			t.Errorf("%.20q…: err = %v", data, err)
		}
		if alloc > 64<<20 {
			t.Errorf("%.20q…: allocated %d MB", data, alloc>>20)
		}
	}
}

// allocated is what f allocates, in bytes.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
