package automation

import (
	"context"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A headless Chrome says HeadlessChrome/<version> in its User-Agent, a
// token bot scoring takes as a signal on its own. Every tab of a run sends
// what a visible Chrome of the same version sends, with its own client
// hints and language; nothing else of the browser is disguised.

// acceptLanguage is what Chrome started with --lang=en-US sends.
const acceptLanguage = "en-US,en;q=0.9"

// uaInfoJS reads the browser's User-Agent and client hints in a tab, the
// hints as emulation.UserAgentMetadata.
const uaInfoJS = `(async () => {
  const d = navigator.userAgentData;
  let h = {};
  if (d && d.getHighEntropyValues) {
    try {
      h = await d.getHighEntropyValues(["architecture", "bitness", "model", "platformVersion", "fullVersionList", "wow64"]);
    } catch (e) {}
  }
  return {
    ua: navigator.userAgent,
    platform: navigator.platform,
    meta: d ? {
      brands: d.brands, mobile: d.mobile, platform: d.platform, fullVersionList: h.fullVersionList || [],
      platformVersion: h.platformVersion || "", architecture: h.architecture || "", model: h.model || "",
      bitness: h.bitness || "", wow64: !!h.wow64,
    } : {},
  };
})()`

type uaInfo struct {
	UA       string                      `json:"ua"`
	Platform string                      `json:"platform"`
	Meta     emulation.UserAgentMetadata `json:"meta"`
}

// plainBrands are client-hint brands with a headless brand named as the
// Chromium it is built from.
func plainBrands(list []*emulation.UserAgentBrandVersion) []*emulation.UserAgentBrandVersion {
	out := make([]*emulation.UserAgentBrandVersion, len(list))
	for i, b := range list {
		out[i] = &emulation.UserAgentBrandVersion{Brand: b.Brand, Version: b.Version}
		if strings.Contains(b.Brand, "HeadlessChrome") {
			out[i].Brand = "Chromium"
		}
	}
	return out
}

// overrideFor builds the tab's User-Agent override from what the browser
// said of itself.
func overrideFor(info uaInfo) *emulation.SetUserAgentOverrideParams {
	p := &emulation.SetUserAgentOverrideParams{
		UserAgent:      strings.ReplaceAll(info.UA, "HeadlessChrome", "Chrome"),
		AcceptLanguage: acceptLanguage,
		Platform:       info.Platform,
	}
	if m := info.Meta; len(m.Brands) > 0 {
		m.Brands, m.FullVersionList = plainBrands(m.Brands), plainBrands(m.FullVersionList)
		p.UserAgentMetadata = &m
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
