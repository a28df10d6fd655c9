package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/chatgpt-optout/chatgpt-optout/state"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ReadState reads the state file of the account with the given email (""
// for any), for Account.State: a missing file is (nil, nil). One that
// cannot be read or decrypted, or saved for another account, is a
// configuration error, pointing at the state key where one would help.
func ReadState(path, key, email string) (*state.Session, error) {
	st, err := state.ReadFile(path, key)
	if err != nil {
		var fix []Setting
		if errors.Is(err, state.ErrKeyNeeded) {
			fix = []Setting{SettingStateKey}
		}
		return nil, &Error{Kind: KindConfig, Msg: err.Error(), Err: err, Fix: fix}
	}
	if st != nil && st.Account != "" && email != "" && !strings.EqualFold(st.Account, email) {
		return nil, configError(nil, "state file %s was saved for another account than %s: give each account its own state file", path, email)
	}
	return st, nil
}

// loadState reads the account's state file before the browser tab opens,
// unless the caller read it already (Account.State).
func (s *session) loadState() error {
	if s.acct.StateFile == "" {
		return nil
	}
	if s.cfg.StateKey == "" && !s.cfg.StatePlaintext {
		return plaintextRefused(s.acct.StateFile)
	}
	if s.acct.State != nil {
		s.state = s.acct.State
		return nil
	}
	st, err := ReadState(s.acct.StateFile, s.cfg.StateKey, s.acct.Email)
	s.state = st
	return err
}

// plaintextRefused is the refusal to keep a session in path unencrypted.
func plaintextRefused(path string) error {
	return configError([]Setting{SettingStateKey, SettingStatePlaintext}, "refusing to write the session to %s unencrypted: it signs in as the account for weeks, so anyone who reads the file is signed in too; set a state key (an age identity from age-keygen, or a passphrase) to encrypt it, or allow plaintext explicitly", path)
}

// applyState puts the loaded session in the browser before the first page
// load: its cookies, and its localStorage by a script that runs before the
// page's own. It returns the script's id ("" when none) for dropStateScript.
func (s *session) applyState(ctx context.Context) (page.ScriptIdentifier, error) {
	if s.state == nil {
		return "", nil
	}
	var cookies []*network.CookieParam
	for _, c := range s.state.Cookies {
		p := &network.CookieParam{
			Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: network.CookieSameSite(c.SameSite),
		}
		if p.Path == "" {
			p.Path = "/"
		}
		if c.Expires > 0 {
			p.Expires = cdp.TimeSinceEpoch(c.Expires)
		}
		if !strings.HasPrefix(c.Domain, ".") {
			// Host-only, as the site set it.
			if u, _ := url.Parse(s.cfg.BaseURL); u != nil && u.Hostname() == c.Domain {
				p.URL = s.url(p.Path)
			} else if c.Secure || strings.HasPrefix(s.cfg.BaseURL, "https:") {
				p.URL = "https://" + c.Domain + p.Path
			} else {
				p.URL = "http://" + c.Domain + p.Path
			}
			p.Domain = ""
		}
		cookies = append(cookies, p)
	}
	if len(cookies) > 0 {
		if _, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
			return "", &Error{Kind: KindBrowser, Msg: "loading the saved session's cookies failed: " + redact(err.Error(), s.secrets()), Err: err}
		}
	}
	items := map[string]map[string]string{}
	for _, o := range s.state.Origins {
		if len(o.LocalStorage) == 0 {
			continue
		}
		m := map[string]string{}
		for _, it := range o.LocalStorage {
			m[it.Name] = it.Value
		}
		items[strings.TrimRight(o.Origin, "/")] = m
	}
	if len(items) == 0 {
		return "", nil
	}
	data, _ := json.Marshal(items)
	src := `(() => { try { const all = ` + string(data) + `; const mine = all[location.origin]; if (!mine) return; for (const [k, v] of Object.entries(mine)) { if (localStorage.getItem(k) === null) localStorage.setItem(k, v); } } catch (e) {} })();`
	res, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
	if err != nil {
		return "", &Error{Kind: KindBrowser, Msg: "loading the saved session's local storage failed: " + err.Error(), Err: err}
	}
	return res.Identifier, nil
}

// dropStateScript removes the script of applyState once the first page has
// loaded: the page owns its storage from then on.
func dropStateScript(ctx context.Context, id page.ScriptIdentifier) {
	if id != "" {
		_, _ = chromedp.Call(ctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: id})
	}
}

// captureState reads the session from the browser: the cookies of the app
// and of every origin the run passed (the login's), and the app origin's
// localStorage.
func (s *session) captureState(ctx context.Context) (*state.Session, error) {
	urls := []string{s.url("/")}
	for o := range s.origins {
		urls = append(urls, o+"/")
	}
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
	if err != nil {
		return nil, s.actionError(ctx, "reading the session's cookies", err)
	}
	st := &state.Session{Account: s.acct.Email, Cookies: []state.Cookie{}, Origins: []state.Origin{}}
	for _, c := range res.Cookies {
		exp := c.Expires
		if c.Session {
			exp = -1
		}
		sameSite := network.CookieSameSiteLax // Playwright's spelling: Strict, Lax or None (Lax when unset)
		if c.SameSite == network.CookieSameSiteStrict || c.SameSite == network.CookieSameSiteNone {
			sameSite = c.SameSite
		}
		st.Cookies = append(st.Cookies, state.Cookie{
			Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path, Expires: exp,
			HTTPOnly: c.HTTPOnly, Secure: c.Secure, SameSite: string(sameSite),
		})
	}
	js := `(() => location.origin + "\n" + JSON.stringify(Object.keys(localStorage).map((k) => ({name: k, value: localStorage.getItem(k)}))))()`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err == nil {
		origin, list, _ := strings.Cut(out, "\n")
		var items []state.Item
		if json.Unmarshal([]byte(list), &items) == nil && strings.TrimRight(s.cfg.BaseURL, "/") == origin {
			st.Origins = append(st.Origins, state.Origin{Origin: origin, LocalStorage: append([]state.Item{}, items...)})
		}
	}
	return st, nil
}

// saveState writes the signed-in session to path.
func (s *session) saveState(ctx context.Context, path string) error {
	st, err := s.captureState(ctx)
	if err != nil {
		return err
	}
	if s.cfg.StateKey == "" && !s.cfg.StatePlaintext {
		return plaintextRefused(path)
	}
	if err := state.WriteFile(path, st, s.cfg.StateKey, s.cfg.StatePlaintext); err != nil {
		return &Error{Kind: KindBrowser, Msg: fmt.Sprint(err), Err: err}
	}
	s.log.Info("saved the session state", "file", path, "encrypted", s.cfg.StateKey != "")
	return nil
}

// secrets are the values a run must never write anywhere: the account's
// and its saved session's.
func (s *session) secrets() []string {
	return append(s.acct.secrets(), s.state.Secrets()...)
}
