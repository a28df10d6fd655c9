package simulator

import (
	"errors"
	"fmt"
	"net/http"
)

// The plans an account can be on (Account.Plan), issue 21. Free and Go
// have marketing on by default, and ads (the Ads controls tab and its two
// settings).
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

const historyDisabled = "history_disabled"

var errParentOff = errors.New("simulator: the setting it depends on is off")

// hasAds reports whether a plan has ads (Free and Go, 2026).
func hasAds(plan string) bool { return plan == PlanFree || plan == PlanGo || plan == "" }

// defaultSettings are a new account's settings: marketing on for Free and
// Go, off for paid plans (the reference's US defaults).
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
// must be held.
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
// another device (or a teen's parent) would, with the couplings: a parent
// switched off switches its children off, and switching a child on while
// its parent is off is an error. It does not count as a write.
func (s *Server) SetSetting(email, key string, on bool) error {
	return s.onAccount(email, func(a *account) error { return a.setLocked(key, on) })
}

// Writes counts the account's setting PATCHes whose feature is key,
// answered or refused; history_disabled (2023) counts under its own name.
func (s *Server) Writes(email, key string) (n int) {
	_ = s.onAccount(email, func(a *account) error {
		n = a.writes[key]
		return nil
	})
	return n
}

// handleDanger records a press on a button that destroys or archives data
// (the page sends the request at once); it does nothing else.
func (s *Server) handleDanger(w http.ResponseWriter, r *http.Request) {
	if s.withBearer(w, r, func(_ *session, a *account) { a.counters.DangerPresses++ }) {
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	}
}
