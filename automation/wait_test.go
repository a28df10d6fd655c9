package automation

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A loop ends with a drift only when two readings in a row find it, on a
// page whose observation stayed the same for the settle cap: a page that
// changed between a probe and its confirmation (a form hydrating over the
// buttons it replaces) gets another look first. A press the page lost (it
// moved the element under something) is read again, not a failure.
func TestAwait_ADriftStandsOnlyOnAStillPageAndTwoReadings(t *testing.T) {
	drift := &DriftError{Kind: KindSelectorDrift, Element: "signed_in", Msg: "unknown UI"}
	refused := &Error{Kind: KindBadCredentials, Msg: "the sign-in was refused"}
	const settle = time.Millisecond
	for _, tc := range []struct {
		name string
		// step decides on reading n (from 1): nil is finished.
		step     func(n int) error
		moving   bool // each reading shows another URL
		wantKind ErrorKind
		minReads int
	}{
		{"a drift the next reading does not see is none", func(n int) error {
			if n == 1 {
				return drift
			}
			return nil
		}, false, "", 2},
		{"a drift on a still page ends the loop, after two readings", func(int) error { return drift }, false, KindSelectorDrift, 2},
		{"a drift on a page that keeps changing never stands", func(int) error { return drift }, true, KindTimeout, 2},
		{"any other failure ends the loop at once", func(int) error { return refused }, false, KindBadCredentials, 1},
		{"a press the page lost is read again", func(n int) error {
			if n == 1 {
				return &Error{Kind: KindBrowser, Msg: "clicking x failed", Err: fmt.Errorf("%w: covered once scrolled into view", errPressLost)}
			}
			return nil
		}, false, "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			s := &session{cfg: Config{Settle: settle, Timeout: time.Minute}, net: newNetTracker(), start: time.Now()}
			reads := 0
			read := func(ctx context.Context, wait bool) (*probeResult, error) {
				reads++
				u := "http://app.test/"
				if tc.moving {
					u += fmt.Sprint(reads)
				}
				return &probeResult{URL: u, Ready: "complete", QuietMs: 1e6}, nil
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
			if tc.wantKind == KindSelectorDrift && stableAtDrift < settleCapFactor*settle {
				t.Errorf("the drift stood on a page still for %s, under the cap %s", stableAtDrift, settleCapFactor*settle)
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
