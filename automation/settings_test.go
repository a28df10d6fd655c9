package automation

import (
	"slices"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// The decisions about the settings beside model training, without a
// browser: go test ./automation -run Settings

func TestSettings_WhichSettingsARunVisits(t *testing.T) {
	tests := []struct {
		in   []string
		want []DataSetting
		bad  string
	}{
		{nil, []DataSetting{DataTraining}, ""},
		{[]string{""}, []DataSetting{DataTraining}, ""},
		{[]string{"marketing"}, []DataSetting{DataMarketing}, ""},
		{[]string{"all"}, []DataSetting{DataTraining, DataVoice, DataMarketing, DataAds}, ""},
		{[]string{"memory,all"}, []DataSetting{DataTraining, DataVoice, DataMarketing, DataAds, DataMemory}, ""},
		{[]string{"ads", "training", "ads"}, []DataSetting{DataTraining, DataAds}, ""},
		{[]string{" Marketing , ADS "}, []DataSetting{DataMarketing, DataAds}, ""},
		{[]string{"training,telemetry"}, nil, `"telemetry" is not one of training, voice, marketing, ads, memory, all`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.in, "|"), func(t *testing.T) {
			got, err := ParseDataSettings(tt.in...)
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) || KindOf(err) != KindConfig {
					t.Fatalf("err = %v, want a configuration error saying %q", err, tt.bad)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ParseDataSettings = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestSettings_AbsentIsNotAlwaysDrift(t *testing.T) {
	all := &selectors.ExtraSetting{Name: "marketing", Offered: selectors.OfferedAll}
	plans := &selectors.ExtraSetting{Name: "ads", Offered: selectors.OfferedPlans, Plans: []string{"free", "go"}}
	uncertain := &selectors.ExtraSetting{Name: "voice", Offered: selectors.OfferedUncertain}
	tests := []struct {
		name       string
		x          *selectors.ExtraSetting
		plan       string
		notOffered bool
		note       string
	}{
		{"a setting of every plan that is missing is drift", all, "free", false, ""},
		{"a free plan's ads missing is drift", plans, "free", false, ""},
		{"a plus plan has no ads", plans, "plus", true, "the plus plan has no ads setting"},
		{"a plan the page did not name: not offered, said so", plans, "", true, "the account's plan could not be read"},
		{"an uncertain rollout missing is not offered", uncertain, "pro", true, "rollout to the web is uncertain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			off, note := absentIs(tt.x, tt.plan)
			if off != tt.notOffered || !strings.Contains(note, tt.note) {
				t.Errorf("absentIs = %v %q, want %v and a note with %q", off, note, tt.notOffered, tt.note)
			}
		})
	}
}

func TestSettings_ASwitchSomeoneElseControls(t *testing.T) {
	tests := []struct {
		disabled bool
		st       State
		want     bool
	}{
		{true, StateOn, true},
		{true, StateOff, false}, // switched off with its parent: nothing to do
		{false, StateOn, false},
	}
	for _, tt := range tests {
		if got := locked(&match{Disabled: tt.disabled}, tt.st); got != tt.want {
			t.Errorf("locked(disabled %v, %s) = %v", tt.disabled, tt.st, got)
		}
	}
	err := lockedError(DataTraining, &match{Name: "Improve the model for everyone", Context: "Your parent or guardian manages model training for this account."})
	if KindOf(err) != KindSettingLocked || !strings.Contains(err.Error(), "parent or guardian") {
		t.Errorf("lockedError = %v: want setting_locked with the page's note", err)
	}
}

func TestSettings_AnAccountIsItsWorstSetting(t *testing.T) {
	of := func(os ...Outcome) []SettingResult {
		var r []SettingResult
		for _, o := range os {
			r = append(r, SettingResult{Outcome: o})
		}
		return r
	}
	tests := []struct {
		in   []SettingResult
		want Outcome
	}{
		{of(OutcomeCompliant, OutcomeNotOffered), OutcomeCompliant},
		{of(OutcomeChanged, OutcomeCompliant, OutcomeNotOffered), OutcomeChanged},
		{of(OutcomeChanged, OutcomeNoncompliant), OutcomeNoncompliant},
		{of(OutcomeNoncompliant, OutcomeFailed), OutcomeFailed},
		{of(OutcomeFailed, OutcomeDrift), OutcomeDrift},
		{of(OutcomeNotOffered), OutcomeCompliant},
	}
	for _, tt := range tests {
		if got := worstOutcome(tt.in); got != tt.want {
			t.Errorf("worstOutcome(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   []State
		want State
	}{
		{[]State{StateOff, StateOff}, StateOff},
		{[]State{StateOff, StateOn}, StateOn},
		{[]State{StateOff, StateUnknown}, StateUnknown},
		{[]State{StateUnknown, StateOn}, StateOn},
		{nil, StateUnknown},
	} {
		if got := sumState(tt.in); got != tt.want {
			t.Errorf("sumState(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSettings_ThePlanFromTheProfileTrigger(t *testing.T) {
	names := map[string][]string{"free": {"Free"}, "go": {"Go"}, "plus": {"Plus"}, "pro": {"Pro"}}
	tests := []struct{ text, want string }{
		{"Alice Example Free, open profile menu", "free"},
		{"Shark Pro, open profile menu", "pro"},
		{"Gordon Plus, open profile menu", "plus"},
		{"Bob Go, open profile menu", "go"},
		{"Goran Example, open profile menu", ""}, // "Go" only as a whole word
		{"Open profile menu", ""},
		{"Prosper Freeman Plus, open profile menu", "plus"},
		{"Free Smith Plus, open profile menu", "plus"}, // the plan comes after the name
	}
	for _, tt := range tests {
		if got := planOf(names, tt.text); got != tt.want {
			t.Errorf("planOf(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSettings_ASwitchSaysWhatItIsBeforeItIsTouched(t *testing.T) {
	named := &selectors.ExtraSetting{Name: "ads", Switches: []selectors.NamedSwitch{{Label: "Personalize ads", Keywords: []string{"ads"}}}}
	every := &selectors.ExtraSetting{Name: "marketing", EverySwitch: &selectors.EverySwitch{Keywords: []string{"marketing", "partner"}}}
	tests := []struct {
		name string
		x    *selectors.ExtraSetting
		sw   aSwitch
		ok   bool
	}{
		{"the named switch with its words", named, aSwitch{named: &named.Switches[0], m: &match{Name: "Personalize ads", Context: "Ads controls Personalize ads"}}, true},
		{"a named switch labelled otherwise", named, aSwitch{named: &named.Switches[0], m: &match{Name: "Personalize memory", Context: "ads"}}, false},
		{"every switch speaking of marketing", every, aSwitch{m: &match{Name: "Share with marketing partners"}}, true},
		{"a switch of something else", every, aSwitch{m: &match{Name: "Location", Context: "Allow ChatGPT to use your device location"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if why := meaningOf(tt.x, tt.sw); (why == "") != tt.ok {
				t.Errorf("meaningOf = %q, want ok %v", why, tt.ok)
			}
		})
	}
}

// A setting behind an opener shows its switches once the opener did its
// work; before, the switches on screen are another setting's.
func TestSettings_SwitchesBehindAnOpenerCountOnceItOpened(t *testing.T) {
	x := &selectors.ExtraSetting{Name: "marketing", Opener: &selectors.Element{}, EverySwitch: &selectors.EverySwitch{Keywords: []string{"marketing"}}}
	location := &match{Candidate: 0, Name: "Location"}
	page := func(openerCovered bool, openerFound bool) *probeResult {
		op := &match{Candidate: -1}
		if openerFound {
			op = &match{Candidate: 0, Covered: openerCovered}
		}
		return &probeResult{Elements: map[string]*match{
			stepRowOpener: op,
			"switches":    {Candidate: 0, All: []*match{location}},
		}}
	}
	if got := switchesIn(x, page(false, true), false); len(got) != 0 {
		t.Errorf("before the opener was pressed: %d switches, want none", len(got))
	}
	if got := switchesIn(x, page(false, false), false); len(got) != 0 {
		t.Errorf("before the opener has rendered: %d switches, want none", len(got))
	}
	if got := switchesIn(x, page(true, true), true); len(got) != 1 {
		t.Errorf("under the dialog the opener opened: %d switches, want 1", len(got))
	}
	if got := switchesIn(x, page(true, true), false); len(got) != 1 {
		t.Errorf("under a dialog over the opener (opened before): %d switches, want 1", len(got))
	}
	if got := switchesIn(x, page(false, false), true); len(got) != 1 {
		t.Errorf("on the sub-page the opener led to: %d switches, want 1", len(got))
	}
}
