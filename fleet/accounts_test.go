package fleet

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

const goodFile = `# the team's accounts
accounts:
  - name: alice                  # unique label used in reports
    email: alice@example.com
    password_env: ALICE_PASSWORD
    totp_secret_env: ALICE_TOTP  # optional
  - name: bob
    email: bob@example.com
    session_token_env: BOB_TOK
  - email: carol@example.com     # no name: the email labels it
    password_env: CAROL_PASSWORD
    profile_dir: profiles/carol
`

func TestParseAccounts_ReadsTheInterfaceFormat(t *testing.T) {
	specs, err := ParseAccounts([]byte(goodFile), "accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []AccountSpec{
		{Name: "alice", Email: "alice@example.com", PasswordEnv: "ALICE_PASSWORD", TOTPSecretEnv: "ALICE_TOTP", Line: 3},
		{Name: "bob", Email: "bob@example.com", SessionTokenEnv: "BOB_TOK", Line: 7},
		{Name: "carol@example.com", Email: "carol@example.com", PasswordEnv: "CAROL_PASSWORD", ProfileDir: "profiles/carol", Line: 10},
	}
	if len(specs) != len(want) {
		t.Fatalf("got %d accounts, want %d", len(specs), len(want))
	}
	for i, w := range want {
		g := specs[i]
		g.KeyLines = nil
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("account %d = %+v, want %+v", i, g, w)
		}
	}
	if specs[0].KeyLines["totp_secret_env"] != 6 {
		t.Errorf("key lines = %v", specs[0].KeyLines)
	}
}

func TestParseAccounts_AnchorsAndFlowStyle(t *testing.T) {
	data := `accounts:
  - &base
    name: a
    email: a@example.com
    password_env: A_PW
    profile_dir: p/a
  - <<: *base
    name: b
    email: b@example.com
    profile_dir: p/b
  - {name: c, email: c@example.com, password_env: C_PW}
`
	specs, err := ParseAccounts([]byte(data), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 3 || specs[1].Name != "b" || specs[1].PasswordEnv != "A_PW" || specs[1].ProfileDir != "p/b" || specs[2].PasswordEnv != "C_PW" {
		t.Errorf("specs = %+v", specs)
	}
}

// Every bad file is refused with a message that names the file, the line
// and (where there is one) the account, and never echoes an inline secret.
func TestParseAccounts_RefusesBadFilesWithLineNumbers(t *testing.T) {
	const secret = "hunter2-very-secret"
	cases := []struct {
		name  string
		data  string
		words []string // each must appear in the error
	}{
		{"inline password", "accounts:\n  - name: alice\n    email: a@example.com\n    password: " + secret + "\n",
			[]string{"f.yaml:4", `account "alice"`, "inline password", "password_env", "ALICE_PASSWORD"}},
		{"inline totp secret", "accounts:\n  - name: alice\n    email: a@example.com\n    password_env: P\n    totp_secret: " + secret + "\n",
			[]string{"f.yaml:5", `account "alice"`, "inline totp_secret", "totp_secret_env"}},
		{"inline session token", "accounts:\n  - name: alice\n    email: a@example.com\n    session_token: " + secret + "\n",
			[]string{"f.yaml:4", "inline session_token", "session_token_env"}},
		{"duplicate name", "accounts:\n  - name: alice\n    email: a@example.com\n    password_env: P\n  - name: alice\n    email: b@example.com\n    password_env: Q\n",
			[]string{"f.yaml:5", `account "alice"`, "already used", "line 2"}},
		{"duplicate name, other case", "accounts:\n  - name: Alice\n    email: a@example.com\n    password_env: P\n  - name: alice\n    email: b@example.com\n    password_env: Q\n",
			[]string{"f.yaml:5", "already used"}},
		{"duplicate email", "accounts:\n  - name: a\n    email: a@example.com\n    password_env: P\n  - name: b\n    email: A@example.com\n    password_env: Q\n",
			[]string{"f.yaml:6", `account "b"`, "A@example.com", "already used"}},
		{"duplicate profile", "accounts:\n  - name: a\n    email: a@example.com\n    profile_dir: p\n  - name: b\n    email: b@example.com\n    profile_dir: p/\n",
			[]string{"f.yaml:7", "profile_dir"}},
		{"unknown key", "accounts:\n  - name: alice\n    email: a@example.com\n    password_env: P\n    pasword_env: Q\n",
			[]string{"f.yaml:5", `account "alice"`, `unknown key "pasword_env"`}},
		{"unknown top-level key", "acounts: []\n", []string{"f.yaml:1", "acounts"}},
		{"missing email", "accounts:\n  - name: alice\n    password_env: P\n",
			[]string{"f.yaml:2", `account "alice"`, "missing email"}},
		{"bad email", "accounts:\n  - name: alice\n    email: alice\n    password_env: P\n",
			[]string{"f.yaml:3", "not an email"}},
		{"no way to sign in", "accounts:\n  - name: alice\n    email: a@example.com\n",
			[]string{"f.yaml:2", "password_env"}},
		{"variable name that is a secret", "accounts:\n  - name: alice\n    email: a@example.com\n    password_env: " + secret + "\n",
			[]string{"f.yaml:4", "password_env", "variable"}},
		{"value not text", "accounts:\n  - name: alice\n    email: [a@example.com]\n    password_env: P\n",
			[]string{"f.yaml:3", "email", "must be text"}},
		{"entry not a mapping", "accounts:\n  - alice@example.com\n", []string{"f.yaml:2", "mapping"}},
		{"accounts not a list", "accounts:\n  name: alice\n", []string{"f.yaml:2", "list"}},
		{"empty list", "accounts: []\n", []string{"f.yaml", "empty"}},
		{"empty file", "", []string{"f.yaml", "empty"}},
		{"no accounts key", "# nothing\n{}\n", []string{"f.yaml", "accounts:"}},
		{"not YAML", "accounts:\n  - name: [alice\n", []string{"f.yaml:", "not valid YAML"}},
		{"duplicate key", "accounts:\n  - name: alice\n    email: a@example.com\n    email: b@example.com\n    password_env: P\n", []string{"f.yaml:4", "email"}},
		{"two documents", "accounts: []\n---\naccounts: []\n", []string{"f.yaml", "one YAML document"}},
		{"top level a list", "- name: a\n", []string{"f.yaml:1", "top level"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			specs, err := ParseAccounts([]byte(c.data), "f.yaml")
			if err == nil {
				t.Fatalf("accepted: %+v", specs)
			}
			if specs != nil {
				t.Errorf("returned accounts with the error")
			}
			if automation.KindOf(err) != automation.KindConfig {
				t.Errorf("kind %s, want config", automation.KindOf(err))
			}
			var ae *AccountsError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T does not wrap *AccountsError", err)
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error echoes the secret: %q", err)
			}
		})
	}
}

func TestParseAccounts_ListsEveryProblem(t *testing.T) {
	data := "accounts:\n  - name: a\n    email: a@example.com\n    password: x\n  - name: a\n    email: b@example.com\n    password_env: B\n  - name: c\n    password_env: C\n"
	_, err := ParseAccounts([]byte(data), "f.yaml")
	var ae *AccountsError
	if !errors.As(err, &ae) || len(ae.Problems) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
	for i, line := range []int{4, 5, 8} {
		if ae.Problems[i].Line != line {
			t.Errorf("problem %d at line %d, want %d: %v", i, ae.Problems[i].Line, line, err)
		}
	}
}

func TestResolve_NamesTheMissingVariableAndLine(t *testing.T) {
	specs, err := ParseAccounts([]byte(goodFile), "accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ALICE_PASSWORD": "pw-alice", "ALICE_TOTP": "JBSWY3DPEHPK3PXP", "BOB_TOK": "", "CAROL_PASSWORD": "pw-carol"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	_, err = Resolve("accounts.yaml", specs, lookup, ResolveOptions{})
	if err == nil || automation.KindOf(err) != automation.KindConfig {
		t.Fatalf("err = %v, want a config error", err)
	}
	for _, w := range []string{"accounts.yaml:9", `account "bob"`, "BOB_TOK", "is empty"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	delete(env, "CAROL_PASSWORD")
	env["BOB_TOK"] = "tok-bob"
	env["ALICE_TOTP"] = "not base32 !"
	_, err = Resolve("accounts.yaml", specs, lookup, ResolveOptions{})
	for _, w := range []string{"accounts.yaml:6", "ALICE_TOTP", "base32", "accounts.yaml:11", "CAROL_PASSWORD", "is not set"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not contain %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "not base32 !") || strings.Contains(err.Error(), "pw-alice") {
		t.Errorf("the error echoes a secret: %v", err)
	}
	env["ALICE_TOTP"] = "JBSWY3DPEHPK3PXP"
	env["CAROL_PASSWORD"] = "pw-carol"
	accts, err := Resolve("accounts.yaml", specs, lookup, ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if accts[0].Password != "pw-alice" || accts[0].TOTPSecret != "JBSWY3DPEHPK3PXP" || accts[1].SessionToken != "tok-bob" || accts[2].ProfileDir != "profiles/carol" || accts[2].Label() != "carol@example.com" {
		t.Errorf("accounts = %v", accts)
	}
}

func TestLoadAccounts_MissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := LoadAccounts(p)
	if err == nil || automation.KindOf(err) != automation.KindConfig || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v", err)
	}
	if err := os.WriteFile(p, []byte(goodFile), 0o600); err != nil {
		t.Fatal(err)
	}
	if specs, err := LoadAccounts(p); err != nil || len(specs) != 3 {
		t.Fatalf("specs %v err %v", specs, err)
	}
}

// FuzzParseAccounts feeds ParseAccounts arbitrary bytes. It must never
// panic; it either refuses the file with a config error wrapping an
// *AccountsError whose lines lie inside the input and that never echoes
// the value of an inline secret key, or returns accounts that satisfy
// every rule: unique names, an email, a way to sign in, variable names
// that are names.
//
// Run it with: go test ./fleet -run '^$' -fuzz FuzzParseAccounts -fuzztime 60s
func FuzzParseAccounts(f *testing.F) {
	f.Add([]byte(goodFile))
	f.Add([]byte("accounts:\n  - &b {name: a, email: a@x.io, password_env: A}\n  - <<: *b\n    name: b\n    email: b@x.io\n"))
	f.Add([]byte("accounts:\n  - name: a\n    email: a@x.io\n    password: SECRETVALUE\n"))
	f.Add([]byte("accounts:\n  - name: a\n    email: a@x.io\n    password_env: A\n  - name: a\n    email: b@x.io\n    password_env: B\n"))
	f.Add([]byte(`{"accounts": [{"name": "a", "email": "a@x.io", "session_token_env": "T"}]}`))
	for _, s := range []string{"", "accounts:", "accounts: ~", "accounts: *x", "accounts: &x [*x]", "- a", "a: b\n c: d", "accounts:\n\t- a", "!!binary aGk=", "? [a]\n: b", "accounts: [{<<: [*a]}]", "accounts:\n  - <<: {<<: {name: x}}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := ParseAccounts(data, "fuzz.yaml")
		if err != nil {
			if specs != nil {
				t.Fatal("accounts returned with an error")
			}
			var ae *AccountsError
			if automation.KindOf(err) != automation.KindConfig || !errors.As(err, &ae) {
				t.Fatalf("error %T %v is not a config error wrapping *AccountsError", err, err)
			}
			if len(ae.Problems) == 0 || !strings.HasPrefix(err.Error(), "accounts file fuzz.yaml") {
				t.Fatalf("error without problems or file name: %v", err)
			}
			lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
			for _, p := range ae.Problems {
				if p.Line < 0 || p.Line > lines {
					t.Fatalf("line %d outside the %d-line input: %v", p.Line, lines, err)
				}
			}
			return
		}
		if len(specs) == 0 {
			t.Fatal("accepted a file without accounts")
		}
		names := map[string]bool{}
		for _, s := range specs {
			key := strings.ToLower(s.Name)
			if s.Name == "" || names[key] {
				t.Fatalf("empty or duplicate name %q", s.Name)
			}
			names[key] = true
			if !strings.Contains(s.Email, "@") {
				t.Fatalf("accepted email %q", s.Email)
			}
			if s.PasswordEnv == "" && s.SessionTokenEnv == "" && s.ProfileDir == "" && s.State == "" && s.IMAPURLEnv == "" {
				t.Fatalf("accepted %q with no way to sign in", s.Name)
			}
			for _, v := range []string{s.PasswordEnv, s.TOTPSecretEnv, s.SessionTokenEnv} {
				if v != "" && !envName.MatchString(v) {
					t.Fatalf("accepted variable name %q", v)
				}
			}
		}
	})
}

// A huge value is never quoted in full, a file over 4 MiB is not read,
// and values longer than an account's are refused.
func TestParseAccounts_HugeValuesAreCutAndRefused(t *testing.T) {
	v := strings.Repeat("v", 600_000)
	_, err := ParseAccounts([]byte("accounts:\n  - name: "+v+"\n    email: "+v+"\n    password_env: "+v+"\n    "+v+": x\n  - name: b\n    email: b@example.com\n    password_env: B\n    profile_dir: /"+v+"\n"), "big.yaml")
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	if len(msg) > 3000 {
		t.Errorf("the error has %d bytes", len(msg))
	}
	for _, w := range []string{"big.yaml:2:", "name: is 600000 characters long", "big.yaml:3:", "is not an email address", "(600000 characters)", "big.yaml:4:", "password_env: must be the name", "big.yaml:5:", "unknown key", "big.yaml:9:", "profile_dir: is 600001 bytes long"} {
		if !strings.Contains(msg, w) {
			t.Errorf("the error lacks %q:\n%s", w, msg)
		}
	}
	if _, err := ParseAccounts(append([]byte("accounts:\n"), make([]byte, 5<<20)...), "huge.yaml"); err == nil || !strings.Contains(err.Error(), "4 MiB") {
		t.Errorf("a 5 MiB file: %v", err)
	}
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, append([]byte("accounts:\n  - name: "), make([]byte, 50<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAccounts(big); err == nil || !strings.Contains(err.Error(), "4 MiB") || len(err.Error()) > 1000 {
		t.Errorf("a 50 MB file: %.300v", err)
	}
}
