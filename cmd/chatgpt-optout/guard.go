package main

import (
	"io"
	"regexp"
	"strconv"
	"sync"

	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
)

// guardedWriter is stdout or stderr. The first write that fails (the
// reader went away: `chatgpt-optout disable -v 2>&1 | head -2`) stops the
// run as Ctrl-C does, and every later write is dropped, so that the tool
// goes on to stop Chrome and remove its folder instead of dying on a
// broken pipe.
type guardedWriter struct {
	w    io.Writer
	stop func()

	mu     sync.Mutex
	broken bool
}

func guard(w io.Writer, stop func()) io.Writer {
	return &guardedWriter{w: w, stop: stop}
}

func (g *guardedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.broken {
		return len(p), nil
	}
	if _, err := g.w.Write(p); err != nil {
		g.broken = true
		g.stop()
	}
	return len(p), nil
}

// unguarded is the writer under a guard (to tell a terminal), or w.
func unguarded(w io.Writer) io.Writer {
	if g, ok := w.(*guardedWriter); ok {
		return g.w
	}
	return w
}

// quoted is a Go-quoted string in a message.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// capQuoted cuts every quoted value of a message (pflag's, cobra's) to 80
// characters.
func capQuoted(msg string) string {
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if len(q) <= 82 {
			return q
		}
		s, err := strconv.Unquote(q)
		if err != nil {
			return q[:80] + `…"`
		}
		return quote.Value(s)
	})
}
