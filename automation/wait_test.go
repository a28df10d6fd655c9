package automation

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A loop ends with a drift only when two readings in a row find it, on a
// drawn page with no loading indicator whose observation stayed the same
// for the drift hold: a page that changed between a probe and its
// confirmation (a form hydrating over the buttons it replaces) gets another
// look first, and a blank or loading page is waited on to the deadline,
// whose message says so. A press the page lost (it moved the element under
// something) is read again, not a failure.
func TestAwait_ADriftStandsOnlyOnAStillPageAndTwoReadings(t *testing.T) {
	drift := &DriftError{Kind: KindSelectorDrift, Element: "signed_in", Msg: "unknown UI"}
	refused := &Error{Kind: KindBadCredentials, Msg: "the sign-in was refused"}
	const settle = time.Millisecond
	for _, tc := range []struct {
		name string
		// step decides on reading n (from 1): nil is finished.
		step     func(n int) error
		moving   bool   // each reading shows another URL
		blank    bool   // the page shows no control
		loading  string // the page's loading indicator
		wantKind ErrorKind
		minReads int
		wantMsg  string // in the error
	}{
		{"a drift the next reading does not see is none", func(n int) error {
			if n == 1 {
				return drift
			}
			return nil
		}, false, false, "", "", 2, ""},
		{"a drift on a still page ends the loop, after two readings", func(int) error { return drift }, false, false, "", KindSelectorDrift, 2, "unknown UI"},
		{"a drift on a page that keeps changing never stands", func(int) error { return drift }, true, false, "", KindTimeout, 2, ""},
		{"a drift on a blank page never stands: the timeout says it was blank", func(int) error { return drift }, false, true, "", KindTimeout, 2, "still blank"},
		{"a drift behind a spinner never stands: the timeout names it", func(int) error { return drift }, false, false, "div.animate-spin", KindTimeout, 2, "still loading (it showed a loading indicator, div.animate-spin)"},
		{"any other failure ends the loop at once", func(int) error { return refused }, false, false, "", KindBadCredentials, 1, ""},
		{"a press the page lost is read again", func(n int) error {
			if n == 1 {
				return &Error{Kind: KindBrowser, Msg: "clicking x failed", Err: fmt.Errorf("%w: covered once scrolled into view", errPressLost)}
			}
			return nil
		}, false, false, "", "", 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			s := &session{cfg: Config{Settle: settle, Timeout: time.Minute}, net: newNetTracker(), start: time.Now(), log: slog.New(slog.DiscardHandler)}
			reads := 0
			read := func(ctx context.Context, wait bool) (*probeResult, error) {
				reads++
				u := "http://app.test/"
				if tc.moving {
					u += fmt.Sprint(reads)
				}
				return &probeResult{URL: u, Ready: "complete", QuietMs: 1e6, Blank: tc.blank, Loading: tc.loading}, nil
			}
			var stableAtDrift time.Duration
			step := func(ctx context.Context, g glance) (reading, error) {
				err := tc.step(reads)
				if err == nil {
					return finished, nil
				}
				stableAtDrift = g.stable
				return finished, err
			}
			err := s.await(ctx, "the test", read, step)
			if got := KindOf(err); got != tc.wantKind {
				t.Fatalf("err = %v (kind %q), want kind %q", err, got, tc.wantKind)
			}
			if reads < tc.minReads {
				t.Errorf("read the page %d times, want at least %d", reads, tc.minReads)
			}
			if tc.wantKind == KindSelectorDrift && stableAtDrift < driftHoldFactor*settle {
				t.Errorf("the drift stood on a page still for %s, under the hold %s", stableAtDrift, driftHoldFactor*settle)
			}
			if err != nil && !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("err = %v, want it to say %q", err, tc.wantMsg)
			}
		})
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"http://127.0.0.1:4000/#settings/DataControls", "http://127.0.0.1:4000", true},
		{"https://chatgpt.com/c/abc", "https://CHATGPT.com/", true},
		{"http://localhost:4001/log-in", "http://127.0.0.1:4000", false},
		{"http://127.0.0.1:4001/", "http://127.0.0.1:4000", false},
		{"http://chatgpt.com/", "https://chatgpt.com", false},
		{"about:blank", "https://chatgpt.com", false},
		{"%zz", "https://chatgpt.com", false},
	} {
		if got := sameOrigin(tc.a, tc.b); got != tc.want {
			t.Errorf("sameOrigin(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
