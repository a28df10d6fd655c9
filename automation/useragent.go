package automation

import (
	"context"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A headless Chrome names itself in its User-Agent: HeadlessChrome/<version>
// where the same Chrome with a window says Chrome/<version>, and bot scoring
// takes that token as a signal on its own. Every tab of a run therefore
// tells the site the product string a visible Chrome of the same version
// sends, with that browser's own client hints and the language it runs in.
// Nothing else of the browser is disguised.

// acceptLanguage is what Chrome started with --lang=en-US sends.
const acceptLanguage = "en-US,en;q=0.9"

// uaInfoJS reads the browser's User-Agent and client hints in a tab.
const uaInfoJS = `(async () => {
  const d = navigator.userAgentData;
  let hints = {};
  if (d && d.getHighEntropyValues) {
    try {
      hints = await d.getHighEntropyValues(["architecture", "bitness", "model", "platformVersion", "fullVersionList", "wow64"]);
    } catch (e) {}
  }
  return {
    ua: navigator.userAgent,
    platform: navigator.platform,
    brands: d ? d.brands : [],
    mobile: d ? d.mobile : false,
    uaPlatform: d ? d.platform : "",
    hints,
  };
})()`

type uaInfo struct {
	UA         string     `json:"ua"`
	Platform   string     `json:"platform"`
	Brands     []uaBrand  `json:"brands"`
	Mobile     bool       `json:"mobile"`
	UAPlatform string     `json:"uaPlatform"`
	Hints      uaHintInfo `json:"hints"`
}

type uaBrand struct {
	Brand   string `json:"brand"`
	Version string `json:"version"`
}

type uaHintInfo struct {
	Architecture    string    `json:"architecture"`
	Bitness         string    `json:"bitness"`
	Model           string    `json:"model"`
	PlatformVersion string    `json:"platformVersion"`
	FullVersionList []uaBrand `json:"fullVersionList"`
	Wow64           bool      `json:"wow64"`
}

// plainProduct replaces the headless product token by the one a visible
// Chrome sends.
func plainProduct(s string) string { return strings.ReplaceAll(s, "HeadlessChrome", "Chrome") }

// plainBrand is plainProduct for a client-hint brand: a headless brand is
// the Chromium it is built from.
func plainBrand(b string) string {
	if strings.Contains(b, "HeadlessChrome") {
		return "Chromium"
	}
	return b
}

// overrideFor builds the tab's User-Agent override from what the browser
// said of itself.
func overrideFor(info uaInfo) *emulation.SetUserAgentOverrideParams {
	brands := func(list []uaBrand) []*emulation.UserAgentBrandVersion {
		out := make([]*emulation.UserAgentBrandVersion, 0, len(list))
		for _, b := range list {
			out = append(out, &emulation.UserAgentBrandVersion{Brand: plainBrand(b.Brand), Version: b.Version})
		}
		return out
	}
	p := &emulation.SetUserAgentOverrideParams{
		UserAgent:      plainProduct(info.UA),
		AcceptLanguage: acceptLanguage,
		Platform:       info.Platform,
	}
	if len(info.Brands) > 0 {
		p.UserAgentMetadata = &emulation.UserAgentMetadata{
			Brands:          brands(info.Brands),
			FullVersionList: brands(info.Hints.FullVersionList),
			Platform:        info.UAPlatform,
			PlatformVersion: info.Hints.PlatformVersion,
			Architecture:    info.Hints.Architecture,
			Model:           info.Hints.Model,
			Mobile:          info.Mobile,
			Bitness:         info.Hints.Bitness,
			Wow64:           info.Hints.Wow64,
		}
	}
	return p
}

// userAgents keeps the override of a browser once it is known: the first
// tab asks the browser, the others reuse the answer.
type userAgents struct {
	mu       sync.Mutex
	override *emulation.SetUserAgentOverrideParams
}

// apply sets the tab's User-Agent, client hints and Accept-Language.
func (u *userAgents) apply(tabCtx context.Context) error {
	u.mu.Lock()
	o := u.override
	u.mu.Unlock()
	if o == nil {
		info, err := chromedp.Run(tabCtx, chromedp.Evaluate[uaInfo](uaInfoJS, chromedp.EvalAwaitPromise))
		if err != nil {
			return err
		}
		o = overrideFor(info)
		u.mu.Lock()
		u.override = o
		u.mu.Unlock()
	}
	_, err := chromedp.Call(tabCtx, emulation.SetUserAgentOverride, *o)
	return err
}
