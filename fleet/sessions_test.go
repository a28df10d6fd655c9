package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolve_StatesAndMailboxes(t *testing.T) {
	dir := t.TempDir()
	data := []byte(`accounts:
  - name: alice
    email: alice@example.com
    password_env: ALICE_PASSWORD
    state: ` + filepath.Join(dir, "alice.json") + `
    imap_url_env: ALICE_IMAP_URL
    imap_password_env: ALICE_IMAP_PASSWORD
  - name: bob/2
    email: bob@example.com
    password_env: BOB_PASSWORD
`)
	specs, err := ParseAccounts(data, "accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ALICE_PASSWORD": "a", "BOB_PASSWORD": "b", "ALICE_IMAP_URL": "imaps://alice%40example.com@imap.example.com/INBOX", "ALICE_IMAP_PASSWORD": "m"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	states := filepath.Join(dir, "states")
	accts, err := Resolve("accounts.yaml", specs, lookup, ResolveOptions{StateDir: states, StateKey: "a passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	if accts[0].StateFile != filepath.Join(dir, "alice.json") || accts[1].StateFile != filepath.Join(states, "bob_2.state") {
		t.Errorf("state files %q, %q", accts[0].StateFile, accts[1].StateFile)
	}
	if accts[0].Mailbox == nil || accts[0].Mailbox.Password != "m" || accts[1].Mailbox != nil {
		t.Errorf("mailboxes %+v, %+v", accts[0].Mailbox, accts[1].Mailbox)
	}
	if st, err := os.Stat(states); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("state folder: %v, want 0700", err)
	}

	for _, c := range []struct {
		name  string
		env   map[string]string
		opts  ResolveOptions
		words []string
	}{
		{"no key", nil, ResolveOptions{}, []string{"accounts.yaml:5", `account "alice"`, "unencrypted", "set a state key", "allow plaintext explicitly"}},
		{"state dir without a key", nil, ResolveOptions{StateDir: states}, []string{"the state folder " + states, "unencrypted", "set a state key", "allow plaintext explicitly"}},
		{"mailbox URL with a password", map[string]string{"ALICE_IMAP_URL": "imaps://alice:Secret-Pw-9@imap.example.com/"}, ResolveOptions{StatePlaintext: true}, []string{"accounts.yaml:6", "ALICE_IMAP_URL", "password"}},
		{"mailbox password unset", map[string]string{"ALICE_IMAP_PASSWORD": ""}, ResolveOptions{StatePlaintext: true}, []string{"accounts.yaml:7", "ALICE_IMAP_PASSWORD"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			for k, v := range c.env {
				e[k] = v
			}
			_, err := Resolve("accounts.yaml", specs, func(k string) (string, bool) { v, ok := e[k]; return v, ok }, c.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not name %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "Secret-Pw-9") {
				t.Error("the message quotes the password")
			}
			// The library names no flag or variable of a program.
			for _, w := range []string{"--state", "CHATGPT_OPTOUT_STATE_KEY"} {
				if strings.Contains(err.Error(), w) {
					t.Errorf("%q names %q", err, w)
				}
			}
		})
	}
}
