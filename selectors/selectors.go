// Package selectors holds the versioned description of the ChatGPT pages that
// the browser flows follow: URLs, element locators, labels and state values.
//
// The file selectors.yaml is embedded in the binary; a newer or patched copy
// replaces it at run time (Load), so a UI change is fixed by editing data, not
// code. Every file is checked against the embedded JSON Schema on load, and an
// error names the key path and line that is wrong.
package selectors

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
)

//go:embed selectors.yaml
var embeddedFile []byte

//go:embed schema.json
var schemaJSON []byte

// EmbeddedSource is the Source of the file built into the binary.
const EmbeddedSource = "embedded"

// File is one selectors file.
type File struct {
	SchemaVersion int       `yaml:"schema_version" json:"schema_version"`
	Version       string    `yaml:"version" json:"version"`
	Changelog     []Change  `yaml:"changelog" json:"changelog"`
	Profiles      []Profile `yaml:"profiles" json:"profiles"`

	// Source is the path the file was read from, or EmbeddedSource.
	Source string `yaml:"-" json:"-"`
}

// Change is one changelog entry.
type Change struct {
	Version string   `yaml:"version" json:"version"`
	Date    string   `yaml:"date,omitempty" json:"date,omitempty"`
	Changes []string `yaml:"changes" json:"changes"`
}

// Profile describes one era of the UI.
type Profile struct {
	Name          string      `yaml:"name" json:"name"`
	Description   string      `yaml:"description,omitempty" json:"description,omitempty"`
	Detect        []Candidate `yaml:"detect" json:"detect"`
	URLs          URLs        `yaml:"urls" json:"urls"`
	SessionCookie string      `yaml:"session_cookie,omitempty" json:"session_cookie,omitempty"`
	Login         Login       `yaml:"login" json:"login"`
	Challenges    Challenges  `yaml:"challenges,omitempty" json:"challenges,omitempty"`
	Dialogs       []Dialog    `yaml:"dialogs,omitempty" json:"dialogs,omitempty"`
	Path          Path        `yaml:"path" json:"path"`
	Setting       Setting     `yaml:"setting" json:"setting"`
}

// URLs are paths relative to the base URL of the app.
type URLs struct {
	App         string `yaml:"app" json:"app"`
	Login       string `yaml:"login" json:"login"`
	Settings    string `yaml:"settings" json:"settings"`
	Session     string `yaml:"session,omitempty" json:"session,omitempty"`
	SettingsAPI string `yaml:"settings_api,omitempty" json:"settings_api,omitempty"`
}

// Login lists the elements of the sign-in pages, whichever origin serves them.
type Login struct {
	Entry          Element  `yaml:"entry" json:"entry"`
	Email          Element  `yaml:"email" json:"email"`
	EmailSubmit    Element  `yaml:"email_submit" json:"email_submit"`
	Password       Element  `yaml:"password" json:"password"`
	PasswordSubmit Element  `yaml:"password_submit" json:"password_submit"`
	MFACode        *Element `yaml:"mfa_code,omitempty" json:"mfa_code,omitempty"`
	MFASubmit      *Element `yaml:"mfa_submit,omitempty" json:"mfa_submit,omitempty"`
	PasswordError  []string `yaml:"password_error" json:"password_error"`
	MFAError       []string `yaml:"mfa_error,omitempty" json:"mfa_error,omitempty"`
}

// Challenges are the markers of pages that a program cannot pass on its own.
type Challenges struct {
	HumanVerification *Markers `yaml:"human_verification,omitempty" json:"human_verification,omitempty"`
	EmailVerification *Markers `yaml:"email_verification,omitempty" json:"email_verification,omitempty"`
	PushVerification  *Markers `yaml:"push_verification,omitempty" json:"push_verification,omitempty"`
}

// Markers recognise a page: any title part, visible text part or URL part matches.
type Markers struct {
	Title []string `yaml:"title,omitempty" json:"title,omitempty"`
	Text  []string `yaml:"text,omitempty" json:"text,omitempty"`
	URL   []string `yaml:"url,omitempty" json:"url,omitempty"`
}

// Dialog is something that may pop up after sign-in and must be dismissed.
type Dialog struct {
	Name    string  `yaml:"name" json:"name"`
	Dismiss Element `yaml:"dismiss" json:"dismiss"`
}

// Path is the way from the chat page to the setting.
type Path struct {
	ProfileMenu     Element  `yaml:"profile_menu" json:"profile_menu"`
	SettingsItem    Element  `yaml:"settings_item" json:"settings_item"`
	DataControlsTab Element  `yaml:"data_controls_tab" json:"data_controls_tab"`
	RowOpener       *Element `yaml:"row_opener,omitempty" json:"row_opener,omitempty"`
	Switch          Element  `yaml:"switch" json:"switch"`
	Close           *Element `yaml:"close,omitempty" json:"close,omitempty"`
}

// Setting says what the switch is and how its state reads.
type Setting struct {
	Label          string   `yaml:"label" json:"label"`
	StateAttribute string   `yaml:"state_attribute" json:"state_attribute"`
	OnValue        string   `yaml:"on_value" json:"on_value"`
	OffValue       string   `yaml:"off_value" json:"off_value"`
	Witness        *Witness `yaml:"witness,omitempty" json:"witness,omitempty"`
	// Meaning is what the switch must say, per locale, before the tool
	// touches it: its label and key words of the text around it.
	Meaning []Meaning `yaml:"meaning,omitempty" json:"meaning,omitempty"`
}

// Meaning is the label and description key words of the setting in one locale.
type Meaning struct {
	Locale   string   `yaml:"locale" json:"locale"`
	Label    string   `yaml:"label" json:"label"`
	Keywords []string `yaml:"keywords,omitempty" json:"keywords,omitempty"`
}

// Witness is a read-only backend endpoint that reports the same state.
type Witness struct {
	URL      string `yaml:"url" json:"url"`
	Field    string `yaml:"field" json:"field"` // dotted path into the JSON answer
	OffValue any    `yaml:"off_value" json:"off_value"`
}

// Input is how a person's pointer activates an element.
type Input string

// The inputs a page may need. Radix menus open on pointerdown and Radix tabs
// on mousedown; a synthetic element.click() triggers neither.
const (
	InputClick       Input = "click"
	InputPointerDown Input = "pointerdown"
	InputMouseDown   Input = "mousedown"
)

// Element is an ordered list of candidate locators for one thing on a page.
type Element struct {
	Input      Input       `yaml:"input" json:"input"`
	Candidates []Candidate `yaml:"candidates" json:"candidates"`
}

// Candidate is one way to find an element. Exactly one of TestID, CSS, Role
// or Text leads; CSS may be narrowed by Text, Role by Name or NameContains.
type Candidate struct {
	TestID       string `yaml:"testid,omitempty" json:"testid,omitempty"`
	CSS          string `yaml:"css,omitempty" json:"css,omitempty"`
	Role         string `yaml:"role,omitempty" json:"role,omitempty"`
	Name         string `yaml:"name,omitempty" json:"name,omitempty"`
	NameContains string `yaml:"name_contains,omitempty" json:"name_contains,omitempty"`
	Text         string `yaml:"text,omitempty" json:"text,omitempty"`
}

// Kind is the kind of locator: testid, css, role or text.
func (c Candidate) Kind() string {
	switch {
	case c.TestID != "":
		return "testid"
	case c.CSS != "":
		return "css"
	case c.Role != "":
		return "role"
	default:
		return "text"
	}
}

// String renders the candidate the way a person would write it in the file.
func (c Candidate) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, fmt.Sprintf("%s=%q", k, v))
		}
	}
	add("testid", c.TestID)
	add("css", c.CSS)
	add("role", c.Role)
	add("name", c.Name)
	add("name_contains", c.NameContains)
	add("text", c.Text)
	return strings.Join(parts, " ")
}

// Default returns the file built into the binary.
func Default() (*File, error) {
	return Parse(embeddedFile, EmbeddedSource)
}

// Embedded returns the raw bytes of the built-in file.
func Embedded() []byte { return append([]byte(nil), embeddedFile...) }

// Schema returns the JSON Schema that every selectors file must meet.
func Schema() []byte { return append([]byte(nil), schemaJSON...) }

// Load reads and checks the file at path; an empty path gives Default.
func Load(path string) (*File, error) {
	if path == "" {
		return Default()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("selectors file: %w", err)
	}
	return Parse(data, path)
}

// Profile returns the profile with the given name.
func (f *File) Profile(name string) (*Profile, bool) {
	for i := range f.Profiles {
		if f.Profiles[i].Name == name {
			return &f.Profiles[i], true
		}
	}
	return nil, false
}

// ProfileNames lists the profiles in file order.
func (f *File) ProfileNames() []string {
	names := make([]string, len(f.Profiles))
	for i, p := range f.Profiles {
		names[i] = p.Name
	}
	return names
}
