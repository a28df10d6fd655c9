package selectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
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

	err error // what errors.Is finds, if anything
}

// Unwrap gives ErrTooLarge for a file over the size cap.
func (e *Error) Unwrap() error { return e.err }

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

// compiledSchemas are the schemas by schema version, compiled once.
var compiledSchemas = map[int]func() (*jsonschema.Schema, error){
	1: sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema(schemaV1JSON) }),
	2: sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema(schemaJSON) }),
}

func compileSchema(src []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("embedded selectors schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	const url = "selectors.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("embedded selectors schema: %w", err)
	}
	return c.Compile(url)
}

// Parse checks data against the schema of its schema_version and decodes
// it. source names the file in errors.
//
// A schema version 1 file maps to the same model as a version 2 file:
// SignedIn, which version 1 lacks, is path.profile_menu's candidates
// followed by detect's (what version 1 took as proof of sign-in), without
// repeats; the keys version 2 dropped (urls.login, urls.settings_api,
// path.close) are read and ignored. In both versions an element without
// input gets InputClick.
func Parse(data []byte, source string) (*File, error) {
	if err := guardYAML(data, source); err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge(source, int64(len(data)))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Source: source, Msg: "the file is empty"}
	}
	// goccy/go-yaml counts a CRLF after a comment as two lines, so every line
	// number below the comments of a file saved on Windows would be off.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	tree, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(source, "not valid YAML: ", err)
	}
	if len(tree.Docs) != 1 {
		return nil, &Error{Source: source, Msg: fmt.Sprintf("want one YAML document, found %d", len(tree.Docs))}
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, yamlError(source, "not valid YAML: ", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, &Error{Source: source, Msg: "cannot read the document: " + err.Error()}
	}
	version, err := schemaVersion(source, data, doc)
	if err != nil {
		return nil, err
	}
	sch, err := compiledSchemas[version]()
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, &Error{Source: source, Msg: err.Error()}
		}
		return nil, schemaError(source, data, doc, ve)
	}
	var f File
	var opts []yaml.DecodeOption
	if version == CurrentSchemaVersion {
		// Version 1's dropped keys are not in the model; its schema has
		// already refused every other key.
		opts = append(opts, yaml.Strict())
	}
	if err := yaml.UnmarshalWithOptions(data, &f, opts...); err != nil {
		return nil, yamlError(source, "", err)
	}
	f.Source = source
	if err := f.check(data); err != nil {
		return nil, err
	}
	for i := range f.Profiles {
		p := &f.Profiles[i]
		if version == 1 {
			p.SignedIn = Element{Candidates: dedupe(append(slices.Clone(p.Path.ProfileMenu.Candidates), p.Detect...))}
			// Version 1 had no session_token_field: its tools read the
			// session endpoint's accessToken.
			if p.URLs.Session != "" {
				p.SessionTokenField = "accessToken"
			}
		}
		for _, e := range p.elements() {
			if e.el != nil && e.el.Input == "" {
				e.el.Input = InputClick
			}
		}
	}
	return &f, nil
}

// schemaVersion reads the file's schema_version: 1 or 2, or 2 when it has
// none (so that the schema says it is missing).
func schemaVersion(source string, data []byte, doc any) (int, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return CurrentSchemaVersion, nil
	}
	v, ok := m["schema_version"]
	if !ok {
		return CurrentSchemaVersion, nil
	}
	if n, ok := v.(json.Number); ok {
		switch n.String() {
		case "1":
			return 1, nil
		case "2":
			return 2, nil
		}
	}
	shown, _ := json.Marshal(v)
	return 0, &Error{Source: source, Path: "schema_version", Line: lineOf(data, []string{"schema_version"}),
		Msg: fmt.Sprintf("schema_version %s is not one this build reads: it reads 1 and 2 (write 2 in a new file)", shown)}
}

// quoteCSS quotes a selector for a message the way the file would, in
// single quotes, unless it holds one.
func quoteCSS(s string) string {
	if strings.ContainsAny(s, "'\n") {
		return strconv.Quote(s)
	}
	return "'" + s + "'"
}

// dedupe keeps the first of equal candidates.
func dedupe(cs []Candidate) []Candidate {
	var out []Candidate
	for _, c := range cs {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
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
	for i := range f.Profiles {
		p := &f.Profiles[i]
		at := func(loc ...string) []string { return append([]string{"profiles", strconv.Itoa(i)}, loc...) }
		if seen[p.Name] {
			return fail(at("name"), fmt.Sprintf("profile %q is defined twice", p.Name))
		}
		seen[p.Name] = true
		for _, e := range p.elements() {
			for j, c := range e.candidates {
				if c.CSS == "" {
					continue
				}
				if err := CheckCSS(c.CSS); err != nil {
					return fail(at(append(e.candidateLoc(j), "css")...), fmt.Sprintf("%v: %s", err, quoteCSS(c.CSS)))
				}
			}
		}
		if loc, msg := p.checkMarkersCSS(); msg != "" {
			return fail(at(loc...), msg)
		}
		if loc, msg := p.checkSettings(); msg != "" {
			return fail(at(loc...), msg)
		}
		if m := p.Challenges.EmailVerification; m != nil && m.CodePattern != "" {
			if msg := checkCodePattern(m.CodePattern); msg != "" {
				return fail(at("challenges", "email_verification", "code_pattern"), msg)
			}
		}
		if p.Setting.OnValue == p.Setting.OffValue {
			return fail(at("setting", "off_value"), "on_value and off_value are the same, so the state could never be told apart")
		}
		if ms := p.Setting.Meaning; len(ms) > 0 && !slices.ContainsFunc(ms, func(m Meaning) bool { return strings.EqualFold(m.Label, p.Setting.Label) }) {
			labels := make([]string, len(ms))
			for k, m := range ms {
				labels[k] = strconv.Quote(m.Label)
			}
			return fail(at("setting", "label"), fmt.Sprintf("label %q is not the label of any setting.meaning entry (%s): the switch would be looked for by one label and checked for another; make them agree", p.Setting.Label, strings.Join(labels, ", ")))
		}
	}
	return nil
}

// checkCodePattern says what is wrong with an email code pattern, or "".
func checkCodePattern(pattern string) string {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fmt.Sprintf("not a regular expression (Go syntax): %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	if n := re.NumSubexp(); n != 1 {
		return fmt.Sprintf("the pattern %s has %d capture groups; it needs exactly one, around the code (write other groups as (?:...))", quoteCSS(pattern), n)
	}
	return ""
}

// schemaError turns a schema violation into the one Error a person reads.
func schemaError(source string, data []byte, doc any, ve *jsonschema.ValidationError) *Error {
	leaf, cand := deepestCause(ve)
	loc, lineLoc := leaf.InstanceLocation, leaf.InstanceLocation
	msg := leaf.ErrorKind.LocalizedString(message.NewPrinter(language.English))
	if k, ok := leaf.ErrorKind.(*kind.AdditionalProperties); ok && len(k.Properties) > 0 {
		// Point at the stray key, not at the mapping that holds it.
		lineLoc = append(slices.Clone(loc), k.Properties[0])
	}
	if cand != nil {
		// The oneOf branches explain nothing ("'not' failed", "missing
		// property 'testid'"); say what a candidate may be instead.
		loc, lineLoc = cand.InstanceLocation, cand.InstanceLocation
		msg = candidateMessage(valueAt(doc, loc))
	}
	return &Error{Source: source, Path: keyPath(loc), Line: lineOf(data, lineLoc), Msg: msg}
}

// deepestCause follows the chain of causes to the most specific error,
// preferring at equal depth an unknown key (a typo) over a missing one. It
// also returns the candidate shape error on the way, if any.
func deepestCause(e *jsonschema.ValidationError) (leaf, candidate *jsonschema.ValidationError) {
	for {
		if _, ok := e.ErrorKind.(*kind.OneOf); ok && strings.HasSuffix(e.SchemaURL, "#/$defs/candidate") && candidate == nil {
			candidate = e
		}
		if len(e.Causes) == 0 {
			return e, candidate
		}
		// The validator lists causes in no fixed order; ties go to the
		// first key path in sort order, so a file gets the same message
		// on every run.
		next := e.Causes[0]
		for _, c := range e.Causes[1:] {
			deeper := len(c.InstanceLocation) > len(next.InstanceLocation)
			same := len(c.InstanceLocation) == len(next.InstanceLocation)
			switch {
			case deeper:
				next = c
			case !same:
			case isUnknownKey(c) != isUnknownKey(next):
				if isUnknownKey(c) {
					next = c
				}
			case strings.Join(c.InstanceLocation, "\x00") < strings.Join(next.InstanceLocation, "\x00"):
				next = c
			}
		}
		e = next
	}
}

func isUnknownKey(e *jsonschema.ValidationError) bool {
	_, ok := e.ErrorKind.(*kind.AdditionalProperties)
	return ok
}

// candidateKeys are the keys of a candidate, in the order a person writes them.
var candidateKeys = []string{"testid", "css", "role", "name", "name_contains", "text"}

func candidateMessage(v any) string {
	const want = "a candidate needs exactly one of testid, css (may add text), role (may add name or name_contains) or text"
	m, ok := v.(map[string]any)
	if !ok {
		return want
	}
	var found []string
	for _, k := range candidateKeys {
		if _, ok := m[k]; ok {
			found = append(found, k)
		}
	}
	if len(found) == 0 {
		return want + "; this one has none"
	}
	return want + "; this one has " + strings.Join(found, ", ")
}

// valueAt is the value at loc in a decoded JSON document, or nil.
func valueAt(doc any, loc []string) any {
	for _, s := range loc {
		switch v := doc.(type) {
		case map[string]any:
			doc = v[s]
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(v) {
				return nil
			}
			doc = v[i]
		default:
			return nil
		}
	}
	return doc
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

// lineOf finds the line of the key at loc (for a sequence index, of the
// item), walking up to the nearest ancestor that exists: a missing key is
// reported at its parent's key. The top level has no line (0).
func lineOf(data []byte, loc []string) int {
	file, err := parser.ParseBytes(data, 0)
	if err != nil || len(file.Docs) == 0 {
		return 0
	}
	node, line := file.Docs[0].Body, 0
	for _, s := range loc {
		next, l := child(node, s)
		if next == nil {
			break
		}
		node, line = next, l
	}
	return line
}

// child is the value under key (or index) s of node, and the line of its key.
func child(node ast.Node, s string) (ast.Node, int) {
	for {
		if n, ok := node.(*ast.AnchorNode); ok {
			node = n.Value
			continue
		}
		if n, ok := node.(*ast.TagNode); ok {
			node = n.Value
			continue
		}
		break
	}
	lineOfTok := func(t *token.Token) int {
		if t == nil {
			return 0
		}
		return t.Position.Line
	}
	var values []*ast.MappingValueNode
	switch n := node.(type) {
	case *ast.MappingNode:
		values = n.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{n}
	case *ast.SequenceNode:
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= len(n.Values) || n.Values[i] == nil {
			return nil, 0
		}
		return n.Values[i], lineOfTok(n.Values[i].GetToken())
	}
	for _, mv := range values {
		if mv == nil || mv.Key == nil || mv.Value == nil {
			continue
		}
		if t := mv.Key.GetToken(); t != nil && t.Value == s {
			return mv.Value, lineOfTok(t)
		}
	}
	return nil, 0
}

// yamlError is goccy's err as an Error: the line of its token and the first
// line of its message, after prefix.
func yamlError(source, prefix string, err error) *Error {
	e := &Error{Source: source, Msg: err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil {
			e.Line = tk.Position.Line
		}
	}
	e.Msg, _, _ = strings.Cut(prefix+strings.TrimSpace(e.Msg), "\n")
	return e
}
