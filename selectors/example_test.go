package selectors_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// A maintainer signs a selectors file; anyone verifies it with the public
// key. The signature is minisign's: `minisign -V -P RW… -m selectors.yaml
// -x selectors.yaml.sig` verifies it too.
func ExampleVerify() {
	pub, secretKeyFile, err := selectors.GenerateKey("")
	if err != nil {
		panic(err)
	}
	key, err := selectors.ParsePrivateKey(secretKeyFile, "")
	if err != nil {
		panic(err)
	}
	file := selectors.Embedded()
	sig := selectors.Sign(key, file)

	keyID, err := selectors.Verify(selectors.TrustedKeys(pub), file, sig)
	fmt.Println(keyID == pub.KeyID(), err)

	changed := []byte(strings.Replace(string(file), "improve-model-toggle", "delete-account", 1))
	_, err = selectors.Verify(selectors.TrustedKeys(pub), changed, sig)
	fmt.Println(errors.Is(err, selectors.ErrBadSignature))

	_, err = selectors.Verify(selectors.TrustedKeys(), file, sig)
	fmt.Println(errors.Is(err, selectors.ErrUnknownKey))
	// Output:
	// true <nil>
	// true
	// true
}

// A team publishes its signed file at an https URL; every run fetches it
// and its signature, and falls back to the embedded file if asked to.
func ExampleResolve() {
	pub, secretKeyFile, _ := selectors.GenerateKey("")
	key, _ := selectors.ParsePrivateKey(secretKeyFile, "")
	file := selectors.Embedded()
	sig := selectors.Sign(key, file)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/selectors.yaml":
			w.Write(file)
		case "/selectors.yaml.sig":
			w.Write(sig)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	opts := selectors.ResolveOptions{FetchOptions: selectors.FetchOptions{
		Keys:        []selectors.PublicKey{pub}, // besides the maintainers' key
		ToolVersion: "v1.4.0",
		Client:      srv.Client(), // trusts the test server's certificate
		NoCache:     true,
	}}
	f, _, err := selectors.Resolve(context.Background(), srv.URL+"/selectors.yaml", opts)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Origin().Kind, f.Origin().KeyID == pub.KeyID())

	_, _, err = selectors.Resolve(context.Background(), srv.URL+"/other.yaml", opts)
	var se *selectors.SourceError
	fmt.Println(errors.As(err, &se), se.Reason())

	opts.FallbackToEmbedded = true
	f, warnings, _ := selectors.Resolve(context.Background(), srv.URL+"/other.yaml", opts)
	fmt.Println(f.Origin(), len(warnings))
	// Output:
	// url true
	// true network
	// embedded 1
}
