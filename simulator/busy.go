package simulator

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The background traffic of a signed-in page (see Options.Quiet): the real
// page is never network-idle. It keeps a WebSocket open (2026:
// GET /backend-api/celsius/ws/user → websocket_url; 2023-24:
// POST /backend-api/register-websocket → wss_url), an event stream, a long
// poll, and posts analytics beacons every second or two whose answers it
// never reads. The handlers below serve all of that; the page scripts
// (lib.js, Sim.busy) drive it.

// BusyCounters count the background traffic of the app pages, over all
// accounts, for tests (Server.Busy).
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
	if t := r.URL.Query().Get("ticket"); t != "" {
		if email, ok := s.wsTickets[t]; ok {
			return s.accounts[email]
		}
	}
	return nil
}

// countBackground counts one background request with f, and for its account.
func (s *Server) countBackground(r *http.Request, f func(*BusyCounters)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.busy)
	if a := s.bgAccountLocked(r); a != nil {
		a.counters.BackgroundRequests++
	} else {
		s.unattributed.BackgroundRequests++
	}
}

func (s *Server) openChange(d int) {
	s.mu.Lock()
	s.busy.Open += d
	s.mu.Unlock()
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
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	s.openChange(1)
	defer s.openChange(-1)
	if d > 0 {
		s.wait(r, d)
		return
	}
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
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
	s.mu.Lock()
	_, a := s.bearerLocked(r)
	ticket := ""
	if a != nil {
		ticket = randomText(20)
		s.wsTickets[ticket] = strings.ToLower(a.Email)
	}
	s.mu.Unlock()
	if a == nil {
		unauthorized(w, r)
		return
	}
	u := "ws://" + strings.TrimPrefix(s.appURL, "http://") + "/celsius/ws/user-" + randomText(12) + "?ticket=" + ticket
	if r.Method == http.MethodPost { // 2023-24
		writeJSON(w, http.StatusOK, map[string]any{"wss_url": u, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"websocket_url": u, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
}

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// handleWebSocket does the RFC 6455 handshake and then keeps the connection:
// an idle text frame every few seconds, pongs to pings, a close frame
// answered. It ends when the page goes or the server closes.
func (s *Server) handleWebSocket(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || !headerHasToken(r.Header.Get("Connection"), "upgrade") || key == "" {
		http.Error(w, "expected a WebSocket handshake", http.StatusBadRequest)
		return
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "unsupported WebSocket version", http.StatusUpgradeRequired)
		return
	}
	s.mu.Lock()
	_, known := s.wsTickets[r.URL.Query().Get("ticket")]
	s.mu.Unlock()
	if !known {
		http.Error(w, "unknown ticket", http.StatusForbidden)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
	if err := brw.Flush(); err != nil {
		_ = conn.Close()
		return
	}
	s.countBackground(r, func(c *BusyCounters) { c.WebSockets++ })
	s.openChange(1)
	defer s.openChange(-1)

	gone := make(chan struct{})
	out := make(chan []byte, 4) // frames the reader wants sent (pong, close)
	go func() {
		defer close(gone)
		wsRead(brw.Reader, out)
	}()
	defer func() { _ = conn.Close() }()
	write := func(frame []byte) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		_, err := conn.Write(frame)
		return err == nil
	}
	if !write(wsFrame(0x1, []byte(`{"type":"connection_ack"}`))) {
		return
	}
	n := 0
	for {
		t := time.NewTimer(time.Duration(1500+rand.IntN(2000)) * time.Millisecond)
		select {
		case <-t.C:
			n++
			if !write(wsFrame(0x1, []byte(`{"type":"noop","seq":`+strconv.Itoa(n)+`}`))) {
				return
			}
			s.mu.Lock()
			s.busy.WebSocketFrames++
			s.mu.Unlock()
		case f := <-out:
			t.Stop()
			if !write(f) || f[0]&0x0f == 0x8 {
				return
			}
		case <-gone:
			t.Stop()
			for {
				select {
				case f := <-out: // the answer to a close frame
					write(f)
				default:
					return
				}
			}
		case <-s.done:
			t.Stop()
			write(wsFrame(0x8, []byte{0x03, 0xe9})) // 1001 going away
			return
		}
	}
}

// wsRead reads the client's frames until the connection ends or a close
// frame arrives, queueing pongs and the closing answer on out.
func wsRead(r *bufio.Reader, out chan<- []byte) {
	for {
		op, payload, err := wsReadFrame(r)
		if err != nil {
			return
		}
		switch op {
		case 0x8:
			body := payload
			if len(body) > 2 {
				body = body[:2]
			}
			out <- wsFrame(0x8, body)
			return
		case 0x9:
			out <- wsFrame(0xA, payload)
		}
	}
}

// wsReadFrame reads one (masked, client-to-server) frame.
func wsReadFrame(r *bufio.Reader) (byte, []byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	op := hdr[0] & 0x0f
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<20 {
		return 0, nil, errors.New("websocket frame too large")
	}
	var mask [4]byte
	masked := hdr[1]&0x80 != 0
	if masked {
		if _, err := io.ReadFull(r, mask[:]); err != nil {
			return 0, nil, err
		}
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	return op, payload, nil
}

// wsFrame builds one unmasked (server-to-client) final frame.
func wsFrame(op byte, payload []byte) []byte {
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

func headerHasToken(v, token string) bool {
	for _, p := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(p), token) {
			return true
		}
	}
	return false
}

// handleEventStream keeps a text/event-stream open, with a comment line
// every few seconds, until the page goes or the server closes.
func (s *Server) handleEventStream(w http.ResponseWriter, r *http.Request) {
	s.countBackground(r, func(c *BusyCounters) { c.EventStreams++ })
	s.openChange(1)
	defer s.openChange(-1)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	_, _ = io.WriteString(w, "retry: 3000\n: connected\n\n")
	if fl != nil {
		fl.Flush()
	}
	for s.wait(r, time.Duration(2000+rand.IntN(2000))*time.Millisecond) {
		if _, err := io.WriteString(w, ": ping "+strconv.FormatInt(time.Now().Unix(), 10)+"\n\n"); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
}

// longPollHold is how long a long poll is held before it is answered.
const longPollHold = 20 * time.Second

// handleLongPoll holds the request 20 s, then answers an empty event list;
// the page asks again at once.
func (s *Server) handleLongPoll(w http.ResponseWriter, r *http.Request) {
	s.countBackground(r, func(c *BusyCounters) { c.LongPolls++ })
	s.openChange(1)
	done := s.wait(r, longPollHold)
	s.openChange(-1)
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
