package selectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes, of either schema version. Whatever
// comes in, Parse must not panic, and it must either refuse the file with an
// *Error that names it or return a File the browser flows can use: every
// profile has a switch to flip and a proof of sign-in, every element an
// input, every css candidate is one Chrome takes, the label agrees with the
// meaning.
//
// Run it with: go test ./selectors -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s -fuzzminimizetime 2s
// (minimising a new input as large as the shipped file takes the default
// minute otherwise, with no execs counted meanwhile).
// Crashers found land in testdata/fuzz/FuzzParse and then run with go test.
func FuzzParse(f *testing.F) {
	embedded := Embedded()
	f.Add(embedded)
	f.Add(append([]byte("---\n"), embedded...))
	f.Add(append(append(append([]byte{}, embedded...), "\n---\n"...), embedded...))

	// The embedded file as generic data, written back as block YAML and as
	// JSON (which is YAML too), and a one-profile file with one candidate
	// per element: small inputs the fuzzer mutates quickly.
	d := embeddedDoc(f)
	f.Add(render(f, d))
	js, err := json.Marshal(d)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(js)
	if v1, err := os.ReadFile(v1File); err == nil {
		f.Add(v1)
	}
	for _, m := range [][]byte{minimalFile, minimalV1File} {
		f.Add(m)
		f.Add([]byte(strings.Replace(string(m), "input: click", "input: hover", 1)))
		f.Add([]byte(strings.Replace(string(m), "- testid: t", "- testid: t\n          css: c", 1)))
		f.Add([]byte(strings.Replace(string(m), "  - name: p\n", "  - &p\n    name: p\n", 1) + "  - <<: *p\n    name: q\n"))
		f.Add([]byte(strings.Replace(string(m), `css: "#email"`, `css: "div:has(> a), #1a"`, 1)))
		f.Add([]byte(strings.Replace(string(m), "label: Training", "label: Other", 1)))
	}
	f.Add([]byte(strings.Replace(string(minimalFile), "schema_version: 2", "schema_version: 1", 1)))
	f.Add([]byte(strings.Replace(string(minimalV1File), "schema_version: 1", "schema_version: 2", 1)))

	// Broken and degenerate inputs.
	for _, s := range []string{
		"", " \n", "#\n", "---", "--- !!map\n", "[]", "{}", "null", "~", "'x'",
		"schema_version: 1\n", "schema_version: 2\n", "schema_version: 3\n", "a: b\n c: d\n", "a:\n\tb: c\n", "{a: [}\n",
		"schema_version: &a 1\nversion: *a\n", "*x\n", "!!binary aGk=\n", "? [a]\n: b\n",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		const source = "fuzz.yaml"
		file, err := Parse(data, source)
		if err != nil {
			if file != nil {
				t.Fatalf("Parse returned a File and the error %v", err)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, not *selectors.Error: %v", err, err)
			}
			if se.Source != source || !strings.HasPrefix(err.Error(), "selectors file "+source) {
				t.Fatalf("error does not name the file: %v", err)
			}
			if se.Line < 0 || se.Line > countLines(data) {
				t.Fatalf("line %d is outside the %d-line input: %v", se.Line, countLines(data), err)
			}
			return
		}
		if file == nil {
			t.Fatal("Parse returned neither a File nor an error")
		}
		if file.Source != source {
			t.Errorf("Source = %q, want %q", file.Source, source)
		}
		if len(file.Profiles) == 0 {
			t.Fatal("accepted a file without profiles")
		}
		if file.SchemaVersion != 1 && file.SchemaVersion != 2 {
			t.Fatalf("accepted schema_version %d", file.SchemaVersion)
		}
		for i, p := range file.Profiles {
			if len(p.Path.Switch.Candidates) == 0 {
				t.Fatalf("accepted profile %d (%q) whose switch has no candidates", i, p.Name)
			}
			if len(p.SignedIn.Candidates) == 0 {
				t.Fatalf("accepted profile %q without a proof of sign-in", p.Name)
			}
			for _, e := range p.elements() {
				if e.el != nil && e.el.Input != InputClick && e.el.Input != InputPointerDown && e.el.Input != InputMouseDown {
					t.Fatalf("accepted %s %v with input %q", p.Name, e.loc, e.el.Input)
				}
				for _, c := range e.candidates {
					if c.CSS != "" {
						if err := CheckCSS(c.CSS); err != nil {
							t.Fatalf("accepted %s %v with the css %q: %v", p.Name, e.loc, c.CSS, err)
						}
					}
				}
			}
			if ms := p.Setting.Meaning; len(ms) > 0 && !slices.ContainsFunc(ms, func(m Meaning) bool { return strings.EqualFold(m.Label, p.Setting.Label) }) {
				t.Fatalf("accepted profile %q whose label %q is in no meaning", p.Name, p.Setting.Label)
			}
			if p.Setting.OnValue == p.Setting.OffValue {
				t.Fatalf("accepted profile %q whose on_value and off_value are both %q", p.Name, p.Setting.OnValue)
			}
			if got, ok := file.Profile(p.Name); !ok || got.Name != p.Name {
				t.Fatalf("Profile(%q) does not find the profile", p.Name)
			}
		}
		if len(file.Changelog) == 0 || file.Changelog[0].Version != file.Version {
			t.Fatalf("accepted version %q with changelog %+v", file.Version, file.Changelog)
		}
	})
}

// countLines counts lines the way YAML does: "\n", "\r\n" and a lone "\r"
// each end one.
func countLines(data []byte) int {
	crlf := bytes.Count(data, []byte("\r\n"))
	return bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - crlf + 1
}

// minimalFile is the smallest file the loader accepts.
var minimalFile = []byte(`schema_version: 2
version: "2026.1.1"
changelog:
  - version: "2026.1.1"
    changes: ["first"]
profiles:
  - name: p
    detect:
      - testid: d
    signed_in: {candidates: [{role: link, name: Library}]}
    urls: {app: "/"}
    login:
      entry: {candidates: [{testid: e}]}
      email: {input: click, candidates: [{css: "#email"}]}
      email_submit: {candidates: [{role: button, name: Continue}]}
      password: {candidates: [{css: "#password"}]}
      password_submit: {candidates: [{text: Continue}]}
      password_error: ["Wrong password"]
    path:
      profile_menu: {input: pointerdown, candidates: [{testid: m}]}
      settings_item: {candidates: [{role: menuitem, name_contains: Settings}]}
      data_controls_tab: {input: mousedown, candidates: [{css: "button", text: Data controls}]}
      switch:
        input: click
        candidates:
          - testid: t
    setting:
      label: Training
      state_attribute: aria-checked
      on_value: "true"
      off_value: "false"
`)

// minimalV1File is the smallest schema version 1 file the loader accepts.
var minimalV1File = []byte(`schema_version: 1
version: "2026.1.1"
changelog:
  - version: "2026.1.1"
    changes: ["first"]
profiles:
  - name: p
    detect:
      - testid: d
    urls: {app: "/", login: "/login", settings: "/settings"}
    login:
      entry: {input: click, candidates: [{testid: e}]}
      email: {input: click, candidates: [{css: "#email"}]}
      email_submit: {input: click, candidates: [{role: button, name: Continue}]}
      password: {input: click, candidates: [{css: "#password"}]}
      password_submit: {input: click, candidates: [{text: Continue}]}
      password_error: ["Wrong password"]
    path:
      profile_menu: {input: pointerdown, candidates: [{testid: m}]}
      settings_item: {input: click, candidates: [{role: menuitem, name_contains: Settings}]}
      data_controls_tab: {input: mousedown, candidates: [{css: "button", text: Data controls}]}
      switch:
        input: click
        candidates:
          - testid: t
    setting:
      label: Training
      state_attribute: aria-checked
      on_value: "true"
      off_value: "false"
`)

func TestParse_MinimalFileLoads(t *testing.T) {
	for v, data := range map[int][]byte{2: minimalFile, 1: minimalV1File} {
		f, err := Parse(data, "minimal.yaml")
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		if got := f.ProfileNames(); len(got) != 1 || got[0] != "p" || f.SchemaVersion != v {
			t.Errorf("version %d: profiles = %q, SchemaVersion %d", v, got, f.SchemaVersion)
		}
		want := []Candidate{{Role: "link", Name: "Library"}}
		if v == 1 {
			want = []Candidate{{TestID: "m"}, {TestID: "d"}}
		}
		if got := f.Profiles[0].SignedIn.Candidates; !reflect.DeepEqual(got, want) {
			t.Errorf("version %d: SignedIn = %v, want %v", v, got, want)
		}
	}
}

// FuzzCheckCSS feeds CheckCSS arbitrary selectors: it must not panic, and it
// must say the same every time.
//
// Run it with: go test ./selectors -run '^$' -fuzz '^FuzzCheckCSS$' -fuzztime 30s
func FuzzCheckCSS(f *testing.F) {
	for _, s := range []string{
		`form:has(input[name="email"]) button[type="submit"]`, `div:has(> a, + b)`, `a:is(.x, :where(.y))`,
		`li:nth-child(2n+1 of .x)`, `[a="b" s]`, `*|a`, `[*|href]`, `.min-h-\[38px\]`, `#\31 a`, `a::part(x)`,
		`a:contains("x")`, `[a!=b]`, `#1a`, `a:not(`, `[a="`, `:`, `::`, `\`, `a:lang("en", fr)`, `p:dir(rtl)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sel string) {
		err := CheckCSS(sel)
		again := CheckCSS(sel)
		if (err == nil) != (again == nil) || err != nil && err.Error() != again.Error() {
			t.Fatalf("CheckCSS(%q) said %v, then %v", sel, err, again)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "not a CSS selector") {
			t.Fatalf("CheckCSS(%q) = %v", sel, err)
		}
	})
}
