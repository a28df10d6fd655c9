package automation

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// DataSetting names a data-use setting a run may switch off.
type DataSetting string

// The settings, in the order a run visits them. Model training is the
// selectors file's path and setting; the others its settings entries.
const (
	DataTraining  DataSetting = "training"  // "Improve the model for everyone"
	DataVoice     DataSetting = "voice"     // "Include your audio/video recordings"
	DataMarketing DataSetting = "marketing" // Marketing privacy
	DataAds       DataSetting = "ads"       // Ads controls
	DataMemory    DataSetting = "memory"    // Reference saved memories, chat history
)

var dataSettingOrder = []DataSetting{DataTraining, DataVoice, DataMarketing, DataAds, DataMemory}

// dataAll is what "all" names: the data-use defaults, not memory, which
// many want and is switched off only by name.
var dataAll = []DataSetting{DataTraining, DataMarketing, DataAds, DataVoice}

func knownDataSettings() string {
	names := make([]string, 0, len(dataSettingOrder)+1)
	for _, d := range dataSettingOrder {
		names = append(names, string(d))
	}
	return strings.Join(append(names, "all (training, marketing, ads and voice)"), ", ")
}

// ParseDataSettings reads setting names (each may be a comma-separated
// list): training, marketing, ads, voice, memory, and all. It returns them
// in the order a run visits them, each once; no names means training.
func ParseDataSettings(names ...string) ([]DataSetting, error) {
	chosen := map[DataSetting]bool{}
	for _, list := range names {
		for _, n := range strings.Split(list, ",") {
			n = strings.ToLower(strings.TrimSpace(n))
			switch {
			case n == "":
				continue
			case n == "all":
				for _, d := range dataAll {
					chosen[d] = true
				}
			case slices.Contains(dataSettingOrder, DataSetting(n)):
				chosen[DataSetting(n)] = true
			default:
				return nil, configError([]Setting{SettingSettings}, "setting %s is not one of %s", quote.Value(n), knownDataSettings())
			}
		}
	}
	if len(chosen) == 0 {
		return []DataSetting{DataTraining}, nil
	}
	return slices.DeleteFunc(slices.Clone(dataSettingOrder), func(d DataSetting) bool { return !chosen[d] }), nil
}

// ---- decisions ----

// absentIs decides whether a setting whose way in is missing is not
// offered (the file says it may be: an uncertain rollout, a plan without
// it or unread, plan "") or drift.
func absentIs(x *selectors.ExtraSetting, plan string) (notOffered bool, note string) {
	switch x.Offered {
	case selectors.OfferedUncertain:
		return true, fmt.Sprintf("the page shows no %s setting: its rollout to the web is uncertain, so this is not a change of the UI", x.Name)
	case selectors.OfferedPlans:
		switch {
		case plan == "":
			return true, fmt.Sprintf("the page shows no %s setting, and the account's plan could not be read to tell whether it should (it exists on %s)", x.Name, strings.Join(x.Plans, ", "))
		case !slices.Contains(x.Plans, plan):
			return true, fmt.Sprintf("the %s plan has no %s setting (it exists on %s)", plan, x.Name, strings.Join(x.Plans, ", "))
		}
	}
	return false, ""
}

// locked says a switch is on and cannot be changed here (disabled or
// read-only). A disabled switch that reads off needs nothing.
func locked(m *match, st State) bool { return m.Disabled && st == StateOn }

// outcomeRank orders outcomes from best to worst for an account's sum.
var outcomeRank = map[Outcome]int{OutcomeNotOffered: 0, OutcomeCompliant: 1, OutcomeChanged: 2, OutcomeNoncompliant: 3, OutcomeFailed: 4, OutcomeDrift: 5}

// worstOutcome is an account's outcome from its settings' outcomes.
func worstOutcome(results []SettingResult) Outcome {
	worst := OutcomeCompliant
	for _, r := range results {
		if outcomeRank[r.Outcome] > outcomeRank[worst] {
			worst = r.Outcome
		}
	}
	return worst
}

// sumState is a setting's state from its switches': on when one is on,
// off when all are, unknown otherwise.
func sumState(states []State) State {
	switch {
	case slices.Contains(states, StateOn):
		return StateOn
	case len(states) == 0 || slices.Contains(states, StateUnknown):
		return StateUnknown
	}
	return StateOff
}

// planOf names the plan in a text (the profile trigger's "NAME PLAN, open
// profile menu"): the plan with a word that is a whole word of it, the last
// such word (a name may hold a plan's word), "" when none is.
func planOf(names map[string][]string, text string) string {
	best, at := "", -1
	for _, p := range slices.Sorted(maps.Keys(names)) {
		for _, w := range names[p] {
			re := regexp.MustCompile(`(?i)(?:^|[^\pL\pN])(` + regexp.QuoteMeta(w) + `)(?:$|[^\pL\pN])`)
			for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
				if m[2] > at {
					best, at = p, m[2]
				}
			}
		}
	}
	return best
}

// ---- the walk to a setting beside training ----

// extraSteps are the steps to a setting's switches, deepest first, in the
// names decidePath knows.
func extraSteps(p *selectors.Profile, x *selectors.ExtraSetting) []step {
	sw := &selectors.Element{Input: selectors.InputClick}
	if x.EverySwitch != nil {
		sw.Candidates = []selectors.Candidate{{Role: "switch"}}
	}
	for _, n := range x.Switches {
		sw.Candidates = append(sw.Candidates, n.Element.Candidates...)
	}
	tab := &p.Path.DataControlsTab
	if x.Tab != nil {
		tab = x.Tab
	}
	return stepsTo(p, sw, x.Opener, tab)
}

// switchesSpec reads a setting's switches: each named one under its own
// key, or every switch on screen under one.
func switchesSpec(p *selectors.Profile, x *selectors.ExtraSetting) probeSpec {
	var spec probeSpec
	attr := p.Setting.StateAttribute
	if x.EverySwitch != nil {
		spec.Elements = map[string]elementSpec{"switches": {Candidates: []selectors.Candidate{{Role: "switch"}}, Attr: attr, All: true}}
	}
	for i := range x.Switches {
		spec.add(fmt.Sprintf("switch.%d", i), &x.Switches[i].Element, attr)
	}
	if x.Opener != nil {
		spec.add(stepRowOpener, x.Opener, "")
	}
	return spec
}

// aSwitch is one switch of a setting as a reading found it.
type aSwitch struct {
	key   string // its key in switchesSpec's readings
	label string // the file's label, "" for every_switch
	named *selectors.NamedSwitch
	m     *match
}

// switchesIn lists the switches a reading of switchesSpec found, in the
// file's order. Behind an opener, they show only once it is out of the way
// (gone or covered by what it opened): before, every switch on screen is
// another setting's. opened says the walk pressed it: a missing opener may
// not have rendered yet.
func switchesIn(x *selectors.ExtraSetting, r *probeResult, opened bool) []aSwitch {
	var out []aSwitch
	if x.EverySwitch != nil {
		op := r.el(stepRowOpener)
		if x.Opener != nil && (op.found() && !op.Covered || !opened && !op.found()) {
			return nil
		}
		if m := r.el("switches"); m.found() {
			for _, a := range m.All {
				out = append(out, aSwitch{key: a.key, m: a})
			}
		}
		return out
	}
	for i := range x.Switches {
		key := fmt.Sprintf("switch.%d", i)
		if m := r.el(key); m.found() && !m.Covered {
			out = append(out, aSwitch{key: key, label: x.Switches[i].Label, named: &x.Switches[i], m: m})
		}
	}
	return out
}

// meaningOf refuses a switch that does not say what the file promises: a
// named switch its label and one of its keywords around it; one of
// every_switch one of its keywords.
func meaningOf(x *selectors.ExtraSetting, sw aSwitch) string {
	own := strings.ToLower(ownText(sw.m))
	around := strings.ToLower(sw.m.Context + " " + own)
	has := func(words []string) bool {
		return len(words) == 0 || slices.ContainsFunc(words, func(w string) bool { return strings.Contains(around, strings.ToLower(w)) })
	}
	if sw.named != nil {
		switch {
		case !strings.Contains(own, strings.ToLower(sw.named.Label)):
			return fmt.Sprintf("the switch found for %q is labelled %q", sw.named.Label, sw.m.Name)
		case !has(sw.named.Keywords):
			return fmt.Sprintf("the switch %q is described with none of %q", sw.named.Label, sw.named.Keywords)
		}
		return ""
	}
	// One of every switch speaks for itself, in its row: the panel
	// around it may name another setting's row.
	around = strings.ToLower(own + " " + sw.m.Row)
	if !has(x.EverySwitch.Keywords) {
		return fmt.Sprintf("the switch %q does not speak of any of %q", sw.m.Name, x.EverySwitch.Keywords)
	}
	return ""
}

// sameElement says two elements of the file are the same locators.
func sameElement(a, b *selectors.Element) bool {
	return a != nil && b != nil && reflect.DeepEqual(a.Candidates, b.Candidates)
}

// errNotOffered ends one setting's walk: it does not exist here.
type errNotOffered struct{ note string }

func (e *errNotOffered) Error() string { return e.note }

// settingDrift is the drift of a setting whose way in or switches the page
// no longer has, named by its part in the file.
func (s *session) settingDrift(x *selectors.ExtraSetting, r *probeResult, pl pathPlan) error {
	idx := slices.IndexFunc(pl.p.Settings, func(y selectors.ExtraSetting) bool { return y.Name == x.Name })
	part, el := "switches", (*selectors.Element)(nil)
	m := r.el(stepSwitch)
	switch tab := r.el(stepDataControls); {
	case !tab.found() && x.Tab != nil:
		part, el, m = "tab", x.Tab, tab
	case x.Opener != nil && !r.el(stepRowOpener).found() && !m.found():
		part, el, m = "opener", x.Opener, r.el(stepRowOpener)
	default:
		el = pl.steps[0].el
	}
	return newDrift(KindSelectorDrift, fmt.Sprintf("settings.%d.%s", idx, part), el, m, r.URL, "the %s setting's %s matches nothing on %s: the UI no longer matches selectors file %s (profile %s). Candidates: %s",
		x.Name, part, r.URL, s.where(), pl.p.Name, describeCandidates(el, m))
}

// switchesError is a setting's switches that do not say what they should.
func (s *session) switchesError(x *selectors.ExtraSetting, sw aSwitch, why string) error {
	el := &selectors.Element{Candidates: []selectors.Candidate{{Role: "switch"}}}
	if sw.named != nil {
		el = &sw.named.Element
	}
	return newDrift(KindLabelChanged, "settings."+x.Name+".switches", el, sw.m, s.lastURL, "%s: the %s setting may have changed its meaning, so the tool did not touch it; check the page and update the selectors file %s", why, x.Name, s.where())
}

// lockedError is a switch someone else controls, with what the page says.
func lockedError(name DataSetting, sw *match) error {
	note := strings.TrimSpace(sw.Context)
	if len(note) > 300 {
		note = note[:300] + "…"
	}
	msg := fmt.Sprintf("the %s switch %q is on and cannot be changed here: it is disabled or read-only, controlled elsewhere (a parent's account, a workspace); nothing was clicked", name, sw.Name)
	if note != "" {
		msg += fmt.Sprintf(". The page says: %q", note)
	}
	return &Error{Kind: KindSettingLocked, Msg: msg}
}

// readPlan reads the account's plan off the page once, "" when it does
// not say.
func (s *session) readPlan(ctx context.Context) string {
	p := s.profile.Plan
	if p == nil {
		return ""
	}
	if s.planRead {
		return s.planName
	}
	var spec probeSpec
	spec.add("plan", &p.Element, "")
	r, err := look(ctx, s.world, spec, false)
	s.planRead = err == nil
	if err != nil {
		return ""
	}
	if m := r.el("plan"); m.found() {
		s.planName = planOf(p.Names, m.Name+" "+m.Text)
	}
	if s.planName == "" {
		s.warn(fmt.Sprintf("the account's plan could not be read from the page (plan.element of selectors file %s): a setting only some plans have is then reported not_offered where it is missing", s.where()))
	}
	s.log.Info("read the plan", "plan", s.planName)
	return s.planName
}
