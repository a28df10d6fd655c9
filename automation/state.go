package automation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// SessionState is a saved browser session: the cookies of the app and login
// origins and the app origin's localStorage, in Playwright's storageState
// format, so that a file saved by Playwright works here and one saved here
// works in Playwright. A run that loads one before its first page load
// goes straight to the signed-in app.
type SessionState struct {
	Cookies []StateCookie `json:"cookies"`
	Origins []StateOrigin `json:"origins"`
	// Account is the email the state was saved for. It is not part of
	// Playwright's format (Playwright ignores it); a state saved for
	// another account is refused.
	Account string `json:"chatgpt_optout_account,omitempty"`
}

// StateCookie is one cookie of a SessionState.
type StateCookie struct {
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	Domain   string  `json:"domain"`
	Path     string  `json:"path"`
	Expires  float64 `json:"expires"` // seconds since the epoch; -1 for a session-only cookie
	HTTPOnly bool    `json:"httpOnly"`
	Secure   bool    `json:"secure"`
	SameSite string  `json:"sameSite"` // Strict, Lax or None
}

// StateOrigin is the localStorage of one origin.
type StateOrigin struct {
	Origin       string      `json:"origin"`
	LocalStorage []StateItem `json:"localStorage"`
}

// StateItem is one localStorage entry.
type StateItem struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MaxStateFileSize bounds a state file: a session is a few kilobytes.
const MaxStateFileSize = 4 << 20

// ErrStateKeyNeeded says a state file is encrypted and no key was given.
var ErrStateKeyNeeded = errors.New("the state file is encrypted and no key is set")

// stateIdentity turns a key into an age identity and recipient: an age
// X25519 identity (AGE-SECRET-KEY-1…) or a passphrase (age's scrypt).
func stateIdentity(key string) (age.Identity, age.Recipient, error) {
	key = strings.TrimSpace(key)
	if strings.HasPrefix(key, "AGE-SECRET-KEY-1") {
		id, err := age.ParseX25519Identity(key)
		if err != nil {
			return nil, nil, fmt.Errorf("the state key looks like an age identity but is not one: %w", err)
		}
		return id, id.Recipient(), nil
	}
	id, err := age.NewScryptIdentity(key)
	if err != nil {
		return nil, nil, err
	}
	r, err := age.NewScryptRecipient(key)
	if err != nil {
		return nil, nil, err
	}
	return id, r, nil
}

// encrypted reports whether data is an age file, armored or binary.
func encrypted(data []byte) bool {
	return bytes.HasPrefix(data, []byte("age-encryption.org/")) || bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header))
}

// DecodeState reads a state file's bytes, decrypting them with key when
// they are age-encrypted; it tells the two kinds apart itself. Errors never
// quote the file's contents.
func DecodeState(data []byte, key string) (*SessionState, error) {
	if len(data) > MaxStateFileSize {
		return nil, fmt.Errorf("it is larger than %d MiB, which no session is", MaxStateFileSize>>20)
	}
	if encrypted(data) {
		if key == "" {
			return nil, ErrStateKeyNeeded
		}
		id, _, err := stateIdentity(key)
		if err != nil {
			return nil, err
		}
		var src io.Reader = bytes.NewReader(data)
		if !bytes.HasPrefix(data, []byte("age-encryption.org/")) {
			src = armor.NewReader(src)
		}
		r, err := age.Decrypt(src, id)
		if err != nil {
			return nil, fmt.Errorf("it cannot be decrypted with the state key (wrong key, or a damaged file): %w", err)
		}
		if data, err = io.ReadAll(io.LimitReader(r, MaxStateFileSize+1)); err != nil {
			return nil, fmt.Errorf("it cannot be decrypted with the state key (a damaged file): %w", err)
		}
	}
	var st SessionState
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&st); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("it is not storageState JSON (a syntax error at byte %d)", se.Offset)
		}
		return nil, errors.New("it is not storageState JSON ({\"cookies\": [...], \"origins\": [...]})")
	}
	for i, c := range st.Cookies {
		if c.Name == "" || c.Domain == "" {
			return nil, fmt.Errorf("cookie %d has no name or domain", i+1)
		}
	}
	return &st, nil
}

// EncodeState writes a state as storageState JSON, age-encrypted (armored)
// when key is set.
func EncodeState(st *SessionState, key string) ([]byte, error) {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	if key == "" {
		return append(data, '\n'), nil
	}
	_, rcpt, err := stateIdentity(key)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	a := armor.NewWriter(&buf)
	w, err := age.Encrypt(a, rcpt)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := a.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadStateFile reads a state file. A missing file is (nil, nil): the
// first run has none.
func ReadStateFile(path, key string) (*SessionState, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Kind: KindConfig, Msg: fmt.Sprintf("state file %s cannot be read: %v", path, err), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxStateFileSize+1))
	if err != nil {
		return nil, &Error{Kind: KindConfig, Msg: fmt.Sprintf("state file %s cannot be read: %v", path, err), Err: err}
	}
	st, err := DecodeState(data, key)
	switch {
	case errors.Is(err, ErrStateKeyNeeded):
		return nil, &Error{Kind: KindConfig, Msg: fmt.Sprintf("state file %s is encrypted: set the state key to the key it was written with", path), Err: err, Fix: []Setting{SettingStateKey}}
	case err != nil:
		return nil, &Error{Kind: KindConfig, Msg: fmt.Sprintf("state file %s: %v; delete it to sign in afresh", path, err), Err: err}
	}
	return st, nil
}

// WriteStateFile writes a state file atomically (a temporary file in the
// same folder, renamed over the old one), readable by its owner only.
// Without a key it writes plaintext only when plaintext is set: the file
// holds a live session, as good as a password to whoever reads it.
func WriteStateFile(path string, st *SessionState, key string, plaintext bool) error {
	if key == "" && !plaintext {
		return plaintextRefused(path)
	}
	data, err := EncodeState(st, key)
	if err != nil {
		return fmt.Errorf("encoding the state for %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the folder of state file %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing state file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing state file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing state file %s: %w", path, err)
	}
	return nil
}

// secrets of a state: every cookie value, for redaction.
func (st *SessionState) secrets() []string {
	if st == nil {
		return nil
	}
	var s []string
	for _, c := range st.Cookies {
		if len(c.Value) >= 8 {
			s = append(s, c.Value)
		}
	}
	return s
}

func plaintextRefused(path string) error {
	return configError([]Setting{SettingStateKey, SettingStatePlaintext}, "refusing to write the session to %s unencrypted: it signs in as the account for weeks, so anyone who reads the file is signed in too; set a state key (an age identity from age-keygen, or a passphrase) to encrypt it, or allow plaintext explicitly", path)
}
