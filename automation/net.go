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
}

func newNetTracker() *netTracker {
	return &netTracker{inflight: map[network.RequestID]time.Time{}, last: time.Now()}
}

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
	case *network.EventResponseReceived:
		if e.Response != nil && strings.HasPrefix(strings.ToLower(e.Response.MimeType), "text/event-stream") {
			delete(n.inflight, e.RequestID) // a stream: open for as long as the page lives
		}
	case *network.EventLoadingFinished:
		if _, ok := n.inflight[e.RequestID]; ok {
			delete(n.inflight, e.RequestID)
			n.last = now
		}
	case *network.EventLoadingFailed:
		if _, ok := n.inflight[e.RequestID]; ok {
			delete(n.inflight, e.RequestID)
			n.last = now
		}
	case *page.EventFrameNavigated:
		if e.Frame != nil && e.Frame.ParentID == "" {
			// A new document: what the old one had in flight is gone with it.
			clear(n.inflight)
			n.last = now
		}
	}
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
