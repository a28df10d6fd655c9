package simulator

import (
	"fmt"
	"strings"
)

// Variant names a UI drift: a change to the signed-in app of the kind real
// ChatGPT releases made, so that tests can show what the tool does when the
// page changes under it. Variants combine (Options.Variants); each keeps the
// page fully usable by a person, and none changes the backend or the login
// pages. The DOM facts of each are listed in README.md beside this file.
type Variant string

// The variants the simulator can apply.
const (
	// VariantRenamedClasses renames every stable class name of the app
	// (flex, min-w-0, truncate, ps-3, toast-root, switch-root, ...) to a
	// name generated per page load, as a rebuilt CSS pipeline would; the
	// styles follow, so the geometry is unchanged. Only generated names
	// ("_" and five characters) remain. Pages of the login origin are
	// server-rendered forms and keep their classes.
	VariantRenamedClasses Variant = "renamed-classes"

	// VariantNoSwitchTestID removes the switch's test id. Current UI: the
	// switch loses data-testid="improve-model-toggle" and keeps role=switch
	// and its accessible name. 2023 UI: the switch loses
	// aria-label="Chat history & training" and gets aria-labelledby
	// pointing at the visible label with the same text.
	VariantNoSwitchTestID Variant = "no-switch-testid"

	// VariantProfileTopRight moves the current UI's profile trigger to the
	// top right of the chat header, as in the mid-2024 to 2025 layout: a
	// button[data-testid="profile-button"] whose accessible name is its
	// avatar's alt text "User". accounts-profile-button and the name
	// "Open profile menu" are gone. The menu is the same and still opens on
	// pointerdown only. No change to the 2023 UI.
	VariantProfileTopRight Variant = "profile-top-right"

	// VariantRewordedLabel rewords the setting while every test id and role
	// stays: current UI "Improve the model for everyone" becomes "Use my
	// chats for model training" (row and switch); 2023 UI "Chat history &
	// training" becomes "Save chat history". The switch still toggles the
	// same setting with the same PATCH.
	VariantRewordedLabel Variant = "reworded-label"

	// VariantNewDialog shows a release announcement no selectors file
	// knows after sign-in: a modal [role=dialog] "Introducing memory" over
	// a full-screen overlay, with one button "Got it". Escape and clicks
	// outside do nothing; it comes back on every app page of the session
	// until "Got it" is used.
	VariantNewDialog Variant = "new-dialog"

	// VariantUnknownUI replaces the signed-in app with a shell the selectors
	// file cannot know: a top bar with a button[data-testid="user-avatar"]
	// named after the user, whose menu leads to a Preferences page at
	// /preferences/<section>. No profile trigger of either era, no Settings
	// dialog, no tabs; #settings/... links do nothing. The signed-out pages
	// and the login stay as they are.
	VariantUnknownUI Variant = "unknown-ui"

	// VariantGettingStarted shows "Tips for getting started" with
	// [data-testid="getting-started-button"] ("Okay, let's go") after
	// every sign-in, before the account's own dialogs. It is seen in
	// clones of ChatGPT only, with no live evidence; current UI.
	VariantGettingStarted Variant = "getting-started"

	// VariantSettingsPage serves Settings as a page (October 2026): the
	// Settings menu item goes to /settings/general-settings, tabs to
	// /settings/data-controls, /settings/personalization, ... rendered in
	// main, not in a dialog, with the same tabs, rows and test ids;
	// #settings/<Tab> redirects to its page and /settings/apps to
	// /settings/general-settings. Current UI.
	VariantSettingsPage Variant = "settings-page"

	// VariantDataControlsInGeneral is the 2023 UI of April 2023: no Data
	// controls tab; Data Controls is a section of General that a "Show"
	// button expands, holding the switch labelled in Title Case, "Chat
	// History & Training". 2023 UI.
	VariantDataControlsInGeneral Variant = "data-controls-in-general"

	// VariantImproveDone gives the current UI's improve-model dialog a
	// "Done" button below the switch that closes it, as 2025 how-to guides
	// describe (no DOM evidence has one). Current UI.
	VariantImproveDone Variant = "improve-done"

	// VariantMarketingPage makes the Data controls row "Marketing privacy"
	// open a sub-view of the Data controls panel (a "Back" button, the
	// heading "Marketing privacy" and the same two switches) instead of a
	// dialog: the reference does not know which of the two it is. Current
	// UI.
	VariantMarketingPage Variant = "marketing-page"

	// VariantVoiceRows gives the improve-model dialog, below its switch,
	// the rows "Include your audio recordings" and "Include your video
	// recordings" of the mobile and desktop apps (voice_training_allowed,
	// video_training_allowed), shown off and disabled while training is
	// off. A 2026-10 audit saw no such rows on the web. Current UI.
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

func validVariantNames() string {
	names := make([]string, len(allVariants))
	for i, v := range allVariants {
		names[i] = string(v)
	}
	return strings.Join(names, ", ")
}

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
	seen := map[Variant]bool{}
	for _, v := range vs {
		known := false
		for _, k := range allVariants {
			known = known || v == k
		}
		if !known {
			if v == "" {
				return nil, fmt.Errorf("simulator: empty variant name (valid: %s)", validVariantNames())
			}
			return nil, fmt.Errorf("simulator: unknown variant %q (valid: %s)", v, validVariantNames())
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out, nil
}

// Variants returns the variants being applied, without repeats.
func (s *Server) Variants() []Variant { return append([]Variant(nil), s.variants...) }

func (s *Server) has(v Variant) bool {
	for _, x := range s.variants {
		if x == v {
			return true
		}
	}
	return false
}
