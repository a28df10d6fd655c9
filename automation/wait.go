package automation

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
)

// settleCapFactor bounds the wait for a still page: a page whose DOM or
// network never rests (the real one never does) is decided on once what
// the run looks for has stayed the same for settleCapFactor settle windows.
const settleCapFactor = 3

// loadingCapFactor bounds the wait for a page that shows a loading
// indicator (a spinner, a skeleton): it counts as settled only once it
// stayed the same for this many caps (14.4 s by default), longer than the
// slowest load seen (a panel 10 s behind a spinner). Bounded, so that an
// indicator that spins forever as a decoration delays a decision instead
// of stalling the run.
const loadingCapFactor = 4

// isSettled is the one definition of a settled page: what the run looks
// for has not changed (nor has the run acted) for the window, and the page
// was quiet (no DOM change, no counted request) for it, or the observation
// stayed the same for the cap, twice that while the document loads, four
// times that while the page shows a loading indicator: what is missing from
// a page still loading may yet come.
func isSettled(loaded, loading bool, stable, domQuiet, netIdle, window, limit time.Duration) bool {
	switch {
	case stable < window:
		return false
	case !loaded:
		return stable >= 2*limit
	case loading:
		return stable >= loadingCapFactor*limit
	case domQuiet >= window && netIdle >= window:
		return true
	default:
		return stable >= limit
	}
}

// fingerprint is what a loop's decisions depend on: the URL, and per
// element which candidate matched how, covered or not, its state. Text and
// positions are left out: the real page rotates texts and shifts layout
// while nothing that matters changes.
func fingerprint(r *probeResult) string {
	var b strings.Builder
	b.WriteString(r.URL)
	for _, n := range slices.Sorted(maps.Keys(r.Elements)) {
		m := r.Elements[n]
		if m == nil {
			continue
		}
		fmt.Fprintf(&b, "|%s:%d:%v:%v:%v", n, m.Candidate, m.Covered, m.Disabled, m.Filled)
		if m.Attr != nil {
			b.WriteString("=" + *m.Attr)
		}
	}
	var markers []string
	for _, n := range slices.Sorted(maps.Keys(r.Markers)) {
		if r.Markers[n] {
			markers = append(markers, n)
		}
	}
	b.WriteString("|" + strings.Join(markers, ","))
	for _, n := range slices.Sorted(maps.Keys(r.Texts)) {
		if r.Texts[n] != "" {
			b.WriteString("|" + n)
		}
	}
	for _, d := range r.Dialogs {
		fmt.Fprintf(&b, "|dialog:%s:%v", d.id(), d.Close != nil)
	}
	for _, n := range slices.Sorted(maps.Keys(r.Prefilled)) {
		if r.Prefilled[n] != "" {
			b.WriteString("|prefilled:" + n)
		}
	}
	return b.String()
}

// glance is one reading of the page as a loop's decision sees it.
type glance struct {
	r      *probeResult
	stable time.Duration // how long the observation has stayed the same
	net    activity
	window time.Duration
}

// settled applies isSettled with the run's settle window.
func (g glance) settled() bool { return g.settledAs(g.window, g.r.Loading != "") }

// settledFor applies isSettled with a shorter window, for a dialog in the
// way: closing one decides nothing, so it need not wait for the page under
// it to finish loading.
func (g glance) settledFor(window time.Duration) bool { return g.settledAs(window, false) }

func (g glance) settledAs(window time.Duration, loading bool) bool {
	return isSettled(g.r.Ready == "complete", loading, g.stable, time.Duration(g.r.QuietMs)*time.Millisecond, g.net.IdleFor, window, settleCapFactor*g.window)
}

// reader reads the page once; with wait it may first wait for a change.
type reader func(ctx context.Context, wait bool) (*probeResult, error)

// readerOf reads spec with the guard's additions (guard) in the run's
// world, by look, or by probe where role matches are to be confirmed.
func (s *session) readerOf(by func(context.Context, *world, probeSpec, bool) (*probeResult, error), spec probeSpec) reader {
	spec = s.guard(spec)
	return func(ctx context.Context, wait bool) (*probeResult, error) { return by(ctx, s.world, spec, wait) }
}

// reading is what a loop's step returns.
type reading int

const (
	keepWaiting reading = iota // nothing done; read again
	didAct                     // the step acted on the page; read again
	finished                   // the loop is over
)

// await is every loop of a run: read, step (decide and act), read again
// until step finishes or fails. A timeout says what it waited for, with
// the last reading.
func (s *session) await(ctx context.Context, what string, read reader, step func(ctx context.Context, g glance) (reading, error)) error {
	// since is the last change of the observation (fingerprint), or the
	// last action: an action's effect takes time to show.
	fp, since := "", time.Now()
	var last *glance
	// A drift ends the loop only as decideDrift says: on two readings in a
	// row, on a drawn page with no loading indicator that stayed so for the
	// drift hold. The page may change between a probe and the accessibility
	// tree's confirmation (a form hydrating over the buttons it replaces), a
	// slow page draws late, and a drift is the costliest wrong answer (a
	// fleet stops on it). calmSince is since when the page has been drawn
	// and not loading (zero while it is blank or loading).
	driftOnce := false
	var calmSince time.Time
	withheld := driftLookAgain // the last drift not taken, for the log
	hides := map[string]int{}  // obstacles hidden in this loop, by name
	for first := true; ; first = false {
		if ctx.Err() != nil {
			return s.waitError(ctx, what, last)
		}
		r, err := read(ctx, !first)
		if err != nil {
			if ctx.Err() != nil {
				return s.waitError(ctx, what, last)
			}
			if !transient(err) {
				return &Error{Kind: KindBrowser, Msg: fmt.Sprintf("reading the page failed while waiting for %s: %v", what, err), Err: err}
			}
			// The page is changing under the read (a navigation): the
			// next read will do.
			if sleep(ctx, pollInterval) != nil {
				return s.waitError(ctx, what, last)
			}
			continue
		}
		if o := origin(r.URL); o != "" { // for the saved state
			if s.origins == nil {
				s.origins = map[string]bool{}
			}
			s.origins[o] = true
		}
		s.lastURL, s.lastReading = r.URL, r
		now := time.Now()
		if p := fingerprint(r); p != fp {
			fp, since = p, now
		}
		switch {
		case r.Blank || r.Loading != "":
			calmSince = time.Time{}
		case calmSince.IsZero():
			calmSince = now
		}
		g := glance{r: r, stable: now.Sub(since), net: s.net.at(now), window: s.cfg.Settle}
		last = &g
		s.noteDialogs(r)
		// A security check is waited out here, wherever the run is: when
		// the page moves on, the loop goes on where it was.
		if onCheck, err := s.securityCheck(g); err != nil {
			return err
		} else if onCheck {
			continue
		}
		// A third party's box over an element (Google One Tap) is hidden
		// before the step decides anything on a page it covers.
		if hid, err := s.hideObstacles(ctx, r, hides); err != nil {
			return err
		} else if hid {
			since = time.Now()
			continue
		}
		next, err := step(ctx, g)
		if errors.Is(err, errPressLost) {
			since = time.Now()
			continue
		}
		var drift *DriftError
		if err != nil && errors.As(err, &drift) {
			var calm time.Duration
			if !calmSince.IsZero() {
				calm = now.Sub(calmSince)
			}
			call := decideDrift(driftOnce, r.Blank, r.Loading != "", g.stable, calm, s.driftHold())
			driftOnce = true
			if call != driftStands {
				if call != withheld && call != driftLookAgain {
					s.log.Info("waiting: the page is still blank or loading, so what is missing is no change of the UI", "missing", drift.Element, "page", call.String(), "indicator", r.Loading, "url", pagePath(r.URL))
				}
				withheld = call
				continue
			}
		}
		driftOnce, withheld = false, driftLookAgain
		if err != nil || next == finished {
			// What the loop looked for had not changed for g.stable when it
			// decided: the run's own wait, not the site's.
			s.ownWait += g.stable
		}
		switch {
		case err != nil:
			return err
		case next == finished:
			return nil
		case next == didAct:
			since = time.Now()
		}
	}
}

// driftHold is how long a page must stay the same, drawn and not loading,
// before a drift found on it ends the run (decideDrift).
func (s *session) driftHold() time.Duration {
	return driftHoldFactor * s.cfg.Settle
}

// timedOut says whose deadline ended the run: the run's own timeout, or
// the caller's when that came first.
func (s *session) timedOut() string {
	if !s.start.IsZero() && time.Since(s.start) < s.cfg.Timeout {
		return fmt.Sprintf("the caller's deadline passed after %s", time.Since(s.start).Round(100*time.Millisecond))
	}
	return fmt.Sprintf("timed out after %s", s.cfg.Timeout)
}

// waitError turns an ended context into a timeout or interrupted error that
// says what was awaited, where, and what the page showed last.
func (s *session) waitError(ctx context.Context, what string, last *glance) error {
	if ctx.Err() != context.DeadlineExceeded {
		return &Error{Kind: KindInterrupted, Msg: "interrupted while waiting for " + what, Err: ctx.Err()}
	}
	if !s.check.since.IsZero() {
		return &Error{Kind: KindHumanVerification, Err: ctx.Err(), Fix: []Setting{SettingProfileDir, SettingHeaded, SettingTimeout},
			Msg: fmt.Sprintf("%s while the site's security check was showing (for %s, on %s): it did not clear by itself; sign in once as a person in a profile folder and reuse the profile, run a visible browser, or allow a longer timeout", s.timedOut(), time.Since(s.check.since).Round(100*time.Millisecond), pagePath(s.lastURL))}
	}
	msg := s.timedOut() + " waiting for " + what
	if last == nil {
		return &Error{Kind: KindTimeout, Msg: msg + ": the page could not be read (a navigation never finished); the site may be down or unreachable", Err: ctx.Err()}
	}
	msg += fmt.Sprintf(" on %s (title %q); last saw: %s", last.r.URL, last.r.Title, seenSummary(last.r))
	switch {
	case last.r.Ready != "complete":
		msg += "; the page was still loading: the site may be slow, retry later or allow a longer timeout"
	case last.r.Blank:
		msg += "; the page was still blank (no control on it yet): the site may be slow, retry later or allow a longer timeout"
	case last.r.Loading != "":
		msg += fmt.Sprintf("; the page was still loading (it showed a loading indicator, %s): the site may be slow, retry later or allow a longer timeout", last.r.Loading)
	case last.net.Inflight > 0 || time.Duration(last.r.QuietMs)*time.Millisecond < last.window:
		msg += fmt.Sprintf("; the page was busy (%d requests in flight, last DOM change %dms before) but showed nothing new for %s", last.net.Inflight, int(last.r.QuietMs), last.stable.Round(100*time.Millisecond))
	default:
		msg += fmt.Sprintf("; the page was still and showed nothing new for %s", last.stable.Round(100*time.Millisecond))
	}
	return &Error{Kind: KindTimeout, Msg: msg, Err: ctx.Err()}
}

// seenSummary lists the elements a reading matched, and those it did not.
func seenSummary(r *probeResult) string {
	var found, missing []string
	for _, n := range slices.Sorted(maps.Keys(r.Elements)) {
		m := r.Elements[n]
		switch {
		case m.found() && m.Covered:
			found = append(found, n+" (covered by "+m.Cover+")")
		case m.found() && m.Disabled:
			found = append(found, n+" (disabled)")
		case m.found():
			found = append(found, n)
		default:
			missing = append(missing, n)
		}
	}
	for n, on := range r.Markers {
		if on {
			found = append(found, "marker "+n)
		}
	}
	out := "nothing the selectors file names"
	if len(found) > 0 {
		out = strings.Join(found, ", ")
	}
	if len(missing) > 0 {
		out += "; not found: " + strings.Join(missing, ", ")
	}
	return out
}

// origin is the scheme://host[:port] of an http or https URL, the host in
// lower case, or "" for any other URL.
func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") {
		return ""
	}
	return p.Scheme + "://" + strings.ToLower(p.Host)
}

// sameOrigin reports whether two http(s) URLs share scheme, host and port.
func sameOrigin(a, b string) bool {
	o := origin(a)
	return o != "" && o == origin(b)
}
