package selectors

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/internal/yamlguard"
)

// laughs is a "billion laughs" selectors file: 9 levels of 10 aliases of
// the level before, 10^9 values once expanded, in under 1 KB. The first
// alias is on line 3.
func laughs() []byte {
	var b strings.Builder
	b.WriteString("schema_version: 2\nl0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 10), ","))
	}
	return []byte(b.String())
}

// A bomb is refused before anything expands it, naming the file and the
// line of the first alias, in bounded memory.
func TestParse_AliasBombIsRefusedInBoundedMemory(t *testing.T) {
	data := laughs()
	if len(data) > 1024 {
		t.Fatalf("the bomb is %d bytes", len(data))
	}
	path := filepath.Join(t.TempDir(), "bomb.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		load func() (*File, error)
	}{
		{"Parse", func() (*File, error) { return Parse(data, "bomb.yaml") }},
		{"Load", func() (*File, error) { return Load(path) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var f *File
			var err error
			alloc := allocated(func() { f, err = c.load() })
			t.Logf("%s: %.2f MB allocated", err, float64(alloc)/(1<<20))
			if f != nil {
				t.Fatal("a File returned")
			}
			var se *Error
			if !errors.As(err, &se) || !errors.Is(err, yamlguard.ErrAlias) {
				t.Fatalf("err = %v (%T), want a *selectors.Error of yamlguard.ErrAlias", err, err)
			}
			want := fmt.Sprintf("selectors file %s (line 3): YAML aliases (*l0) are not allowed: write the value out", se.Source)
			if se.Line != 3 || err.Error() != want {
				t.Errorf("err = %q (line %d), want %q", err, se.Line, want)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}

// A selectors file needs no alias, so none is read, a merge key's neither;
// an anchor alone copies nothing and loads. Deep nesting is refused before
// the parser (whose time grows with the square of the depth) sees it.
func TestParse_AliasesAndDeepNesting(t *testing.T) {
	withAnchor := strings.Replace(string(minimalFile), "  - name: p\n", "  - &p\n    name: p\n", 1)
	if _, err := Parse([]byte(withAnchor), "anchor.yaml"); err != nil {
		t.Errorf("an anchor without an alias: %v", err)
	}
	for _, c := range []struct {
		name, data string
		kind       error
		line       int
		msg        string
	}{
		{"a merge key", withAnchor + "  - <<: *p\n    name: q\n", yamlguard.ErrAlias, 33,
			"YAML aliases (*p) are not allowed, nor merge keys that copy one (<<: *p): write the keys out"},
		{"an alias of a value", strings.Replace(string(minimalFile), `version: "2026.1.1"`+"\nchangelog:\n  - version: \"2026.1.1\"", `version: &v "2026.1.1"`+"\nchangelog:\n  - version: *v", 1), yamlguard.ErrAlias, 4,
			"YAML aliases (*v) are not allowed: write the value out"},
		{"100k nested [", "schema_version: 2\nprofiles: " + strings.Repeat("[", 100_000), yamlguard.ErrDepth, 2, "nested more than 100 levels deep"},
		{"100k nested {", "schema_version: 2\nprofiles: " + strings.Repeat("{", 100_000), yamlguard.ErrDepth, 2, "nested more than 100 levels deep"},
		{"100k nested -", "schema_version: 2\nprofiles:\n" + strings.Repeat("- ", 100_000), yamlguard.ErrDepth, 3, "nested more than 100 levels deep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = Parse([]byte(c.data), "f.yaml") })
			var se *Error
			if !errors.As(err, &se) || !errors.Is(err, c.kind) {
				t.Fatalf("err = %v (%T), want a *selectors.Error of %v", err, err, c.kind)
			}
			if se.Source != "f.yaml" || se.Line != c.line || !strings.Contains(se.Msg, c.msg) {
				t.Errorf("err = %v (line %d), want line %d and %q", err, se.Line, c.line, c.msg)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}

// A bomb signed by a trusted key and fetched over https ends in Parse too:
// refused as an invalid file, in bounded memory.
func TestFetch_ASignedAliasBombIsRefused(t *testing.T) {
	srv, u, _, pub := serveSigned(t, laughs())
	var err error
	alloc := allocated(func() { _, _, err = Fetch(context.Background(), u, options(t, srv, pub)) })
	wantKind(t, err, ErrInvalidFile, u, "(line 3): YAML aliases (*l0) are not allowed: write the value out")
	if !errors.Is(err, yamlguard.ErrAlias) {
		t.Errorf("err = %v, not a yamlguard.ErrAlias", err)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MB", alloc>>20)
	}
}

// The size cap still comes first, with its own message.
func TestParse_OverTheSizeCapIsStillTooLarge(t *testing.T) {
	data := append(laughs(), strings.Repeat("#", MaxFileSize)...)
	_, err := Parse(data, "big.yaml")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "a selectors file may be at most 4 MiB") {
		t.Fatalf("err = %v", err)
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
