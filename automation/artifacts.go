package automation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// maskedHTMLJS serialises the page with every password field's value, and
// every field whose value is long enough to be a secret, blanked.
const maskedHTMLJS = `(() => {
  const doc = document.documentElement.cloneNode(true);
  const live = document.querySelectorAll("input, textarea");
  const copies = doc.querySelectorAll("input, textarea");
  copies.forEach((el, i) => {
    const src = live[i];
    const secret = (el.type || "").toLowerCase() === "password" || el.autocomplete === "one-time-code";
    if (secret) { el.setAttribute("value", "********"); return; }
    if (src && src.value) el.setAttribute("value", src.value);
  });
  return "<!doctype html>\n" + doc.outerHTML;
})()`

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// saveArtifacts writes a screenshot, the masked page HTML and the console
// log of the tab to the artifacts folder, and returns their paths. ctx must
// still be alive: the caller passes the tab's context, not the one that
// timed out.
func (s *session) saveArtifacts(ctx context.Context, runErr error) []string {
	dir := s.cfg.ArtifactsDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		s.log.Error("cannot create the artifacts folder", "dir", dir, "err", err)
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	base := filepath.Join(dir, unsafeName.ReplaceAllString(s.acct.Label(), "_")+"-"+time.Now().UTC().Format("20060102T150405Z"))
	secrets := s.acct.secrets()
	var paths []string
	write := func(name string, data []byte) {
		p := base + "-" + name
		if err := os.WriteFile(p, data, 0o600); err != nil {
			s.log.Error("cannot write an artifact", "path", p, "err", err)
			return
		}
		paths = append(paths, p)
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		write("screenshot.png", png)
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](maskedHTMLJS)); err == nil {
		write("page.html", []byte(redact(html, secrets)))
	}
	write("console.log", []byte(redact(s.console.String(), secrets)+"\n"))
	var lost *DriftError
	if errors.As(runErr, &lost) && lost.el != nil {
		// Drift evidence: the page as assistive technology sees it, and the
		// elements that look like the lost one. Suggestions only.
		if tree, nodes, err := axSnapshot(ctx); err == nil {
			write("axtree.txt", []byte(redact(tree, secrets)))
			label := ""
			if s.profile != nil {
				label = s.profile.Setting.Label
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%s could not be used as selectors file %s describes it.\nCandidates in the file:\n", lost.Element, s.where())
			for _, c := range lost.el.Candidates {
				fmt.Fprintf(&b, "  - %s\n", c)
			}
			b.WriteString("Elements on the page that resemble it (suggestions for the next file version; never used automatically):\n")
			list := lookalikes(lost.el, label, nodes)
			if len(list) == 0 {
				b.WriteString("  (none found)\n")
			}
			for _, l := range list {
				fmt.Fprintf(&b, "  - %s\n", l)
			}
			write("suggestions.txt", []byte(redact(b.String(), secrets)))
		}
	}
	return paths
}
