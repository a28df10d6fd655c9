package yamlguard

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// bomb is a "billion laughs" file: levels anchors, each a list of fan
// aliases of the one before, fan^levels values once expanded. Line 2 holds
// the first alias; line levels+1 the last anchor.
func bomb(levels, fan int) []byte {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), fan), ","))
	}
	return []byte(b.String())
}

// reversedBomb is bomb upside down: each anchor's aliases name the anchor
// below it, which YAML forbids and a reader that looks anchors up by name
// expands all the same.
func reversedBomb(levels, fan int) []byte {
	var b strings.Builder
	for i := levels; i >= 1; i-- {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), fan), ","))
	}
	b.WriteString("a0: &a0 [lol]\n")
	return []byte(b.String())
}

// mergeBomb is bomb made of merge keys: each mapping merges fan copies of
// the one before.
func mergeBomb(levels, fan int) []byte {
	var b strings.Builder
	b.WriteString("m0: &m0 {k: v}\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d,", i-1), fan), ","))
	}
	return []byte(b.String())
}

// indented is a block mapping nested n levels by indentation.
func indented(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%sk:\n", strings.Repeat(" ", i))
	}
	fmt.Fprintf(&b, "%sv\n", strings.Repeat(" ", n))
	return []byte(b.String())
}

var (
	refuse = Limits{}
	capped = Limits{AliasNodes: DefaultAliasNodes}
)

func TestCheck(t *testing.T) {
	big := bytes.Repeat([]byte("k: v\n"), 10<<20/5) // 10 MB
	cases := []struct {
		name string
		data []byte
		lim  Limits
		kind error // nil: allowed
		line int
		msg  string // in the message
	}{
		{"plain alias", []byte("a: &x 1\nb: *x\n"), refuse, ErrAlias, 2, "YAML aliases (*x) are not allowed: write the value out"},
		{"plain alias, allowed", []byte("a: &x 1\nb: *x\n"), capped, nil, 0, ""},
		{"alias in a flow list", []byte("a: &x 1\nb: [1, 2,\n  *x]\n"), refuse, ErrAlias, 3, "(*x)"},
		{"nested bomb of 9 levels of 10", bomb(9, 10), refuse, ErrAlias, 2, "(*a0)"},
		{"nested bomb of 9 levels of 10, capped", bomb(9, 10), capped, ErrExpansion, 6, "more than 100000 values at *a4"},
		{"nested bomb of 100 levels of 10, capped", bomb(100, 10), capped, ErrExpansion, 6, "billion laughs"},
		{"a bomb that stays under the cap", bomb(4, 10), capped, nil, 0, ""},
		{"merge key", []byte("base: &b {k: v}\nm:\n  <<: *b\n  j: w\n"), refuse, ErrAlias, 3, "nor merge keys that copy one (<<: *b): write the keys out"},
		{"merge key, allowed", []byte("base: &b {k: v}\nm:\n  <<: *b\n  j: w\n"), capped, nil, 0, ""},
		{"merge bomb, capped", mergeBomb(9, 10), capped, ErrExpansion, 6, "more than 100000 values at *m4 (aliases of aliases multiply"},
		{"a merge of a list of aliases", []byte("a: &a {k: v}\nb: {<<: [*a, *a]}\n"), refuse, ErrAlias, 2, "(*a)"},
		// An anchor alone copies nothing: it passes even when aliases do not.
		{"anchors without aliases", []byte("a: &x 1\nb: &y [1, 2]\nc: &z {k: v}\n"), refuse, nil, 0, ""},
		{"an alias to no anchor", []byte("a: *nothing\n"), refuse, ErrAlias, 1, "(*nothing)"},
		// Where aliases are allowed, those a reader that looks anchors up by
		// name could take otherwise than YAML does are refused: they loop or
		// multiply there.
		{"an alias to no anchor, capped", []byte("a: *nothing\n"), capped, ErrAlias, 1, "the YAML alias *nothing names no anchor before it: define &nothing above it, or write the value out"},
		{"an alias before its anchor, capped", []byte("a: *x\nb: &x 1\n"), capped, ErrAlias, 1, "*x names no anchor before it"},
		{"a bomb upside down, capped", reversedBomb(9, 10), capped, ErrAlias, 1, "*a8 names no anchor before it"},
		{"an anchor that names itself, capped", []byte("a: &a [1,\n  *a, *a]\n"), capped, ErrAlias, 2, "the YAML alias *a is inside the value of &a (line 1), which it names: a loop; write the value out"},
		{"a merge key that merges itself, capped", []byte("- &a\n  k: v\n  <<: [*a, *a]\n"), capped, ErrAlias, 3, "a loop"},
		{"an anchor defined twice, capped", []byte("a: &x 1\nb: *x\nc: &x [*x, *x]\n"), capped, ErrAlias, 3, "the YAML anchor &x is defined again (first on line 1): give each anchor a name of its own"},
		{"an anchor defined twice, refused", []byte("a: &x 1\nb: &x 2\nc: *x\n"), refuse, ErrAlias, 3, "(*x)"},
		{"an anchor defined twice without aliases", []byte("a: &x 1\nb: &x 2\n"), capped, nil, 0, ""},
		{"* in quotes and comments", []byte("# *x\na: '*x'\nb: \"*x\" # *x\nc: a*x\nd: |\n  *x\n"), refuse, nil, 0, ""},
		{"an alias below a CRLF comment", []byte("# c\r\n# c\r\na: &x 1\r\nb: *x\r\n"), refuse, ErrAlias, 4, "(*x)"},
		{"an alias in a second document", []byte("a: 1\n---\nb: &x 1\nc: *x\n"), refuse, ErrAlias, 4, "(*x)"},
		{"100k nested [", []byte(strings.Repeat("[", 100_000)), refuse, ErrDepth, 1, "nested more than 100 levels deep"},
		{"100k nested {", []byte(strings.Repeat("{a: ", 100_000)), refuse, ErrDepth, 1, "nested more than 100 levels"},
		{"100k nested - ", []byte(strings.Repeat("- ", 100_000)), refuse, ErrDepth, 1, "nested more than 100 levels"},
		{"100k nested ? ", []byte(strings.Repeat("? ", 100_000)), refuse, ErrDepth, 1, "nested more than 100 levels"},
		{"2000 levels of indentation", indented(2000), refuse, ErrDepth, 101, "nested more than 100 levels"},
		{"90 levels of indentation", indented(90), refuse, nil, 0, ""},
		{"100 balanced [", []byte(strings.Repeat("[", 100) + strings.Repeat("]", 100)), refuse, nil, 0, ""},
		{"101 balanced [", []byte(strings.Repeat("[", 101) + strings.Repeat("]", 101)), refuse, ErrDepth, 1, "nested"},
		{"a depth of 5 under a limit of 3", []byte("a:\n  b:\n    c: [[1]]\n"), Limits{Depth: 3}, ErrDepth, 3, "more than 3 levels"},
		{"a 10 MB file", big, refuse, ErrTooLarge, 0, "the file is 10485760 bytes, more than the 4194304 read"},
		{"a file of the size cap", big[:DefaultBytes], refuse, nil, 0, ""},
		{"empty", nil, refuse, nil, 0, ""},
		{"not YAML", []byte("a: [\n  b: }\n\t- *x"), capped, nil, 0, ""},
		{"not UTF-8", []byte("a: \xff\xfe\nb: 1\n"), refuse, nil, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.data, "f.yaml", c.lim)
			if c.kind == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, c.kind) {
				t.Fatalf("Check = %v (%T), want a %v", err, err, c.kind)
			}
			if e.Line != c.line || e.Source != "f.yaml" || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("line %d source %q msg %q; want line %d and %q", e.Line, e.Source, e.Msg, c.line, c.msg)
			}
			want := "f.yaml: "
			if c.line > 0 {
				want = fmt.Sprintf("f.yaml line %d: ", c.line)
			}
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() = %q, want it to start %q", err, want)
			}
		})
	}
}

// The files of the repository, aliases or not, pass.
func TestCheck_RepositoryFiles(t *testing.T) {
	for _, f := range []string{"../../selectors/selectors.yaml", "../../selectors/testdata/v1/selectors-2026.11.2.yaml", "../../testdata/ui-evidence.yaml", "../../examples/kubernetes-cronjob.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(data, f, refuse); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// Sharing defaults among many entries stays well under the cap.
func TestCheck_ManySharedDefaults(t *testing.T) {
	var b strings.Builder
	b.WriteString("defaults: &d\n  password_env: P\n  profile_dir: p\n  state: s\n")
	b.WriteString("accounts:\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "  - <<: *d\n    name: a%d\n    email: a%d@example.com\n", i, i)
	}
	if err := Check([]byte(b.String()), "f.yaml", capped); err != nil {
		t.Fatal(err)
	}
}

// A bomb is refused in bounded memory, in either mode; so is deep nesting.
func TestCheck_BoundedMemory(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		lim  Limits
	}{
		{"bomb, refused", bomb(9, 10), refuse},
		{"bomb, capped", bomb(9, 10), capped},
		{"bomb of 100 levels, capped", bomb(100, 10), capped},
		{"merge bomb, capped", mergeBomb(9, 10), capped},
		{"100k nested [", []byte(strings.Repeat("[", 100_000)), refuse},
	} {
		t.Run(c.name, func(t *testing.T) {
			alloc := allocated(func() {
				if err := Check(c.data, "f.yaml", c.lim); err == nil {
					t.Error("not refused")
				}
			})
			t.Logf("%d bytes in, %.1f MB allocated", len(c.data), float64(alloc)/(1<<20))
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
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
