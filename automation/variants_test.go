package automation_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// These tests change the simulator the way real ChatGPT releases changed
// the page, and pin down what the tool does about it.

func statuses(res *automation.Result) map[string]automation.CheckStatus {
	m := map[string]automation.CheckStatus{}
	for _, c := range res.Elements {
		m[c.Element] = c.Status
	}
	return m
}

func TestVariant_RenamedClassesAndARemovedTestIDStillWorkWithAWarning(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui, Variants: []simulator.Variant{simulator.VariantRenamedClasses, simulator.VariantNoSwitchTestID}})
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			if res.Outcome != automation.OutcomeChanged || training(t, srv, "alice@example.com") {
				t.Fatalf("result = %+v, want changed", res)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "path.switch") {
				t.Errorf("warnings = %v, want one naming the stale primary of path.switch", res.Warnings)
			}
			v := verify(t, browser(t), account(t, srv, "bob@example.com"), config(t, srv))
			if s := statuses(v); s["path.switch"] != automation.CheckStale || s["path.profile_menu"] != automation.CheckOK || v.Outcome == automation.OutcomeDrift {
				t.Errorf("verify table = %+v, want the switch stale and the rest ok", v.Elements)
			}
		})
	}
}

// April 2023: no Data controls tab; the switch, labelled in Title Case, is
// in a section of General behind "Show". The file's last candidates reach
// it, and the run says that the earlier ones are stale.
func TestVariant_April2023DataControlsInsideGeneral(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{UI: simulator.UI2023, Variants: []simulator.Variant{simulator.VariantDataControlsInGeneral}})
	a := account(t, srv, "alice@example.com")
	res := disable(t, browser(t), a, config(t, srv))
	if res.Outcome != automation.OutcomeChanged || res.After != automation.StateOff || !res.Verified || training(t, srv, a.Email) {
		t.Fatalf("result = %+v, want changed, verified off, and the simulator off", res)
	}
	if c := srv.Counters(a.Email); c.Patches != 1 {
		t.Errorf("counters = %+v, want one PATCH", c)
	}
	for _, el := range []string{"path.data_controls_tab", "path.switch"} {
		if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, el) }) {
			t.Errorf("warnings = %v, want one naming the stale candidates of %s", res.Warnings, el)
		}
	}
}

func TestVariant_ARewordedLabelIsNeverClicked(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui, Variants: []simulator.Variant{simulator.VariantRewordedLabel}})
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			if res.ErrorKind != automation.KindLabelChanged || res.Outcome != automation.OutcomeDrift {
				t.Fatalf("result = %+v, want label_changed, drift", res)
			}
			if n := srv.Counters("").Patches; n != 0 || !training(t, srv, "alice@example.com") {
				t.Errorf("PATCHes = %d: the tool clicked a switch that says something else", n)
			}
		})
	}
}

func TestVariant_MovedProfileTriggerWorksOnceTheFileHasItsCandidate(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantProfileTopRight}})

	// A file that only knows the bottom-left trigger, menus only: drift.
	cfg := config(t, srv)
	cfg.Route = automation.RouteMenu
	cfg.Selectors = mutated(t, func(f *selectors.File) {
		p, _ := f.Profile("current")
		p.Path.ProfileMenu.Candidates = p.Path.ProfileMenu.Candidates[:1]
	})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.ErrorKind != automation.KindSelectorDrift || !strings.Contains(res.Error, "path.profile_menu") {
		t.Fatalf("without the second candidate: %+v, want drift at path.profile_menu", res)
	}
	if srv.Counters("").Patches != 0 {
		t.Fatal("a drifted run sent a change")
	}

	// The shipped file lists profile-button second: it works, and warns.
	cfg = config(t, srv)
	cfg.Route = automation.RouteMenu
	res = disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.Outcome != automation.OutcomeChanged || res.Route != "menu" {
		t.Fatalf("with the second candidate: %+v, want changed through the menu", res)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "path.profile_menu") || !strings.Contains(res.Warnings[0], "profile-button") {
		t.Errorf("warnings = %v, want the stale primary of path.profile_menu named", res.Warnings)
	}
}

// The announcement's only button is "Got it", which the shipped file's
// rate-limit dialog also dismisses; a file without that entry meets it as
// the unknown dialog it is: it has no Close control and Escape does not
// close it, so it is drift named by its title, and its button is never
// pressed.
func TestVariant_AnUnknownDialogInTheWayIsDriftUntilTheFileKnowsIt(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantNewDialog}})
	withoutGotIt := func(f *selectors.File) {
		p, _ := f.Profile("current")
		p.Dialogs = slices.DeleteFunc(p.Dialogs, func(d selectors.Dialog) bool { return d.Name == "rate-limit" })
	}
	cfg := config(t, srv)
	cfg.ArtifactsDir = t.TempDir()
	cfg.Selectors = mutated(t, withoutGotIt)
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.ErrorKind != automation.KindSelectorDrift || !strings.Contains(res.Error, `"Introducing memory"`) || strings.Contains(res.Error, "covered by div") {
		t.Fatalf("result = %+v, want drift naming the dialog by its title", res)
	}
	if srv.Counters("").Patches != 0 {
		t.Fatal("a drifted run sent a change")
	}

	cfg = config(t, srv)
	cfg.Selectors = mutated(t, func(f *selectors.File) {
		withoutGotIt(f)
		p, _ := f.Profile("current")
		p.Dialogs = append(p.Dialogs, selectors.Dialog{Name: "announcement", Dismiss: selectors.Element{
			Input: selectors.InputClick, Candidates: []selectors.Candidate{{Role: "button", Name: "Got it"}}}})
	})
	res = disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.Outcome != automation.OutcomeChanged {
		t.Fatalf("with the dialog in the file: %+v, want changed", res)
	}
}

func TestVariant_UnknownUIIsDriftWithEvidence(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantUnknownUI}})
	cfg := config(t, srv)
	cfg.ArtifactsDir = t.TempDir()
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.ErrorKind != automation.KindSelectorDrift || res.Outcome != automation.OutcomeDrift {
		t.Fatalf("result = %+v, want selector_drift, drift", res)
	}
	var tree, suggestions string
	for _, p := range res.Artifacts {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(p, "axtree.txt"):
			tree = string(data)
		case strings.HasSuffix(p, "suggestions.txt"):
			suggestions = string(data)
		}
	}
	if !strings.Contains(tree, "button") {
		t.Errorf("no accessibility tree among the artifacts %v", res.Artifacts)
	}
	if !strings.Contains(suggestions, "never used automatically") || !strings.Contains(suggestions, "signed_in") {
		t.Errorf("suggestions = %q", suggestions)
	}
	if files, _ := filepath.Glob(filepath.Join(cfg.ArtifactsDir, "*")); len(files) < 5 {
		t.Errorf("artifacts = %v, want screenshot, HTML, console, tree and suggestions", files)
	}
	if srv.Counters("").Patches != 0 {
		t.Error("a drifted run sent a change")
	}
}

// selectors verify on each UI variant says what the README says it does:
// which element went stale, or that the run ends in drift.
func TestVerify_OnEachVariant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		variant simulator.Variant
		ui      simulator.UI
		kind    automation.ErrorKind // the run's end, "" for a clean walk
		stale   []string             // elements found by a fallback candidate
	}{
		{simulator.VariantRenamedClasses, simulator.UICurrent, "", nil},
		{simulator.VariantNoSwitchTestID, simulator.UICurrent, "", []string{"path.switch"}},
		{simulator.VariantNoSwitchTestID, simulator.UI2023, "", []string{"path.switch"}},
		{simulator.VariantProfileTopRight, simulator.UICurrent, "", []string{"path.profile_menu"}},
		{simulator.VariantRewordedLabel, simulator.UICurrent, automation.KindLabelChanged, nil},
		{simulator.VariantNewDialog, simulator.UICurrent, "", nil},
		{simulator.VariantUnknownUI, simulator.UICurrent, automation.KindSelectorDrift, nil},
		{simulator.VariantGettingStarted, simulator.UICurrent, "", nil},
		{simulator.VariantSettingsPage, simulator.UICurrent, "", nil},
		{simulator.VariantDataControlsInGeneral, simulator.UI2023, "", []string{"path.data_controls_tab", "path.switch"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.variant)+"/"+string(tt.ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: tt.ui, Variants: []simulator.Variant{tt.variant}})
			res := verify(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			if res.ErrorKind != tt.kind {
				t.Fatalf("verify = %+v, want error kind %q", res, tt.kind)
			}
			var stale []string
			for _, c := range res.Elements {
				if c.Status == automation.CheckStale {
					stale = append(stale, c.Element)
				}
				if tt.kind == "" && c.Status == automation.CheckMissing {
					t.Errorf("%s missing", c.Element)
				}
			}
			if !slices.Equal(stale, tt.stale) {
				t.Errorf("stale = %v, want %v (table %+v)", stale, tt.stale, res.Elements)
			}
			if srv.Counters("").Patches != 0 {
				t.Error("verify wrote the setting")
			}
		})
	}
}
