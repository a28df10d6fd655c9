package selectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func mustDefault(t testing.TB) *File {
	t.Helper()
	f, err := Default()
	if err != nil {
		t.Fatalf("the embedded selectors file does not load: %v", err)
	}
	return f
}

func TestDefault_EmbeddedFileLoads(t *testing.T) {
	f := mustDefault(t)
	if f.Source != EmbeddedSource {
		t.Errorf("Source = %q, want %q", f.Source, EmbeddedSource)
	}
	if f.SchemaVersion != CurrentSchemaVersion || CurrentSchemaVersion != 2 {
		t.Errorf("SchemaVersion = %d, want 2", f.SchemaVersion)
	}
}

func TestDefault_HasCurrentAnd2023Profiles(t *testing.T) {
	f := mustDefault(t)
	for _, name := range []string{"current", "2023"} {
		if _, ok := f.Profile(name); !ok {
			t.Errorf("embedded file has no profile %q; it has %q", name, f.ProfileNames())
		}
	}
}

func TestDefault_EveryProfileCanFindAndReadTheSwitch(t *testing.T) {
	f := mustDefault(t)
	for _, p := range f.Profiles {
		t.Run(p.Name, func(t *testing.T) {
			if len(p.Path.Switch.Candidates) == 0 {
				t.Error("path.switch has no candidates")
			}
			if p.Setting.Label == "" {
				t.Error("setting.label is empty")
			}
			if p.Setting.StateAttribute == "" {
				t.Error("setting.state_attribute is empty")
			}
			if p.Setting.OnValue == "" || p.Setting.OffValue == "" {
				t.Errorf("on_value %q / off_value %q: both must be set", p.Setting.OnValue, p.Setting.OffValue)
			}
			if p.Setting.OnValue == p.Setting.OffValue {
				t.Errorf("on_value and off_value are both %q", p.Setting.OnValue)
			}
			if len(p.Detect) == 0 {
				t.Error("detect is empty")
			}
			if len(p.SignedIn.Candidates) == 0 {
				t.Error("signed_in is empty")
			}
		})
	}
}

func TestDefault_EveryElementHasAKnownInputAndCandidates(t *testing.T) {
	f := mustDefault(t)
	known := []Input{InputClick, InputPointerDown, InputMouseDown}
	for _, p := range f.Profiles {
		elems := map[string]*Element{
			"signed_in":              &p.SignedIn,
			"login.entry":            &p.Login.Entry,
			"login.email":            &p.Login.Email,
			"login.email_submit":     &p.Login.EmailSubmit,
			"login.password":         &p.Login.Password,
			"login.password_submit":  &p.Login.PasswordSubmit,
			"login.mfa_code":         p.Login.MFACode,
			"login.mfa_submit":       p.Login.MFASubmit,
			"path.profile_menu":      &p.Path.ProfileMenu,
			"path.settings_item":     &p.Path.SettingsItem,
			"path.data_controls_tab": &p.Path.DataControlsTab,
			"path.row_opener":        p.Path.RowOpener,
			"path.switch":            &p.Path.Switch,
		}
		for _, d := range p.Dialogs {
			elems["dialogs."+d.Name+".dismiss"] = &d.Dismiss
		}
		for name, e := range elems {
			if e == nil {
				continue // optional and absent
			}
			if !slices.Contains(known, e.Input) {
				t.Errorf("%s: %s.input = %q, want one of %q", p.Name, name, e.Input, known)
			}
			if len(e.Candidates) == 0 {
				t.Errorf("%s: %s has no candidates", p.Name, name)
			}
		}
	}
}

func TestDefault_VersionMatchesFirstChangelogEntry(t *testing.T) {
	f := mustDefault(t)
	if !regexp.MustCompile(`^\d{4}\.\d{1,2}\.\d+$`).MatchString(f.Version) {
		t.Errorf("version %q is not YYYY.M.N", f.Version)
	}
	if len(f.Changelog) == 0 {
		t.Fatal("changelog is empty")
	}
	if f.Changelog[0].Version != f.Version {
		t.Errorf("changelog[0].version = %q, want the file version %q", f.Changelog[0].Version, f.Version)
	}
	if len(f.Changelog[0].Changes) == 0 {
		t.Error("changelog[0] lists no changes")
	}
}

func TestEmbedded_ReturnsACopy(t *testing.T) {
	a := Embedded()
	if len(a) == 0 {
		t.Fatal("Embedded() is empty")
	}
	a[0] ^= 0xff
	if b := Embedded(); bytes.Equal(a, b) {
		t.Error("changing the slice Embedded() returned changed the built-in file")
	}
	mustDefault(t)
}

func TestSchema_IsJSONAndReturnsACopy(t *testing.T) {
	s := Schema()
	var v map[string]any
	if err := json.Unmarshal(s, &v); err != nil {
		t.Fatalf("Schema() is not JSON: %v", err)
	}
	if _, ok := v["$schema"]; !ok {
		t.Error("Schema() has no $schema")
	}
	s[0] = 'x'
	if Schema()[0] == 'x' {
		t.Error("changing the slice Schema() returned changed the built-in schema")
	}
}

func TestLoad_EmptyPathIsDefault(t *testing.T) {
	got, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if want := mustDefault(t); !reflect.DeepEqual(got, want) {
		t.Errorf("Load(\"\") differs from Default()")
	}
}

func TestLoad_FileWithEmbeddedContentEqualsDefaultButForSource(t *testing.T) {
	p := writeFile(t, "selectors.yaml", Embedded())
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != p {
		t.Errorf("Source = %q, want the path %q", got.Source, p)
	}
	want := mustDefault(t)
	want.Source = p
	if !reflect.DeepEqual(got, want) {
		t.Error("loading a copy of the embedded file gives other data than Default()")
	}
}

func TestLoad_MissingFileNamesThePath(t *testing.T) {
	p := writeFile(t, "present.yaml", nil)
	p = strings.TrimSuffix(p, "present.yaml") + "missing.yaml"
	f, err := Load(p)
	if f != nil {
		t.Error("got a File for a missing file")
	}
	if err == nil {
		t.Fatal("got no error for a missing file")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error does not wrap fs.ErrNotExist: %v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "selectors file") || !strings.Contains(msg, p) {
		t.Errorf("error %q should say it is about the selectors file %s", msg, p)
	}
}

func TestLoad_DirectoryIsAnError(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Load(directory) = %v, want an error naming %s", err, dir)
	}
}

func TestCandidate_KindAndString(t *testing.T) {
	tests := []struct {
		name string
		c    Candidate
		kind string
		str  string
	}{
		{"testid", Candidate{TestID: "login-button"}, "testid", `testid="login-button"`},
		{"css", Candidate{CSS: `input[name="email"]`}, "css", `css="input[name=\"email\"]"`},
		{"css narrowed by text", Candidate{CSS: "div a", Text: "Settings"}, "css", `css="div a" text="Settings"`},
		{"role with name", Candidate{Role: "button", Name: "Log in"}, "role", `role="button" name="Log in"`},
		{"role with name_contains", Candidate{Role: "button", NameContains: "Improve"}, "role", `role="button" name_contains="Improve"`},
		{"text", Candidate{Text: "Continue"}, "text", `text="Continue"`},
		{"apostrophe", Candidate{CSS: `[aria-label="You're all set"] button`}, "css", `css="[aria-label=\"You're all set\"] button"`},
		{"testid leads over css", Candidate{TestID: "a", CSS: "b"}, "testid", `testid="a" css="b"`},
		{"zero value", Candidate{}, "text", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Kind(); got != tt.kind {
				t.Errorf("Kind() = %q, want %q", got, tt.kind)
			}
			if got := tt.c.String(); got != tt.str {
				t.Errorf("String() = %s, want %s", got, tt.str)
			}
		})
	}
}

func TestCandidate_StringOfEveryEmbeddedCandidateLeadsWithItsKind(t *testing.T) {
	f := mustDefault(t)
	for _, p := range f.Profiles {
		for _, c := range append(slices.Clone(p.Detect), p.Path.Switch.Candidates...) {
			if !strings.HasPrefix(c.String(), c.Kind()+"=") {
				t.Errorf("%s: %s does not start with its kind %s", p.Name, c, c.Kind())
			}
		}
	}
}

func TestFile_ProfileFindsByFullName(t *testing.T) {
	f := &File{Profiles: []Profile{{Name: "current"}, {Name: "2023"}}}
	tests := []struct {
		name   string
		want   int // index into f.Profiles, or -1
		wantOK bool
	}{
		{"current", 0, true},
		{"2023", 1, true},
		{"Current", -1, false},
		{"", -1, false},
		{"2024", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := f.Profile(tt.name)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				if p != nil {
					t.Errorf("got profile %+v for an unknown name", p)
				}
				return
			}
			if p != &f.Profiles[tt.want] {
				t.Errorf("got %p, want a pointer to Profiles[%d] in the file", p, tt.want)
			}
		})
	}
}

func TestFile_ProfileNamesInFileOrder(t *testing.T) {
	f := &File{Profiles: []Profile{{Name: "b"}, {Name: "a"}, {Name: "c"}}}
	if got, want := f.ProfileNames(), []string{"b", "a", "c"}; !slices.Equal(got, want) {
		t.Errorf("ProfileNames() = %q, want %q", got, want)
	}
	if got := (&File{}).ProfileNames(); len(got) != 0 {
		t.Errorf("ProfileNames() of an empty file = %q", got)
	}
}

func TestError_Format(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{Source: "a.yaml", Msg: "the file is empty"}, "selectors file a.yaml: the file is empty"},
		{Error{Source: "a.yaml", Line: 3, Msg: "not valid YAML: x"}, "selectors file a.yaml (line 3): not valid YAML: x"},
		{Error{Source: "a.yaml", Path: "profiles[0].path", Line: 118, Msg: "missing property 'switch'"}, "selectors file a.yaml: profiles[0].path (line 118): missing property 'switch'"},
		{Error{Source: "embedded", Path: "version", Msg: "bad"}, "selectors file embedded: version: bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}
