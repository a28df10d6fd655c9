package automation

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
)

// capText cuts s to about n bytes, on a character boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return quote.Runes(s[:n], n) + "…"
}

// printedText is what a program printed, for a message: at most 12
// lines of at most 200 characters, control characters dropped, indented.
func printedText(out string) string {
	out = strings.TrimSpace(strings.ToValidUTF8(out, "?"))
	if out == "" {
		return ""
	}
	lines := strings.Split(out, "\n")
	var b strings.Builder
	for i, l := range lines {
		if i == 12 {
			fmt.Fprintf(&b, "  | … (%d more lines)\n", len(lines)-i)
			break
		}
		l = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) && r != '\t' {
				return -1
			}
			return r
		}, l)
		b.WriteString("  | " + capText(l, 200) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// cappedBuffer keeps the first max bytes written to it; it never fails.
type cappedBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// mentionsAny reports whether arg is a flag whose value names one of
// dirs, or a path inside it: "--user-data-dir=/tmp/x" names /tmp/x,
// "--user-data-dir=/tmp/x2" does not. A bare argument never does: a script
// or a timeout(1) that runs the tool may carry the same folder as a plain
// argument, and it must never be taken for a browser.
func mentionsAny(arg string, dirs []string) bool {
	if !strings.HasPrefix(arg, "-") {
		return false
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		for i := 0; ; i++ {
			j := strings.Index(arg[i:], "="+dir)
			if j < 0 {
				break
			}
			i += j
			if end := i + 1 + len(dir); end == len(arg) || arg[end] == '/' {
				return true
			}
		}
	}
	return false
}
