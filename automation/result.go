package automation

import (
	"fmt"
	"strings"
	"time"
)

// State is the setting's state as read from the page.
type State string

// The states of the setting.
const (
	StateOn      State = "on"
	StateOff     State = "off"
	StateUnknown State = "unknown"
)

// Action is what a run did to the setting.
type Action string

// The actions.
const (
	ActionNone         Action = "none"
	ActionTurnedOff    Action = "turned_off"
	ActionWouldTurnOff Action = "would_turn_off"
)

// Outcome sums up one account.
type Outcome string

// The outcomes.
const (
	OutcomeCompliant    Outcome = "compliant"    // off before, nothing to do
	OutcomeChanged      Outcome = "changed"      // was on, now off and verified
	OutcomeNoncompliant Outcome = "noncompliant" // on, and left on (status, dry run)
	OutcomeFailed       Outcome = "failed"
	OutcomeDrift        Outcome = "drift"
	// OutcomeNotOffered: a chosen setting does not exist for this account
	// (its plan, or a rollout the selectors file marks uncertain). Only a
	// SettingResult has it; it weighs nothing in the account's outcome.
	OutcomeNotOffered Outcome = "not_offered"
)

// Result is the report of one account. Its JSON form is part of the
// command-line interface.
type Result struct {
	Account          string `json:"account"`
	UI               string `json:"ui,omitempty"`
	SelectorsVersion string `json:"selectors_version"`
	// SelectorsSource is where the selectors file came from: "embedded",
	// its path, or its URL with the signing key's id (set by the caller
	// that chose the file: the command line and the fleet runner).
	SelectorsSource string    `json:"selectors_source"`
	Before          State     `json:"before"`
	After           State     `json:"after"`
	Action          Action    `json:"action"`
	Outcome         Outcome   `json:"outcome"`
	Verified        bool      `json:"verified"`
	ErrorKind       ErrorKind `json:"error_kind,omitempty"`
	Error           string    `json:"error,omitempty"`
	DurationMS      int64     `json:"duration_ms"`
	Artifacts       []string  `json:"artifacts,omitempty"`
	Route           Route     `json:"route,omitempty"` // RouteMenu or RouteDeepLink
	Label           string    `json:"label,omitempty"`
	Warnings        []string  `json:"warnings,omitempty"`
	Attempts        int       `json:"attempts,omitempty"`
	// Elements is the table of `selectors verify`.
	Elements []ElementCheck `json:"elements,omitempty"`
	// Evidence is a PNG of the switch and its label in the verified off
	// state, with Config.Evidence. It is never in the JSON form.
	Evidence []byte `json:"-"`
	// Timings splits the run into its phases, for benchmarks and -v logs.
	Timings Timings `json:"timings_ms"`
	// Settings has one entry per chosen setting (Config.Settings), in the
	// order the run visits them. The fields above describe the account as
	// a whole: Outcome is the worst of these, Before, After and Action
	// those of model training when it is chosen.
	Settings []SettingResult `json:"settings,omitempty"`
}

// String is the setting's result in a few words, for reports a person
// reads: "marketing: on → off (Marketing cookies, Share with marketing
// partners)", "ads: not offered (…)", "training: failed (setting_locked): …".
func (r SettingResult) String() string {
	state := string(r.After)
	if r.Before != r.After {
		state = fmt.Sprintf("%s → %s", r.Before, r.After)
	}
	labels := ""
	if len(r.Labels) > 0 {
		labels = " (" + strings.Join(r.Labels, ", ") + ")"
	}
	switch r.Outcome {
	case OutcomeNotOffered:
		return fmt.Sprintf("%s: not offered (%s)", r.Name, r.Note)
	case OutcomeFailed, OutcomeDrift:
		return fmt.Sprintf("%s: %s (%s): %s", r.Name, r.Outcome, r.ErrorKind, r.Error)
	case OutcomeNoncompliant:
		if r.Action == ActionWouldTurnOff {
			return fmt.Sprintf("%s: %s%s (dry run: would turn it off)", r.Name, r.Before, labels)
		}
		return fmt.Sprintf("%s: %s%s", r.Name, r.Before, labels)
	case OutcomeChanged:
		return fmt.Sprintf("%s: %s%s (verified)", r.Name, state, labels)
	}
	return fmt.Sprintf("%s: %s%s (already off)", r.Name, state, labels)
}

// MoreThanTraining says a result has settings besides training to report.
func (r *Result) MoreThanTraining() bool {
	return len(r.Settings) > 1 || len(r.Settings) == 1 && r.Settings[0].Name != DataTraining
}

// SettingResult is what a run found and did for one chosen setting.
type SettingResult struct {
	Name DataSetting `json:"name"`
	// Labels are the page's words for each of its switches.
	Labels    []string  `json:"labels"`
	Before    State     `json:"before"`
	After     State     `json:"after"`
	Action    Action    `json:"action"`
	Outcome   Outcome   `json:"outcome"`
	ErrorKind ErrorKind `json:"error_kind,omitempty"`
	Error     string    `json:"error,omitempty"`
	// Note says why a setting is not offered.
	Note string `json:"note,omitempty"`
}

// Timings are the durations of the phases of one run, in milliseconds.
type Timings struct {
	Session    int64 `json:"session"`
	Login      int64 `json:"login"`
	Navigation int64 `json:"navigation"`
	Toggle     int64 `json:"toggle_verify"`
	// SecurityCheck is the time spent waiting for the site's security
	// check to clear itself, within the phases above.
	SecurityCheck int64 `json:"security_check,omitempty"`
	// OwnWait is the time the run waited on itself, within the phases
	// above: from the page's last change that mattered to the decision
	// taken on it, and the pauses before a repeated click. The rest is the
	// site's and the browser's.
	OwnWait int64 `json:"own_wait"`
}

func ms(d time.Duration) int64 { return d.Milliseconds() }
