package simulator

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// privacySession signs email in with NewSession and returns a browser with
// its cookie and the access token.
func privacySession(t *testing.T, s *Server, email string) (*browser, string) {
	t.Helper()
	cookie, err := s.NewSession(email)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	u, _ := url.Parse(s.AppURL())
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie, Value: cookie, Path: "/"}})
	return b, b.token(s)
}

func settingsOf(t *testing.T, s *Server, tok string) map[string]any {
	t.Helper()
	code, m := backend(t, "GET", s.AppURL()+"/backend-api/settings/user", tok)
	if code != 200 {
		t.Fatalf("settings: %d %v", code, m)
	}
	return m["settings"].(map[string]any)
}

func patchSetting(t *testing.T, s *Server, tok, key string, on bool) (int, map[string]any) {
	t.Helper()
	v := "false"
	if on {
		v = "true"
	}
	return backend(t, "PATCH", s.AppURL()+"/backend-api/settings/account_user_setting?feature="+url.QueryEscape(key)+"&value="+v, tok)
}

var adsKeys = []string{SettingAdsPersonalization, SettingAdsHistory}

func TestPlanValidationAndDefaults(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"team", "Plus", " free"} {
		_, err := Start(Options{Accounts: []Account{{Email: "x@example.com", Password: "p", Plan: bad}}})
		if err == nil || !strings.Contains(err.Error(), "plan") || !strings.Contains(err.Error(), "x@example.com") {
			t.Errorf("plan %q: %v", bad, err)
		}
	}
	accts := []Account{
		{Email: "empty@example.com", Password: "p", TrainingAllowed: true},
		{Email: "go@example.com", Password: "p", Plan: PlanGo},
		{Email: "plus@example.com", Password: "p", Plan: PlanPlus, TrainingAllowed: true},
		{Email: "pro@example.com", Password: "p", Plan: PlanPro, Teen: true},
	}
	s := start(t, Options{Accounts: accts})
	got := s.Accounts()
	if got[0].Plan != PlanFree || got[1].Plan != PlanGo || got[2].Plan != PlanPlus || got[3].Plan != PlanPro || !got[3].Teen {
		t.Errorf("accounts %+v", got)
	}
	for _, a := range s.Info().Accounts {
		want := map[string]string{"empty@example.com": "", "go@example.com": "go", "plus@example.com": "plus", "pro@example.com": "pro"}[a.Email]
		if a.Plan != want || a.Teen != (a.Email == "pro@example.com") {
			t.Errorf("info %+v", a)
		}
	}

	for _, tc := range []struct {
		email           string
		training, ads   bool
		marketing, paid bool
	}{
		{"empty@example.com", true, true, true, false},
		{"go@example.com", false, true, true, false},
		{"plus@example.com", true, false, false, true},
		{"pro@example.com", false, false, false, true},
	} {
		_, tok := privacySession(t, s, tc.email)
		m := settingsOf(t, s, tok)
		want := map[string]any{
			SettingTraining: tc.training, "history_disabled": !tc.training,
			// Voice follows training: off while it is off.
			SettingVoice: tc.training, SettingVideo: tc.training,
			SettingMarketingCookies: tc.marketing, SettingMarketingPartners: tc.marketing,
			SettingSavedMemories: true, SettingChatHistory: true,
		}
		if tc.ads {
			want[SettingAdsPersonalization], want[SettingAdsHistory] = true, true
		}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s: %s = %v, want %v", tc.email, k, m[k], v)
			}
		}
		for _, k := range adsKeys {
			if _, has := m[k]; has != tc.ads {
				t.Errorf("%s: has %s = %v", tc.email, k, has)
			}
			if _, err := s.Setting(tc.email, k); (err == nil) != tc.ads {
				t.Errorf("%s: Setting(%s): %v", tc.email, k, err)
			}
		}
		for k, v := range want {
			if k == "history_disabled" {
				continue
			}
			if on, err := s.Setting(tc.email, k); err != nil || on != v {
				t.Errorf("%s: Setting(%s) = %v, %v", tc.email, k, on, err)
			}
		}
	}
	if _, err := s.Setting("empty@example.com", "history_disabled"); err == nil {
		t.Error("Setting(history_disabled): no error")
	}
	if _, err := s.Setting("nobody@example.com", SettingTraining); err == nil {
		t.Error("Setting of an unknown account: no error")
	}
	if err := s.SetSetting("plus@example.com", SettingAdsHistory, false); err == nil {
		t.Error("SetSetting of a key the plan lacks: no error")
	}
	if err := s.SetSetting("empty@example.com", "free_ads_opt_out", true); err == nil {
		t.Error("SetSetting of an unknown key: no error")
	}
}

func TestSettingPatchesPerKey(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	const alice = "alice@example.com"
	_, tok := privacySession(t, s, alice)
	keys := []string{SettingMarketingCookies, SettingMarketingPartners, SettingAdsPersonalization, SettingAdsHistory,
		SettingChatHistory, SettingSavedMemories, SettingVideo, SettingVoice, SettingTraining}
	for _, k := range keys {
		code, m := patchSetting(t, s, tok, k, false)
		if code != 200 || m[k] != false || len(m) != 1 {
			t.Errorf("PATCH %s: %d %v", k, code, m)
		}
		if on, _ := s.Setting(alice, k); on {
			t.Errorf("%s still on", k)
		}
		if n := s.Writes(alice, k); n != 1 {
			t.Errorf("Writes(%s) = %d", k, n)
		}
	}
	m := settingsOf(t, s, tok)
	for _, k := range keys {
		if m[k] != false {
			t.Errorf("GET: %s = %v", k, m[k])
		}
	}
	// Back on, parents first.
	for _, k := range slices.Backward(keys) {
		if code, m := patchSetting(t, s, tok, k, true); code != 200 || m[k] != true {
			t.Errorf("PATCH %s on: %d %v", k, code, m)
		}
	}
	// A failed PATCH counts too.
	s.FailPatches(alice, 1)
	if code, _ := patchSetting(t, s, tok, SettingMarketingCookies, false); code != 500 {
		t.Errorf("failed PATCH: %d", code)
	}
	if on, _ := s.Setting(alice, SettingMarketingCookies); !on {
		t.Error("a failed PATCH changed the setting")
	}
	// Unknown keys: 400; a bad value: 422 (as before).
	if code, m := patchSetting(t, s, tok, "free_ads_opt_out", true); code != 400 || m["detail"] == nil {
		t.Errorf("unknown key: %d %v", code, m)
	}
	if code, _ := backend(t, "PATCH", s.AppURL()+"/backend-api/settings/account_user_setting?feature=sunshine&value=maybe", tok); code != 422 {
		t.Errorf("bad value: %d", code)
	}
	if n := s.Writes(alice, SettingMarketingCookies); n != 3 {
		t.Errorf("Writes(marketing cookies) = %d, want 3", n)
	}
	if n := s.Writes(alice, "free_ads_opt_out"); n != 1 {
		t.Errorf("Writes(unknown) = %d", n)
	}
	if c := s.Counters(alice); c.Patches != 2*len(keys)+3 {
		t.Errorf("Patches %d, want %d", c.Patches, 2*len(keys)+3)
	}
	if n := s.Writes("nobody@example.com", SettingTraining); n != 0 {
		t.Errorf("Writes of nobody: %d", n)
	}

	// A paid plan has no ads keys: 400, and the write counts.
	_, otok := privacySession(t, s, "oscar@example.com")
	if code, _ := patchSetting(t, s, otok, SettingAdsPersonalization, false); code != 400 {
		t.Errorf("plus: ads PATCH %d", code)
	}
	if n := s.Writes("oscar@example.com", SettingAdsPersonalization); n != 1 {
		t.Errorf("plus: Writes %d", n)
	}
	if code, _ := patchSetting(t, s, otok, SettingMarketingCookies, true); code != 200 {
		t.Errorf("plus: marketing on %d", code)
	}
	// The 2023 page's history_disabled is training, inverted, and counts
	// under its own name.
	if code, m := patchSetting(t, s, otok, "history_disabled", true); code != 200 || m["history_disabled"] != true {
		t.Errorf("history_disabled: %d %v", code, m)
	}
	if on, _ := s.TrainingAllowed("oscar@example.com"); on || s.Writes("oscar@example.com", "history_disabled") != 1 || s.Writes("oscar@example.com", SettingTraining) != 0 {
		t.Errorf("history_disabled: training %v, writes %d", on, s.Writes("oscar@example.com", "history_disabled"))
	}
}

func TestSettingCouplings(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	const alice = "alice@example.com"
	_, tok := privacySession(t, s, alice)

	// Memory: sunshine off takes moonshine with it; moonshine cannot come
	// back on while sunshine is off.
	if code, _ := patchSetting(t, s, tok, SettingSavedMemories, false); code != 200 {
		t.Fatal(code)
	}
	m := settingsOf(t, s, tok)
	if m[SettingSavedMemories] != false || m[SettingChatHistory] != false {
		t.Errorf("after sunshine off: %v %v", m[SettingSavedMemories], m[SettingChatHistory])
	}
	if code, m := patchSetting(t, s, tok, SettingChatHistory, true); code != 409 || m["detail"] == nil {
		t.Errorf("moonshine on under sunshine off: %d %v", code, m)
	}
	if on, _ := s.Setting(alice, SettingChatHistory); on {
		t.Error("moonshine on")
	}
	patchSetting(t, s, tok, SettingSavedMemories, true)
	if on, _ := s.Setting(alice, SettingChatHistory); on {
		t.Error("moonshine came back by itself")
	}
	if code, _ := patchSetting(t, s, tok, SettingChatHistory, true); code != 200 {
		t.Errorf("moonshine on: %d", code)
	}

	// Training off takes voice and video with it, by PATCH and by the Go API.
	patchSetting(t, s, tok, SettingTraining, false)
	for _, k := range []string{SettingVoice, SettingVideo} {
		if on, _ := s.Setting(alice, k); on {
			t.Errorf("%s on with training off", k)
		}
		if code, _ := patchSetting(t, s, tok, k, true); code != 409 {
			t.Errorf("%s on under training off: %d", k, code)
		}
		if err := s.SetSetting(alice, k, true); !errors.Is(err, errParentOff) {
			t.Errorf("SetSetting(%s) under training off: %v", k, err)
		}
	}
	if err := s.SetTrainingAllowed(alice, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(alice, SettingVoice, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTrainingAllowed(alice, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.Setting(alice, SettingVoice); on {
		t.Error("SetTrainingAllowed(false) left voice on")
	}
	if err := s.SetSetting(alice, SettingSavedMemories, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.Setting(alice, SettingChatHistory); on {
		t.Error("SetSetting(sunshine, false) left moonshine on")
	}
	// SetSetting is not a write.
	if c := s.Counters(alice); c.Patches != 7 {
		t.Errorf("Patches %d", c.Patches)
	}
}

func TestTeenTraining(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	const tina = "tina@example.com"
	_, tok := privacySession(t, s, tina)
	for _, f := range []string{SettingTraining + "&value=false", "history_disabled&value=true"} {
		code, m := backend(t, "PATCH", s.AppURL()+"/backend-api/settings/account_user_setting?feature="+f, tok)
		if code != 403 || !strings.Contains(m["detail"].(string), "parent") {
			t.Errorf("teen %s: %d %v", f, code, m)
		}
	}
	if on, _ := s.TrainingAllowed(tina); !on {
		t.Error("a teen's PATCH changed training")
	}
	if n := s.Writes(tina, SettingTraining); n != 1 {
		t.Errorf("Writes %d", n)
	}
	// Everything else works.
	for _, k := range []string{SettingVoice, SettingMarketingCookies, SettingAdsHistory, SettingSavedMemories} {
		if code, _ := patchSetting(t, s, tok, k, false); code != 200 {
			t.Errorf("teen %s: %d", k, code)
		}
	}
	// The parent (or a test) changes it through the Go API.
	if err := s.SetTrainingAllowed(tina, false); err != nil {
		t.Fatal(err)
	}
	if on, _ := s.Setting(tina, SettingTraining); on {
		t.Error("SetTrainingAllowed on a teen did nothing")
	}
}

func TestPrivacyBoot(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Variants: []Variant{VariantSettingsPage}})
	for _, tc := range []struct {
		email, plan string
		teen        bool
	}{
		{"alice@example.com", PlanFree, false},
		{"oscar@example.com", PlanPlus, false},
		{"tina@example.com", PlanFree, true},
	} {
		b, _ := privacySession(t, s, tc.email)
		_, body := b.get(s.AppURL() + "/")
		bt := bootOf(t, body)
		if bt.Plan != tc.plan || bt.Teen != tc.teen {
			t.Errorf("%s: boot plan %q teen %v", tc.email, bt.Plan, bt.Teen)
		}
		resp, body := b.get(s.AppURL() + "/settings/data-controls")
		if bt := bootOf(t, body); resp.StatusCode != 200 || bt.Plan != tc.plan || bt.Teen != tc.teen {
			t.Errorf("%s: settings page %d %+v", tc.email, resp.StatusCode, bt)
		}
		// The Ads controls page exists for Free and Go only.
		resp, _ = b.get(s.AppURL() + "/settings/ads-controls")
		if want := map[bool]int{true: 200, false: 404}[hasAds(tc.plan)]; resp.StatusCode != want {
			t.Errorf("%s: /settings/ads-controls %d, want %d", tc.email, resp.StatusCode, want)
		}
	}
	// Signed out: no plan.
	_, body := newBrowser(t).get(s.AppURL() + "/")
	if bt := bootOf(t, body); bt.Plan != "" || bt.Teen {
		t.Errorf("signed out: %+v", bt)
	}
	if !strings.Contains(body, `"authStatus":"logged_out"`) || strings.Contains(body, `"plan"`) {
		t.Errorf("signed-out boot carries a plan: %s", body)
	}
}

func TestDangerPresses(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	const alice = "alice@example.com"
	_, tok := privacySession(t, s, alice)
	for _, r := range [][2]string{
		{"DELETE", "/backend-api/bazaar/ads_data"},
		{"PATCH", "/backend-api/conversations"},
		{"DELETE", "/backend-api/remote_browser/data"},
		{"POST", "/backend-api/accounts/deactivate"},
	} {
		if code, m := backend(t, r[0], s.AppURL()+r[1], tok); code != 200 || m["success"] != true {
			t.Errorf("%s %s: %d %v", r[0], r[1], code, m)
		}
		if code, _ := backend(t, r[0], s.AppURL()+r[1], ""); code != 401 {
			t.Errorf("%s %s without a token: %d", r[0], r[1], code)
		}
	}
	if c := s.Counters(alice); c.DangerPresses != 4 || c.Patches != 0 {
		t.Errorf("counters %+v", c)
	}
	if c := s.Counters(""); c.DangerPresses != 4 {
		t.Errorf("totals %+v", c)
	}
	// The chat list still answers GET.
	if code, m := backend(t, "GET", s.AppURL()+"/backend-api/conversations", tok); code != 200 || m["items"] == nil {
		t.Errorf("conversations: %d", code)
	}
}

func TestDemoAccountsOfThePrivacyBaseline(t *testing.T) {
	t.Parallel()
	var oscar, tina *Account
	for _, a := range DemoAccounts() {
		switch a.Email {
		case "oscar@example.com":
			oscar = &a
		case "tina@example.com":
			tina = &a
		}
	}
	if oscar == nil || oscar.Password != "oscar-password-12" || oscar.Plan != PlanPlus || !oscar.TrainingAllowed || oscar.Teen {
		t.Errorf("oscar %+v", oscar)
	}
	if tina == nil || tina.Password != "tina-password-13" || !tina.Teen || !tina.TrainingAllowed || (tina.Plan != "" && tina.Plan != PlanFree) {
		t.Errorf("tina %+v", tina)
	}
}
