package selectors

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/andybalholm/cascadia"
)

// CheckCSS reports whether sel is a selector list that Chrome's
// querySelectorAll accepts. It checks syntax only: whether the selector
// matches anything is for the page to say.
//
// The parsing is cascadia's. Cascadia and Chrome disagree in places, and the
// disagreements are settled here, before cascadia sees the selector:
//
//   - Chrome accepts and cascadia does not know: the relative selectors of
//     :has() (:has(> a), :has(+ a), :has(~ a)), :is(), :where() and
//     :-webkit-any() (checked as :not(), which takes the same selector list),
//     :nth-child(An+B of S) and :nth-last-child(An+B of S), the pseudo-classes
//     cascadia lacks (:focus-visible, :focus-within, :scope, :placeholder-shown,
//     :read-only, :required, :valid and the others in chromePseudoClasses), the
//     functional :dir(), :lang() lists, :state(), :host() and :host-context()
//     (their argument is not checked), the pseudo-elements cascadia lacks
//     (::part(), ::slotted(), ::highlight(), ::file-selector-button,
//     ::target-text, ::view-transition-*, any ::-webkit-*), a user-action
//     pseudo-class after a pseudo-element (::before:hover), the case-sensitive
//     attribute flag [a="b" s], and the namespace prefixes *| and | (as in *|a
//     and [*|href]). These are accepted.
//   - Cascadia accepts and Chrome refuses: its extensions :contains(),
//     :containsown(), :matches(), :matchesown(), :haschild(), :input and the
//     attribute operators != and #=, an id that starts with a digit (#1a), and
//     the pseudo-elements other than ::before, ::after, ::first-line and
//     ::first-letter written with one colon (:marker). These are refused.
//
// Not modelled: :is() and :where() take a forgiving selector list, so Chrome
// drops an unparsable item there instead of refusing the whole selector;
// CheckCSS refuses it, since an item that can never match is a mistake.
func CheckCSS(sel string) error {
	if strings.TrimSpace(sel) == "" {
		return errors.New("not a CSS selector: it is empty")
	}
	rewritten, err := toCascadia(sel, false)
	if err == nil {
		_, err = cascadia.ParseGroupWithPseudoElements(rewritten)
	}
	if err != nil {
		return fmt.Errorf("not a CSS selector Chrome accepts: %s", cascadiaMessage(err))
	}
	return nil
}

// cascadiaMessage drops cascadia's echo of the rewritten selector, which
// the person never wrote.
func cascadiaMessage(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "parsing ") && strings.HasSuffix(msg, " left over") {
		return "it does not parse to its end"
	}
	return msg
}

// Pseudo-classes and pseudo-elements by who knows them. Names are lower case.
var (
	// cascadiaExtensions are cascadia's own; Chrome refuses them.
	cascadiaExtensions = nameSet("contains", "containsown", "matches", "matchesown", "haschild", "input")
	// chromePseudoClasses are the argument-less ones Chrome accepts and
	// cascadia does not know.
	chromePseudoClasses = nameSet("focus-visible", "focus-within", "scope", "any-link",
		"placeholder-shown", "read-only", "read-write", "required", "optional", "valid",
		"invalid", "user-valid", "user-invalid", "in-range", "out-of-range", "indeterminate",
		"default", "defined", "autofill", "modal", "fullscreen", "popover-open", "open",
		"host", "-webkit-autofill", "-webkit-any-link", "-webkit-full-screen",
		"active-view-transition")
	// chromeFunctionalPseudoClasses take an argument that is not checked.
	chromeFunctionalPseudoClasses = nameSet("dir", "lang", "state", "host", "host-context",
		"active-view-transition-type")
	// userActionPseudoClasses may follow a pseudo-element.
	userActionPseudoClasses = nameSet("hover", "focus", "active", "focus-visible", "focus-within")
	// selectorListPseudoClasses take a selector list, checked as :not's.
	selectorListPseudoClasses = nameSet("is", "where", "-webkit-any", "not")
	// cascadiaPseudoElements are the ones cascadia parses; it also takes
	// them after one colon, which Chrome allows for legacyPseudoElements only.
	cascadiaPseudoElements = nameSet("after", "backdrop", "before", "cue", "first-letter",
		"first-line", "grammar-error", "marker", "placeholder", "selection", "spelling-error")
	legacyPseudoElements = nameSet("before", "after", "first-line", "first-letter")
	// chromePseudoElements are the ones Chrome accepts and cascadia does not
	// know, besides every ::-webkit-*.
	chromePseudoElements = nameSet("file-selector-button", "target-text", "highlight", "part",
		"slotted", "view-transition", "view-transition-group", "view-transition-image-pair",
		"view-transition-old", "view-transition-new", "details-content", "picker",
		"picker-icon", "checkmark", "column", "scroll-marker", "scroll-marker-group",
		"scroll-button")
)

func nameSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// toCascadia rewrites sel into the dialect cascadia parses, or says why
// Chrome would refuse it. relative is true inside :has(), whose items may
// start with a combinator.
func toCascadia(sel string, relative bool) (string, error) {
	var b strings.Builder
	itemStart := true     // at the start of an item of the selector list
	afterElement := false // right after a pseudo-element
	for i := 0; i < len(sel); {
		c := sel[i]
		if afterElement && c == ':' && (i+1 >= len(sel) || sel[i+1] != ':') {
			// ::before:hover: Chrome takes user-action pseudo-classes
			// after a pseudo-element, cascadia nothing.
			end := i + 1
			for end < len(sel) && isIdentChar(sel[end]) {
				end++
			}
			if userActionPseudoClasses[strings.ToLower(sel[i+1:end])] {
				i = end
				continue
			}
		}
		if afterElement {
			switch {
			case isSpace(c):
				b.WriteByte(c)
				i++
				continue
			case c != ',' && c != ':':
				return "", errors.New("a pseudo-element must end its selector")
			}
			afterElement = false
		}
		if itemStart {
			switch c {
			case ' ', '\t', '\n', '\r', '\f':
				b.WriteByte(c)
				i++
				continue
			case '>', '+', '~':
				if relative {
					// cascadia has no relative selectors; what follows
					// the combinator is checked all the same.
					i++
					itemStart = false
					continue
				}
			}
			itemStart = false
		}
		switch c {
		case '"', '\'':
			end, ok := stringEnd(sel, i)
			if !ok {
				return "", errors.New("a string is not closed")
			}
			b.WriteString(sel[i:end])
			i = end
		case '\\':
			end := min(i+2, len(sel))
			b.WriteString(sel[i:end])
			i = end
		case ',':
			b.WriteByte(c)
			i++
			itemStart = true
		case '#':
			if i+1 < len(sel) && (isDigit(sel[i+1]) || sel[i+1] == '-' && i+2 < len(sel) && isDigit(sel[i+2])) {
				return "", fmt.Errorf("the id selector %s starts with a digit, which Chrome refuses: escape the digit (#\\31 a for the id 1a) or write [id=\"...\"]", identAt(sel, i+1))
			}
			b.WriteByte(c)
			i++
		case '*':
			if i+1 < len(sel) && sel[i+1] == '|' && (i+2 >= len(sel) || sel[i+2] != '=' && sel[i+2] != '|') {
				i += 2 // the any-namespace prefix
				continue
			}
			b.WriteByte(c)
			i++
		case '|':
			if i+1 < len(sel) && isIdentStart(sel[i+1]) && atCompoundStart(b.String()) {
				i++ // the no-namespace prefix
				continue
			}
			b.WriteByte(c)
			i++
		case '[':
			end, ok := closing(sel, i, '[', ']')
			if !ok {
				b.WriteString(sel[i:]) // cascadia says what is missing
				i = len(sel)
				continue
			}
			attr, err := attribute(sel[i+1 : end])
			if err != nil {
				return "", err
			}
			b.WriteString("[" + attr + "]")
			i = end + 1
		case ':':
			out, next, err := pseudo(sel, i)
			if err != nil {
				return "", err
			}
			b.WriteString(out)
			afterElement = strings.HasPrefix(out, "::") || legacyPseudoElements[strings.ToLower(strings.TrimPrefix(out, ":"))]
			i = next
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// pseudo rewrites the pseudo-class or pseudo-element at sel[i] (a colon) and
// returns the index after it.
func pseudo(sel string, i int) (string, int, error) {
	start := i
	i++
	element := i < len(sel) && sel[i] == ':'
	if element {
		i++
	}
	nameEnd := i
	for nameEnd < len(sel) && isIdentChar(sel[nameEnd]) {
		nameEnd++
	}
	if nameEnd < len(sel) && sel[nameEnd] == '\\' || nameEnd == i {
		// An escaped or missing name: cascadia's to judge.
		return sel[start:i], i, nil
	}
	name := strings.ToLower(sel[i:nameEnd])
	written := sel[start:nameEnd]
	if nameEnd >= len(sel) || sel[nameEnd] != '(' {
		// No argument.
		switch {
		case element && (cascadiaPseudoElements[name]):
			return written, nameEnd, nil
		case element && (chromePseudoElements[name] || strings.HasPrefix(name, "-webkit-")):
			return "::before", nameEnd, nil
		case element:
			return "", 0, fmt.Errorf("unknown pseudo-element %s", written)
		case cascadiaExtensions[name]:
			return "", 0, fmt.Errorf("%s is not CSS (a jQuery extension that Chrome refuses)", written)
		case cascadiaPseudoElements[name] && !legacyPseudoElements[name]:
			return "", 0, fmt.Errorf("the pseudo-element %s needs two colons: ::%s", written, sel[i:nameEnd])
		case chromePseudoClasses[name]:
			return ":root", nameEnd, nil
		}
		return written, nameEnd, nil // known to cascadia, or its error
	}
	close, ok := closing(sel, nameEnd, '(', ')')
	if !ok {
		return sel[start:], len(sel), nil // cascadia reports the open parenthesis
	}
	arg := sel[nameEnd+1 : close]
	blank := strings.TrimSpace(arg) == ""
	next := close + 1
	switch {
	case element && (chromePseudoElements[name] || strings.HasPrefix(name, "-webkit-")):
		if blank {
			return "", 0, fmt.Errorf("%s() needs an argument", written)
		}
		return "::before", next, nil
	case element:
		return "", 0, fmt.Errorf("unknown pseudo-element %s()", written)
	case cascadiaExtensions[name]:
		return "", 0, fmt.Errorf("%s() is not CSS (a jQuery extension that Chrome refuses)", written)
	case name == "has":
		inner, err := toCascadia(arg, true)
		if err != nil {
			return "", 0, err
		}
		return ":has(" + inner + ")", next, nil
	case selectorListPseudoClasses[name]:
		if blank && name != "not" {
			return ":root", next, nil // a forgiving list may be empty
		}
		inner, err := toCascadia(arg, false)
		if err != nil {
			return "", 0, err
		}
		return ":not(" + inner + ")", next, nil
	case name == "nth-child" || name == "nth-last-child":
		if m := nthOf.FindStringSubmatchIndex(arg); m != nil {
			inner, err := toCascadia(arg[m[2]:m[3]], false)
			if err != nil {
				return "", 0, err
			}
			return ":" + name + "(" + arg[:m[0]] + "):not(" + inner + ")", next, nil
		}
	case name == "lang" && !strings.ContainsAny(arg, ",\"'"):
		// cascadia's own :lang(), which checks its identifier.
	case chromeFunctionalPseudoClasses[name]:
		if blank {
			return "", 0, fmt.Errorf("%s() needs an argument", written)
		}
		return ":root", next, nil
	}
	return sel[start:next], next, nil // cascadia's to judge
}

// nthOf finds the " of S" of :nth-child(An+B of S); group 1 is S.
var nthOf = regexp.MustCompile(`(?is)\s+of\s+(\S.*)$`)

// attribute rewrites the inside of an attribute selector [body].
func attribute(body string) (string, error) {
	// Namespace prefixes: [*|a] and [|a] are [a] for a page without namespaces.
	trimmed := strings.TrimLeft(body, " \t\n\r\f")
	lead := body[:len(body)-len(trimmed)]
	switch {
	case strings.HasPrefix(trimmed, "*|") && !strings.HasPrefix(trimmed, "*|="):
		body = lead + trimmed[2:]
	case strings.HasPrefix(trimmed, "|") && len(trimmed) > 1 && isIdentStart(trimmed[1]):
		body = lead + trimmed[1:]
	}
	// The operator follows the name.
	i := len(lead)
	for i < len(body) && (isIdentChar(body[i]) || body[i] == '\\') {
		if body[i] == '\\' {
			i++
		}
		i++
	}
	for i < len(body) && isSpace(body[i]) {
		i++
	}
	if i+1 < len(body) && body[i+1] == '=' && (body[i] == '!' || body[i] == '#') {
		return "", fmt.Errorf("the attribute operator %s is not CSS (Chrome refuses it)", body[i:i+2])
	}
	if i >= len(body) {
		return body, nil
	}
	// After the operator and the value, a flag: i (cascadia knows it) or s.
	switch {
	case body[i] == '=':
		i++
	case i+1 < len(body) && body[i+1] == '=':
		i += 2
	default:
		return body, nil
	}
	for i < len(body) && isSpace(body[i]) {
		i++
	}
	if i < len(body) && (body[i] == '"' || body[i] == '\'') {
		end, ok := stringEnd(body, i)
		if !ok {
			return body, nil
		}
		i = end
	} else {
		for i < len(body) && (isIdentChar(body[i]) || body[i] == '\\') {
			if body[i] == '\\' {
				i++
			}
			i++
		}
	}
	if rest := strings.TrimSpace(body[min(i, len(body)):]); rest == "s" || rest == "S" {
		return body[:i], nil
	}
	return body, nil
}

// stringEnd is the index after the string that starts with the quote at s[i].
func stringEnd(s string, i int) (int, bool) {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1, true
		case '\n':
			return 0, false
		}
	}
	return 0, false
}

// closing is the index of the bracket that closes the one at s[i], skipping
// strings, escapes and nested pairs.
func closing(s string, i int, open, close byte) (int, bool) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"', '\'':
			end, ok := stringEnd(s, j)
			if !ok {
				return 0, false
			}
			j = end - 1
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j, true
			}
		}
	}
	return 0, false
}

// atCompoundStart says whether a compound selector starts after out: at the
// start, after a combinator, a comma or an open parenthesis.
func atCompoundStart(out string) bool {
	t := strings.TrimRight(out, " \t\n\r\f")
	return t == "" || strings.ContainsRune(">+~,(", rune(t[len(t)-1])) || len(t) < len(out)
}

// identAt is the identifier-like run at s[i:], for messages.
func identAt(s string, i int) string {
	j := i
	for j < len(s) && isIdentChar(s[j]) {
		j++
	}
	return "#" + s[i:j]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
func isIdentStart(c byte) bool {
	return c == '_' || c == '-' || c == '\\' || c >= 0x80 || 'a' <= c|0x20 && c|0x20 <= 'z'
}
func isIdentChar(c byte) bool { return isIdentStart(c) && c != '\\' || isDigit(c) }
