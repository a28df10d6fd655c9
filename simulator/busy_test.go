package simulator

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// authed sends a request with the session's Bearer token.
func authed(t *testing.T, method, u, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// wsGUID is the GUID of the WebSocket handshake (RFC 6455).
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// readWSFrame reads one unmasked server frame (short payloads only).
func readWSFrame(t *testing.T, r *bufio.Reader) (byte, string) {
	t.Helper()
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		t.Fatalf("frame: %v", err)
	}
	if hdr[1]&0x80 != 0 || hdr[1]&0x7f >= 126 {
		t.Fatalf("unexpected frame header %x", hdr)
	}
	p := make([]byte, hdr[1]&0x7f)
	if _, err := io.ReadFull(r, p); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return hdr[0] & 0x0f, string(p)
}

func TestBusyBackend(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	tok := b.token(s)

	// The 2026 registration: GET → websocket_url; the 2023-24 one: POST → wss_url.
	resp := authed(t, "GET", s.AppURL()+"/backend-api/celsius/ws/user", tok)
	var reg map[string]string
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	wsURL := reg["websocket_url"]
	if !strings.HasPrefix(wsURL, "ws://localhost:") || !strings.Contains(wsURL, "/celsius/ws/user-") {
		t.Fatalf("websocket_url %q", wsURL)
	}
	resp = authed(t, "POST", s.AppURL()+"/backend-api/register-websocket", tok)
	reg = nil
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if !strings.HasPrefix(reg["wss_url"], "ws://") {
		t.Errorf("wss_url %v", reg)
	}
	if code, _ := backend(t, "GET", s.AppURL()+"/backend-api/celsius/ws/user", ""); code != 401 {
		t.Errorf("registration without a token: %d", code)
	}

	// The WebSocket: handshake, an ack, an idle frame, a close answered.
	u, _ := url.Parse(wsURL)
	conn, err := net.Dial("tcp", strings.Replace(u.Host, "localhost", "127.0.0.1", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(8 * time.Second))
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	io.WriteString(conn, "GET "+u.RequestURI()+" HTTP/1.1\r\nHost: "+u.Host+"\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: "+key+"\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	hs, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	if hs.StatusCode != 101 || hs.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("handshake %d %v", hs.StatusCode, hs.Header)
	}
	if op, p := readWSFrame(t, br); op != 1 || !strings.Contains(p, "connection_ack") {
		t.Fatalf("first frame %d %q", op, p)
	}
	if op, p := readWSFrame(t, br); op != 1 || !strings.Contains(p, "noop") {
		t.Fatalf("idle frame %d %q", op, p)
	}
	// A masked close frame with code 1000.
	conn.Write([]byte{0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2})
	for {
		op, _ := readWSFrame(t, br)
		if op == 8 {
			break
		}
	}
	if c := s.Busy(); c.WebSockets != 1 || c.WebSocketFrames < 1 {
		t.Errorf("busy %+v", c)
	}

	// The event stream stays open with comment lines.
	req, _ := http.NewRequest("GET", s.AppURL()+"/backend-api/sentinel/events", nil)
	ctx, cancel := context.WithCancel(context.Background())
	resp, err = http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}
	sr := bufio.NewReader(resp.Body)
	for _, want := range []string{"retry: 3000", ": connected", "", ": ping"} {
		line, err := sr.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, want) {
			t.Fatalf("stream line %q (%v), want %q", line, err, want)
		}
	}
	cancel()
	resp.Body.Close()

	// Beacons answer 200 at once; a held one still has its body out.
	for range 6 {
		resp, err := http.Post(s.AppURL()+"/ces/v1/t", "text/plain", strings.NewReader(`{"batch":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(resp.Body).ReadString('\n')
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(line, `"success":true`) {
			t.Fatalf("beacon %d %q", resp.StatusCode, line)
		}
	}
	c := s.Busy()
	if c.Beacons != 6 || c.EventStreams != 1 {
		t.Errorf("busy %+v", c)
	}
	if got := s.Counters("alice@example.com").BackgroundRequests; got != 1 {
		t.Errorf("alice's background requests %d, want the WebSocket only (the rest carried no credentials)", got)
	}
	if got := s.Counters("").BackgroundRequests; got != 8 {
		t.Errorf("all background requests %d", got)
	}

	// The page is told whether to be busy.
	_, body := b.get(s.AppURL() + "/")
	if bootOf(t, body).Quiet {
		t.Error("busy by default")
	}
	q := start(t, Options{Quiet: true})
	_, body = newBrowser(t).get(q.AppURL() + "/")
	if !bootOf(t, body).Quiet {
		t.Error("Quiet not passed to the page")
	}
}

func TestLongPollHeld(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a 20 s long poll")
	}
	s := start(t, Options{})
	t0 := time.Now()
	resp, err := http.Get(s.AppURL() + "/backend-api/notifications/poll")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	if d := time.Since(t0); d < longPollHold || resp.StatusCode != 200 {
		t.Errorf("long poll answered %d after %v", resp.StatusCode, d)
	}
}

func TestHoldWrites(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{HoldWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok, _ := s.NewSession("alice@example.com")
	b := newBrowser(t)
	au, _ := url.Parse(s.AppURL())
	b.c.Jar.SetCookies(au, []*http.Cookie{{Name: SessionCookie, Value: tok, Path: "/"}})
	access := b.token(s)
	_, body := b.get(s.AppURL() + "/")
	if !bootOf(t, body).HoldWrites {
		t.Error("HoldWrites not passed to the page")
	}

	resp := authed(t, "PATCH", s.AppURL()+"/backend-api/settings/account_user_setting?feature=training_allowed&value=false", access)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// The body is all there...
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != `{"training_allowed":false}` {
		t.Fatalf("body %q %v", line, err)
	}
	if on, _ := s.TrainingAllowed("alice@example.com"); on {
		t.Error("the write was not applied")
	}
	// ...but the response never ends.
	ended := make(chan error, 1)
	go func() { _, err := br.ReadByte(); ended <- err }()
	select {
	case err := <-ended:
		t.Fatalf("the held answer ended: %v", err)
	case <-time.After(700 * time.Millisecond):
	}
	if c := s.Busy(); c.HeldWrites != 1 || c.Open < 1 {
		t.Errorf("busy %+v", c)
	}
	// Closing the server ends it.
	s.Close()
	select {
	case <-ended:
	case <-time.After(3 * time.Second):
		t.Fatal("the held answer survived Close")
	}
	resp.Body.Close()

	// A failed write is not held.
	s2 := start(t, Options{HoldWrites: true})
	tok2, _ := s2.NewSession("bob@example.com")
	b2 := newBrowser(t)
	au2, _ := url.Parse(s2.AppURL())
	b2.c.Jar.SetCookies(au2, []*http.Cookie{{Name: SessionCookie, Value: tok2, Path: "/"}})
	s2.FailPatches("bob@example.com", 1)
	done := make(chan int, 1)
	go func() {
		code, _ := backend(t, "PATCH", s2.AppURL()+"/backend-api/settings/account_user_setting?feature=training_allowed&value=false", b2.token(s2))
		done <- code
	}()
	select {
	case code := <-done:
		if code != 500 {
			t.Errorf("failed write %d", code)
		}
	case <-time.After(3 * time.Second):
		t.Error("a failed write was held")
	}
}

func TestSessionCookieLifetime(t *testing.T) {
	t.Parallel()
	setCookie := func(opts Options) *http.Cookie {
		t.Helper()
		s := start(t, opts)
		b := newBrowser(t)
		b.c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if strings.Contains(req.URL.Path, "/api/auth/callback/") {
				return http.ErrUseLastResponse
			}
			return nil
		}
		resp, _ := loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r2, err := noFollow.Get(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		for _, c := range r2.Cookies() {
			if c.Name == SessionCookie {
				if !strings.Contains(r2.Header.Get("Set-Cookie"), "HttpOnly") {
					t.Error("not HttpOnly")
				}
				return c
			}
		}
		t.Fatal("no session cookie")
		return nil
	}
	c := setCookie(Options{})
	if c.MaxAge != sessionCookieDays*24*3600 || time.Until(c.Expires) < 89*24*time.Hour {
		t.Errorf("default cookie Max-Age %d, Expires %v: want about 90 days", c.MaxAge, c.Expires)
	}
	c = setCookie(Options{SessionOnlyCookie: true})
	if c.MaxAge != 0 || !c.Expires.IsZero() || strings.Contains(c.Raw, "Expires") || strings.Contains(c.Raw, "Max-Age") {
		t.Errorf("session-only cookie %q", c.Raw)
	}
}

// netLog records the page's requests as the DevTools protocol reports them.
type netLog struct {
	mu       sync.Mutex
	urls     map[network.RequestID]string
	kinds    map[network.RequestID]network.ResourceType
	answered map[network.RequestID]bool
	finished map[network.RequestID]bool
	sockets  int
	frames   int
}

func listenNet(t *testing.T, ctx context.Context) *netLog {
	t.Helper()
	l := &netLog{urls: map[network.RequestID]string{}, kinds: map[network.RequestID]network.ResourceType{},
		answered: map[network.RequestID]bool{}, finished: map[network.RequestID]bool{}}
	err := chromedp.Listen(ctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			l.urls[e.RequestID] = e.Request.Method + " " + e.Request.URL
			l.kinds[e.RequestID] = e.Type
		case *network.EventResponseReceived:
			l.answered[e.RequestID] = true
		case *network.EventLoadingFinished:
			l.finished[e.RequestID] = true
		case *network.EventLoadingFailed:
			l.finished[e.RequestID] = true
		case *network.EventWebSocketHandshakeResponseReceived:
			l.sockets++
		case *network.EventWebSocketFrameReceived:
			l.frames++
		}
	})
	must(t, "listen", err)
	return l
}

// matching counts requests whose "METHOD URL" contains part; unfinished
// counts those answered but never finished.
func (l *netLog) matching(part string) (n, unfinished int, kinds []network.ResourceType) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, u := range l.urls {
		if strings.Contains(u, part) {
			n++
			kinds = append(kinds, l.kinds[id])
			if l.answered[id] && !l.finished[id] {
				unfinished++
			}
		}
	}
	return
}

// signInWithCookie gives the browser a session of email, as the
// session-token path does.
func signInWithCookie(t *testing.T, ctx context.Context, s *Server, email string) {
	t.Helper()
	tok, err := s.NewSession(email)
	must(t, "session", err)
	_, err = chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
		Name: SessionCookie, Value: tok, URL: s.AppURL() + "/", Path: "/",
		Secure: new(true), HTTPOnly: new(true), SameSite: network.CookieSameSiteLax,
	})
	must(t, "cookie", err)
}

// TestChromiumBusy shows the signed-in pages of both eras never going
// network-idle nor DOM-still by default, and going quiet with Quiet.
func TestChromiumBusy(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 90*time.Second)
	for _, ui := range []UI{UICurrent, UI2023} {
		t.Run(string(ui), func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(root) // a new tab
			defer cancel()
			nl := listenNet(t, ctx)
			s := start(t, Options{UI: ui})
			signInWithCookie(t, ctx, s, "alice@example.com")
			must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate(s.AppURL()+"/")))
			waitJS(t, ctx, "the composer", `!!document.querySelector('.composer-suggestion')`)
			first := eval[string](t, ctx, `document.querySelector('.composer-suggestion').textContent`)
			texts := map[string]bool{first: true}
			for range 8 {
				must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond)))
				texts[eval[string](t, ctx, `document.querySelector('.composer-suggestion').textContent`)] = true
			}
			if len(texts) < 3 {
				t.Errorf("rotating text showed %d texts in 4 s", len(texts))
			}
			liveRegions(t, ctx)
			c := s.Busy()
			if c.WebSockets < 1 || c.EventStreams < 1 || c.LongPolls < 1 || c.Beacons < 2 || c.Open < 3 {
				t.Errorf("busy %+v", c)
			}
			if s.Counters("alice@example.com").BackgroundRequests < 4 {
				t.Errorf("counters %+v", s.Counters("alice@example.com"))
			}
			// What a request tracker sees: an event stream and a long poll
			// never finished, a WebSocket with frames, beacons.
			if n, open, kinds := nl.matching("/backend-api/sentinel/events"); n < 1 || open < 1 || kinds[0] != network.ResourceTypeEventSource {
				t.Errorf("event stream: %d requests, %d open, kinds %v", n, open, kinds)
			}
			if n, _, _ := nl.matching("/backend-api/notifications/poll"); n < 1 {
				t.Error("no long poll")
			}
			if n, _, _ := nl.matching("POST " + s.AppURL() + "/ces/"); n < 2 {
				t.Errorf("beacons seen: %d", n)
			}
			nl.mu.Lock()
			sockets, frames := nl.sockets, nl.frames
			nl.mu.Unlock()
			if sockets < 1 || frames < 2 {
				t.Errorf("websockets %d, frames %d", sockets, frames)
			}

			// Quiet: none of it, and the text stands still.
			q := start(t, Options{UI: ui, Quiet: true})
			signInWithCookie(t, ctx, q, "alice@example.com")
			must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate(q.AppURL()+"/")))
			waitJS(t, ctx, "the composer", `!!document.querySelector('.composer-suggestion')`)
			first = eval[string](t, ctx, `document.querySelector('.composer-suggestion').textContent`)
			must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(3500*time.Millisecond)))
			if got := eval[string](t, ctx, `document.querySelector('.composer-suggestion').textContent`); got != first {
				t.Errorf("quiet text changed: %q → %q", first, got)
			}
			if c := q.Busy(); c != (BusyCounters{}) {
				t.Errorf("quiet busy %+v", c)
			}
			liveRegions(t, ctx)
		})
	}
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}

// liveRegions checks the two empty live regions.
func liveRegions(t *testing.T, ctx context.Context) {
	t.Helper()
	if n := eval[int](t, ctx, `document.querySelectorAll('#aria-notify-live-region-assertive[role=alert]:empty, #aria-notify-live-region-polite[role=status]:empty').length`); n != 2 {
		t.Errorf("empty live regions: %d", n)
	}
}

// TestChromiumHoldWrites: with HoldWrites the switch flips on the write's
// status while the request never finishes, in both eras; the 2023 page
// has no deep link; and a session-only cookie is a session cookie to
// Chrome.
func TestChromiumHoldWrites(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 60*time.Second)
	const email, password = "alice@example.com", "alice-password-1"

	t.Run("current", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(root)
		defer cancel()
		nl := listenNet(t, ctx)
		s := start(t, Options{HoldWrites: true, SessionOnlyCookie: true, ToggleDelay: 50 * time.Millisecond})
		must(t, "login", chromedp.Do(ctx,
			chromedp.Navigate(s.AppURL()+"/"),
			chromedp.Click(chromedp.CSS(`[data-testid="login-button"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
			chromedp.Click(chromedp.CSS(`button[type="submit"][name="intent"][value="email"]:not([aria-disabled])`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="current-password"]`), password),
			chromedp.Click(chromedp.CSS(`button[type="submit"]:not([aria-disabled])`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="accounts-profile-button"]`)),
		))
		cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.AppURL() + "/"}})
		must(t, "cookies", err)
		found := false
		for _, c := range cookies.Cookies {
			if c.Name == SessionCookie {
				found = true
				if !c.Session {
					t.Errorf("session-only cookie is persistent to Chrome: expires %v", c.Expires)
				}
			}
		}
		if !found {
			t.Error("no session cookie")
		}
		must(t, "to the switch", chromedp.Do(ctx,
			chromedp.Navigate(s.AppURL()+"/#settings/DataControls"),
			chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="improve-model-toggle"]`)),
		))
		waitJS(t, ctx, "switch off", `document.querySelector('[data-testid="improve-model-toggle"]').getAttribute('aria-checked') === 'false'`)
		if on, _ := s.TrainingAllowed(email); on {
			t.Error("server still on")
		}
		must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(time.Second)))
		if n, open, _ := nl.matching("PATCH "); n != 1 || open != 1 {
			t.Errorf("PATCHes %d, answered and unfinished %d", n, open)
		}
	})

	t.Run("2023", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(root)
		defer cancel()
		nl := listenNet(t, ctx)
		s := start(t, Options{UI: UI2023, HoldWrites: true, ToggleDelay: 50 * time.Millisecond})
		signInWithCookie(t, ctx, s, email)
		// No deep link: neither on load nor on hashchange.
		must(t, "deep link", chromedp.Do(ctx,
			chromedp.Navigate(s.AppURL()+"/#settings/DataControls"),
			chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`)),
			chromedp.Sleep(600*time.Millisecond),
			chromedp.Evaluate[chromedp.Void](`location.hash = "#settings/General"`),
			chromedp.Sleep(400*time.Millisecond),
		))
		if n := eval[int](t, ctx, `document.querySelectorAll('[role="dialog"]').length`); n != 0 {
			t.Fatalf("the 2023 page opened %d dialogs from #settings/...", n)
		}
		must(t, "menu", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`)),
			chromedp.Click(chromedp.CSS(`div[id^="headlessui-menu-items-"] a[role="menuitem"]:nth-of-type(3)`)),
			chromedp.Click(chromedp.CSS(`[role="dialog"] button[role="tab"][id$="-trigger-DataControls"]`)),
			chromedp.Click(chromedp.CSS(`button[role="switch"][aria-label="Chat history & training"]`)),
		))
		waitJS(t, ctx, "switch off", `document.querySelector('button[role="switch"][aria-label="Chat history & training"]').getAttribute('aria-checked') === 'false'`)
		if on, _ := s.TrainingAllowed(email); on {
			t.Error("server still on")
		}
		must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(time.Second)))
		if n, open, _ := nl.matching("PATCH "); n != 1 || open != 1 {
			t.Errorf("PATCHes %d, answered and unfinished %d", n, open)
		}
		if c := s.Busy(); c.HeldWrites != 1 {
			t.Errorf("busy %+v", c)
		}
	})
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}
