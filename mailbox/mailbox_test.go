package mailbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNew_NamesWhatIsWrongWithoutQuotingTheURL(t *testing.T) {
	for _, c := range []struct {
		name, url, password string
		want                string // "" means accepted
	}{
		{"imaps", "imaps://alice%40example.com@imap.example.com/INBOX", "pw", ""},
		{"imap on this machine", "imap://alice@127.0.0.1:1143/", "pw", ""},
		{"no URL", "", "pw", "IMAP_URL is not"},
		{"no password", "imaps://alice@imap.example.com/", "", "IMAP_PASSWORD is not"},
		{"plain imap elsewhere", "imap://alice@imap.example.com/", "pw", "use imaps://"},
		{"another scheme", "https://alice@imap.example.com/", "pw", `scheme is "https"`},
		{"no user", "imaps://imap.example.com/", "pw", "names no user"},
		{"a password in it", "imaps://alice:Secret-Pw-9@imap.example.com/", "pw", "put the password in its own variable"},
		{"no host", "imaps://alice@/", "pw", "names no host"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := New("IMAP_URL", c.url, "IMAP_PASSWORD", c.password, nil)
			if c.want == "" {
				if err != nil || m.URL != c.url || m.Password != c.password || m.PasswordFrom != "IMAP_PASSWORD" {
					t.Fatalf("New = %+v, %v; want the mailbox", m, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			if strings.Contains(err.Error(), "Secret-Pw-9") {
				t.Error("the error quotes the password pasted into the URL")
			}
		})
	}
}

func TestParseURL_DefaultsThePortAndTheFolder(t *testing.T) {
	a, err := parseURL("imaps://alice%40example.com@imap.example.com")
	if err != nil || a.host != "imap.example.com:993" || a.folder != "INBOX" || a.user != "alice@example.com" || !a.tls {
		t.Fatalf("parseURL = %+v, %v", a, err)
	}
}

func TestCodeIn_TheSubjectFirstThenTheText(t *testing.T) {
	msg := "Subject: =?UTF-8?Q?Your_code_is_123456?=\r\n\r\nOr type 654321.\r\n"
	if got := codeIn([]byte(msg), DefaultCodePattern); got != "123456" {
		t.Errorf("code %q, want the subject's", got)
	}
	if got := codeIn([]byte("Subject: hello\r\n\r\nYour code: 654321\r\n"), DefaultCodePattern); got != "654321" {
		t.Errorf("code %q, want the text's", got)
	}
	if got := codeIn([]byte("not a message at all 111222"), DefaultCodePattern); got != "111222" {
		t.Errorf("code %q, want the raw text's", got)
	}
}

func TestLoadRoots(t *testing.T) {
	if pool, err := LoadRoots("  ", "IMAP_CA_FILE"); pool != nil || err != nil {
		t.Errorf("no path = %v, %v; want the system's roots (nil)", pool, err)
	}
	bad := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRoots(bad, "IMAP_CA_FILE"); err == nil || !strings.Contains(err.Error(), "IMAP_CA_FILE "+bad+" holds no PEM certificate") {
		t.Errorf("error %v, want one naming the variable, the file and what it lacks", err)
	}
	_, err := LoadRoots(filepath.Join(t.TempDir(), "missing.pem"), "IMAP_CA_FILE")
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "cannot be read") {
		t.Errorf("error %v, want a missing file", err)
	}
}
