package selectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// v1File is the last shipped schema version 1 file, kept as it was.
const v1File = "testdata/v1/selectors-2026.11.2.yaml"

func loadV1(t *testing.T) *File {
	t.Helper()
	f, err := Load(v1File)
	if err != nil {
		t.Fatalf("the last schema version 1 file does not load: %v", err)
	}
	return f
}

func TestLoad_SchemaVersion1FileStillLoads(t *testing.T) {
	f := loadV1(t)
	if f.SchemaVersion != 1 || f.Version != "2026.11.2" {
		t.Errorf("SchemaVersion %d, Version %q", f.SchemaVersion, f.Version)
	}
	if !slices.Equal(f.ProfileNames(), []string{"current", "2023"}) {
		t.Errorf("profiles %q", f.ProfileNames())
	}
	cur, _ := f.Profile("current")
	if cur.URLs.App != "/" || cur.URLs.Settings != "/#settings/DataControls" || cur.URLs.Session != "/api/auth/session" {
		t.Errorf("current urls = %+v", cur.URLs)
	}
	old, _ := f.Profile("2023")
	if old.URLs.Settings != "/#settings/DataControls" {
		t.Errorf("2023 urls.settings = %q: a version 1 file keeps what it says", old.URLs.Settings)
	}
	if cur.Path.ProfileMenu.Input != InputPointerDown || cur.Path.DataControlsTab.Input != InputMouseDown || cur.Path.Switch.Input != InputClick {
		t.Errorf("inputs: %q %q %q", cur.Path.ProfileMenu.Input, cur.Path.DataControlsTab.Input, cur.Path.Switch.Input)
	}
}

// A version 1 file proved sign-in by the profile menu or a detect match;
// that becomes its SignedIn, in that order, each candidate once.
func TestLoad_SchemaVersion1SignedInIsProfileMenuThenDetect(t *testing.T) {
	f := loadV1(t)
	want := map[string][]Candidate{
		"current": {
			{TestID: "accounts-profile-button"}, {TestID: "profile-button"}, {Role: "button", Name: "Open profile menu"},
			{TestID: "improve-model-open-modal-button"},
		},
		"2023": {
			{CSS: `nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`},
			{CSS: `button[id^="headlessui-menu-button-"]`},
			{CSS: `button[role="switch"][aria-label="Chat history & training"]`},
		},
	}
	for name, cands := range want {
		p, _ := f.Profile(name)
		if !reflect.DeepEqual(p.SignedIn.Candidates, cands) {
			t.Errorf("%s: SignedIn = %v\nwant %v", name, p.SignedIn.Candidates, cands)
		}
		if p.SignedIn.Input != InputClick {
			t.Errorf("%s: SignedIn.Input = %q", name, p.SignedIn.Input)
		}
	}
}

// v2OnlyLoginKeys are sign-in elements that version 1 cannot say.
var v2OnlyLoginKeys = []string{"skip", "password_way_out", "account_chooser", "try_again", "one_time_code"}

// v2OnlyChallenges are the challenges version 1 cannot say.
var v2OnlyChallenges = []string{"security_check", "site_error", "rate_limited", "account_action"}

// asV1 turns a version 2 document into the version 1 document that says the
// same: input written out, urls.login and urls.settings present (an added
// settings URL is returned by profile index), signed_in, session_token_field
// and challenges.email_verification.code_pattern dropped, path.close added back.
func asV1(t *testing.T, d doc) map[int]string {
	t.Helper()
	set(t, d, "schema_version", 1)
	added := map[int]string{}
	for i, p := range get(t, d, "profiles").([]any) {
		pm := p.(map[string]any)
		delete(pm, "signed_in")
		delete(pm, "session_token_field") // version 1 implies accessToken
		delete(pm, "unknown_dialogs")
		delete(pm, "obstacles")
		delete(pm, "settings")
		delete(pm, "plan")
		if set, ok := pm["setting"].(map[string]any); ok {
			delete(set, "dialog_close")
		}
		login := pm["login"].(map[string]any)
		for _, k := range v2OnlyLoginKeys {
			delete(login, k)
		}
		if ch, ok := pm["challenges"].(map[string]any); ok {
			if ev, ok := ch["email_verification"].(map[string]any); ok {
				delete(ev, "code_pattern")
			}
			for _, k := range v2OnlyChallenges {
				delete(ch, k)
			}
			if hv, ok := ch["human_verification"].(map[string]any); ok {
				delete(hv, "css")
				if len(hv) == 0 {
					hv["title"] = []any{"Just a moment"}
				}
			}
		}
		urls := pm["urls"].(map[string]any)
		urls["login"] = "/auth/login"
		urls["settings_api"] = "/backend-api/settings/user"
		if _, ok := urls["settings"]; !ok {
			urls["settings"] = "/#settings/DataControls"
			added[i] = "/#settings/DataControls"
		}
		path := pm["path"].(map[string]any)
		path["close"] = map[string]any{"candidates": []any{map[string]any{"role": "button", "name": "Close"}}}
		for _, m := range mappingValues(pm) {
			if _, ok := m["candidates"]; ok {
				if _, ok := m["input"]; !ok {
					m["input"] = "click"
				}
			}
		}
	}
	return added
}

// mappingValues lists every mapping inside v, v included.
func mappingValues(v any) []map[string]any {
	var out []map[string]any
	switch v := v.(type) {
	case map[string]any:
		out = append(out, v)
		for _, x := range v {
			out = append(out, mappingValues(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, mappingValues(x)...)
		}
	}
	return out
}

// The same content in either schema version loads into the same model, but
// for SignedIn, which version 1 derives.
func TestParse_SchemaVersions1And2GiveTheSameModel(t *testing.T) {
	v2 := mustDefault(t)
	d := embeddedDoc(t)
	added := asV1(t, d)
	v1, err := Parse(render(t, d), "v1.yaml")
	if err != nil {
		t.Fatalf("the shipped file written as version 1 does not load: %v", err)
	}
	if v1.SchemaVersion != 1 {
		t.Fatalf("SchemaVersion = %d", v1.SchemaVersion)
	}
	for i := range v1.Profiles {
		p := &v1.Profiles[i]
		wantSignedIn := dedupe(append(slices.Clone(p.Path.ProfileMenu.Candidates), p.Detect...))
		if !reflect.DeepEqual(p.SignedIn, Element{Input: InputClick, Candidates: wantSignedIn}) {
			t.Errorf("%s: version 1 SignedIn = %+v", p.Name, p.SignedIn)
		}
		p.SignedIn = v2.Profiles[i].SignedIn
		l, l2 := &p.Login, &v2.Profiles[i].Login
		l.Skip, l.PasswordWayOut, l.AccountChooser = l2.Skip, l2.PasswordWayOut, l2.AccountChooser
		l.TryAgain, l.OneTimeCode = l2.TryAgain, l2.OneTimeCode
		p.UnknownDialogs, p.Obstacles = v2.Profiles[i].UnknownDialogs, v2.Profiles[i].Obstacles
		p.Settings, p.Plan = v2.Profiles[i].Settings, v2.Profiles[i].Plan
		p.Setting.DialogClose = v2.Profiles[i].Setting.DialogClose
		c, c2 := &p.Challenges, &v2.Profiles[i].Challenges
		c.SecurityCheck, c.SiteError, c.RateLimited, c.AccountAction, c.HumanVerification = c2.SecurityCheck, c2.SiteError, c2.RateLimited, c2.AccountAction, c2.HumanVerification
		if ev, ev2 := p.Challenges.EmailVerification, v2.Profiles[i].Challenges.EmailVerification; ev != nil && ev2 != nil {
			ev.CodePattern = ev2.CodePattern
		}
		if added[i] != "" {
			p.URLs.Settings = ""
		}
	}
	v1.SchemaVersion, v1.Source = v2.SchemaVersion, v2.Source
	if !reflect.DeepEqual(v1, v2) {
		a, _ := json.MarshalIndent(v1, "", " ")
		b, _ := json.MarshalIndent(v2, "", " ")
		t.Errorf("version 1 and 2 of the same content differ:\n%s", firstDiff(string(a), string(b)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: %s\n    vs: %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}

func TestLoad_SchemaVersion2RefusesTheKeysItDropped(t *testing.T) {
	for _, at := range []string{"profiles[0].urls.login", "profiles[0].urls.settings_api", "profiles[1].path.close"} {
		t.Run(at, func(t *testing.T) {
			var value any = "/x"
			if strings.HasSuffix(at, "close") {
				value = map[string]any{"candidates": []any{map[string]any{"testid": "close-button"}}}
			}
			_, data, _, err := loadMutated(t, func(d doc) { set(t, d, at, value) })
			parent, key := parentAndKey(t, at)
			wantError(t, err, errSource(err), parent, keyLine(t, data, at), key)
		})
	}
}

func TestLoad_SchemaVersion1RefusesVersion2Keys(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(d doc)
		path   string
		line   string // key path whose line is reported
		msg    []string
	}{
		{"signed_in", func(d doc) {
			set(t, d, "profiles[0].signed_in", map[string]any{"input": "click", "candidates": []any{map[string]any{"testid": "x"}}})
		}, "profiles[0]", "profiles[0].signed_in", []string{"signed_in"}},
		{"element without input", func(d doc) { del(t, d, "profiles[0].path.switch.input") },
			"profiles[0].path.switch", "profiles[0].path.switch", []string{"missing", "'input'"}},
		{"no settings url", func(d doc) { del(t, d, "profiles[1].urls.settings") },
			"profiles[1].urls", "profiles[1].urls", []string{"missing", "'settings'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := v1Doc(t)
			tt.mutate(d)
			data := render(t, d)
			_, err := Parse(data, "v1.yaml")
			wantError(t, err, "v1.yaml", tt.path, keyLine(t, data, tt.line), tt.msg...)
		})
	}
}

// v1Doc is the last version 1 file as generic data.
func v1Doc(t *testing.T) doc {
	t.Helper()
	data, err := os.ReadFile(v1File)
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := yaml.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoad_InputDefaultsToClick(t *testing.T) {
	_, _, f, err := loadMutated(t, func(d doc) {
		del(t, d, "profiles[0].path.profile_menu.input")
		set(t, d, "profiles[0].path.switch.input", "click")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Profiles {
		for _, e := range p.elements() {
			if e.el != nil && e.el.Input == "" {
				t.Errorf("%s: %v has no Input after loading", p.Name, e.loc)
			}
		}
	}
	p := f.Profiles[0]
	if p.Path.ProfileMenu.Input != InputClick || p.Path.Switch.Input != InputClick || p.Login.Entry.Input != InputClick || p.SignedIn.Input != InputClick {
		t.Errorf("inputs %q %q %q %q, want click", p.Path.ProfileMenu.Input, p.Path.Switch.Input, p.Login.Entry.Input, p.SignedIn.Input)
	}
	if p.Path.DataControlsTab.Input != InputMouseDown {
		t.Errorf("an input written out was changed: %q", p.Path.DataControlsTab.Input)
	}
}

func TestDefault_SignedInIsProofNotTheProfileTrigger(t *testing.T) {
	f := mustDefault(t)
	cur, _ := f.Profile("current")
	// A placeholder with this test id shows on the signed-out home page
	// (reference, 2026-06): it must not prove sign-in by itself.
	for _, c := range cur.SignedIn.Candidates {
		if c == (Candidate{TestID: "accounts-profile-button"}) || c == (Candidate{CSS: `[data-testid="accounts-profile-button"]`}) {
			t.Errorf("current signed_in has the bare profile trigger %s", c)
		}
	}
	if first := cur.SignedIn.Candidates[0]; first.Kind() != "role" || first.Name != "Library" {
		t.Errorf("current signed_in starts with %s, want the sidebar's Library entry", first)
	}
	old, _ := f.Profile("2023")
	want := []Candidate{{CSS: `nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`}}
	if !reflect.DeepEqual(old.SignedIn.Candidates, want) {
		t.Errorf("2023 signed_in = %v, want %v", old.SignedIn.Candidates, want)
	}
}

func TestDefault_2023HasNoSettingsURL(t *testing.T) {
	f := mustDefault(t)
	old, _ := f.Profile("2023")
	if old.URLs.Settings != "" {
		t.Errorf("2023 urls.settings = %q: 2023 had no deep link", old.URLs.Settings)
	}
	cur, _ := f.Profile("current")
	if cur.URLs.Settings != "/#settings/DataControls" {
		t.Errorf("current urls.settings = %q", cur.URLs.Settings)
	}
}

func TestLoad_RejectsInvalidCSSAtItsKeyPath(t *testing.T) {
	for _, at := range []string{
		"profiles[0].detect[0]",
		"profiles[1].detect[1]",
		"profiles[0].signed_in.candidates[0]",
		"profiles[1].signed_in.candidates[0]",
		"profiles[0].login.email.candidates[1]",
		"profiles[0].login.mfa_submit.candidates[0]",
		"profiles[0].dialogs[1].dismiss.candidates[0]",
		"profiles[0].path.row_opener.candidates[1]",
		"profiles[1].path.switch.candidates[2]",
	} {
		for _, bad := range []string{`div >`, `a:contains("Settings")`, `#1a`, `[aria-label="x"`, `button:bogus`} {
			t.Run(at+"="+bad, func(t *testing.T) {
				cssAt := at + ".css"
				_, data, _, err := loadMutated(t, func(d doc) {
					list, i := splitIndex(t, d, at)
					list[i] = map[string]any{"css": bad}
				})
				wantError(t, err, errSource(err), cssAt, keyLine(t, data, cssAt), "CSS", "'"+bad+"'")
			})
		}
	}
}

// An obstacle's css is hidden by the tool: Chrome must take it too.
func TestLoad_RejectsInvalidObstacleCSSAtItsKeyPath(t *testing.T) {
	const at = "profiles[0].obstacles[0].css[0]"
	_, data, _, err := loadMutated(t, func(d doc) {
		get(t, d, "profiles[0].obstacles[0].css").([]any)[0] = "#credential_picker_container >"
	})
	wantError(t, err, errSource(err), at, keyLine(t, data, at), "CSS")
}

// splitIndex finds the list and index that key path at (ending in [N]) names.
func splitIndex(t *testing.T, d doc, at string) ([]any, int) {
	t.Helper()
	open := strings.LastIndexByte(at, '[')
	var i int
	if _, err := fmt.Sscanf(at[open:], "[%d]", &i); err != nil {
		t.Fatalf("%s: %v", at, err)
	}
	return get(t, d, at[:open]).([]any), i
}

func TestLoad_InvalidCSSInASchemaVersion1File(t *testing.T) {
	d := v1Doc(t)
	get(t, d, "profiles[1].path.profile_menu.candidates").([]any)[0] = map[string]any{"css": "nav >"}
	data := render(t, d)
	_, err := Parse(data, "v1.yaml")
	const at = "profiles[1].path.profile_menu.candidates[0].css"
	wantError(t, err, "v1.yaml", at, keyLine(t, data, at), "CSS")
}

func TestLoad_AcceptsCSSThatChromeTakesAndCascadiaDoesNot(t *testing.T) {
	for _, css := range []string{`div:has(> a)`, `a:is(.x, .y)`, `a:focus-visible`, `[a="b" s]`, `li:nth-child(2 of .x)`} {
		t.Run(css, func(t *testing.T) {
			_, _, f, err := loadMutated(t, func(d doc) {
				get(t, d, "profiles[0].path.switch.candidates").([]any)[0] = map[string]any{"css": css}
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Profiles[0].Path.Switch.Candidates[0].CSS; got != css {
				t.Errorf("css = %q", got)
			}
		})
	}
}

func TestLoad_LabelMustAgreeWithMeaning(t *testing.T) {
	const at = "profiles[0].setting.label"
	t.Run("disagrees", func(t *testing.T) {
		for _, i := range []int{0, 1} {
			at := fmt.Sprintf("profiles[%d].setting.label", i)
			_, data, _, err := loadMutated(t, func(d doc) { set(t, d, at, "Share my location") })
			wantError(t, err, errSource(err), at, keyLine(t, data, at), `"Share my location"`, "meaning")
		}
	})
	t.Run("case is ignored, as the meaning guard does", func(t *testing.T) {
		if _, _, _, err := loadMutated(t, func(d doc) { set(t, d, at, "IMPROVE THE MODEL FOR EVERYONE") }); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("any entry", func(t *testing.T) {
		_, _, f, err := loadMutated(t, func(d doc) {
			m := get(t, d, "profiles[1].setting.meaning").([]any)
			set(t, d, "profiles[1].setting.meaning", append(m, map[string]any{"locale": "en-US", "label": "Chat History & Training"}))
			set(t, d, "profiles[1].setting.label", "Chat History & Training")
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Profiles[1].Setting.Label; got != "Chat History & Training" {
			t.Errorf("label %q", got)
		}
	})
	t.Run("without meaning any label goes", func(t *testing.T) {
		if _, _, _, err := loadMutated(t, func(d doc) {
			del(t, d, "profiles[0].setting.meaning")
			set(t, d, at, "Share my location")
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// padTo returns the embedded file with a trailing comment that makes it size bytes long.
func padTo(t *testing.T, size int) []byte {
	t.Helper()
	data := Embedded()
	line := "# " + strings.Repeat("x", 76) + "\n"
	var b bytes.Buffer
	b.Write(data)
	for b.Len()+len(line) <= size {
		b.WriteString(line)
	}
	if rest := size - b.Len(); rest > 0 {
		b.WriteString("#" + strings.Repeat("x", rest-1))
	}
	if b.Len() != size {
		t.Fatalf("padded to %d, want %d", b.Len(), size)
	}
	return b.Bytes()
}

func TestParse_RefusesAFileOver4MiBBeforeParsing(t *testing.T) {
	for name, data := range map[string][]byte{
		"just over":   padTo(t, MaxFileSize+1),
		"not YAML":    bytes.Repeat([]byte("{["), MaxFileSize),
		"much bigger": bytes.Repeat([]byte("# x\n"), 3*MaxFileSize/4+1),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parse(data, "big.yaml")
			runtime.ReadMemStats(&after)
			wantError(t, err, "big.yaml", "", 0, "at most 4 MiB")
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("errors.Is(%v, ErrTooLarge) is false", err)
			}
			// Parsing 4 MiB would allocate many times that; refusing it
			// takes a message.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("refusing allocated %d KiB: was it parsed?", alloc>>10)
			}
		})
	}
}

func TestParse_AcceptsAFileOfExactly4MiB(t *testing.T) {
	if _, err := Parse(padTo(t, MaxFileSize), "big.yaml"); err != nil {
		t.Fatal(err)
	}
}

func TestLoad_RefusesAFileOver4MiB(t *testing.T) {
	p := writeFile(t, "big.yaml", padTo(t, MaxFileSize+100))
	f, err := Load(p)
	if f != nil {
		t.Error("got a File")
	}
	wantError(t, err, p, "", 0, fmt.Sprintf("%d bytes", MaxFileSize+100), "at most 4 MiB")
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("errors.Is(%v, ErrTooLarge) is false", err)
	}
}

// A device has no size to check first; it is read no further than the cap.
func TestLoad_RefusesAnEndlessFile(t *testing.T) {
	const dev = "/dev/zero"
	if _, err := os.Stat(dev); err != nil {
		t.Skip(err)
	}
	_, err := Load(dev)
	wantError(t, err, dev, "", 0, "at most 4 MiB")
}

func TestEmbedded_FirstLineNamesTheSchemaForEditors(t *testing.T) {
	first, _, _ := strings.Cut(string(Embedded()), "\n")
	const prefix = "# yaml-language-server: $schema="
	if !strings.HasPrefix(first, prefix) {
		t.Fatalf("first line %q, want %s...", first, prefix)
	}
	// The path is relative to selectors.yaml and names the current schema.
	got, err := os.ReadFile(filepath.Join(".", strings.TrimPrefix(first, prefix)))
	if err != nil {
		t.Fatalf("the schema the first line names: %v", err)
	}
	if !bytes.Equal(got, Schema()) {
		t.Error("the first line names another schema than Schema()")
	}
}

// Every property in the current schema says what it is, for editors.
func TestSchema_EveryPropertyHasADescription(t *testing.T) {
	var s any
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for name, p := range props {
					n++
					pm, _ := p.(map[string]any)
					if d, _ := pm["description"].(string); len(d) < 10 {
						t.Errorf("%s.properties.%s has no description", path, name)
					}
				}
			}
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	walk("#", s)
	if n < 60 {
		t.Errorf("only %d properties found", n)
	}
}

func TestSchema_VersionsAreConstants(t *testing.T) {
	for v, s := range map[int][]byte{1: SchemaV1(), 2: Schema()} {
		var m struct {
			Properties struct {
				SchemaVersion struct {
					Const int `json:"const"`
				} `json:"schema_version"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(s, &m); err != nil {
			t.Fatal(err)
		}
		if m.Properties.SchemaVersion.Const != v {
			t.Errorf("schema %d says schema_version %d", v, m.Properties.SchemaVersion.Const)
		}
	}
}
