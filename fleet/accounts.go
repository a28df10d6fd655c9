package fleet

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
	"github.com/chatgpt-optout/chatgpt-optout/internal/yamlguard"
)

// AccountSpec is one entry of an accounts file, as written: secrets are
// named by environment variable, never held.
type AccountSpec struct {
	Name            string // unique label in reports
	Email           string
	PasswordEnv     string // variable holding the password
	TOTPSecretEnv   string // variable holding the base32 TOTP secret
	SessionTokenEnv string // variable holding a session cookie
	ProfileDir      string // persistent Chrome profile
	State           string // saved session state file
	IMAPURLEnv      string // variable holding the mailbox URL of the sign-in codes
	IMAPPasswordEnv string // variable holding that mailbox's password
	// Settings are the data-use settings to switch off (settings:, of the
	// account or else of the file); nil means the run's.
	Settings []automation.DataSetting

	// Line is the line of the entry in the file; KeyLines the line of
	// each key, for errors found after parsing.
	Line     int
	KeyLines map[string]int
}

// lineOf is the line of key, or of the entry when the key is absent.
func (s AccountSpec) lineOf(key string) int {
	if l := s.KeyLines[key]; l > 0 {
		return l
	}
	return s.Line
}

// Problem is one thing wrong with an accounts file.
type Problem struct {
	Line    int    // 0 when the problem is with the whole file
	Account string // the account's name, when known
	Msg     string
	// Fix lists the settings the message asks to change (see
	// automation.Setting); the error of the file carries them all.
	Fix []automation.Setting
}

// AccountsError lists every problem found in an accounts file. Nothing
// runs while there is one.
type AccountsError struct {
	Source   string
	Problems []Problem
}

// maxProblems bounds the problems listed in one error.
const maxProblems = 20

// add adds a problem and returns it, for its Fix.
func (e *AccountsError) add(line int, account, format string, args ...any) *Problem {
	e.Problems = append(e.Problems, Problem{Line: line, Account: account, Msg: fmt.Sprintf(format, args...)})
	return &e.Problems[len(e.Problems)-1]
}

func (e *AccountsError) Error() string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("accounts file %s: nothing was run: %s", e.Source, e.problemText(e.Problems[0]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "accounts file %s has %d problems; nothing was run:", e.Source, len(e.Problems))
	for i, p := range e.Problems {
		if i == maxProblems {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Problems)-maxProblems)
			break
		}
		b.WriteString("\n  " + e.problemText(p))
	}
	return b.String()
}

func (e *AccountsError) problemText(p Problem) string {
	s := e.Source
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
	}
	s += ": "
	if p.Account != "" {
		s += "account " + quote.Value(p.Account) + ": "
	}
	return s + p.Msg
}

// err is e as a configuration error (exit 1), its problems in the order
// of their lines; nil when it has none.
func (e *AccountsError) err() error {
	if len(e.Problems) == 0 {
		return nil
	}
	slices.SortStableFunc(e.Problems, func(a, b Problem) int { return a.Line - b.Line })
	var fix []automation.Setting
	for _, p := range e.Problems {
		for _, s := range p.Fix {
			if !slices.Contains(fix, s) {
				fix = append(fix, s)
			}
		}
	}
	return &automation.Error{Kind: automation.KindConfig, Msg: e.Error(), Err: e, Fix: fix}
}

var knownKeys = []string{"name", "email", "password_env", "totp_secret_env", "session_token_env", "profile_dir", "state", "imap_url_env", "imap_password_env", "settings"}

// inlineSecrets are keys that would put a secret in the file; each maps to
// the key that names its variable instead.
var inlineSecrets = map[string]string{
	"password":      "password_env",
	"totp_secret":   "totp_secret_env",
	"totp":          "totp_secret_env",
	"session_token": "session_token_env",
	"token":         "session_token_env",
	"imap_password": "imap_password_env",
}

var (
	envName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// Limits of an account's values: more is not an account, and would only
// bloat the messages and reports that quote them.
const (
	maxName  = 200  // name:, and the names of variables
	maxEmail = 254  // email: (the longest address RFC 5321 allows)
	maxPath  = 4096 // profile_dir:
)

// LoadAccounts reads and checks an accounts file of at most
// fileio.MaxBytes (4 MiB).
func LoadAccounts(path string) ([]AccountSpec, error) {
	data, err := fileio.ReadCapped(path)
	if err != nil {
		e := &AccountsError{Source: path}
		e.add(0, "", "cannot be read: %v", unwrapPathError(err))
		return nil, e.err()
	}
	return ParseAccounts(data, path)
}

// capQuotedText cuts a library's message to one that quotes no value in
// full.
func capQuotedText(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// ParseAccounts checks an accounts file and returns its entries in file
// order. source names the file in errors. Every problem found is listed,
// each with its line; the error is an *automation.Error of kind config
// wrapping an *AccountsError.
func ParseAccounts(data []byte, source string) (specs []AccountSpec, err error) {
	e := &AccountsError{Source: source}
	defer func() {
		// The YAML library is third-party code fed with user input: a
		// panic in it must end as an error, never as a crash.
		if r := recover(); r != nil {
			specs = nil
			e.Problems = nil
			e.add(0, "", "cannot be parsed (%s)", capQuotedText(fmt.Sprint(r)))
			err = e.err()
		}
	}()
	if len(data) > fileio.MaxBytes {
		e.add(0, "", "%v", fileio.ErrTooLarge)
		return nil, e.err()
	}
	specs = parseAccounts(data, e)
	if err := e.err(); err != nil {
		return nil, err
	}
	return specs, nil
}

func parseAccounts(data []byte, e *AccountsError) []AccountSpec {
	// yamlguard refuses YAML that would cost far more to read than its
	// size: aliases adding more than DefaultAliasNodes values once expanded
	// (the resolver follows merge keys at each use: a 1 KB file of merge
	// keys naming merge keys took minutes), aliases it would loop on (an
	// alias before its anchor or inside it, an anchor defined twice), and
	// deep nesting. Aliases that share a few keys (<<: *defaults) pass.
	var ge *yamlguard.Error
	err := yamlguard.Check(data, e.Source, yamlguard.Limits{AliasNodes: yamlguard.DefaultAliasNodes, Bytes: fileio.MaxBytes})
	if errors.As(err, &ge) {
		e.add(ge.Line, "", "%s", ge.Msg)
		return nil
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		e.add(0, "", "the file is empty; it needs a list under accounts:, like\n    accounts:\n      - name: alice\n        email: alice@example.com\n        password_env: ALICE_PASSWORD")
		return nil
	}
	if !utf8.Valid(data) {
		e.add(0, "", "the file is not UTF-8 text")
		return nil
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		msg, line := err.Error(), 0
		var ye yaml.Error
		if errors.As(err, &ye) {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				line = tk.Position.Line
			}
		}
		msg, _, _ = strings.Cut(strings.TrimSpace(msg), "\n")
		e.add(line, "", "not valid YAML: %s", capQuotedText(msg))
		return nil
	}
	var docs []ast.Node
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d.Body)
		}
	}
	if len(docs) != 1 {
		e.add(0, "", "want one YAML document with accounts:, found %d", len(docs))
		return nil
	}
	// yamlguard has refused aliases before their anchor, inside it, or
	// to an anchor defined twice: one name, one value.
	r := resolver{}
	for _, n := range ast.Filter(ast.AnchorType, docs[0]) {
		a := n.(*ast.AnchorNode)
		r[a.Name.GetToken().Value] = a.Value
	}
	top, ok := r.value(docs[0]).(ast.MapNode)
	if !ok {
		e.add(lineOfNode(docs[0]), "", "the top level must be a mapping with the key accounts:")
		return nil
	}
	var list ast.Node
	var fileSettings []automation.DataSetting
	for kv := top.MapRange(); kv.Next(); {
		switch key := keyText(kv.Key()); key {
		case "settings":
			var msg string
			if fileSettings, msg = r.settings(kv.Value()); msg != "" {
				e.add(lineOfNode(kv.Key()), "", "settings: %s", msg)
			}
		case "accounts":
			if list = r.value(kv.Value()); list == nil {
				e.add(lineOfNode(kv.Key()), "", "accounts: is empty; list at least one account")
				return nil
			}
		default:
			e.add(lineOfNode(kv.Key()), "", "unknown top-level key %s: the file has only accounts: and settings:", quote.Value(key))
		}
	}
	seq, ok := list.(*ast.SequenceNode)
	switch {
	case list == nil:
		if len(e.Problems) == 0 {
			e.add(0, "", "no accounts: key; the file needs a list under accounts:")
		}
		return nil
	case !ok:
		e.add(lineOfNode(list), "", "accounts: must be a list (each entry starting with \"- \")")
		return nil
	case len(seq.Values) == 0:
		e.add(lineOfNode(seq), "", "accounts: is an empty list; list at least one account")
		return nil
	}
	specs := make([]AccountSpec, 0, len(seq.Values))
	for i, item := range seq.Values {
		// An entry with problems still takes part in the checks for
		// duplicates, so that one run lists every problem.
		if s, ok := r.account(item, i, e); ok || s.Line > 0 {
			if s.Settings == nil {
				s.Settings = fileSettings
			}
			specs = append(specs, s)
		}
	}
	checkUnique(specs, e)
	return specs
}

// settings reads a settings: value, a list of names or one line of them
// separated by commas, and says what is wrong with it.
func (r resolver) settings(node ast.Node) ([]automation.DataSetting, string) {
	var names []string
	if seq, ok := r.value(node).(*ast.SequenceNode); ok {
		for _, item := range seq.Values {
			text, ok := scalarText(r.value(item))
			if !ok {
				return nil, "each entry must be a setting's name, not a list or mapping"
			}
			names = append(names, text)
		}
	} else {
		text, ok := scalarText(r.value(node))
		if !ok {
			return nil, "must be a list of settings, like [training, marketing]"
		}
		names = append(names, text)
	}
	if strings.TrimSpace(strings.Join(names, "")) == "" {
		return nil, "is empty: name at least one setting, or leave the key out for training"
	}
	d, err := automation.ParseDataSettings(names...)
	if err != nil {
		return nil, err.Error()
	}
	return d, ""
}

// account reads one entry of the list. Its problems are added to e, under
// its name.
func (r resolver) account(item ast.Node, index int, e *AccountsError) (AccountSpec, bool) {
	line := lineOfNode(item)
	m, ok := r.value(item).(ast.MapNode)
	if !ok {
		e.add(line, "", "entry %d of accounts: must be a mapping with name:, email: and password_env:", index+1)
		return AccountSpec{}, false
	}
	s := AccountSpec{Line: line, KeyLines: map[string]int{}}
	first := len(e.Problems)
	fail := func(line int, format string, args ...any) { e.add(line, "", format, args...) }
	values := map[string]string{}
	var inline []string // inline secret keys, in order
	r.entries(m, 0, func(key string, keyLine int, value ast.Node) {
		if _, seen := s.KeyLines[key]; seen {
			return // a key given directly wins over a merged one
		}
		s.KeyLines[key] = keyLine
		switch _, secret := inlineSecrets[key]; {
		case secret:
			inline = append(inline, key)
		case !slices.Contains(knownKeys, key):
			fail(keyLine, "unknown key %s: an account has only %s", quote.Value(key), strings.Join(knownKeys, ", "))
		case key == "settings":
			var msg string
			if s.Settings, msg = r.settings(value); msg != "" {
				fail(keyLine, "settings: %s", msg)
			}
		default:
			if text, ok := scalarText(r.value(value)); ok {
				values[key] = strings.TrimSpace(text)
			} else {
				fail(keyLine, "%s: must be text, not a list or mapping", key)
			}
		}
	}, fail)
	s.Name, s.Email = cmp.Or(values["name"], values["email"]), values["email"]
	s.PasswordEnv, s.TOTPSecretEnv, s.SessionTokenEnv = values["password_env"], values["totp_secret_env"], values["session_token_env"]
	s.ProfileDir, s.State = values["profile_dir"], values["state"]
	s.IMAPURLEnv, s.IMAPPasswordEnv = values["imap_url_env"], values["imap_password_env"]
	for _, key := range inline {
		// Never echo the value: it is a secret.
		want := inlineSecrets[key]
		fail(s.KeyLines[key], "an inline %s: is not allowed: secrets are never written in the accounts file; put it in an environment variable and name that variable with %s: (for example %s: %s)",
			key, want, want, suggestVar(s.Name, want))
	}
	if _, has := s.KeyLines["name"]; has && values["name"] == "" {
		fail(s.lineOf("name"), "name: is empty; give the account a label, or leave the key out to use the email")
	}
	if s.Name != "" && !printable(s.Name) {
		fail(s.lineOf("name"), "name: must be printable text on one line")
	}
	switch n := utf8.RuneCountInString(s.Email); {
	case s.Email == "":
		fail(s.lineOf("email"), "missing email: every account needs the email it signs in with")
	case !strings.Contains(s.Email, "@") || strings.ContainsAny(s.Email, " \t\r\n") || !printable(s.Email):
		fail(s.lineOf("email"), "email: %s is not an email address", quote.Value(s.Email))
	case n > maxEmail:
		fail(s.lineOf("email"), "email: is %d characters long; an email address has at most %d", n, maxEmail)
	}
	if n := utf8.RuneCountInString(s.Name); n > maxName {
		fail(s.lineOf("name"), "name: is %d characters long; a name, which labels the reports, may have at most %d", n, maxName)
	}
	for _, k := range [][2]string{{"profile_dir", "folder's"}, {"state", "file's"}} {
		if n := len(values[k[0]]); n > maxPath {
			fail(s.lineOf(k[0]), "%s: is %d bytes long; a %s path may have at most %d", k[0], n, k[1], maxPath)
		}
	}
	if _, has := s.KeyLines["state"]; has && values["state"] == "" {
		fail(s.lineOf("state"), "state: is empty; give the state file's path, or leave the key out")
	}
	// A key absent, or already reported as not text, has no value.
	for _, k := range []string{"password_env", "totp_secret_env", "session_token_env", "imap_url_env", "imap_password_env"} {
		if v, has := values[k]; has && (!envName.MatchString(v) || len(v) > maxName) {
			fail(s.lineOf(k), "%s: must be the name of an environment variable (letters, digits and _, at most %d), not %s", k, maxName, describeValue(v))
		}
	}
	if s.PasswordEnv == "" && s.SessionTokenEnv == "" && s.ProfileDir == "" && s.State == "" && s.IMAPURLEnv == "" && len(inline) == 0 {
		fail(s.Line, "no way to sign in: give password_env: (the variable holding the password), session_token_env:, profile_dir: (a profile folder a person signed in with), state: (a saved session state file) or a mailbox (imap_url_env: and imap_password_env:) where the site's sign-in codes arrive")
	}
	for i := first; i < len(e.Problems); i++ {
		e.Problems[i].Account = s.Name
	}
	return s, len(e.Problems) == first
}

// checkUnique refuses duplicate names, emails and profile folders.
func checkUnique(specs []AccountSpec, e *AccountsError) {
	seen := map[[2]string]AccountSpec{}
	for _, s := range specs {
		for _, u := range []struct{ key, value, id, why string }{
			{"name", s.Name, strings.ToLower(s.Name), ""},
			{"email", s.Email, strings.ToLower(s.Email), "each account once"},
			{"profile_dir", s.ProfileDir, strings.TrimRight(s.ProfileDir, "/"), "one Chrome profile holds one account"},
		} {
			prev, dup := seen[[2]string{u.key, u.id}]
			switch {
			case u.value == "":
			case !dup:
				seen[[2]string{u.key, u.id}] = s
			case u.key == "name":
				e.add(s.lineOf(u.key), s.Name, "the name is already used by the account at line %d: names must be unique, they label the reports", prev.Line)
			default:
				e.add(s.lineOf(u.key), s.Name, "%s %s is already used by account %s at line %d: %s", u.key, quote.Value(u.value), quote.Value(prev.Name), prev.Line, u.why)
			}
		}
	}
}

// Resolve reads the secrets of every account from the environment through
// lookup (os.LookupEnv in the command), and fills in each account's state
// file (state:, or one in opts.StateDir) and mailbox (imap_url_env:,
// imap_password_env:). A variable that is missing or empty, or a state
// file that cannot be read or decrypted, is an error naming the account
// and the line; values are never part of an error.
func Resolve(source string, specs []AccountSpec, lookup func(string) (string, bool), opts ResolveOptions) ([]automation.Account, error) {
	e := &AccountsError{Source: source}
	accounts := make([]automation.Account, 0, len(specs))
	for _, s := range specs {
		a := automation.Account{Name: s.Name, Email: s.Email, ProfileDir: s.ProfileDir, Settings: s.Settings}
		get := func(key, name string) string {
			if name == "" {
				return ""
			}
			v, ok := lookup(name)
			if !ok || strings.TrimSpace(v) == "" {
				state := "is not set"
				if ok {
					state = "is empty"
				}
				e.add(s.lineOf(key), s.Name, "the environment variable %s (%s:) %s: set it, in CI by mapping the secret to it", name, key, state)
				return ""
			}
			return v
		}
		a.Password = get("password_env", s.PasswordEnv)
		a.TOTPSecret = strings.TrimSpace(get("totp_secret_env", s.TOTPSecretEnv))
		a.SessionToken = strings.TrimSpace(get("session_token_env", s.SessionTokenEnv))
		if err := a.Check(); err != nil {
			e.add(s.lineOf("totp_secret_env"), s.Name, "the environment variable %s (totp_secret_env:): %v", s.TOTPSecretEnv, err)
		}
		accounts = append(accounts, a)
	}
	if len(e.Problems) == 0 {
		resolveSessions(specs, accounts, lookup, opts, e)
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	return accounts, nil
}

// resolver looks aliases up by their anchor's name.
type resolver map[string]ast.Node

// maxDepth bounds alias and merge chains so that hostile input cannot loop
// or recurse without end.
const maxDepth = 32

// value strips anchors and tags and follows aliases.
func (r resolver) value(n ast.Node) ast.Node {
	for range maxDepth {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			if v.Value == nil || v.Value.GetToken() == nil {
				return nil
			}
			n = r[v.Value.GetToken().Value]
		default:
			return n
		}
	}
	return nil
}

// entries calls fn for each key of m, following merge keys (<<) after the
// keys given directly, so that those win.
func (r resolver) entries(m ast.MapNode, depth int, fn func(key string, line int, value ast.Node), fail func(int, string, ...any)) {
	var merges []*ast.MappingValueNode
	for kv := m.MapRange(); kv.Next(); {
		if k := kv.Key(); k != nil && (k.IsMergeKey() || keyText(k) == "<<") {
			merges = append(merges, ast.MappingValue(nil, k, kv.Value()))
		} else if k != nil {
			fn(keyText(k), lineOfNode(k), kv.Value())
		}
	}
	for _, kv := range merges {
		sources := []ast.Node{kv.Value}
		if seq, ok := r.value(kv.Value).(*ast.SequenceNode); ok {
			sources = seq.Values
		}
		for _, src := range sources {
			sm, ok := r.value(src).(ast.MapNode)
			switch {
			case !ok:
				fail(lineOfNode(kv.Key), "a merge key (<<) must name a mapping, like <<: *defaults")
			case depth >= maxDepth:
				fail(lineOfNode(kv.Key), "merge keys (<<) nest too deep")
				return
			default:
				r.entries(sm, depth+1, fn, fail)
			}
		}
	}
}

// keyText is the text of a mapping key.
func keyText(k ast.MapKeyNode) string {
	if k == nil {
		return ""
	}
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	if t := k.GetToken(); t != nil {
		return t.Value
	}
	return ""
}

// scalarText is the text of a scalar value as written; null is "".
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "", true
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value, true
		}
	case ast.ScalarNode: // numbers, booleans: as written
		if t := v.GetToken(); t != nil {
			return t.Value, true
		}
	default:
		return "", false
	}
	return "", true
}

// lineOfNode is the line where n starts, or 0.
func lineOfNode(n ast.Node) int {
	if n == nil {
		return 0
	}
	defer func() { _ = recover() }() // a node without a token
	return n.GetToken().Position.Line
}

func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
}

// describeValue quotes a short value that is not a secret's name.
func describeValue(v string) string {
	if v == "" {
		return "an empty value"
	}
	// An invalid variable name may be a pasted secret: do not echo it.
	return fmt.Sprintf("a value of %d characters that is not a variable name (was a secret pasted here? it must not be)", utf8.RuneCountInString(v))
}

// suggestVar proposes a variable name for an account's secret.
func suggestVar(name, key string) string {
	base := strings.ToUpper(nonAlnum.ReplaceAllString(name, "_"))
	base = strings.Trim(base, "_")
	if base == "" || !envName.MatchString(base) || len(base) > 40 {
		base = "ACCOUNT"
	}
	suffix := map[string]string{"password_env": "PASSWORD", "totp_secret_env": "TOTP_SECRET", "session_token_env": "SESSION_TOKEN", "imap_password_env": "IMAP_PASSWORD"}[key]
	return base + "_" + suffix
}
