package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

func TestSim_JSONLineCarriesTheMailbox(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"sim", "--quiet"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	go io.Copy(io.Discard, pr)
	var info simulator.Info
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	if !strings.HasPrefix(info.IMAP, "imaps://127.0.0.1:") || info.IMAPCA == "" {
		t.Fatalf("imap %q, imap_ca %q", info.IMAP, info.IMAPCA)
	}
	var frank simulator.InfoAccount
	for _, a := range info.Accounts {
		if a.Email == "frank@example.com" {
			frank = a
		} else if a.IMAPUser != "" && a.Email != "heidi@example.com" {
			t.Errorf("%s has a mailbox", a.Email)
		}
	}
	if frank.IMAPUser != "frank@example.com" || frank.IMAPPassword != "frank-mailbox-6" {
		t.Fatalf("frank %+v", frank)
	}
	pem, err := os.ReadFile(info.IMAPCA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("imap_ca holds no certificate: %q", pem)
	}
	u, _ := url.Parse(info.IMAP)
	c, err := imapclient.DialTLS(u.Host, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatalf("IMAPS with the imap_ca file: %v", err)
	}
	if err := c.Login(frank.IMAPUser, frank.IMAPPassword).Wait(); err != nil {
		t.Errorf("login: %v", err)
	}
	c.Close()

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("sim exited %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop")
	}
	if _, err := os.Stat(info.IMAPCA); !os.IsNotExist(err) {
		t.Errorf("the temporary certificate file stays after exit: %v", err)
	}
}
