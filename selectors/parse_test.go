package selectors

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// loadMutated writes the embedded file, changed by mutate, to a temporary
// file and loads it. It returns the path, the bytes written and Load's result.
func loadMutated(t *testing.T, mutate func(d doc)) (string, []byte, *File, error) {
	t.Helper()
	d := embeddedDoc(t)
	mutate(d)
	data := render(t, d)
	p := writeFile(t, "selectors.yaml", data)
	f, err := Load(p)
	if err != nil && f != nil {
		t.Errorf("Load returned both a File and an error")
	}
	return p, data, f, err
}

// The helpers write the embedded file back through a generic map; that copy
// must load, or every other test here would fail for the wrong reason.
func TestLoad_RoundTripOfEmbeddedFileLoads(t *testing.T) {
	t.Parallel()
	_, _, f, err := loadMutated(t, func(doc) {})
	if err != nil {
		t.Fatalf("the embedded file written back as YAML does not load: %v", err)
	}
	want := mustDefault(t)
	if !slices.Equal(f.ProfileNames(), want.ProfileNames()) || f.Version != want.Version {
		t.Errorf("round trip changed the file: profiles %q version %q", f.ProfileNames(), f.Version)
	}
}

func TestParse_ReportsTheSourceName(t *testing.T) {
	t.Parallel()
	f, err := Parse(Embedded(), "from-the-network")
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != "from-the-network" {
		t.Errorf("Source = %q", f.Source)
	}
	_, err = Parse([]byte("schema_version: 2\n"), "from-the-network")
	if err == nil || !strings.HasPrefix(err.Error(), "selectors file from-the-network: ") {
		t.Errorf("got %v, want an error naming from-the-network", err)
	}
}

func TestLoad_RejectsEmptyFile(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"no bytes":        "",
		"only whitespace": "  \n\t\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, "empty.yaml", []byte(content))
			f, err := Load(p)
			if f != nil {
				t.Error("got a File")
			}
			wantError(t, err, p, "", 0, "empty")
		})
	}
}

func TestLoad_RejectsFileOfOnlyComments(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "comments.yaml", []byte("# selectors\n# nothing yet\n"))
	_, err := Load(p)
	if err == nil || !strings.HasPrefix(err.Error(), "selectors file "+p) {
		t.Errorf("got %v, want an error naming %s", err, p)
	}
}

func TestLoad_RejectsInvalidYAMLWithItsLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		line    int
	}{
		{"tab indentation", "schema_version: 1\nversion: \"2026.1.1\"\nchangelog:\n\t- version: x\n", 4},
		{"bad mapping value", "schema_version: 1\nversion: a: b\n", 2},
		{"key repeated", "schema_version: 1\nversion: \"2026.1.1\"\nschema_version: 1\n", 3},
		{"wrong indentation", "schema_version: 1\nprofiles:\n  - name: a\n   detect: []\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, "bad.yaml", []byte(tt.content))
			_, err := Load(p)
			wantError(t, err, p, "", tt.line, "not valid YAML")
		})
	}
}

func TestLoad_RejectsInvalidYAMLInsideTheRealFileWithItsLine(t *testing.T) {
	t.Parallel()
	// Break the line holding the file version: a person editing it is the
	// likeliest source of a typo.
	content, line := editLine(t, "version:", `version: ["2026.11.1"`)
	p := writeFile(t, "selectors.yaml", []byte(content))
	_, err := Load(p)
	se := wantErrorNoLine(t, err, p, "not valid YAML")
	if se.Line < line {
		t.Errorf("Line = %d, want the broken line %d or later: %s", se.Line, line, err)
	}
}

// wantErrorNoLine is wantError for errors whose exact line is up to the YAML parser.
func wantErrorNoLine(t *testing.T, err error, source string, msgParts ...string) *Error {
	t.Helper()
	if err == nil {
		t.Fatal("got no error")
	}
	se, ok := err.(*Error)
	if !ok {
		t.Fatalf("got %T %v, want *selectors.Error", err, err)
	}
	if se.Line <= 0 || !strings.Contains(err.Error(), fmt.Sprintf("(line %d)", se.Line)) {
		t.Errorf("error has no line: %v", err)
	}
	return wantError(t, err, source, se.Path, se.Line, msgParts...)
}

func TestLoad_RejectsMultipleDocuments(t *testing.T) {
	t.Parallel()
	data := append(Embedded(), "\n---\n"...)
	data = append(data, Embedded()...)
	p := writeFile(t, "two.yaml", data)
	_, err := Load(p)
	wantError(t, err, p, "", 0, "one YAML document", "2")
}

func TestLoad_AcceptsLeadingDocumentMarker(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "marked.yaml", append([]byte("---\n"), Embedded()...))
	if _, err := Load(p); err != nil {
		t.Fatal(err)
	}
}

// mappingPaths lists the key path of every mapping in v, in a stable order.
func mappingPaths(path string, v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		out = append(out, path)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, mappingPaths(p, v[k])...)
		}
	case []any:
		for i, item := range v {
			out = append(out, mappingPaths(path+"["+strconv.Itoa(i)+"]", item)...)
		}
	}
	return out
}

func TestLoad_RejectsUnknownKeyAnywhere(t *testing.T) {
	t.Parallel()
	paths := mappingPaths("", embeddedDoc(t))
	if len(paths) < 50 {
		t.Fatalf("found only %d mappings in the embedded file", len(paths))
	}
	const unknown = "unknown_key"
	for _, at := range paths {
		if strings.Contains(at, "witness.off_value") {
			continue // any value is allowed there, a mapping included
		}
		if strings.HasSuffix(at, "plan.names") {
			continue // its keys are the plans' names: any key, a list of words each
		}
		name := at
		if name == "" {
			name = "(top level)"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, func(d doc) {
				if at == "" {
					d[unknown] = "x"
					return
				}
				getMap(t, d, at)[unknown] = "x"
			})
			wantPath := at
			if at == "" {
				wantPath = "(top level)"
			}
			// The path names the mapping, the line points at the stray key.
			keyPath := unknown
			if at != "" {
				keyPath = at + "." + unknown
			}
			wantError(t, err, errSource(err), wantPath, keyLine(t, data, keyPath), unknown)
		})
	}
}

// errSource is the Source of err, for tests that do not care which file.
func errSource(err error) string {
	if se, ok := err.(*Error); ok {
		return se.Source
	}
	return ""
}

func TestLoad_RejectsMisspeltKeyByNamingIt(t *testing.T) {
	t.Parallel()
	// A typo both adds an unknown key and drops a required one; the unknown
	// key is what the person has to look at.
	_, data, _, err := loadMutated(t, func(d doc) {
		sw := getMap(t, d, "profiles[0].path.profile_menu")
		sw["inptu"] = sw["input"]
		delete(sw, "input")
	})
	wantError(t, err, errSource(err), "profiles[0].path.profile_menu", keyLine(t, data, "profiles[0].path.profile_menu.inptu"), "inptu")
}

func TestLoad_RejectsCandidateWithoutOneLeadingKind(t *testing.T) {
	t.Parallel()
	const at = "profiles[0].path.switch.candidates[0]"
	tests := []struct {
		name string
		c    map[string]any
	}{
		{"testid and css", map[string]any{"testid": "improve-model-toggle", "css": "button"}},
		{"testid and role", map[string]any{"testid": "improve-model-toggle", "role": "switch"}},
		{"testid and text", map[string]any{"testid": "improve-model-toggle", "text": "On"}},
		{"testid with name", map[string]any{"testid": "improve-model-toggle", "name": "On"}},
		{"css and role", map[string]any{"css": "button", "role": "switch"}},
		{"role and text", map[string]any{"role": "switch", "text": "On"}},
		{"text with name", map[string]any{"text": "On", "name": "On"}},
		{"name without role", map[string]any{"name": "On"}},
		{"name_contains without role", map[string]any{"name_contains": "On"}},
		{"nothing", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, func(d doc) {
				get(t, d, "profiles[0].path.switch.candidates").([]any)[0] = tt.c
			})
			// The message lists the kinds a candidate may lead with.
			wantError(t, err, errSource(err), at, keyLine(t, data, at), "testid", "css", "role", "text")
		})
	}
}

func TestLoad_AcceptsEveryCandidateShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    map[string]any
		kind string
	}{
		{"testid", map[string]any{"testid": "x"}, "testid"},
		{"css", map[string]any{"css": "button"}, "css"},
		{"css narrowed by text", map[string]any{"css": "button", "text": "On"}, "css"},
		{"role", map[string]any{"role": "switch"}, "role"},
		{"role with name", map[string]any{"role": "switch", "name": "On"}, "role"},
		{"role with name_contains", map[string]any{"role": "switch", "name_contains": "On"}, "role"},
		{"text", map[string]any{"text": "On"}, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, f, err := loadMutated(t, func(d doc) {
				get(t, d, "profiles[0].path.switch.candidates").([]any)[0] = tt.c
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Profiles[0].Path.Switch.Candidates[0].Kind(); got != tt.kind {
				t.Errorf("Kind() = %q, want %q", got, tt.kind)
			}
		})
	}
}

func TestLoad_RejectsEmptyCandidateValue(t *testing.T) {
	t.Parallel()
	const at = "profiles[0].path.switch.candidates[0].testid"
	_, data, _, err := loadMutated(t, func(d doc) {
		get(t, d, "profiles[0].path.switch.candidates").([]any)[0] = map[string]any{"testid": ""}
	})
	wantError(t, err, errSource(err), at, keyLine(t, data, at))
}

func TestLoad_RejectsUnknownInputKind(t *testing.T) {
	t.Parallel()
	for _, at := range []string{
		"profiles[0].path.switch.input",
		"profiles[0].path.profile_menu.input",
		"profiles[0].login.entry.input",
		"profiles[0].dialogs[0].dismiss.input",
		"profiles[1].path.switch.input",
	} {
		for _, input := range []any{"hover", "Click", "", 1} {
			t.Run(fmt.Sprintf("%s=%v", at, input), func(t *testing.T) {
				t.Parallel()
				_, data, _, err := loadMutated(t, func(d doc) { set(t, d, at, input) })
				wantError(t, err, errSource(err), at, keyLine(t, data, at), "click", "pointerdown", "mousedown")
			})
		}
	}
}

func TestLoad_RejectsMissingRequiredKeyAtItsParent(t *testing.T) {
	t.Parallel()
	for _, at := range []string{
		"profiles[0].path.switch",
		"profiles[1].path.switch",
		"profiles[0].path.switch.candidates",
		"profiles[0].path.profile_menu",
		"profiles[0].login.password_error",
		"profiles[0].urls.app",
		"profiles[0].signed_in",
		"profiles[1].signed_in",
		"profiles[0].signed_in.candidates",
		"profiles[0].detect",
		"profiles[0].setting",
		"profiles[0].setting.label",
		"profiles[1].setting.on_value",
		"profiles[0].setting.witness.field",
		"profiles[0].name",
		"changelog[0].changes",
		"profiles",
		"version",
	} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, func(d doc) { del(t, d, at) })
			parent, key := parentAndKey(t, at)
			if parent == "" {
				parent = "(top level)"
			}
			wantError(t, err, errSource(err), parent, keyLine(t, data, parent), "missing", "'"+key+"'")
		})
	}
}

func TestLoad_RejectsWrongTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		at    string
		value any
		want  string
	}{
		{"profiles[0].setting.on_value", true, "got boolean, want string"},
		{"profiles[0].setting.off_value", false, "got boolean, want string"},
		{"profiles[0].path.switch", "improve-model-toggle", "got string, want object"},
		{"profiles[0].path.switch", nil, "got null, want object"},
		{"profiles[0].path.switch.candidates", map[string]any{"testid": "x"}, "got object, want array"},
		{"profiles[0].detect", []any{}, "minItems"},
		{"profiles[0].path.switch.candidates", []any{}, "minItems"},
		{"profiles[0].login.password_error", []any{""}, ""},
		{"profiles[0].name", 2023, "got number, want string"},
		{"profiles[0].name", "Current", "does not match pattern"},
		{"profiles[0].urls.settings", "https://chatgpt.com/#settings", "does not match pattern"},
		{"profiles", []any{}, "minItems"},
		{"changelog", []any{}, "minItems"},
		{"changelog[0].date", "28 Nov 2026", "does not match pattern"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%v", tt.at, tt.value), func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, func(d doc) { set(t, d, tt.at, tt.value) })
			se := wantErrorNoLine(t, err, errSource(err), tt.want)
			if !strings.HasPrefix(se.Path, tt.at) {
				t.Errorf("Path = %q, want %s or below it", se.Path, tt.at)
			}
			if want := keyLine(t, data, se.Path); se.Line != want {
				t.Errorf("Line = %d, want %d: %v", se.Line, want, err)
			}
		})
	}
}

func TestLoad_RejectsDuplicateProfileNames(t *testing.T) {
	t.Parallel()
	const at = "profiles[1].name"
	_, data, _, err := loadMutated(t, func(d doc) { set(t, d, at, get(t, d, "profiles[0].name")) })
	wantError(t, err, errSource(err), at, keyLine(t, data, at), `"current"`, "twice")
}

func TestLoad_RejectsOnValueEqualToOffValue(t *testing.T) {
	t.Parallel()
	for _, i := range []int{0, 1} {
		at := fmt.Sprintf("profiles[%d].setting.off_value", i)
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, func(d doc) {
				set(t, d, at, get(t, d, fmt.Sprintf("profiles[%d].setting.on_value", i)))
			})
			wantError(t, err, errSource(err), at, keyLine(t, data, at), "on_value", "off_value", "same")
		})
	}
}

func TestLoad_RejectsVersionNotAtTopOfChangelog(t *testing.T) {
	t.Parallel()
	const at = "changelog[0].version"
	tests := []struct {
		name   string
		mutate func(d doc)
	}{
		{"version bumped without changelog entry", func(d doc) { set(t, d, "version", "2099.1.1") }},
		{"changelog entry for another version", func(d doc) { set(t, d, at, "2000.1.1") }},
		{"new entry appended instead of prepended", func(d doc) {
			log := get(t, d, "changelog").([]any)
			set(t, d, "version", "2099.1.1")
			set(t, d, "changelog", append(log, map[string]any{"version": "2099.1.1", "changes": []any{"x"}}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, tt.mutate)
			wantError(t, err, errSource(err), at, keyLine(t, data, at), "changelog", "version", "top")
		})
	}
}

func TestLoad_RejectsSchemaVersionOtherThan1Or2(t *testing.T) {
	t.Parallel()
	for _, v := range []any{3, 0, -1, 1.5, "1", "2", nil, true, []any{2}} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, func(d doc) { set(t, d, "schema_version", v) })
			wantError(t, err, errSource(err), "schema_version", keyLine(t, data, "schema_version"), "reads 1 and 2")
		})
	}
}

func TestLoad_RejectsMissingSchemaVersion(t *testing.T) {
	t.Parallel()
	_, _, _, err := loadMutated(t, func(d doc) { del(t, d, "schema_version") })
	wantError(t, err, errSource(err), "(top level)", 0, "missing", "'schema_version'")
}

func TestLoad_RejectsBadVersionString(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"v1", "2026.11", "26.11.1", "2026.111.1", "2026.11.1-rc1", " 2026.11.1", "2026.11.1\n", "", 2026, 2026.11} {
		t.Run(fmt.Sprintf("%q", v), func(t *testing.T) {
			t.Parallel()
			_, data, _, err := loadMutated(t, func(d doc) {
				set(t, d, "version", v)
				if s, ok := v.(string); ok && s != "" {
					set(t, d, "changelog[0].version", s) // so only the format is wrong
				}
			})
			wantError(t, err, errSource(err), "version", keyLine(t, data, "version"))
		})
	}
}

func TestLoad_AcceptsWellFormedVersions(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"2026.1.0", "2026.12.31", "2027.1.100"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			_, _, f, err := loadMutated(t, func(d doc) {
				set(t, d, "version", v)
				set(t, d, "changelog[0].version", v)
			})
			if err != nil {
				t.Fatal(err)
			}
			if f.Version != v {
				t.Errorf("Version = %q", f.Version)
			}
		})
	}
}

func TestLoad_OptionalPartsMayBeLeftOut(t *testing.T) {
	t.Parallel()
	_, _, f, err := loadMutated(t, func(d doc) {
		for _, at := range []string{
			"profiles[0].description", "profiles[0].session_cookie", "profiles[0].challenges",
			"profiles[0].dialogs", "profiles[0].path.row_opener",
			"profiles[0].login.mfa_code", "profiles[0].login.mfa_submit", "profiles[0].login.mfa_error",
			"profiles[0].setting.witness", "profiles[0].setting.meaning",
			"profiles[0].urls.session", "profiles[0].urls.settings",
			"profiles[0].path.profile_menu.input", "profiles[0].path.data_controls_tab.input",
			"changelog[0].date",
		} {
			del(t, d, at)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Profiles[0]
	if p.Path.RowOpener != nil || p.Login.MFACode != nil || p.Setting.Witness != nil {
		t.Errorf("absent optional elements decode as non-nil: %+v", p)
	}
	if p.URLs.Settings != "" || p.URLs.Session != "" {
		t.Errorf("absent URLs decode as %+v", p.URLs)
	}
}

// editLine replaces the first line of the embedded file that starts with
// prefix and returns the file and the 1-based number of that line.
func editLine(t *testing.T, prefix, replacement string) (string, int) {
	t.Helper()
	lines := strings.SplitAfter(string(Embedded()), "\n")
	at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
	if at < 0 {
		t.Fatalf("embedded file has no line starting with %q", prefix)
	}
	lines[at] = replacement + "\n"
	return strings.Join(lines, ""), at + 1
}

func TestLoad_ReportsTheSameLineForWindowsLineEndings(t *testing.T) {
	t.Parallel()
	// The embedded file starts with comments, as a person's copy will.
	tests := []struct {
		name, prefix, replacement, path, msg string
	}{
		{"YAML error", "schema_version:", "schema_version: [1", "", "not valid YAML"},
		{"schema error", "schema_version:", "schema_version: 3", "schema_version", "1 and 2"},
		{"rule error", "version:", `version: "2099.1.1"`, "changelog[0].version", "top"},
	}
	for _, tt := range tests {
		for _, eol := range []string{"\n", "\r\n"} {
			t.Run(fmt.Sprintf("%s/%q", tt.name, eol), func(t *testing.T) {
				t.Parallel()
				content, line := editLine(t, tt.prefix, tt.replacement)
				if tt.path != "" {
					line = keyLine(t, []byte(content), tt.path)
				}
				p := writeFile(t, "selectors.yaml", []byte(strings.ReplaceAll(content, "\n", eol)))
				_, err := Load(p)
				if tt.path == "" {
					// A YAML error may be found at the broken line or just after it.
					se := wantErrorNoLine(t, err, p, tt.msg)
					if se.Line != line && se.Line != line+1 {
						t.Errorf("Line = %d, want %d: %v", se.Line, line, err)
					}
					return
				}
				wantError(t, err, p, tt.path, line, tt.msg)
			})
		}
	}
}

func TestParse_SeveralErrorsGiveTheSameMessageEveryTime(t *testing.T) {
	t.Parallel()
	data := []byte("schema_version: 1\nversion: \"2026.11.1\"\nchangelog: []\nprofiles: []\n")
	_, first := Parse(data, "f.yaml")
	if first == nil {
		t.Fatal("an empty changelog and no profiles were accepted")
	}
	for i := 0; i < 50; i++ {
		if _, err := Parse(data, "f.yaml"); err == nil || err.Error() != first.Error() {
			t.Fatalf("run %d: %v, first run: %v", i, err, first)
		}
	}
}
