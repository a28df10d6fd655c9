package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// A privacy baseline (issue 21): see the reference's "Data controls and
// its neighbours (2026)" and "Who may change the setting".

// The plans an account can be on (Account.Plan). The plan decides the
// defaults of the marketing settings and whether the account has ads
// (the Ads controls tab and its two settings): Free and Go do.
const (
	PlanFree = "free" // the default ("" means free)
	PlanGo   = "go"
	PlanPlus = "plus"
	PlanPro  = "pro"
)

var allPlans = []string{PlanFree, PlanGo, PlanPlus, PlanPro}

// The account settings Server.Setting, Server.SetSetting and the backend's
// PATCH /backend-api/settings/account_user_setting?feature=KEY know. The
// marketing keys are the simulator's own names: the real ones are not in
// the reference.
const (
	SettingTraining           = "training_allowed"                  // "Improve the model for everyone"
	SettingVoice              = "voice_training_allowed"            // "Include your audio recordings" (off while training is off)
	SettingVideo              = "video_training_allowed"            // "Include your video recordings" (off while training is off)
	SettingMarketingCookies   = "marketing_cookies_allowed"         // Marketing privacy: "Marketing cookies"
	SettingMarketingPartners  = "marketing_partner_sharing_allowed" // Marketing privacy: "Share with marketing partners"
	SettingAdsPersonalization = "bazaar_personalization_enabled"    // Ads controls: "Personalize ads" (free and go only)
	SettingAdsHistory         = "bazaar_history_enabled"            // Ads controls: "Past chats and memory" (free and go only)
	SettingSavedMemories      = "sunshine"                          // Personalization, Memory: "Reference saved memories"
	SettingChatHistory        = "moonshine"                         // Personalization, Memory: "Reference chat history" (off while sunshine is off)
)

// settingParent maps a setting to the one it depends on: switching the
// parent off switches it off too, and it cannot be switched on while the
// parent is off (its switch shows off and disabled meanwhile).
var settingParent = map[string]string{
	SettingVoice:       SettingTraining,
	SettingVideo:       SettingTraining,
	SettingChatHistory: SettingSavedMemories,
}

// historyDisabled is the 2023 page's name for training, inverted.
const historyDisabled = "history_disabled"

// errParentOff is SetSetting's error for a setting switched on while the
// one it depends on is off.
var errParentOff = errors.New("simulator: the setting it depends on is off")

// normalizePlan checks a plan name; "" is PlanFree.
func normalizePlan(p string) (string, error) {
	if p == "" {
		return PlanFree, nil
	}
	if !slices.Contains(allPlans, p) {
		return "", fmt.Errorf("unknown plan %q (want %s)", p, strings.Join(allPlans, ", "))
	}
	return p, nil
}

// hasAds reports whether a plan shows ads, and with them the Ads controls
// tab and its settings (Free and Go, 2026).
func hasAds(plan string) bool { return plan == PlanFree || plan == PlanGo || plan == "" }

// defaultSettings are a new account's settings: training as
// Account.TrainingAllowed, the voice settings off with it, as the coupling
// has it; marketing on for Free and Go and off for paid plans (the
// reference's US defaults); the ads settings for Free and Go only;
// everything else on.
func defaultSettings(a Account) map[string]bool {
	free := hasAds(a.Plan)
	m := map[string]bool{
		SettingTraining: a.TrainingAllowed, SettingVoice: a.TrainingAllowed, SettingVideo: a.TrainingAllowed,
		SettingMarketingCookies: free, SettingMarketingPartners: free,
		SettingSavedMemories: true, SettingChatHistory: true,
	}
	if free {
		m[SettingAdsPersonalization], m[SettingAdsHistory] = true, true
	}
	return m
}

// setLocked sets one of the account's settings with its couplings; s.mu
// must be held. It fails for a key the account lacks and for a dependent
// setting switched on while its parent is off.
func (a *account) setLocked(key string, on bool) error {
	if _, ok := a.settings[key]; !ok {
		return fmt.Errorf("simulator: account %q has no setting %q (plan %s)", a.Email, key, a.Plan)
	}
	if p, ok := settingParent[key]; ok && on && !a.settings[p] {
		return fmt.Errorf("%w: %s needs %s on", errParentOff, key, p)
	}
	a.settings[key] = on
	for child, parent := range settingParent {
		if parent == key && !on {
			a.settings[child] = false // every plan has the children
		}
	}
	return nil
}

// Setting reports the server-side state of one of the account's settings
// (the Setting* keys, training_allowed included). An unknown account, an
// unknown key or a key the account's plan lacks is an error.
func (s *Server) Setting(email, key string) (on bool, err error) {
	err = s.onAccount(email, func(a *account) error {
		var ok bool
		if on, ok = a.settings[key]; !ok {
			return fmt.Errorf("simulator: account %q has no setting %q (plan %s)", email, key, a.Plan)
		}
		return nil
	})
	return on, err
}

// SetSetting changes one of the account's settings on the server, as
// another device (or, for a teen's training, the parent) would, with the
// couplings: switching training_allowed off switches the voice settings
// off, switching sunshine off switches moonshine off. Switching a voice
// setting or moonshine on while its parent is off is an error, and so are
// an unknown account, an unknown key and a key the plan lacks. It does not
// count as a write (Writes, Counters.Patches).
func (s *Server) SetSetting(email, key string, on bool) error {
	return s.onAccount(email, func(a *account) error { return a.setLocked(key, on) })
}

// Writes counts the account's PATCH /backend-api/settings/account_user_setting
// requests whose feature is key, answered or refused (a 500 of FailPatches,
// a teen's 403, a 400 for a key the plan lacks, …). history_disabled (the
// 2023 page) counts under its own name.
func (s *Server) Writes(email, key string) (n int) {
	_ = s.onAccount(email, func(a *account) error {
		n = a.writes[key]
		return nil
	})
	return n
}

// handleDanger records a press on a button that destroys or archives data
// ("Delete ads data", "Delete all chats", "Archive all chats", "Delete"
// of remote browser data, "Delete" of the account): the page sends the
// request at once. The simulator does nothing else with it; a run of the
// tool must never cause one (Counters.DangerPresses).
func (s *Server) handleDanger(w http.ResponseWriter, r *http.Request) {
	if s.withBearer(w, r, func(_ *session, a *account) { a.counters.DangerPresses++ }) {
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	}
}
