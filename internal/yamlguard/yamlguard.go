// Package yamlguard refuses YAML that would cost far more to read than its
// size: alias bombs ("billion laughs": a 1 KB file of aliases naming
// aliases that expands to billions of values) and deep nesting. It reads
// the file with goccy/go-yaml's own lexer (and parser, to size what aliases
// name), so it sees the file the way the loaders do, and never expands an
// alias.
//
// A loader calls Check on the bytes before it decodes them: yaml.Unmarshal
// and yaml.YAMLToJSON copy what each alias names. Measured with
// goccy/go-yaml v1.19.2: YAMLToJSON of 6 levels of 10 aliases allocates 1 GB
// in 3.5 s, each level more ten times that; the parser alone takes
// quadratic time and memory in the nesting depth (10,000 nested "[" take
// 156 MB, 100,000 run out of memory).
//
// Check refuses, per Limits: any alias, or aliases that expand past a cap
// (and any alias a reader could expand otherwise than YAML does); nesting
// deeper than a cap; input longer than a cap. A file that is not valid YAML
// passes, for the loader to report its syntax error as it always has.
package yamlguard

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Defaults of Limits.
const (
	// DefaultDepth is the nesting Check allows: a configuration file needs
	// a handful of levels (the selectors file has 8), and goccy/go-yaml's
	// parser reads 100 levels in microseconds.
	DefaultDepth = 100
	// DefaultBytes is the longest input Check reads, the loaders' own cap.
	DefaultBytes = 4 << 20
	// DefaultAliasNodes is a cap for a format that allows aliases: far more
	// than sharing a few keys among thousands of entries (<<: *defaults)
	// adds, and read in milliseconds.
	DefaultAliasNodes = 100_000
)

// Limits says what Check allows. The zero value refuses every alias and
// applies DefaultDepth and DefaultBytes.
type Limits struct {
	// AliasNodes is how many values aliases may add to the document once
	// each is replaced by a copy of what it names (an alias inside an
	// anchored value counts again at each use of that anchor); 0 refuses
	// every alias, merge keys (<<: *name) included. Anchors that no alias
	// names pass.
	AliasNodes int
	// Depth is the deepest nesting allowed, of flow collections ([, {) and
	// block collections (indented keys, "- " entries) together; 0 means
	// DefaultDepth.
	Depth int
	// Bytes is the longest input read; 0 means DefaultBytes. The loaders
	// cap their files at that size before they call Check, with their own
	// message.
	Bytes int
}

// The kinds of Error, for errors.Is.
var (
	ErrAlias     = errors.New("YAML alias not allowed")
	ErrExpansion = errors.New("YAML aliases expand too far")
	ErrDepth     = errors.New("YAML nested too deep")
	ErrTooLarge  = errors.New("YAML input too large")
	ErrPanic     = errors.New("YAML reader failed")
)

// Error is what Check refuses. Line is the line of the alias (or of the
// token that nests too deep), counting from 1; 0 for the whole input. Msg
// says what is wrong and how to fix it, without the source and line, for
// a loader to put in its own error.
type Error struct {
	Source string
	Line   int
	Msg    string
	Kind   error // one of ErrAlias, ErrExpansion, ErrDepth, ErrTooLarge, ErrPanic
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.Source, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Msg)
}

// Unwrap gives the Kind.
func (e *Error) Unwrap() error { return e.Kind }

// Check reads data as YAML without expanding an alias and returns an
// *Error when it holds what lim refuses, or nil. source names the input
// in the error. It takes time and memory in proportion to len(data).
func Check(data []byte, source string, lim Limits) (err error) {
	if lim.Depth <= 0 {
		lim.Depth = DefaultDepth
	}
	if lim.Bytes <= 0 {
		lim.Bytes = DefaultBytes
	}
	if len(data) > lim.Bytes {
		return &Error{Source: source, Kind: ErrTooLarge,
			Msg: fmt.Sprintf("the file is %d bytes, more than the %d read of a YAML file: is it the right file?", len(data), lim.Bytes)}
	}
	defer func() {
		// The YAML library is third-party code fed with user input.
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if len(msg) > 200 {
				msg = msg[:200] + "…"
			}
			err = &Error{Source: source, Kind: ErrPanic, Msg: fmt.Sprintf("not valid YAML: the YAML reader failed on it (%s)", bytes.ToValidUTF8([]byte(msg), nil))}
		}
	}()
	// goccy/go-yaml counts a CRLF after a comment as two lines.
	raw, data := data, bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	tokens := lexer.Tokenize(string(data))
	aliases, e := scan(tokens, lim)
	if e != nil {
		e.Source = source
		return e
	}
	if aliases == 0 {
		return nil
	}
	// Aliases are allowed (scan refused them otherwise): size what they
	// name. The parser keeps an alias as one node, so this is cheap; a
	// file it cannot parse is one the loader cannot either (as the loader
	// may read it: without its CRLFs made LFs).
	file, perr := parser.Parse(tokens, 0)
	if perr != nil && len(raw) != len(data) {
		file, perr = parser.ParseBytes(raw, 0)
	}
	if perr != nil {
		return nil
	}
	c := counter{anchors: map[string]anchor{}, limit: int64(lim.AliasNodes)}
	for _, doc := range file.Docs {
		if c.size(doc); c.err != nil {
			c.err.Source = source
			return c.err
		}
	}
	return nil
}

// scan walks the tokens once: it counts the aliases, refuses the first one
// when lim allows none, and refuses nesting deeper than lim.Depth.
func scan(tokens token.Tokens, lim Limits) (aliases int, _ *Error) {
	flow := 0       // open [ and {
	var block []int // columns of the open block collections, innermost last
	var prev *token.Token
	for i, tk := range tokens {
		if tk == nil {
			continue
		}
		switch tk.Type {
		case token.CommentType:
			continue
		case token.DocumentHeaderType, token.DocumentEndType:
			flow, block = 0, block[:0]
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingKeyType:
			if flow == 0 {
				block = nest(block, tk.Position.Column)
			}
		case token.MappingValueType:
			// A block mapping nests by the column of its keys.
			if flow == 0 && prev != nil {
				block = nest(block, prev.Position.Column)
			}
		case token.AliasType:
			aliases++
			if lim.AliasNodes <= 0 {
				name := ""
				if i+1 < len(tokens) && tokens[i+1] != nil {
					name = tokens[i+1].Value
				}
				msg := fmt.Sprintf("YAML aliases (*%s) are not allowed: write the value out", name)
				if prev != nil && prev.Type == token.MappingValueType && prev.Prev != nil && prev.Prev.Type == token.MergeKeyType {
					msg = fmt.Sprintf("YAML aliases (*%s) are not allowed, nor merge keys that copy one (<<: *%s): write the keys out", name, name)
				}
				return aliases, &Error{Line: line(tk), Kind: ErrAlias, Msg: msg}
			}
		}
		if d := flow + len(block); d > lim.Depth {
			return aliases, &Error{Line: line(tk), Kind: ErrDepth,
				Msg: fmt.Sprintf("YAML nested more than %d levels deep (of [, { and indented keys or entries): a configuration file needs a few; remove the extra levels", lim.Depth)}
		}
		prev = tk
	}
	return aliases, nil
}

// nest records a block collection at column col: it closes those indented
// deeper and opens one unless the innermost is at col.
//
// A sequence may sit at its key's column ("key:" then "- item" below it),
// so the count can be half the parser's depth; the limit allows for that.
func nest(block []int, col int) []int {
	for len(block) > 0 && block[len(block)-1] > col {
		block = block[:len(block)-1]
	}
	if len(block) == 0 || block[len(block)-1] < col {
		block = append(block, col)
	}
	return block
}

// counter sizes the document as if every alias were a copy of what it
// names, in document order, and stops at the first alias it refuses: the
// one that takes the copies past limit, and any alias whose meaning a
// reader could take otherwise than YAML does. A reader that looks anchors
// up by name over the whole document, as the accounts file's does, would
// loop or multiply on an alias before its anchor (forbidden by YAML), an
// alias inside the value it names, or an anchor defined twice.
type counter struct {
	anchors map[string]anchor
	added   int64 // values the aliases so far add
	limit   int64
	err     *Error
}

type anchor struct {
	line int
	size int64 // -1 while the anchor's value is being read
}

// size is the number of values of n with its aliases expanded. A size
// past limit stops the walk (err is set then, since every value an alias
// adds is in added), so none exceeds the literal values plus twice limit:
// no overflow.
func (c *counter) size(n ast.Node) int64 {
	if n == nil || c.err != nil {
		return 0
	}
	switch v := n.(type) {
	case *ast.DocumentNode:
		return c.size(v.Body)
	case *ast.AnchorNode:
		name := tokenValue(v.Name)
		if a, ok := c.anchors[name]; ok {
			return c.refuse(line(v.Start), ErrAlias, fmt.Sprintf("the YAML anchor &%s is defined again (first on line %d): give each anchor a name of its own", name, a.line))
		}
		c.anchors[name] = anchor{line: line(v.Start), size: -1}
		s := c.size(v.Value)
		c.anchors[name] = anchor{line: line(v.Start), size: s}
		return s
	case *ast.AliasNode:
		name := tokenValue(v.Value)
		a, ok := c.anchors[name]
		switch {
		case !ok:
			return c.refuse(line(v.Start), ErrAlias, fmt.Sprintf("the YAML alias *%s names no anchor before it: define &%s above it, or write the value out", name, name))
		case a.size < 0:
			return c.refuse(line(v.Start), ErrAlias, fmt.Sprintf("the YAML alias *%s is inside the value of &%s (line %d), which it names: a loop; write the value out", name, name, a.line))
		}
		c.added += a.size
		if c.added > c.limit {
			c.refuse(line(v.Start), ErrExpansion, fmt.Sprintf("YAML aliases expand to more than %d values at *%s (aliases of aliases multiply, a \"billion laughs\"): write the values out; an alias may share a few keys, like <<: *defaults", c.limit, name))
		}
		return a.size
	case *ast.TagNode:
		return c.size(v.Value)
	case *ast.MappingKeyNode:
		return c.size(v.Value)
	case *ast.MappingNode:
		s := int64(1)
		for _, kv := range v.Values {
			s += c.size(kv)
		}
		return s
	case *ast.MappingValueNode:
		return 1 + c.size(v.Key) + c.size(v.Value)
	case *ast.SequenceNode:
		s := int64(1)
		for _, x := range v.Values {
			s += c.size(x)
		}
		return s
	case *ast.CommentGroupNode, *ast.CommentNode:
		return 0
	}
	return 1
}

// refuse records the first refusal; it returns 0, the size of a refused node.
func (c *counter) refuse(line int, kind error, msg string) int64 {
	if c.err == nil {
		c.err = &Error{Line: line, Kind: kind, Msg: msg}
	}
	return 0
}

func tokenValue(n ast.Node) string {
	if n == nil || n.GetToken() == nil {
		return ""
	}
	return n.GetToken().Value
}

func line(tk *token.Token) int {
	if tk == nil || tk.Position == nil {
		return 0
	}
	return tk.Position.Line
}
