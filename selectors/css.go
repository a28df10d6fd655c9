package selectors

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/andybalholm/cascadia"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// CheckCSS reports whether sel is a selector list that Chrome's
// querySelectorAll accepts. It checks syntax only: whether the selector
// matches anything is for the page to say.
//
// The parsing is cascadia's. Where cascadia and Chrome disagree, the
// selector's CSS tokens (tdewolff's lexer) are rewritten before cascadia
// sees them. What Chrome accepts and cascadia does not know passes: the
// relative selectors of :has(), :is(), :where(), :-webkit-any(),
// :nth-child(An+B of S), the pseudo-classes and pseudo-elements of the
// sets below, a user-action pseudo-class after a pseudo-element
// (::before:hover), the attribute flag s and the namespace prefixes *| and
// |. What cascadia accepts and Chrome refuses fails: cascadia's extensions
// (:contains() and the others below, the attribute operators != and #=),
// an id that starts with a digit (#1a), and a pseudo-element other than the
// four legacy ones written with one colon (:marker).
//
// Not modelled: :is() and :where() take a forgiving selector list, so Chrome
// drops an unparsable item there instead of refusing the whole selector;
// CheckCSS refuses it, since an item that can never match is a mistake.
func CheckCSS(sel string) error {
	if strings.TrimSpace(sel) == "" {
		return errors.New("not a CSS selector: it is empty")
	}
	// Chrome reads a selector as UTF-8: bytes that are not UTF-8 are U+FFFD.
	toks, err := tokenize(strings.ToValidUTF8(sel, "\uFFFD"))
	rewritten := ""
	if err == nil {
		rewritten, err = toCascadia(toks, false)
	}
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
	switch msg := err.Error(); {
	case strings.HasPrefix(msg, "parsing ") && strings.HasSuffix(msg, " left over"):
		return "it does not parse to its end"
	case strings.Contains(msg, "EOF in string") || strings.Contains(msg, "string, found EOF"):
		return "a string is not closed"
	default:
		return msg
	}
}

// Pseudo-classes and pseudo-elements by who knows them. Names are lower case.
var (
	// cascadiaExtensions are cascadia's own; Chrome refuses them.
	cascadiaExtensions = []string{"contains", "containsown", "matches", "matchesown", "haschild", "input"}
	// chromePseudoClasses are the argument-less ones Chrome accepts and
	// cascadia does not know.
	chromePseudoClasses = []string{"focus-visible", "focus-within", "scope", "any-link",
		"placeholder-shown", "read-only", "read-write", "required", "optional", "valid",
		"invalid", "user-valid", "user-invalid", "in-range", "out-of-range", "indeterminate",
		"default", "defined", "autofill", "modal", "fullscreen", "popover-open", "open",
		"host", "-webkit-autofill", "-webkit-any-link", "-webkit-full-screen",
		"active-view-transition"}
	// chromeFunctionalPseudoClasses take an argument that is not checked.
	chromeFunctionalPseudoClasses = []string{"dir", "lang", "state", "host", "host-context",
		"active-view-transition-type"}
	// userActionPseudoClasses may follow a pseudo-element.
	userActionPseudoClasses = []string{"hover", "focus", "active", "focus-visible", "focus-within"}
	// selectorListPseudoClasses take a selector list, checked as :not's.
	selectorListPseudoClasses = []string{"is", "where", "-webkit-any", "not"}
	// cascadiaPseudoElements are the ones cascadia parses; it also takes
	// them after one colon, which Chrome allows for legacyPseudoElements only.
	cascadiaPseudoElements = []string{"after", "backdrop", "before", "cue", "first-letter",
		"first-line", "grammar-error", "marker", "placeholder", "selection", "spelling-error"}
	legacyPseudoElements = []string{"before", "after", "first-line", "first-letter"}
	// chromePseudoElements are the ones Chrome accepts and cascadia does not
	// know, besides every ::-webkit-*.
	chromePseudoElements = []string{"file-selector-button", "target-text", "highlight", "part",
		"slotted", "view-transition", "view-transition-group", "view-transition-image-pair",
		"view-transition-old", "view-transition-new", "details-content", "picker",
		"picker-icon", "checkmark", "column", "scroll-marker", "scroll-marker-group",
		"scroll-button"}
)

// tok is one CSS token of a selector; the texts of its tokens add up to
// the selector.
type tok struct {
	tt   css.TokenType
	text string
}

func tokenize(sel string) ([]tok, error) {
	l := css.NewLexer(parse.NewInputString(sel))
	var toks []tok
	for {
		switch tt, text := l.Next(); tt {
		case css.ErrorToken:
			return toks, nil
		case css.BadStringToken:
			return nil, errors.New("a string is not closed: it has a line break")
		default:
			toks = append(toks, tok{tt, string(text)})
		}
	}
}

// delim says whether t is one of the delimiter characters in chars.
func (t tok) delim(chars string) bool {
	return t.tt == css.DelimToken && strings.Contains(chars, t.text)
}

// ident says whether t is an identifier (--a is one too).
func (t tok) ident() bool { return t.tt == css.IdentToken || t.tt == css.CustomPropertyNameToken }

func join(toks []tok) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

// toCascadia rewrites toks into the dialect cascadia parses, or says why
// Chrome would refuse them. relative is true inside :has(), whose items may
// start with a combinator.
func toCascadia(toks []tok, relative bool) (string, error) {
	var b strings.Builder
	itemStart := true     // at the start of an item of the selector list
	afterElement := false // right after a pseudo-element
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.tt == css.WhitespaceToken:
			b.WriteString(t.text)
			continue
		case afterElement && t.tt == css.ColonToken && i+1 < len(toks) && toks[i+1].tt == css.IdentToken &&
			slices.Contains(userActionPseudoClasses, strings.ToLower(toks[i+1].text)):
			// ::before:hover: Chrome takes user-action pseudo-classes
			// after a pseudo-element, cascadia nothing.
			i++
			continue
		case afterElement && t.tt != css.CommaToken && t.tt != css.ColonToken:
			return "", errors.New("a pseudo-element must end its selector")
		case itemStart && relative && t.delim(">+~"):
			// cascadia has no relative selectors; what follows the
			// combinator is checked all the same.
			itemStart = false
			continue
		}
		itemStart, afterElement = t.tt == css.CommaToken, false
		switch {
		case t.tt == css.HashToken && digitID.MatchString(t.text):
			return "", fmt.Errorf("the id selector %s starts with a digit, which Chrome refuses: escape the digit (#\\31 a for the id 1a) or write [id=\"...\"]", t.text)
		case t.delim("*") && i+1 < len(toks) && toks[i+1].delim("|"):
			i++ // the any-namespace prefix
			continue
		case t.delim("|") && i+1 < len(toks) && toks[i+1].ident() &&
			(i == 0 || toks[i-1].tt == css.WhitespaceToken || toks[i-1].tt == css.CommaToken || toks[i-1].delim(">+~")):
			continue // the no-namespace prefix
		case t.tt == css.LeftBracketToken:
			end := closing(toks, i)
			if end < 0 {
				b.WriteString(join(toks[i:])) // cascadia says what is missing
				return b.String(), nil
			}
			attr, err := attribute(toks[i+1 : end])
			if err != nil {
				return "", err
			}
			b.WriteString("[" + attr + "]")
			i = end
			continue
		case t.tt == css.ColonToken:
			out, next, err := pseudo(toks, i)
			if err != nil {
				return "", err
			}
			b.WriteString(out)
			afterElement = strings.HasPrefix(out, "::") || slices.Contains(legacyPseudoElements, strings.ToLower(strings.TrimPrefix(out, ":")))
			i = next - 1
			continue
		}
		b.WriteString(t.text)
	}
	return b.String(), nil
}

// pseudo rewrites the pseudo-class or pseudo-element at toks[i] (a colon)
// and returns the index of the token after it.
func pseudo(toks []tok, i int) (string, int, error) {
	j := i + 1
	element := j < len(toks) && toks[j].tt == css.ColonToken
	if element {
		j++
	}
	if j >= len(toks) || toks[j].tt != css.IdentToken && toks[j].tt != css.FunctionToken || strings.Contains(toks[j].text, `\`) {
		// An escaped or missing name: cascadia's to judge.
		return join(toks[i:j]), j, nil
	}
	written := join(toks[i:j]) + strings.TrimSuffix(toks[j].text, "(")
	name := strings.ToLower(strings.TrimLeft(written, ":"))
	fn, next, arg, paren := toks[j].tt == css.FunctionToken, j+1, []tok(nil), ""
	if fn {
		end := closing(toks, j)
		if end < 0 {
			return join(toks[i:]), len(toks), nil // cascadia reports the open parenthesis
		}
		next, arg, paren = end+1, toks[j+1:end], "()"
	}
	blank := strings.TrimSpace(join(arg)) == ""
	switch {
	case element && !fn && slices.Contains(cascadiaPseudoElements, name):
		return written, next, nil
	case element && (slices.Contains(chromePseudoElements, name) || strings.HasPrefix(name, "-webkit-")):
		if fn && blank {
			return "", 0, fmt.Errorf("%s() needs an argument", written)
		}
		return "::before", next, nil
	case element:
		return "", 0, fmt.Errorf("unknown pseudo-element %s%s", written, paren)
	case slices.Contains(cascadiaExtensions, name):
		return "", 0, fmt.Errorf("%s%s is not CSS (a jQuery extension that Chrome refuses)", written, paren)
	case !fn && slices.Contains(cascadiaPseudoElements, name) && !slices.Contains(legacyPseudoElements, name):
		return "", 0, fmt.Errorf("the pseudo-element %s needs two colons: :%[1]s", written)
	case !fn && slices.Contains(chromePseudoClasses, name):
		return ":root", next, nil
	case !fn:
		return written, next, nil // known to cascadia, or its error
	case name == "has":
		inner, err := toCascadia(arg, true)
		return ":has(" + inner + ")", next, err
	case slices.Contains(selectorListPseudoClasses, name):
		if blank && name != "not" {
			return ":root", next, nil // a forgiving list may be empty
		}
		inner, err := toCascadia(arg, false)
		return ":not(" + inner + ")", next, err
	case name == "nth-child" || name == "nth-last-child":
		// :nth-child(An+B of S) is :nth-child(An+B) and S.
		for k := 1; k < len(arg); k++ {
			if arg[k].tt == css.IdentToken && strings.EqualFold(arg[k].text, "of") && arg[k-1].tt == css.WhitespaceToken {
				inner, err := toCascadia(arg[k+1:], false)
				return ":" + name + "(" + join(arg[:k-1]) + "):not(" + inner + ")", next, err
			}
		}
	case name == "lang" && !strings.ContainsAny(join(arg), ",\"'"):
		// cascadia's own :lang(), which checks its identifier.
	case slices.Contains(chromeFunctionalPseudoClasses, name):
		if blank {
			return "", 0, fmt.Errorf("%s() needs an argument", written)
		}
		return ":root", next, nil
	}
	return join(toks[i:next]), next, nil // cascadia's to judge
}

// attribute rewrites the inside of an attribute selector [toks].
func attribute(toks []tok) (string, error) {
	var at []int // the tokens that are not white space
	for i, t := range toks {
		if t.tt != css.WhitespaceToken {
			at = append(at, i)
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].delim("!#") && toks[i+1].delim("=") {
			return "", fmt.Errorf("the attribute operator %s= is not CSS (Chrome refuses it)", toks[i].text)
		}
	}
	// After the operator and the value, a flag: i (cascadia knows it) or s.
	if n := len(at); n >= 3 && toks[at[n-1]].tt == css.IdentToken && strings.EqualFold(toks[at[n-1]].text, "s") && isOperator(toks[at[n-3]]) {
		toks = toks[:at[n-1]]
	}
	// Namespace prefixes: [*|a] and [|a] are [a] for a page without namespaces.
	switch {
	case len(at) >= 2 && toks[at[0]].delim("*") && toks[at[0]+1].delim("|"):
		toks = toks[at[0]+2:]
	case len(at) >= 2 && toks[at[0]].delim("|") && toks[at[0]+1].ident():
		toks = toks[at[0]+1:]
	}
	return join(toks), nil
}

func isOperator(t tok) bool {
	switch t.tt {
	case css.IncludeMatchToken, css.DashMatchToken, css.PrefixMatchToken, css.SuffixMatchToken, css.SubstringMatchToken:
		return true
	}
	return t.delim("=")
}

// closing is the index of the token that closes the bracket or function at
// toks[i], or -1.
func closing(toks []tok, i int) int {
	depth, want := 0, closers[toks[i].tt]
	for j := i; j < len(toks); j++ {
		switch tt := toks[j].tt; {
		case closers[tt] == want:
			depth++
		case tt == want:
			if depth--; depth == 0 {
				return j
			}
		}
	}
	return -1
}

// closers are the tokens that close brackets and functions.
var closers = map[css.TokenType]css.TokenType{css.LeftBracketToken: css.RightBracketToken,
	css.LeftParenthesisToken: css.RightParenthesisToken, css.FunctionToken: css.RightParenthesisToken}

// digitID is an id selector that starts with a digit, which Chrome refuses
// and cascadia takes.
var digitID = regexp.MustCompile(`^#-?[0-9]`)
