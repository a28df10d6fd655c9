// Package selectors holds the versioned description of the ChatGPT pages that
// the browser flows follow: URLs, element locators, labels and state values.
//
// The file selectors.yaml is embedded in the binary; a newer or patched copy
// replaces it at run time (Load), so a UI change is fixed by editing data, not
// code. Every file is checked against the JSON Schema of its schema_version
// (1 or 2, see Parse), then against the rules a schema cannot say, and an
// error names the key path and line that is wrong.
//
// A file may also come from an https URL (Fetch, Resolve), so that
// maintainers publish a fix without a release. It is used only with a
// minisign signature at URL.sig by a trusted key, when it is no older than
// the embedded file and its min_tool_version allows the running tool.
package selectors

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

//go:embed selectors.yaml
var embeddedFile []byte

//go:embed schema.json
var schemaJSON []byte

//go:embed schema-v1.json
var schemaV1JSON []byte

const (
	// CurrentSchemaVersion is the schema_version of the files this build
	// writes and ships; version 1 files are read too.
	CurrentSchemaVersion = 2
	// MaxFileSize is the largest selectors file Load and Parse accept.
	MaxFileSize = 4 << 20
	// EmbeddedSource is the Source of the file built into the binary.
	EmbeddedSource = "embedded"
)

// File is one selectors file.
type File struct {
	// SchemaVersion is the schema_version the file was written in, 1 or 2.
	SchemaVersion int    `yaml:"schema_version" json:"schema_version"`
	Version       string `yaml:"version" json:"version"`
	// MinToolVersion is the oldest chatgpt-optout release (like 1.4.0) that
	// may use the file, or "" for any.
	MinToolVersion string    `yaml:"min_tool_version,omitempty" json:"min_tool_version,omitempty"`
	Changelog      []Change  `yaml:"changelog" json:"changelog"`
	Profiles       []Profile `yaml:"profiles" json:"profiles"`

	// Source is the path the file was read from, EmbeddedSource, or the
	// URL it was fetched from.
	Source string `yaml:"-" json:"-"`

	origin *Origin // set by Fetch; else Origin derives it from Source
}

// Change is one changelog entry.
type Change struct {
	Version string   `yaml:"version" json:"version"`
	Date    string   `yaml:"date,omitempty" json:"date,omitempty"`
	Changes []string `yaml:"changes" json:"changes"`
}

// Profile describes one era of the UI.
type Profile struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Detect tells which UI profile a page belongs to (--ui auto). It is
	// no proof of sign-in: that is SignedIn, something only a signed-in
	// page shows (its Input is not used).
	Detect        []Candidate `yaml:"detect" json:"detect"`
	SignedIn      Element     `yaml:"signed_in" json:"signed_in"`
	URLs          URLs        `yaml:"urls" json:"urls"`
	SessionCookie string      `yaml:"session_cookie,omitempty" json:"session_cookie,omitempty"`
	// SessionTokenField is the field of the URLs.Session endpoint's answer
	// that holds an access token while signed in: the proof of sign-in on a
	// page that looks like the app but shows none of SignedIn (a collapsed
	// sidebar, a dialog over it). It authorizes the backend witness.
	SessionTokenField string     `yaml:"session_token_field,omitempty" json:"session_token_field,omitempty"`
	Login             Login      `yaml:"login" json:"login"`
	Challenges        Challenges `yaml:"challenges,omitempty" json:"challenges,omitempty"`
	Dialogs           []Dialog   `yaml:"dialogs,omitempty" json:"dialogs,omitempty"`
	// UnknownDialogs closes the dialogs Dialogs does not describe; nil
	// leaves them to the drift decision.
	UnknownDialogs *UnknownDialogs `yaml:"unknown_dialogs,omitempty" json:"unknown_dialogs,omitempty"`
	Path           Path            `yaml:"path" json:"path"`
	Setting        Setting         `yaml:"setting" json:"setting"`
	// Obstacles are a third party's offers that float over the page
	// without being dialogs (Google One Tap): hidden where they cover
	// what a run needs.
	Obstacles []Obstacle `yaml:"obstacles,omitempty" json:"obstacles,omitempty"`
	// Settings are the data-use settings beside model training; Plan reads
	// the account's plan off the page, for those only some plans have.
	Settings []ExtraSetting `yaml:"settings,omitempty" json:"settings,omitempty"`
	Plan     *PlanSpec      `yaml:"plan,omitempty" json:"plan,omitempty"`
}

// Where an ExtraSetting exists.
const (
	OfferedAll       = "all"       // on every plan: missing is drift
	OfferedPlans     = "plans"     // on ExtraSetting.Plans only
	OfferedUncertain = "uncertain" // a rollout that may not have reached the web
)

// ExtraSetting is a data-use setting beside model training.
type ExtraSetting struct {
	Name        string `yaml:"name" json:"name"` // marketing, ads, voice, memory
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Offered is OfferedAll, OfferedPlans (with Plans) or OfferedUncertain.
	Offered string   `yaml:"offered" json:"offered"`
	Plans   []string `yaml:"plans,omitempty" json:"plans,omitempty"`
	// Tab is the settings tab that holds it; nil means Path.DataControlsTab.
	Tab *Element `yaml:"tab,omitempty" json:"tab,omitempty"`
	// Opener opens its switches (a dialog or a sub-page), if any.
	Opener *Element `yaml:"opener,omitempty" json:"opener,omitempty"`
	// A file gives one of Switches (by label) and EverySwitch (every switch
	// Opener shows, where the labels are not confirmed).
	Switches    []NamedSwitch `yaml:"switches,omitempty" json:"switches,omitempty"`
	EverySwitch *EverySwitch  `yaml:"every_switch,omitempty" json:"every_switch,omitempty"`
}

// NamedSwitch is one switch of a setting: it must carry Label, and the
// text around it one of Keywords, before it is touched.
type NamedSwitch struct {
	Label    string   `yaml:"label" json:"label"`
	Element  Element  `yaml:"element" json:"element"`
	Keywords []string `yaml:"keywords,omitempty" json:"keywords,omitempty"`
	Witness  *Witness `yaml:"witness,omitempty" json:"witness,omitempty"`
}

// EverySwitch is every switch on screen once a setting's opener opened
// them; each must show one of Keywords in its label or around it.
type EverySwitch struct {
	Keywords []string `yaml:"keywords" json:"keywords"`
}

// PlanSpec reads the account's plan off the page: Names lists, per plan,
// the words of Element's accessible name or text that name it.
type PlanSpec struct {
	Element Element             `yaml:"element" json:"element"`
	Names   map[string][]string `yaml:"names" json:"names"`
}

// ExtraSetting returns the profile's setting named name.
func (p *Profile) ExtraSetting(name string) (*ExtraSetting, bool) {
	return named(p.Settings, func(x ExtraSetting) bool { return x.Name == name })
}

// URLs are paths relative to the base URL of the app.
type URLs struct {
	App string `yaml:"app" json:"app"`
	// Settings is the deep link to the settings at Data controls, or ""
	// where the UI has none (2023): the path is then walked by the menu.
	Settings string `yaml:"settings,omitempty" json:"settings,omitempty"`
	Session  string `yaml:"session,omitempty" json:"session,omitempty"`
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
	// Skip declines an offer that asks nothing the tool needs (a passkey
	// enrolment); pressing it goes on with the sign-in.
	Skip *Element `yaml:"skip,omitempty" json:"skip,omitempty"`
	// PasswordWayOut leaves a page that asks for an emailed code for the
	// password form ("Continue with password").
	PasswordWayOut *Element `yaml:"password_way_out,omitempty" json:"password_way_out,omitempty"`
	// AccountChooser is an account's row in the chooser the signed-out app
	// shows over a valid session ("Choose an account to continue"); pressed
	// only when it holds the account's email.
	AccountChooser *Element `yaml:"account_chooser,omitempty" json:"account_chooser,omitempty"`
	// TryAgain is the button of the transient error page (Challenges.SiteError).
	TryAgain *Element `yaml:"try_again,omitempty" json:"try_again,omitempty"`
	// OneTimeCode is the password page's offer of an emailed code instead
	// ("Log in with a one-time code"), taken only by an account with a
	// mailbox and no password.
	OneTimeCode   *Element `yaml:"one_time_code,omitempty" json:"one_time_code,omitempty"`
	PasswordError []string `yaml:"password_error" json:"password_error"`
	MFAError      []string `yaml:"mfa_error,omitempty" json:"mfa_error,omitempty"`
}

// Challenges are the markers of pages that a program cannot pass on its own.
type Challenges struct {
	// SecurityCheck marks a check that clears itself (Cloudflare's "Just a
	// moment..."): a run waits while it shows, a bounded time.
	// HumanVerification marks the face that needs a person (the checkbox
	// widget); without SecurityCheck, a run waits on those pages as on a
	// check that may still turn.
	SecurityCheck     *Markers `yaml:"security_check,omitempty" json:"security_check,omitempty"`
	HumanVerification *Markers `yaml:"human_verification,omitempty" json:"human_verification,omitempty"`
	EmailVerification *Markers `yaml:"email_verification,omitempty" json:"email_verification,omitempty"`
	PushVerification  *Markers `yaml:"push_verification,omitempty" json:"push_verification,omitempty"`
	// SiteError marks the sign-in's transient error page ("Oops",
	// "Operation timed out"), retried with Login.TryAgain a bounded number
	// of times; RateLimited a refusal of further attempts
	// (max_check_attempts), never retried.
	SiteError   *Markers `yaml:"site_error,omitempty" json:"site_error,omitempty"`
	RateLimited *Markers `yaml:"rate_limited,omitempty" json:"rate_limited,omitempty"`
	// AccountAction lists the pages that need the account's owner (a phone
	// number, a birthday, an age check).
	AccountAction []PersonStep `yaml:"account_action,omitempty" json:"account_action,omitempty"`
}

// PersonStep is a page that asks for something only the account's owner
// can give; Asks ends the sentence "the site asks for ...".
type PersonStep struct {
	Name    string `yaml:"name" json:"name"`
	Asks    string `yaml:"asks" json:"asks"`
	Markers `yaml:",inline" json:",inline"`
}

// UnknownDialogs say how a modal dialog that no Dialog entry describes is
// closed: by a control named one of Close (case ignored; a name that
// starts with one and a space counts too) whose name holds none of the
// Choice words, else by Escape. Nothing else of such a dialog is pressed.
type UnknownDialogs struct {
	Close  []string `yaml:"close" json:"close"`
	Choice []string `yaml:"choice,omitempty" json:"choice,omitempty"`
}

// Obstacle is a third party's offer that floats over the page without
// being a dialog, such as Google One Tap's box: a cross-origin frame the
// tool cannot look into, so there is no control it could know closes it
// without choosing. Where it covers an element a run needs, the run hides
// its container (CSS, any of the selectors), which decides nothing; nothing
// inside it is ever pressed.
type Obstacle struct {
	Name string   `yaml:"name" json:"name"`
	CSS  []string `yaml:"css" json:"css"`
}

// Markers recognise a page: any title part, visible text part or URL part
// matches, or a visible element that matches one of CSS.
type Markers struct {
	Title []string `yaml:"title,omitempty" json:"title,omitempty"`
	Text  []string `yaml:"text,omitempty" json:"text,omitempty"`
	URL   []string `yaml:"url,omitempty" json:"url,omitempty"`
	CSS   []string `yaml:"css,omitempty" json:"css,omitempty"`
	// CodePattern, in email_verification only, is a regular expression
	// with exactly one capture group: the sign-in code in the site's email.
	CodePattern string `yaml:"code_pattern,omitempty" json:"code_pattern,omitempty"`
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
}

// Setting says what the switch is and how its state reads.
type Setting struct {
	// Label is the label the switch must carry: with Meaning, the label
	// of one of its entries (case ignored).
	Label          string   `yaml:"label" json:"label"`
	StateAttribute string   `yaml:"state_attribute" json:"state_attribute"`
	OnValue        string   `yaml:"on_value" json:"on_value"`
	OffValue       string   `yaml:"off_value" json:"off_value"`
	Witness        *Witness `yaml:"witness,omitempty" json:"witness,omitempty"`
	// Meaning is what the switch must say, per locale, before the tool
	// touches it: its label and key words of the text around it.
	Meaning []Meaning `yaml:"meaning,omitempty" json:"meaning,omitempty"`
	// DialogClose names the controls that close a setting's own dialog
	// (Done, Close), pressed only when Escape did not close it: the next
	// setting's switches are never looked for under a dialog left open.
	DialogClose []string `yaml:"dialog_close,omitempty" json:"dialog_close,omitempty"`
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
	// Input is how the element is activated: click when the file leaves it out.
	Input      Input       `yaml:"input,omitempty" json:"input"`
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
	// Row narrows a css or role candidate to elements whose row (the
	// nearest ancestor that shows more text than the element) holds it,
	// case ignored: the "Manage" button of the row "Marketing privacy".
	Row string `yaml:"row,omitempty" json:"row,omitempty"`
}

// Kind is the kind of locator: testid, css, role or text.
func (c Candidate) Kind() string {
	for _, k := range [][2]string{{"testid", c.TestID}, {"css", c.CSS}, {"role", c.Role}} {
		if k[1] != "" {
			return k[0]
		}
	}
	return "text"
}

// String renders the candidate the way a person would write it in the file.
func (c Candidate) String() string {
	var parts []string
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		if s := v.Field(i).String(); s != "" {
			key, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			parts = append(parts, fmt.Sprintf("%s=%q", key, s))
		}
	}
	return strings.Join(parts, " ")
}

// Default returns the file built into the binary.
func Default() (*File, error) { return Parse(embeddedFile, EmbeddedSource) }

// Embedded returns the raw bytes of the built-in file.
func Embedded() []byte { return append([]byte(nil), embeddedFile...) }

// Schema returns the JSON Schema of the current schema version.
func Schema() []byte { return append([]byte(nil), schemaJSON...) }

// SchemaV1 returns the JSON Schema of schema version 1 files.
func SchemaV1() []byte { return append([]byte(nil), schemaV1JSON...) }

// Load reads and checks the file at path; an empty path gives Default.
func Load(path string) (*File, error) {
	if path == "" {
		return Default()
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("selectors file: %w", err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, tooLarge(path, st.Size())
	}
	// Read at most one byte past the cap: a device or a pipe has no size.
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("selectors file %s: %w", path, err)
	}
	return Parse(data, path)
}

// ErrTooLarge is what a file larger than MaxFileSize fails with (errors.Is).
var ErrTooLarge = errors.New("larger than 4 MiB")

func tooLarge(source string, size int64) error {
	what := fmt.Sprintf("the file is %d bytes", size)
	if size == MaxFileSize+1 {
		what = "the file is more than 4194304 bytes"
	}
	return &Error{Source: source, Msg: what + "; a selectors file may be at most 4 MiB (4194304 bytes)", err: ErrTooLarge}
}

// Profile returns the profile with the given name.
func (f *File) Profile(name string) (*Profile, bool) {
	return named(f.Profiles, func(p Profile) bool { return p.Name == name })
}

// named is the first of s that match accepts.
func named[T any](s []T, match func(T) bool) (*T, bool) {
	if i := slices.IndexFunc(s, match); i >= 0 {
		return &s[i], true
	}
	return nil, false
}

// located is an element, or detect's candidates, with its key path below
// the profile (login.entry, detect).
type located struct {
	loc        []string
	el         *Element // nil for detect, which is candidates only
	candidates []Candidate
}

// elements lists every element of the profile that is present, and detect,
// in file order.
func (p *Profile) elements() []located {
	out := []located{{loc: []string{"detect"}, candidates: p.Detect}}
	walk(reflect.ValueOf(p).Elem(), nil, func(loc []string, x any) bool {
		e, ok := x.(*Element)
		if ok {
			out = append(out, located{loc: loc, el: e, candidates: e.Candidates})
		}
		return ok
	})
	return out
}

// walk calls fn with a pointer to every struct under v (v included) and
// its key path in the file, in field order, and descends into the struct
// unless fn returns true.
func walk(v reflect.Value, loc []string, fn func(loc []string, x any) bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), loc, fn)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walk(v.Index(i), append(slices.Clip(loc), strconv.Itoa(i)), fn)
		}
	case reflect.Struct:
		if fn(loc, v.Addr().Interface()) {
			return
		}
		for i := range v.NumField() {
			at := loc // an inline field's keys are its parent's
			if key, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ","); key != "" {
				at = append(slices.Clip(loc), key)
			}
			walk(v.Field(i), at, fn)
		}
	}
}

// ProfileNames lists the profiles in file order.
func (f *File) ProfileNames() []string {
	names := make([]string, len(f.Profiles))
	for i, p := range f.Profiles {
		names[i] = p.Name
	}
	return names
}
