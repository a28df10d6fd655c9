package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestParseVariants(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]Variant{
		"":                                    nil,
		"  ":                                  nil,
		"renamed-classes":                     {VariantRenamedClasses},
		" renamed-classes , no-switch-testid": {VariantRenamedClasses, VariantNoSwitchTestID},
		"new-dialog,new-dialog,unknown-ui":    {VariantNewDialog, VariantUnknownUI},
		"profile-top-right,reworded-label":    {VariantProfileTopRight, VariantRewordedLabel},
	} {
		got, err := ParseVariants(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseVariants(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, bad := range map[string]string{
		"renamed-classes,shiny":  `"shiny"`,
		"Renamed-Classes":        `"Renamed-Classes"`,
		"new-dialog,,unknown-ui": "empty variant name",
	} {
		_, err := ParseVariants(in)
		if err == nil {
			t.Errorf("ParseVariants(%q): no error", in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, bad) {
			t.Errorf("ParseVariants(%q): %q does not name %s", in, msg, bad)
		}
		for _, v := range AllVariants() {
			if !strings.Contains(msg, string(v)) {
				t.Errorf("ParseVariants(%q): %q does not list %s", in, msg, v)
			}
		}
	}
	if len(AllVariants()) != 14 {
		t.Errorf("AllVariants %v", AllVariants())
	}
}

// bootOf extracts the client-bootstrap JSON of an app page.
func bootOf(t *testing.T, body string) boot {
	t.Helper()
	m := regexp.MustCompile(`<script type="application/json" id="client-bootstrap">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no client-bootstrap in %s", body)
	}
	var b boot
	if err := json.Unmarshal([]byte(m[1]), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVariantsOptions(t *testing.T) {
	t.Parallel()
	if _, err := Start(Options{Variants: []Variant{"bogus"}}); err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("unknown variant: %v", err)
	}
	s := start(t, Options{Variants: []Variant{VariantRenamedClasses, VariantNoSwitchTestID, VariantRenamedClasses}})
	if got := s.Variants(); !reflect.DeepEqual(got, []Variant{VariantRenamedClasses, VariantNoSwitchTestID}) {
		t.Errorf("Variants() = %v", got)
	}
	data, _ := json.Marshal(s.Info())
	if !strings.Contains(string(data), `"variants":["renamed-classes","no-switch-testid"]`) {
		t.Errorf("info %s", data)
	}
	_, body := newBrowser(t).get(s.AppURL() + "/")
	if b := bootOf(t, body); !reflect.DeepEqual(b.Variants, []Variant{VariantRenamedClasses, VariantNoSwitchTestID}) {
		t.Errorf("boot variants %v", b.Variants)
	}

	// Without variants: Info unchanged, the page gets an empty list.
	s0 := start(t, Options{})
	data, _ = json.Marshal(s0.Info())
	if strings.Contains(string(data), "variants") {
		t.Errorf("info without variants %s", data)
	}
	_, body = newBrowser(t).get(s0.AppURL() + "/")
	if !strings.Contains(body, `"variants":[]`) {
		t.Errorf("boot without variants: %s", body)
	}
}

func TestVariantNewDialogUntilDismissed(t *testing.T) {
	t.Parallel()
	for _, ui := range []UI{UICurrent, UI2023} {
		s := start(t, Options{UI: ui, Variants: []Variant{VariantNewDialog}})
		b := newBrowser(t)
		var body string
		if ui == UICurrent {
			_, body = loginCurrent(t, s, b, "dave@example.com", "dave-password-4")
		} else {
			_, body = login2023(t, s, b, "dave@example.com", "dave-password-4")
		}
		first := bootOf(t, body)
		if !first.Announcement || len(first.Dialogs) == 0 {
			t.Fatalf("%s: first page %+v", ui, first)
		}
		// A reload: the account's dialogs are gone, the announcement stays.
		_, body = b.get(s.AppURL() + "/")
		if again := bootOf(t, body); !again.Announcement || len(again.Dialogs) != 0 {
			t.Fatalf("%s: reload %+v", ui, again)
		}
		tok := b.token(s)
		viewed := s.AppURL() + "/backend-api/settings/announcement_viewed?announcement_id=x"
		if code, _ := backend(t, "POST", viewed, ""); code != 401 {
			t.Errorf("%s: dismiss without token: %d", ui, code)
		}
		if code, _ := backend(t, "POST", viewed, tok); code != 200 {
			t.Fatalf("%s: dismiss %d", ui, code)
		}
		_, body = b.get(s.AppURL() + "/")
		if bootOf(t, body).Announcement {
			t.Errorf("%s: announcement after dismissal", ui)
		}
		if c := s.Counters("dave@example.com"); c.Patches != 0 {
			t.Errorf("%s: dismissal counted as a setting PATCH: %+v", ui, c)
		}
		// Once per session: a new session shows it again.
		tok2, _ := s.NewSession("dave@example.com")
		b2 := newBrowser(t)
		u, _ := url.Parse(s.AppURL())
		b2.c.Jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie, Value: tok2, Path: "/"}})
		_, body = b2.get(s.AppURL() + "/")
		if !bootOf(t, body).Announcement {
			t.Errorf("%s: new session without the announcement", ui)
		}
	}
	// Without the variant there is none.
	s := start(t, Options{})
	b := newBrowser(t)
	_, body := loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	if bootOf(t, body).Announcement {
		t.Error("announcement without the variant")
	}
}

func TestVariantUnknownUIRoutes(t *testing.T) {
	t.Parallel()
	script := regexp.MustCompile(`<script src="/assets/([a-z0-9]+\.js)"></script>\s*</body>`)
	scriptOf := func(body string) string {
		m := script.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no page script in %s", body)
		}
		return m[1]
	}
	for _, ui := range []UI{UICurrent, UI2023} {
		s := start(t, Options{UI: ui, Variants: []Variant{VariantUnknownUI}})
		b := newBrowser(t)
		signedOut := "current.js"
		if ui == UI2023 {
			signedOut = "legacy2023.js"
		}
		// Signed out: the era's own pages, and no Preferences.
		b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, _ := b.get(s.AppURL() + "/preferences/privacy")
		if resp.StatusCode != http.StatusFound {
			t.Errorf("%s: signed-out preferences: %d", ui, resp.StatusCode)
		}
		b.c.CheckRedirect = nil
		_, body := b.get(s.AppURL() + "/auth/login")
		if got := scriptOf(body); got != signedOut {
			t.Errorf("%s: login page runs %s", ui, got)
		}
		if ui == UICurrent {
			_, body = loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
		} else {
			_, body = login2023(t, s, b, "alice@example.com", "alice-password-1")
		}
		if got := scriptOf(body); got != "redesign.js" {
			t.Errorf("%s: signed-in app runs %s", ui, got)
		}
		for _, p := range []string{"/preferences", "/preferences/privacy", "/c/abc"} {
			resp, body := b.get(s.AppURL() + p)
			if resp.StatusCode != 200 || scriptOf(body) != "redesign.js" {
				t.Errorf("%s: %s: %d %s", ui, p, resp.StatusCode, scriptOf(body))
			}
		}
	}
	// Without the variant the path does not exist.
	s := start(t, Options{})
	b := newBrowser(t)
	loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	if resp, _ := b.get(s.AppURL() + "/preferences/privacy"); resp.StatusCode != 404 {
		t.Errorf("preferences without the variant: %d", resp.StatusCode)
	}
}
