package simulator

import (
	"fmt"
	"slices"
	"strings"
)

// Variant names a UI drift: a change to the signed-in app of the kind real
// ChatGPT releases made, so that tests can show what the tool does when the
// page changes under it. Variants combine (Options.Variants); each keeps the
// page fully usable by a person (real mouse input still flips the same
// setting with the same PATCH), and none changes the backend or the login
// pages. README.md beside this file lists the DOM facts of each.
type Variant string

// The variants the simulator can apply.
const (
	// VariantRenamedClasses renames every stable class name of the app
	// (flex, min-w-0, truncate, ps-3, toast-root, ...) to a name generated
	// per page load ("_" and five characters); styles follow. The login
	// origin's server-rendered forms keep theirs.
	VariantRenamedClasses Variant = "renamed-classes"
	// VariantNoSwitchTestID: current UI, the switch loses
	// data-testid="improve-model-toggle" (role and name stay); 2023 UI, it
	// is named by aria-labelledby instead of aria-label.
	VariantNoSwitchTestID Variant = "no-switch-testid"
	// VariantProfileTopRight moves the current UI's profile trigger to the
	// top right of the chat header (mid-2024 to 2025): a
	// button[data-testid="profile-button"] named "User" (its avatar's alt).
	// The menu is the same and still opens on pointerdown only.
	VariantProfileTopRight Variant = "profile-top-right"
	// VariantRewordedLabel renames the setting, test ids and roles kept:
	// "Use my chats for model training" (2023 UI: "Save chat history").
	VariantRewordedLabel Variant = "reworded-label"
	// VariantNewDialog shows after sign-in a release announcement no
	// selectors file knows, the modal "Introducing memory" with one button
	// "Got it", on every app page of the session until "Got it" is used.
	VariantNewDialog Variant = "new-dialog"
	// VariantUnknownUI replaces the signed-in app with a shell the
	// selectors file cannot know (a button[data-testid="user-avatar"] menu
	// leading to a Preferences page at /preferences/<section>): none of the
	// known landmarks. Signed-out pages and the login stay.
	VariantUnknownUI Variant = "unknown-ui"
	// VariantGettingStarted shows "Tips for getting started"
	// ([data-testid="getting-started-button"]) after every sign-in, before
	// the account's own dialogs: seen in clones only. Current UI.
	VariantGettingStarted Variant = "getting-started"
	// VariantSettingsPage serves Settings as a page at /settings/<section>
	// (October 2026), with the same tabs, rows and test ids. Current UI.
	VariantSettingsPage Variant = "settings-page"
	// VariantDataControlsInGeneral is April 2023: Data Controls is a
	// section of General behind "Show", the switch labelled in Title Case
	// "Chat History & Training". 2023 UI.
	VariantDataControlsInGeneral Variant = "data-controls-in-general"
	// VariantImproveDone adds a "Done" button that closes the improve-model
	// dialog, as 2025 how-to guides describe (no DOM evidence). Current UI.
	VariantImproveDone Variant = "improve-done"
	// VariantMarketingPage makes Marketing privacy a sub-view of the Data
	// controls panel (Back, the same two switches) instead of a dialog: the
	// reference does not know which it is. Current UI.
	VariantMarketingPage Variant = "marketing-page"
	// VariantVoiceRows adds the apps' rows "Include your audio recordings"
	// and "Include your video recordings" to the improve-model dialog, off
	// and disabled while training is off (a 2026-10 audit saw none on the
	// web). Current UI.
	VariantVoiceRows Variant = "voice-rows"
)

var allVariants = []Variant{
	VariantRenamedClasses, VariantNoSwitchTestID, VariantProfileTopRight,
	VariantRewordedLabel, VariantNewDialog, VariantUnknownUI,
	VariantGettingStarted, VariantSettingsPage, VariantDataControlsInGeneral,
	VariantImproveDone, VariantMarketingPage, VariantVoiceRows,
}

// AllVariants returns every known variant, in documentation order.
func AllVariants() []Variant { return append([]Variant(nil), allVariants...) }

// ParseVariants parses a comma-separated list of variant names, as a
// command-line flag would carry it: "renamed-classes,no-switch-testid".
// Spaces around names are ignored and repeats collapse; "" is no variant.
// An unknown or empty name is an error that names it and the valid ones.
func ParseVariants(s string) ([]Variant, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Variant
	for _, part := range strings.Split(s, ",") {
		out = append(out, Variant(strings.TrimSpace(part)))
	}
	return normalizeVariants(out)
}

// normalizeVariants checks every name and drops repeats, keeping order.
func normalizeVariants(vs []Variant) ([]Variant, error) {
	var out []Variant
	for _, v := range vs {
		if !slices.Contains(allVariants, v) {
			var names []string
			for _, v := range allVariants {
				names = append(names, string(v))
			}
			valid := strings.Join(names, ", ")
			if v == "" {
				return nil, fmt.Errorf("simulator: empty variant name (valid: %s)", valid)
			}
			return nil, fmt.Errorf("simulator: unknown variant %q (valid: %s)", v, valid)
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// Variants returns the variants being applied, without repeats.
func (s *Server) Variants() []Variant { return append([]Variant(nil), s.opts.Variants...) }

func (s *Server) has(v Variant) bool { return slices.Contains(s.opts.Variants, v) }
