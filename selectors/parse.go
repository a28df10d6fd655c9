package selectors

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Error is a problem with a selectors file. Path is the key path in the
// file (for example profiles[0].path.switch.input) and Line its line, when known.
type Error struct {
	Source string
	Path   string
	Line   int
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "selectors file %s", e.Source)
	if e.Path != "" {
		fmt.Fprintf(&b, ": %s", e.Path)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	return b.String()
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

func compiledSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
		if err != nil {
			schemaErr = fmt.Errorf("embedded selectors schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		const url = "selectors.schema.json"
		if err := c.AddResource(url, doc); err != nil {
			schemaErr = fmt.Errorf("embedded selectors schema: %w", err)
			return
		}
		schema, schemaErr = c.Compile(url)
	})
	return schema, schemaErr
}

// Parse checks data against the schema and decodes it. source names the
// file in errors.
func Parse(data []byte, source string) (*File, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Source: source, Msg: "the file is empty"}
	}
	ast, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, &Error{Source: source, Line: yamlErrorLine(err), Msg: "not valid YAML: " + firstLine(yaml.FormatError(err, false, false))}
	}
	if len(ast.Docs) != 1 {
		return nil, &Error{Source: source, Msg: fmt.Sprintf("want one YAML document, found %d", len(ast.Docs))}
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, &Error{Source: source, Line: yamlErrorLine(err), Msg: "not valid YAML: " + firstLine(yaml.FormatError(err, false, false))}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, &Error{Source: source, Msg: "cannot read the document: " + err.Error()}
	}
	sch, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, &Error{Source: source, Msg: err.Error()}
		}
		leaf := deepestCause(ve)
		p := keyPath(leaf.InstanceLocation)
		return nil, &Error{Source: source, Path: p, Line: lineOf(data, leaf.InstanceLocation), Msg: leaf.ErrorKind.LocalizedString(message.NewPrinter(language.English))}
	}
	var f File
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, &Error{Source: source, Line: yamlErrorLine(err), Msg: firstLine(yaml.FormatError(err, false, false))}
	}
	f.Source = source
	if err := f.check(data); err != nil {
		return nil, err
	}
	return &f, nil
}

// check holds the rules a JSON Schema cannot say.
func (f *File) check(data []byte) error {
	fail := func(loc []string, msg string) error {
		return &Error{Source: f.Source, Path: keyPath(loc), Line: lineOf(data, loc), Msg: msg}
	}
	if f.Changelog[0].Version != f.Version {
		return fail([]string{"changelog", "0", "version"}, fmt.Sprintf("the first changelog entry is for %q but the file is version %q: add an entry for the new version at the top", f.Changelog[0].Version, f.Version))
	}
	seen := map[string]bool{}
	for i, p := range f.Profiles {
		if seen[p.Name] {
			return fail([]string{"profiles", strconv.Itoa(i), "name"}, fmt.Sprintf("profile %q is defined twice", p.Name))
		}
		seen[p.Name] = true
		if p.Setting.OnValue == p.Setting.OffValue {
			return fail([]string{"profiles", strconv.Itoa(i), "setting", "off_value"}, "on_value and off_value are the same, so the state could never be told apart")
		}
	}
	return nil
}

// deepestCause follows the first chain of causes to the most specific error.
func deepestCause(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		next := e.Causes[0]
		for _, c := range e.Causes[1:] {
			if len(c.InstanceLocation) > len(next.InstanceLocation) {
				next = c
			}
		}
		e = next
	}
	return e
}

// keyPath renders ["profiles","0","path"] as profiles[0].path.
func keyPath(loc []string) string {
	var b strings.Builder
	for _, s := range loc {
		if _, err := strconv.Atoi(s); err == nil {
			fmt.Fprintf(&b, "[%s]", s)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return "(top level)"
	}
	return b.String()
}

// lineOf finds the line of the value at loc, walking up to the nearest
// ancestor that exists (a missing key is reported at its parent).
func lineOf(data []byte, loc []string) int {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return 0
	}
	for n := len(loc); n >= 0; n-- {
		var b strings.Builder
		b.WriteString("$")
		for _, s := range loc[:n] {
			if _, err := strconv.Atoi(s); err == nil {
				fmt.Fprintf(&b, "[%s]", s)
			} else {
				fmt.Fprintf(&b, ".'%s'", strings.ReplaceAll(s, "'", ""))
			}
		}
		p, err := yaml.PathString(b.String())
		if err != nil {
			continue
		}
		node, err := p.FilterFile(file)
		if err != nil || node == nil || node.GetToken() == nil {
			continue
		}
		return node.GetToken().Position.Line
	}
	return 0
}

func yamlErrorLine(err error) int {
	msg := yaml.FormatError(err, false, false)
	// goccy formats errors as "[line:col] message".
	if strings.HasPrefix(msg, "[") {
		if end := strings.Index(msg, ":"); end > 1 {
			if n, err := strconv.Atoi(msg[1:end]); err == nil {
				return n
			}
		}
	}
	return 0
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	// Drop goccy's "[line:col] " prefix: the line is reported separately.
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "] "); i > 0 {
			s = s[i+2:]
		}
	}
	return s
}
