package automation

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

func TestDecideMeaning_TheLabelAndTheKeyWordsOfItsLocale(t *testing.T) {
	set := selectors.Setting{Label: "Improve the model for everyone", Meaning: []selectors.Meaning{
		{Locale: "en", Label: "Improve the model for everyone", Keywords: []string{"train", "content"}},
		{Locale: "de", Label: "Das Modell für alle verbessern", Keywords: []string{"trainieren"}},
	}}
	for _, c := range []struct {
		name, own, around string
		set               selectors.Setting
		locale            string // of the meaning found; "" for none
		missing           []string
		ok                bool
	}{
		{"the label and its key words", "Improve the model for everyone", "Allow your content to be used to train our models", set, "en", nil, true},
		{"case does not matter", "IMPROVE THE MODEL FOR EVERYONE", "allow your CONTENT to TRAIN", set, "en", nil, true},
		{"another locale's label with its own key words", "Das Modell für alle verbessern", "Inhalte zum Trainieren verwenden", set, "de", nil, true},
		{"a key word gone from the text around", "Improve the model for everyone", "Allow your content to be shared", set, "en", []string{"train"}, false},
		{"every key word gone", "Improve the model for everyone", "Personalize ads", set, "en", []string{"train", "content"}, false},
		{"another label altogether", "Personalized ads", "Allow your content to be used to train our models", set, "", nil, false},
		{"no meanings: the label alone", "Chat history & training", "", selectors.Setting{Label: "Chat History & Training"}, "any", nil, true},
		{"no meanings, another label", "Chat history", "", selectors.Setting{Label: "Chat History & Training"}, "", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			mn, missing, ok := decideMeaning(c.set, c.own, c.around)
			locale := ""
			if mn != nil {
				locale = mn.Locale
			}
			if locale != c.locale || !slices.Equal(missing, c.missing) || ok != c.ok {
				t.Errorf("decideMeaning = %q, missing %v, %v; want %q, %v, %v", locale, missing, ok, c.locale, c.missing, c.ok)
			}
		})
	}
}

// A switch with no name of its own (a bare button beside a label that
// names nothing) speaks by its row; one with a name speaks for itself,
// whatever its row says.
func TestOwnText_ASwitchWithoutANameSpeaksByItsRow(t *testing.T) {
	for _, c := range []struct {
		name string
		m    match
		want string
	}{
		{"its own name", match{Name: "Improve the model for everyone", Row: "Personalize ads"}, "Improve the model for everyone"},
		{"its own text", match{Text: "Chat history & training", Row: "Personalize ads"}, "Chat history & training"},
		{"no name, no text: its row", match{Row: "Improve the model for everyone Allow your content"}, "Improve the model for everyone Allow your content"},
		{"blank name and text: its row", match{Name: " ", Text: " ", Row: "Use marketing cookies"}, "Use marketing cookies"},
		{"no name, alone in its dialog: its row and the dialog's name", match{Row: "Allow your content to be used", DialogName: "Improve the model for everyone"}, "Allow your content to be used Improve the model for everyone"},
		{"a name of its own: not the dialog's", match{Name: "Include your audio recordings", DialogName: "Improve the model for everyone"}, "Include your audio recordings"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ownText(&c.m); got != c.want {
				t.Errorf("ownText = %q, want %q", got, c.want)
			}
		})
	}
}

func TestVerifyTable_MissingOnlyWhereTheFlowNeededIt(t *testing.T) {
	f, err := selectors.Default()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.Profile("current")
	all := func() map[string]observation {
		seen := map[string]observation{}
		for _, n := range []string{"signed_in", stepProfileMenu, stepSettingsItem, stepDataControls, stepSwitch} {
			seen[n] = observation{candidate: 0, counts: []int{1, 0, 0, 0, 0, 0}}
		}
		return seen
	}
	statusOf := func(table []ElementCheck, name string) CheckStatus {
		for _, c := range table {
			if c.Element == name {
				return c.Status
			}
		}
		return "absent"
	}
	drift := &DriftError{Kind: KindSelectorDrift, Element: stepSwitch}
	for _, c := range []struct {
		name     string
		seen     func() map[string]observation
		runErr   error
		endpoint bool
		route    Route
		want     map[string]CheckStatus
	}{
		{"everything seen on the primary candidates", all, nil, false, RouteMenu,
			map[string]CheckStatus{"signed_in": CheckOK, stepSwitch: CheckOK, "login.email": CheckNotSeen}},
		{"a fallback candidate is stale", func() map[string]observation {
			s := all()
			s[stepProfileMenu] = observation{candidate: 1, counts: []int{0, 1}}
			return s
		}, nil, false, RouteMenu, map[string]CheckStatus{stepProfileMenu: CheckStale}},
		{"the run stopped at the switch: only the switch is missing", func() map[string]observation {
			s := all()
			delete(s, stepSwitch)
			delete(s, stepDataControls)
			return s
		}, drift, false, RouteMenu, map[string]CheckStatus{stepSwitch: CheckMissing, stepDataControls: CheckNotSeen}},
		{"the deep link skips the menu, which is then missing", func() map[string]observation {
			s := all()
			delete(s, stepProfileMenu)
			return s
		}, nil, false, RouteDeepLink, map[string]CheckStatus{stepProfileMenu: CheckMissing}},
		{"signed in by the session endpoint: signed_in not needed", func() map[string]observation {
			s := all()
			delete(s, "signed_in")
			return s
		}, nil, true, RouteMenu, map[string]CheckStatus{"signed_in": CheckNotSeen}},
		{"signed in otherwise: signed_in missing", func() map[string]observation {
			s := all()
			delete(s, "signed_in")
			return s
		}, nil, false, RouteMenu, map[string]CheckStatus{"signed_in": CheckMissing}},
		{"a run that failed elsewhere calls nothing missing", func() map[string]observation {
			s := all()
			delete(s, stepSwitch)
			return s
		}, errors.New("timed out"), false, RouteMenu, map[string]CheckStatus{stepSwitch: CheckNotSeen}},
	} {
		t.Run(c.name, func(t *testing.T) {
			table := verifyTable(p, c.seen(), c.runErr, c.endpoint, c.route)
			for name, want := range c.want {
				if got := statusOf(table, name); got != want {
					t.Errorf("%s: %s, want %s", name, got, want)
				}
			}
			err := verifyError(table, f, "https://chatgpt.com/")
			var d *DriftError
			missing := slices.ContainsFunc(table, func(c ElementCheck) bool { return c.Status == CheckMissing })
			if missing != errors.As(err, &d) {
				t.Errorf("verifyError = %v with missing elements %v: want drift exactly when one is missing", err, missing)
			}
		})
	}
}

func TestAccountCheck_RefusesATOTPSecretThatIsNotOne(t *testing.T) {
	for secret, ok := range map[string]bool{
		"":                                  true,
		"JBSWY3DPEHPK3PXP":                  true,
		"jbsw y3dp ehpk 3pxp":               true, // spaces and case as apps show it
		"not base32!":                       false,
		"https://example.com/?secret=JBSWY": false,
	} {
		err := Account{TOTPSecret: secret}.Check()
		if (err == nil) != ok {
			t.Errorf("Check with the secret %q = %v, want ok %v", secret, err, ok)
		}
		if err != nil && (KindOf(err) != KindConfig || !slices.Contains(FixOf(err), SettingTOTPSecret) || strings.Contains(err.Error(), secret)) {
			t.Errorf("Check = %v (%s, fix %v): want a config error pointing at the TOTP secret, never quoting it", err, KindOf(err), FixOf(err))
		}
	}
}
