package automation_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// A privacy baseline, not one switch: marketing, ads, voice and memory
// beside model training, on the busy simulator, each asserted on the
// simulator's own record of the account's settings and writes.

// The simulator's keys of each setting's switches.
var settingKeys = map[automation.DataSetting][]string{
	automation.DataTraining:  {"training_allowed"},
	automation.DataMarketing: {"marketing_cookies_allowed", "marketing_partner_sharing_allowed"},
	automation.DataAds:       {"bazaar_personalization_enabled", "bazaar_history_enabled"},
	automation.DataVoice:     {"voice_training_allowed", "video_training_allowed"},
	automation.DataMemory:    {"sunshine", "moonshine"},
}

// with returns a configuration choosing settings, in the order a run
// visits them, as the command line gives them.
func with(t *testing.T, srv *simulator.Server, settings ...automation.DataSetting) automation.Config {
	t.Helper()
	names := make([]string, len(settings))
	for i, d := range settings {
		names[i] = string(d)
	}
	chosen, err := automation.ParseDataSettings(names...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(t, srv)
	cfg.Settings = chosen
	return cfg
}

// serverSays is the simulator's state of a key.
func serverSays(t *testing.T, srv *simulator.Server, email, key string) bool {
	t.Helper()
	on, err := srv.Setting(email, key)
	if err != nil {
		t.Fatal(err)
	}
	return on
}

// settingOf finds a setting in a result.
func settingOf(t *testing.T, res *automation.Result, name automation.DataSetting) automation.SettingResult {
	t.Helper()
	for _, sr := range res.Settings {
		if sr.Name == name {
			return sr
		}
	}
	t.Fatalf("result has no %s setting: %+v", name, res.Settings)
	return automation.SettingResult{}
}

// offOnTheServer asserts every switch of a setting off on the simulator,
// each written once.
func offOnTheServer(t *testing.T, srv *simulator.Server, email string, name automation.DataSetting) {
	t.Helper()
	for _, k := range settingKeys[name] {
		if serverSays(t, srv, email, k) {
			t.Errorf("%s: %s is still on on the site", name, k)
		}
		if n := srv.Writes(email, k); n != 1 {
			t.Errorf("%s: %s written %d times, want once", name, k, n)
		}
	}
}

func TestPrivacy_AllOnAFreeAccount(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	email := "alice@example.com"
	res := disable(t, browser(t), account(t, srv, email), with(t, srv, automation.DataTraining, automation.DataMarketing, automation.DataAds, automation.DataVoice))
	if res.Outcome != automation.OutcomeChanged || !res.Verified || res.Before != automation.StateOn || res.After != automation.StateOff {
		t.Fatalf("result = %+v, want changed and verified, training on → off at the top", res)
	}
	for _, d := range []automation.DataSetting{automation.DataTraining, automation.DataMarketing, automation.DataAds} {
		sr := settingOf(t, res, d)
		if sr.Outcome != automation.OutcomeChanged || sr.Before != automation.StateOn || sr.After != automation.StateOff || sr.Action != automation.ActionTurnedOff {
			t.Errorf("%s = %+v, want on → off, verified", d, sr)
		}
		offOnTheServer(t, srv, email, d)
	}
	if sr := settingOf(t, res, automation.DataMarketing); len(sr.Labels) != 2 {
		t.Errorf("marketing labels %q: want the page's words for both switches", sr.Labels)
	}
	if sr := settingOf(t, res, automation.DataVoice); sr.Outcome != automation.OutcomeNotOffered || sr.Note == "" {
		t.Errorf("voice = %+v: the web has no voice rows, want not_offered with a note", sr)
	}
	c := srv.Counters(email)
	if c.Logins != 1 || c.DangerPresses != 0 {
		t.Errorf("counters %+v: want one sign-in and no danger pressed", c)
	}
}

func TestPrivacy_APlusAccountHasNoAdsControls(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	email := "oscar@example.com"
	res := disable(t, browser(t), account(t, srv, email), with(t, srv, automation.DataTraining, automation.DataMarketing, automation.DataAds))
	if res.Outcome != automation.OutcomeChanged {
		t.Fatalf("result = %+v, want changed (ads not offered weighs nothing)", res)
	}
	if sr := settingOf(t, res, automation.DataAds); sr.Outcome != automation.OutcomeNotOffered || !strings.Contains(sr.Note, "plus") {
		t.Errorf("ads = %+v, want not_offered naming the plan", sr)
	}
	if sr := settingOf(t, res, automation.DataMarketing); sr.Outcome != automation.OutcomeCompliant {
		t.Errorf("marketing = %+v, want compliant: off by default on paid plans", sr)
	}
	if n := srv.Writes(email, "marketing_cookies_allowed") + srv.Writes(email, "marketing_partner_sharing_allowed"); n != 0 {
		t.Errorf("%d marketing writes, want none: it was off", n)
	}
}

func TestPrivacy_StatusIsOnWhenOneMarketingSwitchIs(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	email := "alice@example.com"
	for _, k := range []string{"training_allowed", "marketing_cookies_allowed", "bazaar_personalization_enabled", "bazaar_history_enabled"} {
		if err := srv.SetSetting(email, k, false); err != nil {
			t.Fatal(err)
		}
	}
	res := status(t, browser(t), account(t, srv, email), with(t, srv, automation.DataTraining, automation.DataMarketing, automation.DataAds))
	if res.Outcome != automation.OutcomeNoncompliant {
		t.Fatalf("result = %+v, want noncompliant", res)
	}
	want := map[automation.DataSetting]automation.Outcome{automation.DataTraining: automation.OutcomeCompliant, automation.DataMarketing: automation.OutcomeNoncompliant, automation.DataAds: automation.OutcomeCompliant}
	for d, o := range want {
		if sr := settingOf(t, res, d); sr.Outcome != o {
			t.Errorf("%s = %+v, want %s", d, sr, o)
		}
	}
	if c := srv.Counters(email); c.Patches != 0 {
		t.Errorf("status wrote %d times", c.Patches)
	}
}

func TestPrivacy_ASettingAlreadyOffIsNotWritten(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	email := "alice@example.com"
	for _, k := range settingKeys[automation.DataMarketing] {
		if err := srv.SetSetting(email, k, false); err != nil {
			t.Fatal(err)
		}
	}
	res := disable(t, browser(t), account(t, srv, email), with(t, srv, automation.DataMarketing))
	if res.Outcome != automation.OutcomeCompliant || settingOf(t, res, automation.DataMarketing).Outcome != automation.OutcomeCompliant {
		t.Fatalf("result = %+v, want compliant", res)
	}
	if c := srv.Counters(email); c.Patches != 0 {
		t.Errorf("%d writes, want none", c.Patches)
	}
	if res.Before != automation.StateUnknown {
		t.Errorf("before = %s: training was not chosen, so the top level does not read it", res.Before)
	}
}

// A linked teen's parent controls model training: the switch is read-only,
// nothing is clicked, and the other settings are still done.
func TestPrivacy_ATeensTrainingIsLocked(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	email := "tina@example.com"
	res, err := runE(t, automation.Disable, browser(t), account(t, srv, email), with(t, srv, automation.DataTraining, automation.DataMarketing, automation.DataAds))
	if automation.KindOf(err) != automation.KindSettingLocked || res.Outcome != automation.OutcomeFailed {
		t.Fatalf("result = %+v, want failed with setting_locked", res)
	}
	if sr := settingOf(t, res, automation.DataTraining); sr.ErrorKind != automation.KindSettingLocked || !strings.Contains(sr.Error, "parent or guardian") {
		t.Errorf("training = %+v, want setting_locked with the page's note", sr)
	}
	if n := srv.Writes(email, "training_allowed"); n != 0 {
		t.Errorf("training written %d times: a locked switch is never clicked", n)
	}
	for _, d := range []automation.DataSetting{automation.DataMarketing, automation.DataAds} {
		if sr := settingOf(t, res, d); sr.Outcome != automation.OutcomeChanged {
			t.Errorf("%s = %+v, want changed all the same", d, sr)
		}
		offOnTheServer(t, srv, email, d)
	}
}

// Memory only by name: switching saved memories off switches chat history
// off with it, which the run reads and does not write again.
func TestPrivacy_MemoryByName(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	email := "alice@example.com"
	res := disable(t, browser(t), account(t, srv, email), with(t, srv, automation.DataMemory))
	if sr := settingOf(t, res, automation.DataMemory); res.Outcome != automation.OutcomeChanged || sr.After != automation.StateOff {
		t.Fatalf("result = %+v, want memory changed", res)
	}
	for _, k := range settingKeys[automation.DataMemory] {
		if serverSays(t, srv, email, k) {
			t.Errorf("%s still on", k)
		}
	}
	if n := srv.Writes(email, "sunshine"); n != 1 {
		t.Errorf("saved memories written %d times, want once", n)
	}
	if !serverSays(t, srv, email, "training_allowed") {
		t.Error("training was switched off, but only memory was chosen")
	}
}

// Where the reference is unsure: marketing on a sub-page instead of a
// dialog, and voice rows in the improve dialog, which go off with training.
func TestPrivacy_WhereTheReferenceIsUnsure(t *testing.T) {
	t.Parallel()
	t.Run("marketing on a sub-page", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantMarketingPage}})
		res := disable(t, browser(t), account(t, srv, "alice@example.com"), with(t, srv, automation.DataTraining, automation.DataMarketing))
		if res.Outcome != automation.OutcomeChanged {
			t.Fatalf("result = %+v, want changed", res)
		}
		offOnTheServer(t, srv, "alice@example.com", automation.DataMarketing)
	})
	t.Run("voice rows", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantVoiceRows}})
		email := "alice@example.com"
		res := disable(t, browser(t), account(t, srv, email), with(t, srv, automation.DataTraining, automation.DataVoice))
		if res.Outcome != automation.OutcomeChanged {
			t.Fatalf("result = %+v, want changed", res)
		}
		if sr := settingOf(t, res, automation.DataVoice); sr.After != automation.StateOff || sr.Outcome == automation.OutcomeNotOffered {
			t.Errorf("voice = %+v, want read off", sr)
		}
		for _, k := range settingKeys[automation.DataVoice] {
			if serverSays(t, srv, email, k) {
				t.Errorf("%s still on", k)
			}
		}
	})
	t.Run("voice rows, training left alone", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantVoiceRows}})
		email := "alice@example.com"
		res := disable(t, browser(t), account(t, srv, email), with(t, srv, automation.DataVoice))
		if res.Outcome != automation.OutcomeChanged {
			t.Fatalf("result = %+v, want changed", res)
		}
		offOnTheServer(t, srv, email, automation.DataVoice)
		if !serverSays(t, srv, email, "training_allowed") {
			t.Error("training was switched off, but only voice was chosen")
		}
	})
}

// The 2023 UI has model training only, and says so for the others.
func TestPrivacy_The2023UIHasTrainingOnly(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{UI: simulator.UI2023})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), with(t, srv, automation.DataTraining, automation.DataMarketing, automation.DataAds, automation.DataVoice))
	if res.Outcome != automation.OutcomeChanged || training(t, srv, "alice@example.com") {
		t.Fatalf("result = %+v, want training changed", res)
	}
	for _, d := range []automation.DataSetting{automation.DataMarketing, automation.DataAds, automation.DataVoice} {
		if sr := settingOf(t, res, d); sr.Outcome != automation.OutcomeNotOffered || !strings.Contains(sr.Note, "2023") {
			t.Errorf("%s = %+v, want not_offered naming the 2023 profile", d, sr)
		}
	}
}

// The evidence picture of a switch holds its whole label: the box around
// the switch that shows the label (the improve dialog with its title), not
// a fixed strip beside the switch that cut the label to "e model for
// everyone".
func TestPrivacy_TheEvidenceHoldsTheWholeLabel(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	cfg := config(t, srv)
	cfg.Evidence = true
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.Outcome != automation.OutcomeChanged || len(res.Evidence) == 0 {
		t.Fatalf("result = %+v, want changed with evidence", res)
	}
	img, err := png.DecodeConfig(bytes.NewReader(res.Evidence))
	if err != nil {
		t.Fatal(err)
	}
	// The old strip was 560×72 around the switch, the label beside or
	// above it cut off; the dialog with its title is taller, and capped.
	if img.Height <= 72 || img.Width > 1000 || img.Height > 320 {
		t.Errorf("evidence is %d×%d: want the switch's labelled box (taller than the 72-pixel strip, at most 1000×320)", img.Width, img.Height)
	}
}
