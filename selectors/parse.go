package selectors

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/chatgpt-optout/chatgpt-optout/internal/yamlguard"
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
	s := "selectors file " + e.Source
	if e.Path != "" {
		s += ": " + e.Path
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s + ": " + e.Msg
}

// compiledSchemas are the schemas by schema version, compiled once.
var compiledSchemas = map[int]func() (*jsonschema.Schema, error){
	1: sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema(schemaV1JSON) }),
	2: sync.OnceValues(func() (*jsonschema.Schema, error) { return compileSchema(schemaJSON) }),
}

func compileSchema(src []byte) (*jsonschema.Schema, error) {
	const url = "selectors.schema.json"
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err == nil {
		err = c.AddResource(url, doc)
	}
	if err != nil {
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
	if len(data) > MaxFileSize {
		return nil, tooLarge(source, int64(len(data)))
	}
	// Refuse, before anything decodes the file, YAML that would cost far
	// more to read than its size: any alias (a selectors file needs none,
	// and yaml.YAMLToJSON copies what each one names, so a 1 KB "billion
	// laughs" file of nested aliases took 24 GB) and deep nesting.
	var ge *yamlguard.Error
	if errors.As(yamlguard.Check(data, source, yamlguard.Limits{Bytes: MaxFileSize}), &ge) {
		return nil, &Error{Source: source, Line: ge.Line, Msg: ge.Msg, err: ge}
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
	version, err := schemaVersion(source, tree, doc)
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
		return nil, schemaError(source, tree, doc, ve)
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
	if err := f.check(tree); err != nil {
		return nil, err
	}
	for i := range f.Profiles {
		p := &f.Profiles[i]
		if version == 1 {
			p.SignedIn = Element{Candidates: dedupe(slices.Concat(p.Path.ProfileMenu.Candidates, p.Detect))}
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

// schemaVersion reads the file's schema_version: 1 or 2, or 2 when it has
// none (so that the schema says it is missing).
func schemaVersion(source string, tree *ast.File, doc any) (int, error) {
	m, _ := doc.(map[string]any)
	v, ok := m["schema_version"]
	if !ok {
		return CurrentSchemaVersion, nil
	}
	if n, ok := v.(json.Number); ok && (n == "1" || n == "2") {
		return int(n[0] - '0'), nil
	}
	shown, _ := json.Marshal(v)
	return 0, &Error{Source: source, Path: "schema_version", Line: lineOf(tree, []string{"schema_version"}),
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

// check holds the rules a JSON Schema cannot say.
func (f *File) check(tree *ast.File) error {
	fail := func(loc []string, msg string) error {
		return &Error{Source: f.Source, Path: keyPath(loc), Line: lineOf(tree, loc), Msg: msg}
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
		if loc, msg := p.badCSS(); msg != "" {
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

// badCSS finds the first css, of a candidate, a challenge marker or an
// obstacle, that Chrome would refuse: its key path and why.
func (p *Profile) badCSS() (loc []string, msg string) {
	check := func(at []string, css string) {
		if err := CheckCSS(css); err != nil && msg == "" {
			loc, msg = at, fmt.Sprintf("%v: %s", err, quoteCSS(css))
		}
	}
	walk(reflect.ValueOf(p).Elem(), nil, func(at []string, x any) bool {
		switch v := x.(type) {
		case *Candidate:
			if v.CSS != "" {
				check(append(at, "css"), v.CSS)
			}
		case *Markers:
			for j, css := range v.CSS {
				check(append(at, "css", strconv.Itoa(j)), css)
			}
		case *Obstacle:
			for j, css := range v.CSS {
				check(append(at, "css", strconv.Itoa(j)), css)
			}
		}
		return msg != ""
	})
	return loc, msg
}

// checkSettings refuses a setting named twice, and plans the plan reader
// cannot tell.
func (p *Profile) checkSettings() ([]string, string) {
	seen := map[string]bool{}
	for i, x := range p.Settings {
		at := []string{"settings", strconv.Itoa(i)}
		if seen[x.Name] {
			return append(at, "name"), fmt.Sprintf("setting %q is described twice: keep one entry per setting", x.Name)
		}
		seen[x.Name] = true
		if x.Offered != OfferedPlans {
			continue
		}
		if p.Plan == nil {
			return append(at, "plans"), fmt.Sprintf("setting %q exists on some plans only, but the profile has no plan: to read the account's plan with; add plan:, or say offered: uncertain", x.Name)
		}
		for j, name := range x.Plans {
			if _, ok := p.Plan.Names[name]; !ok {
				return append(at, "plans", strconv.Itoa(j)), fmt.Sprintf("plan %q is not one of plan.names (%s)", name, strings.Join(slices.Sorted(maps.Keys(p.Plan.Names)), ", "))
			}
		}
	}
	return nil, ""
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
func schemaError(source string, tree *ast.File, doc any, ve *jsonschema.ValidationError) *Error {
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
	return &Error{Source: source, Path: keyPath(loc), Line: lineOf(tree, lineLoc), Msg: msg}
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
			if cmp.Or(cmp.Compare(len(next.InstanceLocation), len(c.InstanceLocation)),
				cmp.Compare(unknownKey(next), unknownKey(c)),
				slices.Compare(c.InstanceLocation, next.InstanceLocation)) < 0 {
				next = c
			}
		}
		e = next
	}
}

// unknownKey is 1 for the error of an unknown key, else 0.
func unknownKey(e *jsonschema.ValidationError) int {
	if _, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		return 1
	}
	return 0
}

func candidateMessage(v any) string {
	const want = "a candidate needs exactly one of testid, css (may add text), role (may add name or name_contains) or text"
	m, ok := v.(map[string]any)
	if !ok {
		return want
	}
	var found []string
	for _, k := range []string{"testid", "css", "role", "name", "name_contains", "text"} { // in the order a person writes them
		if _, ok := m[k]; ok {
			found = append(found, k)
		}
	}
	return want + "; this one has " + cmp.Or(strings.Join(found, ", "), "none")
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
	var s string
	for _, k := range loc {
		switch _, err := strconv.Atoi(k); {
		case err == nil:
			s += "[" + k + "]"
		case s != "":
			s += "." + k
		default:
			s = k
		}
	}
	return cmp.Or(s, "(top level)")
}

// lineOf finds the line of the key at loc (for a sequence index, of the
// item), walking up to the nearest ancestor that exists: a missing key is
// reported at its parent's key. The top level has no line (0). tree is
// the parsed file, which holds one document.
func lineOf(tree *ast.File, loc []string) int {
	node, line := tree.Docs[0].Body, 0
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
	var values []*ast.MappingValueNode
	switch n := node.(type) {
	case *ast.AnchorNode:
		return child(n.Value, s)
	case *ast.TagNode:
		return child(n.Value, s)
	case *ast.MappingNode:
		values = n.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{n}
	case *ast.SequenceNode:
		i, err := strconv.Atoi(s)
		if err != nil || i < 0 || i >= len(n.Values) || n.Values[i] == nil || n.Values[i].GetToken() == nil {
			return nil, 0
		}
		return n.Values[i], n.Values[i].GetToken().Position.Line
	}
	for _, mv := range values {
		if mv == nil || mv.Key == nil || mv.Value == nil {
			continue
		}
		if t := mv.Key.GetToken(); t != nil && t.Value == s {
			return mv.Value, t.Position.Line
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
