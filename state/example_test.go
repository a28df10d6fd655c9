package state_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/chatgpt-optout/chatgpt-optout/state"
)

// A session is kept encrypted with a passphrase (or an age identity) and
// read back with the same key; without a key it is written only when
// plaintext is allowed.
func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "state-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "alice.state")
	st := &state.Session{
		Account: "alice@example.com",
		Cookies: []state.Cookie{{Name: "__Secure-next-auth.session-token", Value: "a-long-session-value", Domain: "chatgpt.com", Path: "/", Expires: -1, Secure: true, SameSite: "Lax"}},
	}
	if err := state.WriteFile(path, st, "a passphrase", false); err != nil {
		fmt.Println(err)
		return
	}
	back, err := state.ReadFile(path, "a passphrase")
	fmt.Println(back.Account, len(back.Cookies), err)

	_, err = state.ReadFile(path, "")
	fmt.Println(err != nil)
	// Output:
	// alice@example.com 1 <nil>
	// true
}
