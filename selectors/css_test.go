package selectors

import (
	"strings"
	"testing"
)

func TestCheckCSS_AcceptsWhatChromeAccepts(t *testing.T) {
	for _, sel := range []string{
		// What the files use.
		`input[name="email"]`,
		`#email-input`,
		`input[autocomplete="email"], input[autocomplete="username"]`,
		`form:has(input[name="email"]) button[type="submit"]`,
		`[aria-label="You're all set"] button`,
		`nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`,
		`div[id^="headlessui-menu-items-"] a[role="menuitem"]`,
		`button[role="tab"][id$="-trigger-DataControls"]`,
		`[role="tabpanel"][id$="-content-DataControls"] button[role="switch"]`,
		`[data-testid="accounts-profile-button"][aria-label$=", open profile menu"]`,
		// The reference's selectors (PSST, 2026).
		`[data-testid="accounts-profile-button"] > div.flex.min-w-0.items-center.gap-2`,
		`[data-testid='data-controls-tab'] > div.min-w-0 > div`,
		`div > div.text-token-text-secondary.flex.min-h-\[38px\].items-center.ps-3`,
		`div.pb-8 > div > div.flex.items-center.gap-1 > button`,
		`div.popover.md\:h-\[600px\].md\:max-w-\[680px\]`,
		`#radix-\:r1e\:-trigger-DataControls`,
		`#aria-notify-live-region-assertive[role=alert]`,
		`iframe[title="Widget containing a Cloudflare security challenge"]`,
		`[class*=text-error]`,
		`section > div:nth-child(2) > div`,
		// Attribute operators and flags.
		`[a]`, `[a=b]`, `[a="b"]`, `[a='b']`, `[a~=b]`, `[a|=b]`, `[a^=b]`, `[a$=b]`, `[a*=b]`,
		`[ a = "b" ]`, `[a="b" i]`, `[a="b" s]`, `[a=b S]`, `[a= s]`, `[a="]"]`,
		// Structure.
		`*`, `a b`, `a > b`, `a + b`, `a ~ b`, "a\n>\tb", ` a `, `a,b`, `a , b`,
		`li:nth-child(2)`, `li:nth-child(2n+1)`, `li:nth-child(odd)`, `li:nth-child(even)`,
		`li:nth-child(-n+3)`, `li:nth-last-child(1)`, `li:nth-of-type(3)`, `li:nth-child(2 of .x)`,
		`li:nth-last-child(2n OF li.a, li.b)`, `li:first-child`, `li:LAST-CHILD`, `p:only-of-type`,
		// :has() and its relative selectors.
		`div:has(> a)`, `div:has(+ a)`, `div:has(~ a)`, `div:has(> a, + b,~c)`, `div:has(a b)`,
		`a:not(:has(b))`, `div:has(> span:not(.x))`,
		// Selector lists Chrome takes and cascadia does not.
		`a:not(.x, .y)`, `a:not(div > p)`, `a:is(.x, .y)`, `:is(h1, h2) > a`, `a:where(.x)`,
		`a:-webkit-any(b, c)`, `a:is()`, `:where()`,
		// Pseudo-classes and pseudo-elements cascadia lacks.
		`a:focus-visible`, `div:focus-within`, `:scope > a`, `input:placeholder-shown`,
		`input:read-only`, `input:required:invalid`, `dialog:modal`, `[popover]:popover-open`,
		`p:dir(rtl)`, `p:lang(en)`, `p:lang("en", fr)`, `x-a:state(open)`, `:host(.a)`,
		`a::before`, `a:after`, `a::before:hover`, `a:after:focus-visible`, `p::first-line`, `input::placeholder`, `li::marker`,
		`div::-webkit-scrollbar`, `x::part(label)`, `::slotted(span)`, `input::file-selector-button`,
		`button:hover`, `a:visited`, `input:checked`, `button:disabled`, `div:empty`, `:root`,
		// Namespaces, escapes, odd identifiers.
		`*|a`, `|a`, `[*|href]`, `[|href]`, `#\31 a`, `.\31 0`, `#--x`, `-a`, `ß`, `#…-content`,
		`.a\:b`, `[data-x="a\"b"]`,
	} {
		t.Run(sel, func(t *testing.T) {
			if err := CheckCSS(sel); err != nil {
				t.Errorf("CheckCSS(%q) = %v, want nil", sel, err)
			}
		})
	}
}

func TestCheckCSS_RefusesWhatChromeRefuses(t *testing.T) {
	tests := []struct {
		sel, want string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{`div >`, ""},
		{`> div`, ""},
		{`div,`, ""},
		{`,div`, ""},
		{`div,,a`, ""},
		{`[a=]`, ""},
		{`[a`, ""},
		{`a[`, ""},
		{`[a="b`, "string"},
		{`a[b="c]`, ""},
		{`input[name="email"`, ""},
		{`a"b"`, ""},
		{`:not()`, ""},
		{`:has()`, ""},
		{`:has(>)`, ""},
		{`div:nth-child()`, ""},
		{`div:nth-child(2n+)`, ""},
		{`div:nth-child(2`, ""},
		{`li:nth-of-type(2 of .x)`, ""},
		{`#1a`, "digit"},
		{`#-1a`, "digit"},
		{`.1a`, ""},
		{`a:contains("x")`, "jQuery"},
		{`a:containsown(x)`, "jQuery"},
		{`a:haschild(b)`, "jQuery"},
		{`a:matches(x)`, "jQuery"},
		{`:input`, "jQuery"},
		{`[a!=b]`, "!="},
		{`[a#=(x)]`, "#="},
		{`a:hovr`, "hovr"},
		{`a::befor`, "befor"},
		{`a::part()`, "argument"},
		{`p:dir()`, "argument"},
		{`a:selection`, "two colons"},
		{`a:is(.x, :bogus)`, "bogus"},
		{`div:has(> a:bogus)`, "bogus"},
		{`a||b`, ""},
		{`svg|a`, "does not parse to its end"},
		{`a::before:first-child`, ""},
		{`a::before b`, ""},
		{`a{}`, ""},
		{`a;b`, ""},
		{`'a'`, ""},
		{`div.`, ""},
		{`div#`, ""},
		{`a:`, ""},
		{`a::`, ""},
		{`a)`, ""},
		{`a(b)`, ""},
		{`a:not(b`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.sel, func(t *testing.T) {
			err := CheckCSS(tt.sel)
			if err == nil {
				t.Fatalf("CheckCSS(%q) = nil, want an error", tt.sel)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckCSS(%q) = %v, want it to contain %q", tt.sel, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "not a CSS selector") {
				t.Errorf("CheckCSS(%q) = %v, want it to say it is not a CSS selector", tt.sel, err)
			}
		})
	}
}

// Every css candidate of the shipped file passes, in every element.
func TestCheckCSS_AcceptsEveryShippedCandidate(t *testing.T) {
	f := mustDefault(t)
	n := 0
	for i := range f.Profiles {
		for _, e := range f.Profiles[i].elements() {
			for _, c := range e.candidates {
				if c.CSS == "" {
					continue
				}
				n++
				if err := CheckCSS(c.CSS); err != nil {
					t.Errorf("%s: %v", f.Profiles[i].Name, err)
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d css candidates in the shipped file", n)
	}
}
