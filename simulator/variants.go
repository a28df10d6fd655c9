package simulator

import (
	"fmt"
	"slices"
	"strings"
)

// Variant names a UI drift: a change to the signed-in app of the kind real
// ChatGPT releases made. Variants combine; each keeps the page usable by a
// person, and none changes the backend or the login pages. README.md
// beside this file lists the DOM facts of each.
type Variant string

// The variants the simulator can apply.
const (
	// VariantRenamedClasses renames every stable class name of the app to
	// one generated per page load; the login forms keep theirs.
	VariantRenamedClasses Variant = "renamed-classes"
	// VariantNoSwitchTestID drops the switch's data-testid (current UI) or
	// names it by aria-labelledby instead of aria-label (2023 UI).
	VariantNoSwitchTestID Variant = "no-switch-testid"
	// VariantProfileTopRight moves the current UI's profile trigger to the
	// top right of the chat header (mid-2024 to 2025).
	VariantProfileTopRight Variant = "profile-top-right"
	// VariantRewordedLabel renames the setting, test ids and roles kept:
	// "Use my chats for model training" (2023 UI: "Save chat history").
	VariantRewordedLabel Variant = "reworded-label"
	// VariantNewDialog shows after sign-in an announcement no selectors
	// file knows, "Introducing memory", until its "Got it" is used.
	VariantNewDialog Variant = "new-dialog"
	// VariantUnknownUI replaces the signed-in app with a shell none of
	// whose landmarks the selectors file knows (Preferences at
	// /preferences/<section>).
	VariantUnknownUI Variant = "unknown-ui"
	// VariantGettingStarted shows "Tips for getting started" after every
	// sign-in, before the account's own dialogs: seen in clones only.
	VariantGettingStarted Variant = "getting-started"
	// VariantSettingsPage serves Settings as a page at /settings/<section>
	// (October 2026). Current UI.
	VariantSettingsPage Variant = "settings-page"
	// VariantDataControlsInGeneral is April 2023: Data Controls is a
	// section of General behind "Show", the switch labelled in Title Case
	// "Chat History & Training". 2023 UI.
	VariantDataControlsInGeneral Variant = "data-controls-in-general"
	// VariantImproveDone adds a "Done" button to the improve-model dialog,
	// as 2025 how-to guides describe. Current UI.
	VariantImproveDone Variant = "improve-done"
	// VariantImproveDoneOnly is improve-done where the dialog ignores
	// Escape and clicks outside: its Done button is the only way out.
	// Current UI.
	VariantImproveDoneOnly Variant = "improve-done-only"
	// VariantUnnamedSwitch leaves the improve-model switch without a name
	// of its own: only the dialog's title says what it is. Current UI.
	VariantUnnamedSwitch Variant = "unnamed-switch"
	// VariantMarketingPage makes Marketing privacy a sub-view of the Data
	// controls panel instead of a dialog. Current UI.
	VariantMarketingPage Variant = "marketing-page"
	// VariantVoiceRows adds the apps' audio and video rows to the
	// improve-model dialog (none seen on the web in 2026-10). Current UI.
	VariantVoiceRows Variant = "voice-rows"
)

var allVariants = []Variant{
	VariantRenamedClasses, VariantNoSwitchTestID, VariantProfileTopRight,
	VariantRewordedLabel, VariantNewDialog, VariantUnknownUI,
	VariantGettingStarted, VariantSettingsPage, VariantDataControlsInGeneral,
	VariantImproveDone, VariantImproveDoneOnly, VariantUnnamedSwitch, VariantMarketingPage, VariantVoiceRows,
}

// AllVariants returns every known variant, in documentation order.
func AllVariants() []Variant { return slices.Clone(allVariants) }

// ParseVariants parses a comma-separated list of variant names, as a
// command-line flag carries it; repeats collapse, "" is no variant.
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
func (s *Server) Variants() []Variant { return slices.Clone(s.opts.Variants) }

func (s *Server) has(v Variant) bool { return slices.Contains(s.opts.Variants, v) }
