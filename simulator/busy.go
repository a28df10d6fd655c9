package simulator

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/websocket"
)

// BusyCounters count the background traffic of the app pages (a WebSocket,
// an event stream, a long poll, beacons; lib.js drives it), over all
// accounts, for tests: the real page is never network-idle.
type BusyCounters struct {
	WebSockets      int // WebSocket handshakes completed
	WebSocketFrames int // idle frames sent to the pages
	EventStreams    int // text/event-stream responses opened
	Beacons         int // analytics POSTs received (/ces/v1/..., /ces/statsc/flush)
	LongPolls       int // long polls received
	HeldWrites      int // setting PATCH answers held open (Options.HoldWrites)
	Open            int // background and held responses open right now
}

// Busy returns the counts of background traffic so far.
func (s *Server) Busy() BusyCounters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.busy
}

// bgAccountLocked finds the account a background request belongs to: by
// session cookie, Bearer token or WebSocket ticket. s.mu must be held.
func (s *Server) bgAccountLocked(r *http.Request) *account {
	if _, a := s.sessionLocked(r); a != nil {
		return a
	}
	if _, a := s.bearerLocked(r); a != nil {
		return a
	}
	return s.accounts[s.wsTickets[r.URL.Query().Get("ticket")]]
}

// countBackground counts one background request with f, and for its account.
func (s *Server) countBackground(r *http.Request, f func(*BusyCounters)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.busy)
	s.countersLocked(s.bgAccountLocked(r)).BackgroundRequests++
}

// open counts a response as open until the returned func is called.
func (s *Server) open() (closed func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy.Open++
	return func() {
		s.mu.Lock()
		s.busy.Open--
		s.mu.Unlock()
	}
}

// wait sleeps d, or until the request is gone or the server closes; it
// reports whether the whole time passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// hold keeps a response whose status, headers and body are already flushed
// open for d (forever when d <= 0), until the client goes away or the
// server closes. The browser sees the answer but never the end of it.
func (s *Server) hold(w http.ResponseWriter, r *http.Request, d time.Duration) {
	_ = http.NewResponseController(w).Flush()
	defer s.open()()
	if d <= 0 {
		d = math.MaxInt64
	}
	s.wait(r, d)
}

func (s *Server) busyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /backend-api/celsius/ws/user", s.handleWSRegister)
	mux.HandleFunc("POST /backend-api/register-websocket", s.handleWSRegister)
	mux.HandleFunc("GET /celsius/ws/{id}", s.handleWebSocket)
	mux.HandleFunc("GET /backend-api/sentinel/events", s.handleEventStream)
	mux.HandleFunc("GET /backend-api/notifications/poll", s.handleLongPoll)
	for _, p := range []string{"/ces/v1/t", "/ces/v1/p", "/ces/v1/m", "/ces/v1/i", "/ces/v1/rgstr", "/ces/statsc/flush"} {
		mux.HandleFunc("POST "+p, s.handleBeacon)
	}
}

// handleWSRegister answers the app's request for a WebSocket address: a
// ticket URL on the app's own host (the real one is wss:// on another host).
func (s *Server) handleWSRegister(w http.ResponseWriter, r *http.Request) {
	var ticket string
	if !s.withBearer(w, r, func(_ *session, a *account) {
		ticket = randomText(20)
		s.wsTickets[ticket] = strings.ToLower(a.Email)
	}) {
		return
	}
	u := "ws://" + strings.TrimPrefix(s.appURL, "http://") + "/celsius/ws/user-" + randomText(12) + "?ticket=" + ticket
	key := "websocket_url"
	if r.Method == http.MethodPost { // 2023-24
		key = "wss_url"
	}
	writeJSON(w, http.StatusOK, map[string]any{key: u, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
}

// handleWebSocket does the RFC 6455 handshake and then keeps the connection:
// an idle text frame every few seconds, pongs to pings, a close frame
// answered. It ends when the page goes or the server closes.
func (s *Server) handleWebSocket(w http.ResponseWriter, r *http.Request) {
	known := func(*websocket.Config, *http.Request) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.wsTickets[r.URL.Query().Get("ticket")]; !ok {
			return errors.New("unknown ticket")
		}
		return nil
	}
	websocket.Server{Handshake: known, Handler: func(ws *websocket.Conn) {
		s.countBackground(r, func(c *BusyCounters) { c.WebSockets++ })
		defer s.open()()
		gone := make(chan struct{})
		go func() {
			defer close(gone)
			// Reading answers pings; it ends at the client's close frame.
			_, _ = io.Copy(io.Discard, ws)
		}()
		send := func(msg string) bool {
			_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
			return websocket.Message.Send(ws, msg) == nil
		}
		if !send(`{"type":"connection_ack"}`) {
			return
		}
		for n := 1; ; n++ {
			t := time.NewTimer(time.Duration(1500+rand.IntN(2000)) * time.Millisecond)
			select {
			case <-t.C:
				if !send(`{"type":"noop","seq":` + strconv.Itoa(n) + `}`) {
					return
				}
				s.mu.Lock()
				s.busy.WebSocketFrames++
				s.mu.Unlock()
			case <-gone:
				t.Stop()
				_ = ws.Close() // the answer to the close frame
				return
			case <-s.done:
				t.Stop()
				_ = ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
				ws.PayloadType = websocket.CloseFrame
				_, _ = ws.Write([]byte{0x03, 0xe9}) // 1001 going away
				return
			}
		}
	}}.ServeHTTP(w, r)
}

// handleEventStream keeps a text/event-stream open, with a comment line
// every few seconds, until the page goes or the server closes.
func (s *Server) handleEventStream(w http.ResponseWriter, r *http.Request) {
	s.countBackground(r, func(c *BusyCounters) { c.EventStreams++ })
	defer s.open()()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_, _ = io.WriteString(w, "retry: 3000\n: connected\n\n")
	_ = rc.Flush()
	for s.wait(r, time.Duration(2000+rand.IntN(2000))*time.Millisecond) {
		if _, err := io.WriteString(w, ": ping "+strconv.FormatInt(time.Now().Unix(), 10)+"\n\n"); err != nil {
			return
		}
		_ = rc.Flush()
	}
}

const longPollHold = 20 * time.Second

// handleLongPoll holds the request, then answers an empty event list; the
// page asks again at once.
func (s *Server) handleLongPoll(w http.ResponseWriter, r *http.Request) {
	s.countBackground(r, func(c *BusyCounters) { c.LongPolls++ })
	closed := s.open()
	done := s.wait(r, longPollHold)
	closed()
	if !done {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": []any{}, "cursor": randomText(10)})
}

// handleBeacon takes an analytics beacon. The page never reads the answer;
// like a busy collector, about one in three is held open a few seconds
// after the answer was sent.
func (s *Server) handleBeacon(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
	s.countBackground(r, func(c *BusyCounters) { c.Beacons++ })
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
	if rand.IntN(3) == 0 {
		s.hold(w, r, time.Duration(2000+rand.IntN(4000))*time.Millisecond)
	}
}
