package selectors

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"aead.dev/minisign"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/scrypt"
)

// testKey is a fresh key pair, its secret key not encrypted.
func testKey(t testing.TB) (*PrivateKey, PublicKey) {
	t.Helper()
	pub, file, err := GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParsePrivateKey(file, "")
	if err != nil {
		t.Fatalf("a key from GenerateKey does not parse: %v", err)
	}
	if !key.PublicKey().Equal(pub) || key.KeyID() != pub.KeyID() {
		t.Fatalf("GenerateKey's public key %s is not its secret key's %s", pub.KeyID(), key.KeyID())
	}
	return key, pub
}

func wantKind(t testing.TB, err, kind error, msgParts ...string) *SourceError {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	var se *SourceError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %q is no *SourceError", err, err)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %q is not %v (kind %v)", err, kind, se.Kind)
	}
	if se.Reason() == "" {
		t.Errorf("kind %v has no Reason", se.Kind)
	}
	for _, p := range msgParts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not say %q", err, p)
		}
	}
	return se
}

var keyIDRE = regexp.MustCompile(`^[0-9A-F]{16}$`)

func TestMaintainersKey_IsEmbeddedWithItsID(t *testing.T) {
	k := MaintainersKey()
	if k.KeyID() != MaintainersKeyID {
		t.Errorf("embedded key id %s, MaintainersKeyID %s", k.KeyID(), MaintainersKeyID)
	}
	if !strings.HasPrefix(k.String(), "RW") {
		t.Errorf("public key %q does not start RW", k.String())
	}
	if got := string(k.File()); got != string(maintainersKeyFile) {
		t.Errorf("File() = %q, want the embedded file %q", got, maintainersKeyFile)
	}
	if keys := TrustedKeys(); len(keys) != 1 || !keys[0].Equal(k) {
		t.Errorf("TrustedKeys() = %v", keys)
	}
}

func TestTrustedKeys_MaintainersFirstWithoutRepeats(t *testing.T) {
	_, a := testKey(t)
	_, b := testKey(t)
	keys := TrustedKeys(a, MaintainersKey(), b, a)
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.KeyID())
	}
	want := []string{MaintainersKeyID, a.KeyID(), b.KeyID()}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("TrustedKeys = %v, want %v", ids, want)
	}
}

func TestParsePublicKey_TakesTheBase64FormOrTheFile(t *testing.T) {
	_, pub := testKey(t)
	if !keyIDRE.MatchString(pub.KeyID()) {
		t.Errorf("key id %q is not 16 upper-case hex digits", pub.KeyID())
	}
	for _, text := range []string{pub.String(), " " + pub.String() + "\n", string(pub.File()), strings.ReplaceAll(string(pub.File()), "\n", "\r\n")} {
		k, err := ParsePublicKey(text)
		if err != nil {
			t.Errorf("ParsePublicKey(%q): %v", text, err)
			continue
		}
		if !k.Equal(pub) {
			t.Errorf("ParsePublicKey(%q) = %s, want %s", text, k, pub)
		}
	}
}

func TestParsePublicKey_RefusesWhatIsNoKey(t *testing.T) {
	_, pub := testKey(t)
	for _, text := range []string{"", "RW", "hello", pub.String()[:20], pub.String() + "AAAA", "RU" + pub.String()[2:]} {
		if _, err := ParsePublicKey(text); err == nil {
			t.Errorf("ParsePublicKey(%q) took it", text)
		} else if text != "" && !strings.Contains(err.Error(), "not a minisign public key") {
			t.Errorf("ParsePublicKey(%q): %v", text, err)
		}
	}
}

func TestSign_VerifiesWithItsKeyAndReportsTheKeyID(t *testing.T) {
	key, pub := testKey(t)
	_, other := testKey(t)
	data := Embedded()
	sig := Sign(key, data)
	s, err := ParseSignature(sig)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Prehashed || s.KeyID != pub.KeyID() || !strings.HasPrefix(s.TrustedComment, "timestamp:") {
		t.Errorf("signature %+v: want prehashed (ED), key %s, a timestamp", s, pub.KeyID())
	}
	id, err := Verify([]PublicKey{other, pub}, data, sig)
	if err != nil || id != pub.KeyID() {
		t.Errorf("Verify = %q, %v; want %s", id, err, pub.KeyID())
	}
}

func TestVerify_LegacySignatureOfTheFileItself(t *testing.T) {
	key, pub := testKey(t)
	data := []byte("schema_version: 2\n")
	sig := minisign.Sign(key.k, data) // "Ed", as minisign -l writes it
	s, err := ParseSignature(sig)
	if err != nil || s.Prehashed {
		t.Fatalf("ParseSignature = %+v, %v; want a legacy signature", s, err)
	}
	if id, err := Verify([]PublicKey{pub}, data, sig); err != nil || id != pub.KeyID() {
		t.Errorf("Verify = %q, %v", id, err)
	}
	if _, err := Verify([]PublicKey{pub}, append(data, ' '), sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a changed file: %v", err)
	}
}

func TestVerify_RefusesAChangedFileOrTrustedComment(t *testing.T) {
	key, pub := testKey(t)
	data := Embedded()
	sig, err := SignWithComment(key, data, "file:selectors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(data, []byte("improve-model-toggle"), []byte("delete-account-button"), 1)
	_, err = Verify([]PublicKey{pub}, changed, sig)
	wantKind(t, err, ErrBadSignature, "does not match", pub.KeyID())

	comment := bytes.Replace(sig, []byte("file:selectors.yaml"), []byte("file:selectors.yamm"), 1)
	_, err = Verify([]PublicKey{pub}, data, comment)
	wantKind(t, err, ErrBadSignature)
}

func TestVerify_RefusesAnUntrustedKeyNamingIt(t *testing.T) {
	key, pub := testKey(t)
	_, other := testKey(t)
	_, err := Verify([]PublicKey{other}, []byte("x"), Sign(key, []byte("x")))
	se := wantKind(t, err, ErrUnknownKey, pub.KeyID(), other.KeyID())
	if se.Reason() != "unknown_key" {
		t.Errorf("Reason = %q", se.Reason())
	}
	// The same id with another key is no trust either.
	forged := minisign.Signature{Algorithm: minisign.HashEdDSA, KeyID: other.k.ID(), TrustedComment: "t"}
	text, _ := forged.MarshalText()
	_, err = Verify([]PublicKey{other}, []byte("x"), text)
	wantKind(t, err, ErrBadSignature)
}

func TestParseSignature_RefusesWhatIsNoSignature(t *testing.T) {
	key, _ := testKey(t)
	good := string(Sign(key, []byte("x")))
	lines := strings.Split(good, "\n")
	for name, text := range map[string]string{
		"empty":               "",
		"one line":            lines[0],
		"no trusted comment":  strings.Join(lines[:2], "\n") + "\n",
		"untrusted misspelt":  strings.Replace(good, "untrusted comment:", "untrusted comments:", 1),
		"trusted misspelt":    strings.Replace(good, "trusted comment: ", "trusted: ", 1),
		"signature not b64":   strings.Replace(good, lines[1], "!!!", 1),
		"signature too short": strings.Replace(good, lines[1], lines[1][:40], 1),
		"global sig missing":  strings.Join(lines[:3], "\n") + "\n",
		"a public key":        "untrusted comment: x\n" + MaintainersKey().String() + "\n",
		"huge":                strings.Repeat("a", maxSignatureSize+1),
	} {
		if _, err := ParseSignature([]byte(text)); !errors.Is(err, ErrMalformedSignature) {
			t.Errorf("%s: err = %v, want ErrMalformedSignature", name, err)
		}
		if _, err := Verify(TrustedKeys(), []byte("x"), []byte(text)); !errors.Is(err, ErrMalformedSignature) {
			t.Errorf("%s: Verify err = %v", name, err)
		}
	}
}

func TestParseSignature_AcceptsWindowsLineEndings(t *testing.T) {
	key, pub := testKey(t)
	sig := bytes.ReplaceAll(Sign(key, []byte("x")), []byte("\n"), []byte("\r\n"))
	if id, err := Verify([]PublicKey{pub}, []byte("x"), sig); err != nil || id != pub.KeyID() {
		t.Errorf("Verify = %q, %v", id, err)
	}
}

func TestSignWithComment_RefusesAMultiLineComment(t *testing.T) {
	key, _ := testKey(t)
	if _, err := SignWithComment(key, nil, "a\nb"); err == nil {
		t.Error("a two-line trusted comment was taken")
	}
}

func TestParsePrivateKey_RefusesWhatIsNoKey(t *testing.T) {
	for _, text := range []string{"", "hello", string(MaintainersKey().File())} {
		if _, err := ParsePrivateKey([]byte(text), ""); err == nil || !strings.Contains(err.Error(), "not a minisign secret key") {
			t.Errorf("ParsePrivateKey(%q): %v", text, err)
		}
	}
}

// encryptTestKey encrypts an unencrypted secret key file the way minisign
// does, with scrypt limits small enough for a test (minisign's own need
// 1 GiB).
func encryptTestKey(t *testing.T, file []byte, password string) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")
	b, err := base64.StdEncoding.DecodeString(lines[len(lines)-1])
	if err != nil || len(b) != 158 {
		t.Fatalf("secret key layout: %v, %d bytes", err, len(b))
	}
	const ops, mem = 1 << 15, 1 << 20            // scrypt N=1024, r=8, p=1
	binary.LittleEndian.PutUint16(b[2:], 0x6353) // "Sc"
	if _, err := rand.Read(b[6:38]); err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint64(b[38:], ops)
	binary.LittleEndian.PutUint64(b[46:], mem)
	msg := append([]byte("Ed"), b[54:126]...)
	chk := blake2b.Sum256(msg)
	copy(b[126:], chk[:])
	stream, err := scrypt.Key([]byte(password), b[6:38], 1024, 8, 1, 104)
	if err != nil {
		t.Fatal(err)
	}
	for i := range stream {
		b[54+i] ^= stream[i]
	}
	return []byte("untrusted comment: minisign encrypted secret key\n" + base64.StdEncoding.EncodeToString(b) + "\n")
}

func TestParsePrivateKey_EncryptedNeedsItsPassword(t *testing.T) {
	pub, plain, err := GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	enc := encryptTestKey(t, plain, "correct horse")
	if _, err := ParsePrivateKey(enc, ""); !errors.Is(err, ErrKeyEncrypted) {
		t.Errorf("no password: %v, want ErrKeyEncrypted", err)
	}
	if _, err := ParsePrivateKey(enc, "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v, want ErrWrongPassword", err)
	}
	key, err := ParsePrivateKey(enc, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !key.PublicKey().Equal(pub) {
		t.Errorf("decrypted key %s, want %s", key.KeyID(), pub.KeyID())
	}
	if _, err := Verify([]PublicKey{pub}, []byte("x"), Sign(key, []byte("x"))); err != nil {
		t.Error(err)
	}
}

func TestVerifyFile_ReadsPathDotSig(t *testing.T) {
	key, pub := testKey(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "selectors.yaml")
	if err := os.WriteFile(path, Embedded(), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := VerifyFile(path, []PublicKey{pub})
	wantKind(t, err, ErrNoSignature, path+".sig")

	if err := os.WriteFile(path+".sig", Sign(key, Embedded()), 0o600); err != nil {
		t.Fatal(err)
	}
	if id, err := VerifyFile(path, []PublicKey{pub}); err != nil || id != pub.KeyID() {
		t.Errorf("VerifyFile = %q, %v", id, err)
	}
	_, err = VerifyFile(path, TrustedKeys())
	se := wantKind(t, err, ErrUnknownKey)
	if se.Source != path || !strings.HasPrefix(err.Error(), "selectors file "+path+": ") {
		t.Errorf("error %q does not name the file", err)
	}
	_, err = VerifyFile(filepath.Join(dir, "none.yaml"), TrustedKeys())
	if !errors.Is(err, os.ErrNotExist) || !errors.Is(err, ErrRead) {
		t.Errorf("missing file: %v", err)
	}
}

// The minisign command-line tool (Debian's package minisign) and this
// package read each other's keys and signatures.
func TestMinisignTool_ReadsAndWritesTheSameFormat(t *testing.T) {
	bin, err := exec.LookPath("minisign")
	if err != nil {
		missingTool(t, "minisign is not installed (scripts/ensure-tools installs it)")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("minisign %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	data := Embedded()
	write("selectors.yaml", data)

	// A key pair of `minisign -G -W`: its signatures verify here, and
	// this package signs with its secret key.
	run("-G", "-W", "-p", "tool.pub", "-s", "tool.key")
	toolPub, err := ParsePublicKey(string(read("tool.pub")))
	if err != nil {
		t.Fatal(err)
	}
	run("-S", "-s", "tool.key", "-m", "selectors.yaml", "-x", "hashed.sig")
	run("-S", "-l", "-s", "tool.key", "-m", "selectors.yaml", "-x", "legacy.sig")
	for _, name := range []string{"hashed.sig", "legacy.sig"} {
		if id, err := Verify([]PublicKey{toolPub}, data, read(name)); err != nil || id != toolPub.KeyID() {
			t.Errorf("minisign's %s: Verify = %q, %v", name, id, err)
		}
	}
	toolKey, err := ParsePrivateKey(read("tool.key"), "")
	if err != nil {
		t.Fatalf("minisign -G -W's secret key: %v", err)
	}
	if !toolKey.PublicKey().Equal(toolPub) {
		t.Errorf("minisign's secret key gives %s, its public key is %s", toolKey.KeyID(), toolPub.KeyID())
	}
	write("ours-with-tool-key.sig", Sign(toolKey, data))
	run("-V", "-H", "-p", "tool.pub", "-m", "selectors.yaml", "-x", "ours-with-tool-key.sig")

	// A key pair of GenerateKey: minisign verifies its signatures and
	// signs with its secret key.
	pub, keyFile, err := GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ParsePrivateKey(keyFile, "")
	write("ours.pub", pub.File())
	write("ours.key", keyFile)
	write("ours.sig", Sign(key, data))
	sigPath, err := SignFile(key, filepath.Join(dir, "selectors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	run("-V", "-H", "-P", pub.String(), "-m", "selectors.yaml", "-x", filepath.Base(sigPath))
	out := run("-V", "-H", "-P", pub.String(), "-m", "selectors.yaml", "-x", "ours.sig")
	if !strings.Contains(out, "timestamp:") {
		t.Errorf("minisign -V printed no trusted comment: %s", out)
	}
	run("-V", "-p", "ours.pub", "-m", "selectors.yaml", "-x", "ours.sig")
	run("-S", "-s", "ours.key", "-m", "selectors.yaml", "-x", "tool-with-our-key.sig")
	if id, err := Verify([]PublicKey{pub}, data, read("tool-with-our-key.sig")); err != nil || id != pub.KeyID() {
		t.Errorf("minisign's signature with GenerateKey's key: %q, %v", id, err)
	}

	// A changed file fails minisign -V too.
	write("selectors.yaml", append(data, '#'))
	cmd := exec.Command(bin, "-V", "-P", pub.String(), "-m", "selectors.yaml", "-x", "ours.sig")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("minisign -V took a changed file: %s", out)
	}
}

func FuzzParseSignature(f *testing.F) {
	key, pub := testKey(f)
	data := []byte("schema_version: 2\n")
	hashed, legacy := Sign(key, data), minisign.Sign(key.k, data)
	signed := []*Signature{mustParse(f, hashed), mustParse(f, legacy)}
	f.Add(hashed)
	f.Add(legacy)
	f.Add(bytes.ReplaceAll(hashed, []byte("\n"), []byte("\r\n")))
	f.Add([]byte("untrusted comment: x\nRWQ=\ntrusted comment: \n\n"))
	f.Add([]byte("untrusted comment: \n\n\n\n\n"))
	f.Fuzz(func(t *testing.T, sig []byte) {
		s, err := ParseSignature(sig)
		if err != nil {
			if !errors.Is(err, ErrMalformedSignature) {
				t.Fatalf("error %v is not ErrMalformedSignature", err)
			}
			return
		}
		if !keyIDRE.MatchString(s.KeyID) {
			t.Fatalf("key id %q", s.KeyID)
		}
		// What parses writes back and parses to the same.
		text, err := s.raw.MarshalText()
		if err != nil {
			t.Fatalf("a parsed signature does not write back: %v", err)
		}
		again, err := ParseSignature(text)
		if err != nil {
			t.Fatalf("written back, it does not parse: %v\n%q", err, text)
		}
		if again.KeyID != s.KeyID || again.Prehashed != s.Prehashed || again.TrustedComment != s.TrustedComment || !again.raw.Equal(s.raw) {
			t.Fatalf("round trip changed it: %+v vs %+v", again, s)
		}
		// Verifying never panics, and only what the key signed verifies
		// (Ed25519 as Go checks it has no second form of a signature).
		if _, err := Verify([]PublicKey{pub}, data, sig); err == nil {
			same := func(o *Signature) bool {
				return o.raw.Signature == s.raw.Signature && o.raw.CommentSignature == s.raw.CommentSignature && o.TrustedComment == s.TrustedComment
			}
			if !same(signed[0]) && !same(signed[1]) {
				t.Fatalf("a signature the key did not make verified: %q", sig)
			}
		}
	})
}

func mustParse(t testing.TB, sig []byte) *Signature {
	t.Helper()
	s, err := ParseSignature(sig)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignFile_SignsOnlyAFileThatLoads(t *testing.T) {
	key, pub := testKey(t)
	path := writeFile(t, "selectors.yaml", Embedded())
	sigPath, err := SignFile(key, path)
	if err != nil || sigPath != path+".sig" {
		t.Fatalf("SignFile = %q, %v", sigPath, err)
	}
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSignature(sig)
	if err != nil || !regexp.MustCompile(`^timestamp:\d+\tfile:selectors\.yaml\thashed$`).MatchString(s.TrustedComment) {
		t.Errorf("trusted comment %q, %v", s.TrustedComment, err)
	}
	if id, err := VerifyFile(path, []PublicKey{pub}); err != nil || id != pub.KeyID() {
		t.Errorf("VerifyFile = %q, %v", id, err)
	}

	bad := writeFile(t, "bad.yaml", []byte("schema_version: 2\n"))
	_, err = SignFile(key, bad)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Errorf("signing an invalid file: %v", err)
	}
	if _, err := os.Stat(bad + ".sig"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a signature of an invalid file was written: %v", err)
	}
}

// missingTool skips a test whose tool is missing, except in CI (CI set),
// where every tool is installed by the scripts and a missing one fails.
func missingTool(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg + ": in CI the scripts install it, so this is a failure")
	}
	t.Skip(msg)
}
