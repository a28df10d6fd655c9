// Package quote puts values into messages: quoted, and cut so that a
// message never echoes a huge value in full.
package quote

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxQuoted is the most characters of a value quoted in a message.
const maxQuoted = 80

// Value quotes s for a message, cut to 80 characters.
func Value(s string) string {
	if n := utf8.RuneCountInString(s); n > maxQuoted {
		return fmt.Sprintf("%s… (%d characters)", strings.TrimSuffix(strconv.Quote(Runes(s, maxQuoted)), `"`), n)
	}
	return strconv.Quote(s)
}

// Runes is s cut to its first n characters, and made valid UTF-8.
func Runes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return strings.ToValidUTF8(s, "")
}
