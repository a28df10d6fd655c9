package automation

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxFileBytes is the most the tool reads of a file it is given: an
// accounts file, a selectors file, a dotenv file (4 MiB). Real ones are a
// few KB; a larger one is the wrong file.
const MaxFileBytes = 4 << 20

// maxQuoted is the most characters of a value quoted in a message.
const maxQuoted = 80

// ErrFileTooLarge is the error of ReadFileCapped for a file larger than
// MaxFileBytes.
var ErrFileTooLarge = errors.New("the file is larger than 4 MiB, the most the tool reads of such a file: is it the right file?")

// ReadFileCapped reads a file of at most MaxFileBytes. It reads pipes too
// (--env-file <(…)), never more than the cap.
func ReadFileCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("it is a folder, not a file")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, ErrFileTooLarge
	}
	return data, nil
}

// QuoteValue quotes a value for a message, cut to 80 characters: a message
// never echoes a huge value in full.
func QuoteValue(s string) string {
	if n := utf8.RuneCountInString(s); n > maxQuoted {
		return fmt.Sprintf("%s… (%d characters)", strings.TrimSuffix(strconv.Quote(cutRunes(s, maxQuoted)), `"`), n)
	}
	return strconv.Quote(s)
}

// capText cuts s to about n bytes, on a character boundary.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutRunes(s[:n], n) + "…"
}

func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return strings.ToValidUTF8(s, "")
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
// "--user-data-dir=/tmp/x2" does not. A bare argument never does: Chrome
// passes its folders as flags, while a script or a timeout(1) that runs
// the tool may carry the same folder as a plain argument, and it must
// never be taken for a browser.
func mentionsAny(arg string, dirs []string) bool {
	if !strings.HasPrefix(arg, "-") {
		return false
	}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(arg[i:], dir)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(dir)
			before := start > 0 && arg[start-1] == '='
			after := end == len(arg) || arg[end] == '/'
			if before && after {
				return true
			}
			i = start + 1
		}
	}
	return false
}
