package selectors

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestOrigin_OfEmbeddedAndPathFiles(t *testing.T) {
	def := mustDefault(t)
	if o := def.Origin(); o != (Origin{Kind: OriginEmbedded}) || o.String() != "embedded" || o.Description() != "embedded" {
		t.Errorf("embedded: %+v %q", o, o.String())
	}
	path := writeFile(t, "my.yaml", Embedded())
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if o := f.Origin(); o != (Origin{Kind: OriginFile, Path: path}) || o.String() != path {
		t.Errorf("path: %+v %q", o, o.String())
	}
	u := Origin{Kind: OriginURL, URL: "https://example.com/s.yaml", KeyID: "1A2B3C4D5E6F7A8B", FetchedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("x", 3600))}
	if u.String() != "https://example.com/s.yaml (key 1A2B3C4D5E6F7A8B)" {
		t.Errorf("url: %q", u.String())
	}
	if u.Description() != "https://example.com/s.yaml (key 1A2B3C4D5E6F7A8B, fetched 2026-12-01T09:00:00Z)" {
		t.Errorf("url: %q", u.Description())
	}
}

func TestResolve_EmptyIsTheEmbeddedFile(t *testing.T) {
	f, warn, err := Resolve(context.Background(), "", ResolveOptions{})
	if err != nil || f.Source != EmbeddedSource || f.Origin().Kind != OriginEmbedded || len(warn) != 0 {
		t.Errorf("Resolve(\"\") = %v, %q, %v", f.Origin(), warn, err)
	}
}

func TestResolve_APathIsLoaded(t *testing.T) {
	path := writeFile(t, "my.yaml", Embedded())
	f, warn, err := Resolve(context.Background(), path, ResolveOptions{})
	if err != nil || f.Origin() != (Origin{Kind: OriginFile, Path: path}) || len(warn) != 0 {
		t.Errorf("Resolve(path) = %+v, %q, %v", f.Origin(), warn, err)
	}
	// A bad path is Load's error, and no fallback hides it.
	_, _, err = Resolve(context.Background(), path+".missing", ResolveOptions{FallbackToEmbedded: true})
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing path: %v", err)
	}
}

func TestResolve_APathForANewerToolIsRefused(t *testing.T) {
	d := embeddedDoc(t)
	d["min_tool_version"] = "v2.0.0"
	path := writeFile(t, "my.yaml", render(t, d))
	_, _, err := Resolve(context.Background(), path, ResolveOptions{FetchOptions: FetchOptions{ToolVersion: "v1.9.9"}})
	wantKind(t, err, ErrNeedsNewerTool, path, "v2.0.0", "v1.9.9")
	f, warn, err := Resolve(context.Background(), path, ResolveOptions{FetchOptions: FetchOptions{ToolVersion: "dev"}})
	if err != nil || f.MinToolVersion != "v2.0.0" || len(warn) != 1 {
		t.Errorf("dev build: %v, %q", err, warn)
	}
}

func TestResolve_AURLIsFetched(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7")
	srv, u, _, pub := serveSigned(t, data)
	f, warn, err := Resolve(context.Background(), u, ResolveOptions{FetchOptions: options(t, srv, pub)})
	if err != nil || f.Version != "2026.12.7" || f.Origin().String() != u+" (key "+pub.KeyID()+")" || len(warn) != 0 {
		t.Errorf("Resolve(url) = %v, %q, %v", f, warn, err)
	}
}

func TestResolve_FallsBackToTheEmbeddedFileWhenAsked(t *testing.T) {
	srv := newTestServer(t)
	_, pub := testKey(t)
	u := srv.put("/selectors.yaml", fileOfVersion(t, "2026.12.7"), nil)
	opts := ResolveOptions{FetchOptions: options(t, srv, pub)}

	_, _, err := Resolve(context.Background(), u, opts)
	wantKind(t, err, ErrNoSignature)

	opts.FallbackToEmbedded = true
	f, warn, err := Resolve(context.Background(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	def := mustDefault(t)
	if f.Origin().Kind != OriginEmbedded || f.Version != def.Version {
		t.Errorf("fallback gave %+v %s", f.Origin(), f.Version)
	}
	if len(warn) != 1 || !strings.Contains(warn[0], u) || !strings.Contains(warn[0], "no signature") || !strings.Contains(warn[0], "embedded selectors file (version "+def.Version+")") {
		t.Errorf("warnings %q", warn)
	}
	// An http URL is a mistake to fix, not a failure to fall back from.
	_, _, err = Resolve(context.Background(), "http://example.com/s.yaml", opts)
	wantKind(t, err, ErrNotHTTPS)
}

func TestIsURL(t *testing.T) {
	for spec, want := range map[string]bool{
		"https://x/s.yaml": true, "http://x": true, "file:///s.yaml": true,
		"s.yaml": false, "/etc/s.yaml": false, `C:\s.yaml`: false, "": false,
	} {
		if IsURL(spec) != want {
			t.Errorf("IsURL(%q) = %v", spec, !want)
		}
	}
}

func TestToolVersionAllows(t *testing.T) {
	tests := []struct {
		min, tool string
		ok, known bool
	}{
		{"1.2.3", "1.2.3", true, true},
		{"1.2.3", "v1.2.3", true, true},
		{"v1.2.3", "1.2.4", true, true},
		{"1.2.3", "1.10.0", true, true},
		{"1.2.3", "1.2.2", false, true},
		{"1.2.3", "0.9.9", false, true},
		{"1.2.3", "1.2.3-rc.1", false, true},
		{"1.2.3-rc.1", "1.2.3-rc.2", true, true},
		{"1.2.3-rc.2", "1.2.3-rc.10", true, true},
		{"1.2.3-beta", "1.2.3-rc.1", true, true},
		{"1.2.3-rc.1", "1.2.3-beta", false, true},
		{"1.2.3-1", "1.2.3-alpha", true, true},
		{"1.2.3-alpha", "1.2.3-alpha.1", true, true},
		{"1.2.3-alpha.1", "1.2.3-alpha", false, true},
		{"1.2.3", "1.2.3+build.5", true, true},
		{"1.2.4", "v1.2.4-0.20261201120000-0123456789ab", false, true}, // a commit after v1.2.3
		{"1.2.3", "v1.2.4-0.20261201120000-0123456789ab", true, true},
		{"9.9.9", "dev", true, false},
		{"9.9.9", "", true, false},
		{"9.9.9", "(devel)", true, false},
		{"9.9.9", "v0.0.0-20261201120000-0123456789ab", true, false},
		{"9.9.9", "1.2", true, false},
		{"9.9.9", "01.2.3", true, false},
	}
	for _, tt := range tests {
		ok, known := toolVersionAllows(tt.min, tt.tool)
		if ok != tt.ok || known != tt.known {
			t.Errorf("toolVersionAllows(%q, %q) = %v, %v; want %v, %v", tt.min, tt.tool, ok, known, tt.ok, tt.known)
		}
	}
}

func TestOlderFileVersion(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"2026.11.9", "2026.12.1", true},
		{"2026.9.1", "2026.10.1", true},
		{"2025.12.9", "2026.1.1", true},
		{"2026.12.1", "2026.12.1", false},
		{"2026.12.10", "2026.12.9", false},
		{"x", "2026.12.1", false},
	} {
		if got := olderFileVersion(tt.a, tt.b); got != tt.want {
			t.Errorf("olderFileVersion(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestDefault_CurrentHasASixDigitEmailCodePattern(t *testing.T) {
	cur, _ := mustDefault(t).Profile("current")
	ev := cur.Challenges.EmailVerification
	if ev == nil || ev.CodePattern == "" {
		t.Fatal("current challenges.email_verification has no code_pattern")
	}
	if msg := checkCodePattern(ev.CodePattern); msg != "" {
		t.Fatal(msg)
	}
	for text, want := range map[string]string{
		"Your ChatGPT code is 123456":             "123456",
		"Subject: 042917 is your code\n\nHello":   "042917",
		"Enter 123456 to sign in. Ref 2026-12-01": "123456",
		"no code here, only 12345 and 1234567":    "",
	} {
		got := ""
		if m := regexp.MustCompile(ev.CodePattern).FindStringSubmatch(text); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("code in %q = %q, want %q", text, got, want)
		}
	}
}

func TestLoad_RejectsABadCodePatternAtItsKeyPath(t *testing.T) {
	const at = "profiles[0].challenges.email_verification.code_pattern"
	for pattern, msg := range map[string]string{
		`\d{6}`:            "0 capture groups; it needs exactly one",
		`(\d{3})-(\d{3})`:  "2 capture groups",
		`(\d{6}`:           "not a regular expression",
		`(?P<code>\d{6}))`: "not a regular expression",
		`(?<=x)(\d)`:       "not a regular expression",
	} {
		_, data, _, err := loadMutated(t, func(d doc) { set(t, d, at, pattern) })
		wantError(t, err, errSource(err), at, keyLine(t, data, at), msg)
	}
	_, _, f, err := loadMutated(t, func(d doc) { set(t, d, at, `code (?:is )?(\d{6})`) })
	if err != nil || f.Profiles[0].Challenges.EmailVerification.CodePattern != `code (?:is )?(\d{6})` {
		t.Errorf("a pattern with one group and a non-capturing one: %v", err)
	}
}

func TestLoad_CodePatternOnlyInEmailVerification(t *testing.T) {
	for _, at := range []string{"profiles[0].challenges.human_verification.code_pattern", "profiles[0].challenges.push_verification.code_pattern"} {
		_, data, _, err := loadMutated(t, func(d doc) { set(t, d, at, `(\d{6})`) })
		parent, key := parentAndKey(t, at)
		wantError(t, err, errSource(err), parent, keyLine(t, data, at), key)
	}
	// A code pattern alone recognises no page.
	_, _, _, err := loadMutated(t, func(d doc) {
		set(t, d, "profiles[0].challenges.email_verification", map[string]any{"code_pattern": `(\d{6})`})
	})
	if err == nil {
		t.Error("an email_verification of only code_pattern was taken")
	}
}

func TestLoad_MinToolVersionMustBeSemantic(t *testing.T) {
	for _, v := range []string{"1.4.0", "v1.4.0", "0.0.1", "1.4.0-rc.1"} {
		_, _, f, err := loadMutated(t, func(d doc) { d["min_tool_version"] = v })
		if err != nil || f.MinToolVersion != v {
			t.Errorf("min_tool_version %q: %v", v, err)
		}
	}
	for _, v := range []string{"1.4", "latest", "01.4.0", "1.4.0+meta", ""} {
		_, data, _, err := loadMutated(t, func(d doc) { d["min_tool_version"] = v })
		wantError(t, err, errSource(err), "min_tool_version", keyLine(t, data, "min_tool_version"))
	}
}
