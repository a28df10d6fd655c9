package state

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestState_ReadsAFileSavedByPlaywright(t *testing.T) {
	st, err := ReadFile(filepath.Join("testdata", "playwright-storage-state.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Cookies) != 2 || st.Cookies[0].Name != "__Secure-next-auth.session-token" || st.Cookies[1].Expires != -1 || st.Cookies[1].SameSite != "None" {
		t.Errorf("cookies = %+v", st.Cookies)
	}
	if len(st.Origins) != 1 || st.Origins[0].LocalStorage[0].Name != "oai/apps/hasSeenOnboarding" {
		t.Errorf("origins = %+v", st.Origins)
	}
	// And what is written here has Playwright's shape: the same keys.
	data, err := Encode(st, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"cookies"`, `"origins"`, `"httpOnly"`, `"sameSite"`, `"expires"`, `"localStorage"`, `"origin"`} {
		if !bytes.Contains(data, []byte(key)) {
			t.Errorf("written state lacks %s", key)
		}
	}
}

func TestState_RoundTripsPlainAndEncrypted(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	st := &Session{Account: "alice@example.com", Cookies: []Cookie{{Name: "s", Value: "secret-cookie-value", Domain: "localhost", Path: "/", Expires: -1, SameSite: "Lax"}}, Origins: []Origin{}}
	for name, key := range map[string]string{"plaintext": "", "age identity": id.String(), "passphrase": "correct horse battery staple"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sub", "alice.state")
			if err := WriteFile(path, st, key, key == ""); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("state file: %v, mode %v; want 0600", err, fi.Mode().Perm())
			}
			raw, _ := os.ReadFile(path)
			if key != "" && bytes.Contains(raw, []byte("secret-cookie-value")) {
				t.Error("an encrypted state file holds a cookie value in clear")
			}
			got, err := ReadFile(path, key)
			if err != nil || got.Cookies[0].Value != "secret-cookie-value" || got.Account != st.Account {
				t.Fatalf("read back %+v, %v", got, err)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

func TestState_BadFilesAreClearErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	id, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	enc, err := Encode(&Session{Cookies: []Cookie{{Name: "s", Value: "the-secret-value", Domain: "x"}}}, id.String())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, key, want string
	}{
		{"not JSON", write("garbage", []byte("the-secret-value is not json")), "", "not storageState JSON"},
		{"encrypted, no key", write("enc1", enc), "", "set the state key"},
		{"encrypted, another key", write("enc2", enc), other.String(), "cannot be decrypted"},
		{"encrypted, damaged", write("enc3", append(enc[:len(enc)/2:len(enc)/2], []byte("\n-----END AGE ENCRYPTED FILE-----\n")...)), id.String(), "cannot be decrypted"},
		{"too large", write("big", bytes.Repeat([]byte(" "), MaxFileSize+10)), "", "larger than"},
		{"a cookie without a name", write("noname", []byte(`{"cookies":[{"value":"the-secret-value","domain":"x"}],"origins":[]}`)), "", "no name or domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFile(tt.path, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("error = %v, want one naming the file and %q", err, tt.want)
			}
			if data, _ := os.ReadFile(tt.path); tt.key == "" && bytes.HasPrefix(data, []byte("-----BEGIN AGE")) != errors.Is(err, ErrKeyNeeded) {
				t.Errorf("an encrypted file without a key: %v, want ErrKeyNeeded exactly then", err)
			}
			if strings.Contains(err.Error(), "the-secret-value") {
				t.Error("the error quotes the file's contents")
			}
		})
	}
	if st, err := ReadFile(filepath.Join(dir, "missing"), ""); st != nil || err != nil {
		t.Errorf("a missing file = %v, %v; want nothing, the first run has none", st, err)
	}
}

func TestState_PlaintextOnlyWhenAllowed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	err := WriteFile(path, &Session{}, "", false)
	if !errors.Is(err, ErrPlaintext) || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("error = %v, want a refusal saying why", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused write left a file")
	}
}

func FuzzDecodeState(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("testdata", "playwright-storage-state.json"))
	f.Add(seed)
	f.Add([]byte("age-encryption.org/v1\n-> X25519 abc\n"))
	f.Add([]byte("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Decode(data, "a passphrase")
		if err == nil && st == nil {
			t.Fatal("no state and no error")
		}
	})
}

func TestCheckKey_RefusesOnlyAnIdentityThatIsNotOne(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	for key, ok := range map[string]bool{
		"":                             true,
		"correct horse battery staple": true,
		id.String():                    true,
		"AGE-SECRET-KEY-1NOTAKEY":      false,
	} {
		if err := CheckKey(key); (err == nil) != ok {
			t.Errorf("CheckKey(%d characters) = %v, want ok %v", len(key), err, ok)
		}
	}
}
