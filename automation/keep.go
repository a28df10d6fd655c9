package automation

import (
	"context"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// keptSessionFor is the lifetime given to a session-only cookie kept in a
// profile folder: the site's sessions last about 90 days, and a month keeps
// a scheduled run signed in without outliving them by much.
const keptSessionFor = 30 * 24 * time.Hour

// keepSession makes the signed-in session survive Chrome's exit in a kept
// profile: Chrome drops session-only cookies when it closes, so each of the
// app's is set again with an expiry. A session token the site rejected (the
// run had to sign in after setting it) is deleted instead.
func (s *session) keepSession(ctx context.Context) error {
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.url("/")}})
	if err != nil {
		return s.actionError(ctx, "reading the session cookies", err)
	}
	rejected := s.acct.SessionToken != "" && s.entered > 0
	expires := cdp.TimeSinceEpoch(time.Now().Add(keptSessionFor).Unix())
	for _, c := range res.Cookies {
		if rejected && len(c.Value) >= 16 && strings.Contains(s.acct.SessionToken, c.Value) {
			_, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: c.Name, URL: s.url("/"), Path: c.Path})
			if err != nil {
				return s.actionError(ctx, "deleting a rejected session token", err)
			}
			continue
		}
		if !c.Session {
			continue
		}
		p := network.SetCookieParams{
			Name: c.Name, Value: c.Value, Path: c.Path, Secure: &c.Secure, HTTPOnly: &c.HTTPOnly,
			SameSite: c.SameSite, Expires: expires,
		}
		if strings.HasPrefix(c.Domain, ".") {
			p.Domain = c.Domain
		} else {
			p.URL = s.url("/") // host-only, as the site set it
		}
		if _, err := chromedp.Call(ctx, network.SetCookie, p); err != nil {
			return &Error{Kind: KindBrowser, Msg: "keeping the session cookie " + c.Name + " in the profile failed: " + redact(err.Error(), s.acct.secrets()), Err: err}
		}
		s.log.Debug("kept a session-only cookie in the profile", "cookie", c.Name)
	}
	return nil
}
