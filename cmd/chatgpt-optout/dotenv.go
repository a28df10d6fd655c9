package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/joho/godotenv"

	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
)

// envSource is where the commands read variables: the environment, with
// the dotenv file under it. Values already in the environment win; one set
// but empty there does not hide the file's. Nothing is written to the
// tool's own environment, so the file's secrets reach no child process.
type envSource struct {
	env   lookupFunc        // the environment; nil: the process's
	file  string            // the dotenv file read; "" when none
	vars  map[string]string // its variables
	lines map[string]int    // the line of each
}

// lookup returns a variable's value and whether it is set.
func (e *envSource) lookup(name string) (string, bool) {
	if v, ok := e.environ(name); ok && v != "" {
		return v, true
	}
	if e != nil {
		if v, ok := e.vars[name]; ok {
			return v, true
		}
	}
	return e.environ(name)
}

// environ reads the environment alone.
func (e *envSource) environ(name string) (string, bool) {
	if e == nil || e.env == nil {
		return os.LookupEnv(name)
	}
	return e.env(name)
}

// origin names where a variable's value comes from, for messages:
// "CHATGPT_BASE_URL", or "CHATGPT_BASE_URL (.env:3)" from the file.
func (e *envSource) origin(name string) string {
	if v, ok := e.environ(name); (!ok || v == "") && e != nil {
		if _, ok := e.vars[name]; ok {
			return fmt.Sprintf("%s (%s:%d)", name, e.file, e.lines[name])
		}
	}
	return name
}

// loadDotenv reads the dotenv file: the one named, or ./.env when present
// (.env in dir, "" for the working folder). env is the environment above
// it (nil: the process's).
func loadDotenv(named string, env lookupFunc, dir string) (*envSource, error) {
	file, path, auto := named, named, false
	if file == "" {
		path = filepath.Join(dir, ".env")
		if _, err := os.Stat(path); err != nil {
			return &envSource{env: env}, nil
		}
		file, auto = ".env", true
	}
	fix := "fix it, or point --env-file elsewhere"
	if auto {
		fix = "it is read because it is in the current folder: " + fix
	}
	data, err := fileio.ReadCapped(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, configErrorf("dotenv file %s cannot be read: %v (%s)", file, err, fix)
	}
	vars, lines, err := parseDotenv(data, file)
	if err != nil {
		return nil, configErrorf("%v (%s)", err, fix)
	}
	return &envSource{env: env, file: file, vars: vars, lines: lines}, nil
}

// dotenvError is a dotenv file that cannot be read, naming the file and
// the line (0: unknown), never anything of the file's content: a line
// that does not parse may well be a secret.
func dotenvError(file string, line int, msg string) error {
	if line > 0 {
		return fmt.Errorf("dotenv file %s:%d: %s", file, line, msg)
	}
	return fmt.Errorf("dotenv file %s: %s", file, msg)
}

// parseDotenv reads a dotenv file with godotenv (the values are its), and
// finds on its own where the file breaks, since godotenv's errors quote
// the rest of the file. It returns the variables and the line of each.
func parseDotenv(data []byte, file string) (vars map[string]string, lines map[string]int, err error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, nil, dotenvError(file, lineAt(data, i), "not text: the file holds a NUL byte (is it a binary file?); a dotenv file holds lines like NAME=value")
	}
	if !utf8.Valid(data) {
		return nil, nil, dotenvError(file, lineAt(data, invalidUTF8At(data)), "not text: the file holds bytes that are not UTF-8 (is it a binary file?); a dotenv file holds lines like NAME=value")
	}
	src := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	lines, scanErr := scanDotenv(src, file)
	vars, err = unmarshalDotenv(data)
	switch {
	case err == nil:
		return vars, lines, nil
	case scanErr != nil:
		return nil, nil, scanErr
	default:
		return nil, nil, dotenvError(file, 0, "cannot be parsed (the text is not shown: it may hold a secret); a dotenv file holds lines like NAME=value, with values in matching quotes")
	}
}

// unmarshalDotenv is godotenv's parse, with a panic on hostile input made
// an error.
func unmarshalDotenv(data []byte) (vars map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			vars, err = nil, errors.New("the parser failed")
		}
	}()
	return godotenv.UnmarshalBytes(data)
}

// scanDotenv walks the statements of src as godotenv does, to tell the
// line of each variable and of the first error. The values are godotenv's;
// this only finds places.
func scanDotenv(src []byte, file string) (map[string]int, error) {
	lines := map[string]int{}
	// The places only move forward: count the lines as they go.
	at, line := 0, 1
	lineAt := func(_ []byte, i int) int {
		line += bytes.Count(src[at:i], []byte("\n"))
		at = i
		return line
	}
	p := 0
	for {
		p = dotenvStatementStart(src, p)
		if p < 0 {
			return lines, nil
		}
		key, rest, bad := dotenvKey(src, p)
		if bad >= 0 {
			return lines, dotenvError(file, lineAt(src, bad), "not a NAME=value line: a name holds only letters, digits, _ and ., and is followed by = (the line is not shown: it may hold a secret)")
		}
		lines[key] = lineAt(src, p)
		next, open := dotenvValue(src, rest)
		if open >= 0 {
			return lines, dotenvError(file, lineAt(src, open), fmt.Sprintf("a quoted value is never closed: its opening %c runs to the end of the file (the value is not shown)", src[open]))
		}
		if next < 0 {
			return lines, nil
		}
		p = next
	}
}

// dotenvStatementStart skips white space and comment lines from p; -1 at
// the end of src.
func dotenvStatementStart(src []byte, p int) int {
	for {
		i := bytes.IndexFunc(src[p:], func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			return -1
		}
		p += i
		if src[p] != '#' {
			return p
		}
		i = bytes.IndexByte(src[p:], '\n')
		if i < 0 {
			return -1
		}
		p += i
	}
}

// dotenvKey reads the name of the statement at p. It returns the name,
// where its value starts, and the place of a character that cannot be in
// a name (or -1).
func dotenvKey(src []byte, p int) (string, int, int) {
	p = skipSpace(src, p)
	if bytes.HasPrefix(src[p:], []byte("export")) {
		if t := p + len("export"); bytes.IndexFunc(src[t:], dotenvSpace) == 0 {
			p = skipSpace(src, t)
		}
	}
	start := p
	for i := p; i < len(src); i++ {
		c := src[i]
		if dotenvSpace(rune(c)) {
			continue
		}
		switch {
		case c == '=' || c == ':':
			key := string(bytes.TrimRightFunc(src[start:i], unicode.IsSpace))
			return key, skipSpace(src, i+1), -1
		case c == '_' || c == '.' || unicode.IsLetter(rune(c)) || unicode.IsNumber(rune(c)):
		default:
			return "", 0, i
		}
	}
	if start == len(src) {
		return "", 0, start
	}
	// A last line of name characters only: godotenv takes all of it as
	// the value of an empty name.
	return "", skipSpace(src, start), -1
}

// dotenvValue reads the value at p. It returns where the next statement
// may start (-1 at the end) and the place of a quote never closed (or -1).
func dotenvValue(src []byte, p int) (int, int) {
	if p < len(src) && (src[p] == '"' || src[p] == '\'') {
		for i := p + 1; i < len(src); i++ {
			if src[i] == src[p] && src[i-1] != '\\' {
				return i + 1, -1
			}
		}
		return -1, p
	}
	end := bytes.IndexFunc(src[p:], func(r rune) bool { return r == '\n' || r == '\r' })
	if end < 0 {
		return -1, -1
	}
	return p + end, -1
}

// dotenvSpace is godotenv's white space within a line.
func dotenvSpace(r rune) bool {
	return strings.ContainsRune("\t\v\f\r \u0085\u00A0", r)
}

func skipSpace(src []byte, p int) int {
	return len(src) - len(bytes.TrimLeftFunc(src[p:], dotenvSpace))
}

// lineAt is the line (from 1) of the byte at i.
func lineAt(src []byte, i int) int {
	return bytes.Count(src[:min(i, len(src))], []byte("\n")) + 1
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}
