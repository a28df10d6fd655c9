package fleet

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

const hostileName = `<script>alert("x")</script><img src=http://evil.example/x onerror=alert(1)>&amp;"'`

// htmlTestReport is a finished report of seven accounts: every outcome,
// one account with a hostile name, error and warning.
func htmlTestReport() *Report {
	start := time.Date(2026, 12, 1, 6, 17, 0, 0, time.UTC)
	res := func(name string, o automation.Outcome, before, after automation.State, kind automation.ErrorKind, msg string) AccountResult {
		return AccountResult{Result: &automation.Result{
			Account: name, Outcome: o, Before: before, After: after, ErrorKind: kind, Error: msg,
			Verified: after == automation.StateOff, DurationMS: 2150, SelectorsVersion: "2026.12.1",
		}, Email: name + "@example.com"}
	}
	rep := &Report{
		Mode:             ModeDisable,
		SelectorsVersion: "2026.12.1", Parallel: 4, StartedAt: start, FinishedAt: start.Add(83 * time.Second),
		Results: []AccountResult{
			res("alice", automation.OutcomeChanged, automation.StateOn, automation.StateOff, "", ""),
			res("bob", automation.OutcomeCompliant, automation.StateOff, automation.StateOff, "", ""),
			res("carol", automation.OutcomeNoncompliant, automation.StateOn, automation.StateOn, "", ""),
			res("dave", automation.OutcomeFailed, automation.StateUnknown, automation.StateUnknown, automation.KindBadCredentials, `the sign-in was refused: check the password & <retry>`),
			res(hostileName, automation.OutcomeChanged, automation.StateOn, automation.StateOff, "", ""),
			res("erin", automation.OutcomeDrift, automation.StateOn, automation.StateUnknown, automation.KindSelectorDrift, `path.switch matched nothing <a href="https://evil.example/">here</a>`),
			res("frank", OutcomeNotRun, automation.StateUnknown, automation.StateUnknown, automation.KindInterrupted, "the run was interrupted before this account started"),
		},
	}
	rep.Results[4].Warnings = []string{`a stale selector <style>body{background:url(https://evil.example/)}</style>`}
	rep.Results[0].Retries = 1
	rep.finish()
	return rep
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	img.Set(1, 1, color.RGBA{R: 0x1f, G: 0x6f, B: 0xeb, A: 0xff})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testProgram is the program a test's reports name.
var testProgram = Program{Tool: "chatgpt-optout", Version: "v1.4.0", Command: "enforce"}

// writeHTMLReport renders the report for prog, keeps it as a test artifact (under
// $CHATGPT_OPTOUT_TEST_ARTIFACTS when set) and parses it.
func writeHTMLReport(t *testing.T, rep *Report, prog Program, opts HTMLOptions) (string, *html.Node) {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteHTML(&b, prog, opts); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("CHATGPT_OPTOUT_TEST_ARTIFACTS"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, t.Name()+".html"), b.Bytes(), 0o644)
	}
	doc, err := html.Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

// find returns the elements below n for which match is true, in document
// order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func elem(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func TestWriteHTML_RowsCountsAndMeta(t *testing.T) {
	rep := htmlTestReport()
	// The program gives the exit code; the report shows it.
	prog := testProgram
	prog.ExitCode, prog.ExitMeaning = 4, "the UI no longer matches the selectors file (drift)"
	_, doc := writeHTMLReport(t, rep, prog, HTMLOptions{})

	rows := find(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "account") })
	if len(rows) != len(rep.Results) {
		t.Fatalf("%d account rows, want %d", len(rows), len(rep.Results))
	}
	for i, row := range rows {
		a := rep.Results[i]
		cells := find(row, elem("td"))
		if len(cells) != 6 {
			t.Fatalf("row %d: %d cells, want 6 (no evidence column without evidence)", i, len(cells))
		}
		if got := text(cells[0]); got != a.Account {
			t.Errorf("row %d: account %q, want %q", i, got, a.Account)
		}
		if got, _ := attr(row, "data-outcome"); got != string(a.Outcome) || strings.TrimSpace(text(cells[1])) != string(a.Outcome) {
			t.Errorf("row %d: outcome %q / %q, want %s", i, got, text(cells[1]), a.Outcome)
		}
		if got := text(cells[3]); !strings.HasPrefix(got, "2.1 s") && !strings.HasPrefix(got, "2.2 s") {
			t.Errorf("row %d: duration %q", i, got)
		}
		if a.Error != "" && !strings.Contains(text(cells[5]), a.Error) {
			t.Errorf("row %d: error cell %q, want the sentence %q", i, text(cells[5]), a.Error)
		}
		if len(a.Warnings) > 0 && text(cells[4]) != a.Warnings[0] {
			t.Errorf("row %d: warnings %q", i, text(cells[4]))
		}
	}
	if got := text(find(rows[0], elem("td"))[2]); got != "on → off (verified)" {
		t.Errorf("alice's setting %q", got)
	}
	if got := text(find(rows[0], elem("td"))[3]); got != "2.1 s (1 retry)" {
		t.Errorf("alice's time %q", got)
	}
	if got := text(find(rows[6], elem("td"))[2]); got != "—" {
		t.Errorf("the account not run: setting %q", got)
	}

	want := map[string]int{"compliant": 1, "changed": 2, "noncompliant": 1, "failed": 1, "drift": 1, "not_run": 1}
	counts := find(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "count") })
	if len(counts) != len(want) {
		t.Fatalf("%d count rows", len(counts))
	}
	for _, c := range counts {
		o, _ := attr(c, "data-outcome")
		if got := text(find(c, elem("td"))[1]); got != strconv.Itoa(want[o]) {
			t.Errorf("count of %s: %q, want %d", o, got, want[o])
		}
	}
	// The bar: one segment per outcome that has accounts, as wide as its
	// share.
	bars := find(doc, func(n *html.Node) bool { return hasClass(n, "bar") })
	if len(bars) != 1 {
		t.Fatalf("%d bars", len(bars))
	}
	segs := find(bars[0], elem("span"))
	if len(segs) != 6 {
		t.Errorf("%d bar segments, want 6", len(segs))
	}
	for _, s := range segs {
		if st, _ := attr(s, "style"); s.Attr[0].Val == "o-changed" && st != "width: 28.57%" {
			t.Errorf("changed segment style %q, want width: 28.57%%", st)
		}
	}

	if v := find(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == "selectors-version" }); len(v) != 1 || text(v[0]) != "2026.12.1" {
		t.Errorf("no selectors version")
	}
	if f := find(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == "finished" }); len(f) != 1 || text(f[0]) != "2026-12-01 06:18:23 UTC" {
		t.Errorf("no finished time")
	}
	if h := find(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == "headline" }); len(h) != 1 || !strings.Contains(text(h[0]), rep.Headline()) || !strings.Contains(text(h[0]), "Exit code 4: the UI no longer matches the selectors file (drift).") {
		t.Errorf("headline %q", text(h[0]))
	}
}

// TestWriteHTML_LoadsNothingAndEscapesEverything: untrusted text (account
// names, errors, warnings) stays text, and nothing in the page can make a
// request.
func TestWriteHTML_LoadsNothingAndEscapesEverything(t *testing.T) {
	rep := htmlTestReport()
	raw, doc := writeHTMLReport(t, rep, testProgram, HTMLOptions{Evidence: map[string][]byte{"alice": tinyPNG(t), hostileName: tinyPNG(t)}})

	for _, tag := range []string{"script", "iframe", "link", "object", "embed", "base", "form", "a"} {
		if n := find(doc, elem(tag)); len(n) > 0 {
			t.Errorf("the page has a <%s> element", tag)
		}
	}
	if n := find(doc, elem("style")); len(n) != 1 {
		t.Errorf("%d <style> elements, want the report's one", len(n))
	}
	imgs := 0
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(a.Key, "on"):
				t.Errorf("<%s %s=%q>: an event handler", n.Data, a.Key, a.Val)
			case a.Key == "src" || a.Key == "href" || a.Key == "srcset" || a.Key == "action" || a.Key == "poster":
				if !strings.HasPrefix(v, "data:image/png;base64,") {
					t.Errorf("<%s %s=%q>: not an embedded image", n.Data, a.Key, a.Val)
				}
				imgs++
			case a.Key == "style" && (strings.Contains(v, "url(") || strings.Contains(v, "@import")):
				t.Errorf("<%s %s=%q>: loads something", n.Data, a.Key, a.Val)
			case a.Key == "content" && strings.Contains(v, "url="):
				t.Errorf("<%s %s=%q>: a refresh to a URL", n.Data, a.Key, a.Val)
			}
		}
	}
	if imgs != 2 {
		t.Errorf("%d images, want 2 (alice's and the hostile account's)", imgs)
	}
	style := text(find(doc, elem("style"))[0])
	if strings.Contains(style, "url(") || strings.Contains(style, "@import") {
		t.Errorf("the style sheet loads something")
	}
	if csp := find(doc, func(n *html.Node) bool { v, _ := attr(n, "http-equiv"); return v == "Content-Security-Policy" }); len(csp) != 1 {
		t.Errorf("no Content-Security-Policy")
	} else if v, _ := attr(csp[0], "content"); !strings.HasPrefix(v, "default-src 'none'") {
		t.Errorf("CSP %q", v)
	}
	for _, bad := range []string{"<script>alert", "<img src=http", `<a href="https://evil`, "<style>body{background", "<retry>"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	rows := find(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "account") })
	if got := text(find(rows[4], elem("td"))[0]); got != hostileName {
		t.Errorf("the hostile name reads %q, want it as text %q", got, hostileName)
	}
	if alt, _ := attr(find(rows[4], elem("img"))[0], "alt"); alt != "the setting of "+hostileName+", verified off" {
		t.Errorf("the hostile account's alt text %q", alt)
	}
}

func TestWriteHTML_EvidenceOnlyForAccountsThatEndedOff(t *testing.T) {
	rep := htmlTestReport()
	shot := tinyPNG(t)
	_, doc := writeHTMLReport(t, rep, testProgram, HTMLOptions{Evidence: map[string][]byte{
		"alice": shot,                           // changed: shown
		"bob":   []byte("GIF89a not a png"),     // compliant, but not a PNG
		"carol": shot,                           // on: never shown
		"dave":  shot,                           // failed: never shown
		"erin":  make([]byte, maxEvidenceBytes), // not off either
	}})
	rows := find(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "account") })
	evidence := func(i int) *html.Node {
		cells := find(rows[i], elem("td"))
		if len(cells) != 7 {
			t.Fatalf("row %d: %d cells, want 7 with the evidence column", i, len(cells))
		}
		return cells[6]
	}
	img := find(evidence(0), elem("img"))
	if len(img) != 1 {
		t.Fatalf("alice: %d images", len(img))
	}
	src, _ := attr(img[0], "src")
	got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	if err != nil || !bytes.Equal(got, shot) {
		t.Errorf("alice's image is not the screenshot given (%v)", err)
	}
	if _, err := png.Decode(bytes.NewReader(got)); err != nil {
		t.Errorf("alice's image: %v", err)
	}
	if n := find(evidence(1), elem("img")); len(n) != 0 || text(evidence(1)) != "screenshot left out: not a PNG" {
		t.Errorf("bob (not a PNG): %q", text(evidence(1)))
	}
	for _, i := range []int{2, 3, 5, 6} {
		if n := find(evidence(i), elem("img")); len(n) != 0 || text(evidence(i)) != "" {
			t.Errorf("row %d (%s): evidence %q shown for a setting not off", i, rep.Results[i].Outcome, text(evidence(i)))
		}
	}
	if text(evidence(4)) != "no screenshot" {
		t.Errorf("an account off without a screenshot: %q", text(evidence(4)))
	}

	big := append(append([]byte{}, pngMagic...), make([]byte, maxEvidenceBytes)...)
	_, doc = writeHTMLReport(t, rep, testProgram, HTMLOptions{Evidence: map[string][]byte{"alice": big}})
	rows = find(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "account") })
	if got := text(evidence(0)); !strings.HasPrefix(got, "screenshot left out: 512 KiB") {
		t.Errorf("an oversized screenshot: %q", got)
	}
}

func TestWriteHTML_EmptyAndCheckReports(t *testing.T) {
	rep := &Report{Mode: ModeCheck, SelectorsVersion: "2026.12.1"}
	rep.finish()
	raw, doc := writeHTMLReport(t, rep, testProgram, HTMLOptions{})
	if rows := find(doc, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "account") }); len(rows) != 0 {
		t.Errorf("%d rows for no account", len(rows))
	}
	if !strings.Contains(raw, "<title>ChatGPT training opt-out (check)</title>") {
		t.Errorf("title of a check run")
	}
	// Without an exit code from the program, the headline has no exit
	// line.
	if h := find(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == "headline" }); len(h) != 1 || !strings.Contains(text(h[0]), rep.Headline()) || strings.Contains(raw, "Exit code") {
		t.Errorf("headline without an exit code: %q", raw)
	}
	if strings.Contains(raw, "NaN") || strings.Contains(raw, "ZgotmplZ") {
		t.Errorf("the page holds a value the template refused:\n%s", raw)
	}
}
