package selectors

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"aead.dev/minisign"

	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
)

// Signatures of selectors files are Ed25519 signatures in the minisign
// format (https://jedisct1.github.io/minisign/), encoded by
// aead.dev/minisign, so a file signed here verifies with `minisign -V` and
// one signed with `minisign -S` verifies here. A key id is printed as 16
// upper-case hex digits, as minisign prints it.

// maintainersKeyFile is the maintainers' public key, trusted by every build.
//
//go:embed keys/maintainers.pub
var maintainersKeyFile []byte

// MaintainersKeyID is the key id of the maintainers' embedded public key.
const MaintainersKeyID = "5355824B41A40306"

// maxSignatureSize caps a signature file; a real one is about 300 bytes.
const maxSignatureSize = 64 << 10

// PublicKey is a minisign Ed25519 public key that may sign selectors files.
type PublicKey struct{ k minisign.PublicKey }

// ParsePublicKey reads a public key: the base64 form ("RW…", what
// `minisign -G` and GenerateKey print) or the text of a public key file
// (an untrusted comment line, then the base64 form).
func ParsePublicKey(s string) (PublicKey, error) {
	var k minisign.PublicKey
	text := strings.TrimSpace(s)
	if text == "" {
		return PublicKey{}, errors.New("empty public key: give a minisign public key (RW…)")
	}
	if err := k.UnmarshalText([]byte(text)); err != nil {
		return PublicKey{}, fmt.Errorf("the key given is not a minisign public key (RW…, as `minisign -G` or `chatgpt-optout selectors keygen` print it): %s",
			strings.TrimPrefix(err.Error(), "minisign: "))
	}
	return PublicKey{k: k}, nil
}

// MaintainersKey is the maintainers' public key built into the binary.
func MaintainersKey() PublicKey {
	k, err := ParsePublicKey(string(maintainersKeyFile))
	if err != nil {
		panic("embedded maintainers' key: " + err.Error())
	}
	return k
}

// TrustedKeys is the maintainers' key followed by extra, without repeats.
func TrustedKeys(extra ...PublicKey) []PublicKey {
	out := []PublicKey{MaintainersKey()}
	for _, k := range extra {
		if !slices.ContainsFunc(out, k.Equal) {
			out = append(out, k)
		}
	}
	return out
}

// KeyID is the key's id, 16 upper-case hex digits.
func (k PublicKey) KeyID() string { return formatKeyID(k.k.ID()) }

// String is the base64 form, "RW…".
func (k PublicKey) String() string { return k.k.String() }

// File is the text of a public key file, as `minisign -G` writes it.
func (k PublicKey) File() []byte {
	return []byte("untrusted comment: minisign public key " + k.KeyID() + "\n" + k.String() + "\n")
}

// Equal tells whether k and x are the same key.
func (k PublicKey) Equal(x PublicKey) bool { return k.k.Equal(x.k) }

func formatKeyID(id uint64) string { return fmt.Sprintf("%016X", id) }

// PrivateKey is a minisign secret key, for signing selectors files.
type PrivateKey struct{ k minisign.PrivateKey }

// What ParsePrivateKey fails with (errors.Is) for an encrypted key given
// no password, and when the password does not decrypt the key.
var (
	ErrKeyEncrypted  = errors.New("the secret key is encrypted")
	ErrWrongPassword = errors.New("wrong password for the secret key")
)

// ParsePrivateKey reads a secret key file of GenerateKey or minisign,
// encrypted with password (decrypting takes a second or two and 1 GiB of
// memory, as with minisign) or not (then password is ignored).
func ParsePrivateKey(file []byte, password string) (*PrivateKey, error) {
	if minisign.IsEncrypted(file) {
		if password == "" {
			return nil, fmt.Errorf("%w: give its password", ErrKeyEncrypted)
		}
		k, err := minisign.DecryptKey(password, file)
		if err != nil {
			return nil, ErrWrongPassword
		}
		return &PrivateKey{k: k}, nil
	}
	var k minisign.PrivateKey
	if err := k.UnmarshalText(bytes.TrimSpace(file)); err != nil {
		return nil, fmt.Errorf("not a minisign secret key file: %s", strings.TrimPrefix(err.Error(), "minisign: "))
	}
	return &PrivateKey{k: k}, nil
}

// KeyID is the key's id, the same as its public key's.
func (k *PrivateKey) KeyID() string { return formatKeyID(k.k.ID()) }

// PublicKey is the key that verifies k's signatures.
func (k *PrivateKey) PublicKey() PublicKey { return PublicKey{k.k.Public().(minisign.PublicKey)} }

// GenerateKey makes a new key pair and returns the public key and the
// secret key file: not encrypted with an empty password (as `minisign -G
// -W` writes it: keep it in a secret store), else encrypted as `minisign
// -G` does it (scrypt: 1 GiB of memory to decrypt).
func GenerateKey(password string) (PublicKey, []byte, error) {
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		return PublicKey{}, nil, err
	}
	var file []byte
	if password == "" {
		file, err = priv.MarshalText()
	} else {
		file, err = minisign.EncryptKey(password, priv)
	}
	if err != nil {
		return PublicKey{}, nil, err
	}
	return PublicKey{k: pub}, append(file, '\n'), nil
}

// Sign signs data (hashed with BLAKE2b-512, minisign's default) with the
// trusted comment "timestamp:UNIX" and returns the signature file.
func Sign(key *PrivateKey, data []byte) []byte {
	sig, _ := SignWithComment(key, data, "timestamp:"+strconv.FormatInt(time.Now().Unix(), 10))
	return sig
}

// SignWithComment is Sign with the given trusted comment, which the
// signature covers; it must be one line.
func SignWithComment(key *PrivateKey, data []byte, trustedComment string) ([]byte, error) {
	if strings.ContainsAny(trustedComment, "\r\n") {
		return nil, errors.New("a trusted comment must be one line")
	}
	r := minisign.NewReader(bytes.NewReader(data))
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	untrusted := "signature from chatgpt-optout secret key " + key.KeyID()
	return r.SignWithComments(key.k, trustedComment, untrusted), nil
}

// SignFile signs the selectors file at path and writes the signature to
// path+".sig", which it returns. The file must load, so that no file is
// published that every run would refuse. The trusted comment is
// minisign's: "timestamp:UNIX", "file:NAME" and "hashed", tab-separated.
func SignFile(key *PrivateKey, path string) (string, error) {
	data, err := readCapped(path, MaxFileSize)
	if err != nil {
		return "", err
	}
	if _, err := Parse(data, path); err != nil {
		return "", err
	}
	comment := fmt.Sprintf("timestamp:%d\tfile:%s\thashed", time.Now().Unix(), filepath.Base(path))
	sig, err := SignWithComment(key, data, comment)
	if err != nil {
		return "", err
	}
	out := path + ".sig"
	if err := os.WriteFile(out, sig, 0o644); err != nil {
		return "", err
	}
	return out, nil
}

// Signature is a parsed minisign signature file. Nothing in it is
// authentic before Verify succeeded.
type Signature struct {
	// KeyID is the id of the key that made it (16 hex digits).
	KeyID string
	// Prehashed is true for "ED" (BLAKE2b-512 of the file signed, the
	// default of minisign and Sign), false for "Ed" (minisign -l).
	Prehashed      bool
	TrustedComment string

	raw minisign.Signature
}

// ParseSignature reads a signature file without verifying it.
func ParseSignature(sig []byte) (*Signature, error) {
	if len(sig) > maxSignatureSize {
		return nil, &SourceError{Kind: ErrMalformedSignature, Msg: fmt.Sprintf("the signature is %d bytes, more than a minisign signature ever is", len(sig))}
	}
	var s minisign.Signature
	if err := s.UnmarshalText(sig); err != nil {
		return nil, &SourceError{Kind: ErrMalformedSignature, Msg: "the signature is not a minisign signature (" + strings.TrimPrefix(err.Error(), "minisign: ") + ")"}
	}
	return &Signature{
		KeyID:          formatKeyID(s.KeyID),
		Prehashed:      s.Algorithm == minisign.HashEdDSA,
		TrustedComment: s.TrustedComment,
		raw:            s,
	}, nil
}

// Verify checks that sig is a valid signature of data by one of keys and
// returns that key's id, or a *SourceError: ErrMalformedSignature,
// ErrUnknownKey or ErrBadSignature (the file or trusted comment changed).
func Verify(keys []PublicKey, data, sig []byte) (keyID string, err error) {
	s, err := ParseSignature(sig)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(keys, func(k PublicKey) bool { return k.k.ID() == s.raw.KeyID })
	if i < 0 {
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = k.KeyID()
		}
		return "", &SourceError{Kind: ErrUnknownKey, Msg: fmt.Sprintf("signed by key %s, which is not trusted (trusted: %s); a team's own key is trusted when it is given as a further selectors key", s.KeyID, strings.Join(ids, ", "))}
	}
	if !minisign.Verify(keys[i].k, data, sig) {
		return "", &SourceError{Kind: ErrBadSignature, Msg: "the signature by key " + s.KeyID + " does not match the file: it was changed after signing, or the signature is for another file"}
	}
	return s.KeyID, nil
}

// VerifyFile verifies the file at path with its signature at path+".sig"
// and returns the signing key's id. Errors are *SourceError.
func VerifyFile(path string, keys []PublicKey) (keyID string, err error) {
	data, err := readCapped(path, MaxFileSize)
	if err != nil {
		return "", err
	}
	sig, err := readCapped(path+".sig", maxSignatureSize)
	if errors.Is(err, os.ErrNotExist) {
		return "", &SourceError{Source: path, Kind: ErrNoSignature, Msg: "no signature: " + path + ".sig does not exist"}
	}
	if err != nil {
		return "", err
	}
	id, err := Verify(keys, data, sig)
	return id, withSource(err, path)
}

// readCapped reads a file of at most limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	var data []byte
	if err == nil {
		defer fh.Close()
		data, err = fileio.ReadAtMost(fh, limit, ErrTooLarge)
	}
	switch {
	case err == ErrTooLarge:
		return nil, &SourceError{Source: path, Kind: ErrTooLarge, Msg: fmt.Sprintf("more than %d bytes", limit)}
	case err != nil:
		return nil, &SourceError{Source: path, Kind: ErrRead, Msg: err.Error(), Err: err}
	}
	return data, nil
}
