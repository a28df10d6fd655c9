package selectors

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// This file holds the helpers the specifications share: the embedded file as
// generic data that a test changes at a key path and writes back, and an
// independent way to find the line a key path sits on.
//
// Bad files are built from the real embedded file, so the tests keep working
// when selectors.yaml is edited; only the key paths named in the tests must
// still exist.

// doc is a selectors file as generic YAML data: map[string]any, []any and scalars.
type doc = map[string]any

// embeddedDoc returns a fresh generic copy of the embedded file.
func embeddedDoc(t testing.TB) doc {
	t.Helper()
	d, err := embeddedOnce()
	if err != nil {
		t.Fatalf("embedded selectors file is not YAML: %v", err)
	}
	return deepCopy(d).(doc)
}

// embeddedOnce is the embedded file read once: the tests change copies.
var embeddedOnce = sync.OnceValues(func() (doc, error) {
	var d doc
	err := yaml.Unmarshal(Embedded(), &d)
	return d, err
})

// deepCopy copies generic YAML data.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, e := range v {
			c[k] = deepCopy(e)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = deepCopy(e)
		}
		return c
	default:
		return v
	}
}

// render writes d back as YAML.
func render(t testing.TB, d doc) []byte {
	t.Helper()
	out, err := yaml.Marshal(d)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return out
}

// writeFile writes data to a new file in a temporary directory and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var segmentRE = regexp.MustCompile(`^([^\[\]]*)((?:\[\d+\])*)$`)

// splitPath turns "profiles[0].path.switch" into ["profiles" "0" "path" "switch"],
// the same key path syntax the loader uses in its errors. "" and
// "(top level)" are the document itself.
func splitPath(t testing.TB, path string) []string {
	t.Helper()
	if path == "" || path == "(top level)" {
		return nil
	}
	var out []string
	for _, seg := range strings.Split(path, ".") {
		m := segmentRE.FindStringSubmatch(seg)
		if m == nil || (m[1] == "" && m[2] == "") {
			t.Fatalf("bad key path %q", path)
		}
		if m[1] != "" {
			out = append(out, m[1])
		}
		out = append(out, regexp.MustCompile(`\d+`).FindAllString(m[2], -1)...)
	}
	return out
}

// get returns the value at path in d.
func get(t testing.TB, d doc, path string) any {
	t.Helper()
	var cur any = d
	for _, s := range splitPath(t, path) {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[s]
			if !ok {
				t.Fatalf("%s: no key %q in the embedded file (was it renamed?)", path, s)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i >= len(c) {
				t.Fatalf("%s: no item %s in the embedded file", path, s)
			}
			cur = c[i]
		default:
			t.Fatalf("%s: %q is inside a scalar", path, s)
		}
	}
	return cur
}

// getMap returns the mapping at path in d.
func getMap(t testing.TB, d doc, path string) map[string]any {
	t.Helper()
	m, ok := get(t, d, path).(map[string]any)
	if !ok {
		t.Fatalf("%s is not a mapping in the embedded file", path)
	}
	return m
}

// parentAndKey splits path into its parent's path and the last key.
func parentAndKey(t testing.TB, path string) (string, string) {
	t.Helper()
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

// set sets the mapping key at path (which must be parent.key) to v.
func set(t testing.TB, d doc, path string, v any) {
	t.Helper()
	parent, key := parentAndKey(t, path)
	getMap(t, d, parent)[key] = v
}

// del removes the mapping key at path, which must exist.
func del(t testing.TB, d doc, path string) {
	t.Helper()
	parent, key := parentAndKey(t, path)
	m := getMap(t, d, parent)
	if _, ok := m[key]; !ok {
		t.Fatalf("%s does not exist in the embedded file", path)
	}
	delete(m, key)
}

// keyLine is the line a person looks at for path in data: the line of the
// key itself, of the item for a sequence index, or, when the key is missing,
// of the nearest ancestor that exists. The top level has no line (0).
func keyLine(t testing.TB, data []byte, path string) int {
	t.Helper()
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) != 1 {
		t.Fatalf("keyLine: %v", err)
	}
	node, line := f.Docs[0].Body, 0
	for _, s := range splitPath(t, path) {
		node = unwrap(node)
		var next ast.Node
		switch n := node.(type) {
		case *ast.MappingNode:
			for _, mv := range n.Values {
				if mv.Key.GetToken().Value == s {
					next, line = mv.Value, mv.Key.GetToken().Position.Line
				}
			}
		case *ast.MappingValueNode:
			if n.Key.GetToken().Value == s {
				next, line = n.Value, n.Key.GetToken().Position.Line
			}
		case *ast.SequenceNode:
			if i, err := strconv.Atoi(s); err == nil && i < len(n.Values) {
				next, line = n.Values[i], n.Values[i].GetToken().Position.Line
			}
		}
		if next == nil {
			return line
		}
		node = next
	}
	return line
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// wantError checks that err is an *Error for source whose key path is path
// and whose line is line, and that the message a person reads names all three
// and contains each of msgParts.
func wantError(t testing.TB, err error, source, path string, line int, msgParts ...string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one at %s (line %d) containing %q", path, line, msgParts)
	}
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("got %T %q, want *selectors.Error", err, err)
	}
	msg := err.Error()
	if se.Source != source {
		t.Errorf("Source = %q, want %q\n  error: %s", se.Source, source, msg)
	}
	if se.Path != path {
		t.Errorf("Path = %q, want %q\n  error: %s", se.Path, path, msg)
	}
	if se.Line != line {
		t.Errorf("Line = %d, want %d\n  error: %s", se.Line, line, msg)
	}
	if !strings.HasPrefix(msg, "selectors file "+source) {
		t.Errorf("error does not start by naming the file %s: %s", source, msg)
	}
	if path != "" && !strings.Contains(msg, ": "+path) {
		t.Errorf("error does not name the key path %s: %s", path, msg)
	}
	if line > 0 && !strings.Contains(msg, "(line "+strconv.Itoa(line)+")") {
		t.Errorf("error does not name line %d: %s", line, msg)
	}
	for _, p := range msgParts {
		if !strings.Contains(msg, p) {
			t.Errorf("error does not contain %q: %s", p, msg)
		}
	}
	return se
}
