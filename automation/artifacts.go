package automation

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
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
// log of the tab to dir, and returns their paths. ctx must still be alive:
// the caller passes the tab's context, not the one that timed out.
func (s *session) saveArtifacts(ctx context.Context, dir string) []string {
	if dir == "" {
		return nil
	}
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
	return paths
}
