package automation

import (
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
)

// longLived is the age after which a request in flight no longer counts as
// page activity: a long poll, a stream or a response body nobody reads
// never reports finished, and the real page always has some.
const longLived = 3 * time.Second

// netTracker follows the requests of one tab, as a hint of whether the page
// is still loading, never a gate: kinds that stay open are not counted, a
// request counts for longLived at most, and a navigation forgets them all.
type netTracker struct {
	mu       sync.Mutex
	inflight map[network.RequestID]time.Time // counted requests by start
	last     time.Time                       // last start or end of a counted request
	writes   map[network.RequestID]time.Time // requests that may change data (not GET, HEAD, OPTIONS), by start
}

func newNetTracker() *netTracker {
	return &netTracker{inflight: map[network.RequestID]time.Time{}, writes: map[network.RequestID]time.Time{}, last: time.Now()}
}

// writeCap is how long a write in flight is waited for: a save the site
// takes longer over is taken as lost (the run's deadline bounds it too).
// The page's own traffic has writes that never end (analytics nobody
// reads the answer of), so this bounds what one of them can hold up.
const writeCap = 15 * time.Second

// writeStart is how soon after a click the save it sets off starts: a
// later write is the page's own traffic, not the click's.
const writeStart = time.Second

// uncounted are the request kinds that stay open or are never answered to
// anyone waiting: event streams, WebSockets, beacons, CORS preflights and
// reports.
var uncounted = map[network.ResourceType]bool{
	network.ResourceTypeEventSource:        true,
	network.ResourceTypeWebSocket:          true,
	network.ResourceTypePing:               true,
	network.ResourceTypePreflight:          true,
	network.ResourceTypeCSPViolationReport: true,
}

func (n *netTracker) listen(ev any) {
	n.note(ev, time.Now())
}

// note applies one DevTools event at time now.
func (n *netTracker) note(ev any, now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if uncounted[e.Type] {
			return
		}
		n.inflight[e.RequestID] = now
		n.last = now
		if e.Request != nil && !readOnlyMethod[strings.ToUpper(e.Request.Method)] {
			n.writes[e.RequestID] = now
		}
	case *network.EventResponseReceived:
		if e.Response != nil && strings.HasPrefix(strings.ToLower(e.Response.MimeType), "text/event-stream") {
			delete(n.inflight, e.RequestID) // a stream: open for as long as the page lives
		}
	case *network.EventLoadingFinished:
		delete(n.writes, e.RequestID)
		if _, ok := n.inflight[e.RequestID]; ok {
			delete(n.inflight, e.RequestID)
			n.last = now
		}
	case *network.EventLoadingFailed:
		delete(n.writes, e.RequestID)
		if _, ok := n.inflight[e.RequestID]; ok {
			delete(n.inflight, e.RequestID)
			n.last = now
		}
	case *page.EventFrameNavigated:
		if e.Frame != nil && e.Frame.ParentID == "" {
			// A new document: what the old one had in flight is gone with it.
			clear(n.inflight)
			clear(n.writes)
			n.last = now
		}
	}
}

// readOnlyMethod are the HTTP methods that change nothing on the server.
var readOnlyMethod = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true}

// writesSince counts the writes started within writeStart of t that are
// still in flight at now, younger than writeCap: a save the run's own
// click at t set off and the site has not answered yet.
func (n *netTracker) writesSince(t, now time.Time) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, started := range n.writes {
		if !started.Before(t) && started.Sub(t) <= writeStart && now.Sub(started) < writeCap {
			c++
		}
	}
	return c
}

// activity is what the tracker knows at one moment.
type activity struct {
	Inflight int           // counted requests in flight
	IdleFor  time.Duration // since the last counted request started or ended (0 while one is in flight)
}

// at reports the activity at time now. A request older than longLived is
// taken as ended at that age.
func (n *netTracker) at(now time.Time) activity {
	n.mu.Lock()
	defer n.mu.Unlock()
	last := n.last
	a := activity{}
	for _, started := range n.inflight {
		if now.Sub(started) < longLived {
			a.Inflight++
			continue
		}
		if end := started.Add(longLived); end.After(last) {
			last = end
		}
	}
	if a.Inflight == 0 {
		a.IdleFor = now.Sub(last)
	}
	return a
}
