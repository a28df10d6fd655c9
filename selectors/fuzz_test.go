package selectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes. Whatever comes in, Parse must not
// panic, and it must either refuse the file with an *Error that names it or
// return a File the browser flows can use: every profile has a switch to flip.
//
// Run it with: go test ./selectors -run '^$' -fuzz FuzzParse -fuzztime 60s
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
	f.Add(minimalFile)
	f.Add([]byte(strings.Replace(string(minimalFile), "input: click", "input: hover", 1)))
	f.Add([]byte(strings.Replace(string(minimalFile), "- testid: t", "- testid: t\n          css: c", 1)))
	f.Add([]byte(strings.Replace(string(minimalFile), "  - name: p\n", "  - &p\n    name: p\n", 1) + "  - <<: *p\n    name: q\n"))

	// Broken and degenerate inputs.
	for _, s := range []string{
		"", " \n", "#\n", "---", "--- !!map\n", "[]", "{}", "null", "~", "'x'",
		"schema_version: 1\n", "a: b\n c: d\n", "a:\n\tb: c\n", "{a: [}\n",
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
		for i, p := range file.Profiles {
			if len(p.Path.Switch.Candidates) == 0 {
				t.Fatalf("accepted profile %d (%q) whose switch has no candidates", i, p.Name)
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
var minimalFile = []byte(`schema_version: 1
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
	f, err := Parse(minimalFile, "minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ProfileNames(); len(got) != 1 || got[0] != "p" {
		t.Errorf("profiles = %q", got)
	}
}
