package selectors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is an https server of selectors files and signatures that
// counts the requests per path and answers If-None-Match with 304.
type testServer struct {
	*httptest.Server
	mu          sync.Mutex
	files       map[string][]byte
	requests    map[string]int
	conditional map[string]int // requests that carried If-None-Match
	notModified map[string]int // answered 304
	hang        chan struct{}  // when set, every request waits for it
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	s := &testServer{files: map[string][]byte{}, requests: map[string]int{}, conditional: map[string]int{}, notModified: map[string]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate test's handshake
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	hang := s.hang
	body, ok := s.files[r.URL.Path]
	inm := r.Header.Get("If-None-Match")
	if inm != "" {
		s.conditional[r.URL.Path]++
	}
	s.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-r.Context().Done():
			return
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if inm == etag {
		s.mu.Lock()
		s.notModified[r.URL.Path]++
		s.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(body)
}

// put serves data at path and, unless sig is nil, sig at path.sig.
func (s *testServer) put(path string, data, sig []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = data
	delete(s.files, path+".sig")
	if sig != nil {
		s.files[path+".sig"] = sig
	}
	return s.URL + path
}

func (s *testServer) count(m map[string]int, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return m[path]
}

// serveSigned serves data at /selectors.yaml with its signature by key
// (a fresh key when none is given) and returns the server, the file's URL
// and the key.
func serveSigned(t *testing.T, data []byte, key ...*PrivateKey) (*testServer, string, *PrivateKey, PublicKey) {
	t.Helper()
	srv := newTestServer(t)
	var k *PrivateKey
	if len(key) > 0 {
		k = key[0]
	} else {
		k, _ = testKey(t)
	}
	u := srv.put("/selectors.yaml", data, Sign(k, data))
	return srv, u, k, k.PublicKey()
}

// fileOfVersion is the embedded file at another version, with a
// changelog entry for it; mutate may change it further.
func fileOfVersion(t *testing.T, version string, mutate ...func(d doc)) []byte {
	t.Helper()
	d := embeddedDoc(t)
	set(t, d, "version", version)
	log := get(t, d, "changelog").([]any)
	d["changelog"] = append([]any{map[string]any{"version": version, "changes": []any{"test release " + version}}}, log...)
	for _, m := range mutate {
		m(d)
	}
	return render(t, d)
}

// options trusts key besides the maintainers' and srv's certificate, and
// caches in a fresh directory.
func options(t *testing.T, srv *testServer, keys ...PublicKey) FetchOptions {
	t.Helper()
	return FetchOptions{Keys: keys, ToolVersion: "v1.2.3", Timeout: 10 * time.Second, Client: srv.Client(), CacheDir: t.TempDir()}
}

func TestFetch_UsesASignedNewerFileAndSaysWhereItCameFrom(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7")
	srv, u, _, pub := serveSigned(t, data)
	fetchedAt := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	opts := options(t, srv, pub)
	opts.now = func() time.Time { return fetchedAt }
	f, warn, err := Fetch(context.Background(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != "2026.12.7" || f.Source != u || len(warn) != 0 {
		t.Errorf("Version %q, Source %q, warnings %q", f.Version, f.Source, warn)
	}
	o := f.Origin()
	want := Origin{Kind: OriginURL, URL: u, KeyID: pub.KeyID(), FetchedAt: fetchedAt}
	if o != want {
		t.Errorf("Origin = %+v, want %+v", o, want)
	}
	if s := o.String(); s != u+" (key "+pub.KeyID()+")" {
		t.Errorf("String = %q", s)
	}
	if d := o.Description(); d != u+" (key "+pub.KeyID()+", fetched 2026-12-02T08:00:00Z)" {
		t.Errorf("Description = %q", d)
	}
	if _, ok := f.Profile("current"); !ok {
		t.Error("no current profile")
	}
	if srv.count(srv.requests, "/selectors.yaml") != 1 || srv.count(srv.requests, "/selectors.yaml.sig") != 1 {
		t.Errorf("requests %v", srv.requests)
	}
}

func TestFetch_TheSameVersionAsTheEmbeddedFileIsUsed(t *testing.T) {
	srv := newTestServer(t)
	key, pub := testKey(t)
	data := Embedded()
	u := srv.put("/s.yaml", data, Sign(key, data))
	if _, _, err := Fetch(context.Background(), u, options(t, srv, pub)); err != nil {
		t.Fatal(err)
	}
}

func TestFetch_RefusesAFileWithoutSignature(t *testing.T) {
	srv := newTestServer(t)
	_, pub := testKey(t)
	u := srv.put("/selectors.yaml", fileOfVersion(t, "2026.12.7"), nil)
	_, _, err := Fetch(context.Background(), u, options(t, srv, pub))
	se := wantKind(t, err, ErrNoSignature, u+".sig", "404")
	if se.Source != u || se.Reason() != "no_signature" || !strings.HasPrefix(err.Error(), "selectors file "+u+": no signature") {
		t.Errorf("error %q, Source %q, Reason %q", err, se.Source, se.Reason())
	}
}

func TestFetch_RefusesAChangedFile(t *testing.T) {
	srv := newTestServer(t)
	key, pub := testKey(t)
	data := fileOfVersion(t, "2026.12.7")
	sig := Sign(key, data)
	tampered := []byte(strings.Replace(string(data), "improve-model-toggle", "delete-account-button", 1))
	u := srv.put("/selectors.yaml", tampered, sig)
	_, _, err := Fetch(context.Background(), u, options(t, srv, pub))
	wantKind(t, err, ErrBadSignature, u, pub.KeyID())
}

func TestFetch_RefusesASignatureByAnUntrustedKey(t *testing.T) {
	srv := newTestServer(t)
	key, pub := testKey(t)
	_, trusted := testKey(t)
	data := fileOfVersion(t, "2026.12.7")
	u := srv.put("/selectors.yaml", data, Sign(key, data))
	_, _, err := Fetch(context.Background(), u, options(t, srv, trusted))
	wantKind(t, err, ErrUnknownKey, pub.KeyID(), MaintainersKeyID, trusted.KeyID())
	// Without extra keys only the maintainers' is trusted.
	_, _, err = Fetch(context.Background(), u, options(t, srv))
	wantKind(t, err, ErrUnknownKey, pub.KeyID())
}

func TestFetch_AnyExtraKeyMaySign(t *testing.T) {
	srv := newTestServer(t)
	_, a := testKey(t)
	keyB, b := testKey(t)
	data := fileOfVersion(t, "2026.12.7")
	u := srv.put("/selectors.yaml", data, Sign(keyB, data))
	f, _, err := Fetch(context.Background(), u, options(t, srv, a, b))
	if err != nil {
		t.Fatal(err)
	}
	if f.Origin().KeyID != b.KeyID() {
		t.Errorf("KeyID %q, want %q", f.Origin().KeyID, b.KeyID())
	}
}

func TestFetch_RefusesAMalformedSignature(t *testing.T) {
	srv := newTestServer(t)
	_, pub := testKey(t)
	u := srv.put("/selectors.yaml", fileOfVersion(t, "2026.12.7"), []byte("<html>not found</html>"))
	_, _, err := Fetch(context.Background(), u, options(t, srv, pub))
	wantKind(t, err, ErrMalformedSignature, u)
}

func TestFetch_RefusesAFileOlderThanTheEmbeddedOne(t *testing.T) {
	data := fileOfVersion(t, "2026.11.9")
	srv, u, _, pub := serveSigned(t, data)
	def := mustDefault(t)
	_, _, err := Fetch(context.Background(), u, options(t, srv, pub))
	wantKind(t, err, ErrTooOld, "2026.11.9", def.Version)
}

func TestFetch_RefusesAFileForANewerTool(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7", func(d doc) { d["min_tool_version"] = "1.3.0" })
	srv, u, _, pub := serveSigned(t, data)

	opts := options(t, srv, pub)
	_, _, err := Fetch(context.Background(), u, opts)
	wantKind(t, err, ErrNeedsNewerTool, "1.3.0", "v1.2.3")

	for _, tool := range []string{"v1.3.0", "1.3.1", "v2.0.0", "v1.3.1-0.20261201120000-0123456789ab"} {
		opts.ToolVersion = tool
		f, warn, err := Fetch(context.Background(), u, opts)
		if err != nil || len(warn) != 0 || f.MinToolVersion != "1.3.0" {
			t.Errorf("tool %s: %v, warnings %q", tool, err, warn)
		}
	}
	// A development build cannot be compared: it goes on, with a warning.
	for _, tool := range []string{"dev", "", "(devel)", "v0.0.0-20261201120000-0123456789ab"} {
		opts.ToolVersion = tool
		_, warn, err := Fetch(context.Background(), u, opts)
		if err != nil || len(warn) != 1 || !strings.Contains(warn[0], "1.3.0") || !strings.Contains(warn[0], "not a release version") {
			t.Errorf("tool %q: %v, warnings %q", tool, err, warn)
		}
	}
}

func TestFetch_RefusesAnInvalidSignedFileWithItsKeyPath(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7", func(d doc) { set(t, d, "profiles[0].path.switch.input", "tap") })
	srv, u, _, pub := serveSigned(t, data)
	_, _, err := Fetch(context.Background(), u, options(t, srv, pub))
	wantKind(t, err, ErrInvalidFile, u, "profiles[0].path.switch.input")
	var pe *Error
	if !errors.As(err, &pe) || pe.Line == 0 {
		t.Errorf("error %q carries no *Error with a line", err)
	}
}

func TestFetch_RefusesAFileLargerThan4MiB(t *testing.T) {
	srv := newTestServer(t)
	key, pub := testKey(t)
	big := append(fileOfVersion(t, "2026.12.7"), []byte("#"+strings.Repeat("x", MaxFileSize))...)
	u := srv.put("/selectors.yaml", big, Sign(key, big))
	_, _, err := Fetch(context.Background(), u, options(t, srv, pub))
	wantKind(t, err, ErrTooLarge, fmt.Sprintf("is %d bytes; at most %d are read", len(big), MaxFileSize))

	// Without a length, the body is cut one byte past the cap.
	chunked := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 5; i++ {
			_, _ = w.Write([]byte(strings.Repeat("#", 1<<20)))
			w.(http.Flusher).Flush()
		}
	}))
	defer chunked.Close()
	opts := options(t, srv, pub)
	opts.Client = chunked.Client()
	_, _, err = Fetch(context.Background(), chunked.URL+"/s.yaml", opts)
	wantKind(t, err, ErrTooLarge, "more than")
}

func TestFetch_ReusesTheCachedFileOn304(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7")
	srv, u, key, pub := serveSigned(t, data)
	opts := options(t, srv, pub)

	first, _, err := Fetch(context.Background(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Origin().FromCache {
		t.Error("the first fetch says it came from the cache")
	}
	second, _, err := Fetch(context.Background(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/selectors.yaml", "/selectors.yaml.sig"} {
		if srv.count(srv.requests, p) != 2 || srv.count(srv.conditional, p) != 1 || srv.count(srv.notModified, p) != 1 {
			t.Errorf("%s: %d requests, %d conditional, %d answered 304; want 2, 1, 1", p, srv.count(srv.requests, p), srv.count(srv.conditional, p), srv.count(srv.notModified, p))
		}
	}
	if !second.Origin().FromCache || second.Version != "2026.12.7" || second.Origin().KeyID != pub.KeyID() {
		t.Errorf("second fetch: %+v, version %s", second.Origin(), second.Version)
	}
	if !strings.Contains(second.Origin().Description(), "unchanged since the cached copy") {
		t.Errorf("Description = %q", second.Origin().Description())
	}

	// The cached copy's signature is checked again: a trusted key that is
	// no longer trusted refuses it.
	other := opts
	other.Keys = nil
	_, _, err = Fetch(context.Background(), u, other)
	wantKind(t, err, ErrUnknownKey)

	// A new file on the server replaces the cached one.
	newer := fileOfVersion(t, "2026.12.8")
	srv.put("/selectors.yaml", newer, Sign(key, newer))
	third, _, err := Fetch(context.Background(), u, opts)
	if err != nil || third.Version != "2026.12.8" || third.Origin().FromCache {
		t.Fatalf("after an update: %v, %+v", err, third)
	}
}

func TestFetch_ACachedCopyThatNoLongerVerifiesIsFetchedAfresh(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7")
	srv, u, _, pub := serveSigned(t, data)
	opts := options(t, srv, pub)
	if _, _, err := Fetch(context.Background(), u, opts); err != nil {
		t.Fatal(err)
	}
	// Someone edits the cached file: it fails its signature, and the
	// server's copy is fetched without conditions.
	path := cacheFile(opts.CacheDir, u)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no cache file: %v", err)
	}
	var e cacheEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	e.File.Data = []byte(strings.Replace(string(e.File.Data), "improve-model-toggle", "delete-account-button", 1))
	if err := writeCache(path, e); err != nil {
		t.Fatal(err)
	}
	f, _, err := Fetch(context.Background(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f.Origin().FromCache || strings.Contains(string(mustRender(t, f)), "delete-account-button") {
		t.Error("the edited cached copy was used")
	}
	if n := srv.count(srv.requests, "/selectors.yaml"); n != 3 {
		t.Errorf("%d requests of the file, want 3 (first, conditional, afresh)", n)
	}
}

func mustRender(t *testing.T, f *File) []byte {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFetch_CachesNothingThatDidNotVerify(t *testing.T) {
	srv := newTestServer(t)
	key, pub := testKey(t)
	data := fileOfVersion(t, "2026.12.7")
	u := srv.put("/selectors.yaml", append(data, '#'), Sign(key, data))
	opts := options(t, srv, pub)
	_, _, err := Fetch(context.Background(), u, opts)
	wantKind(t, err, ErrBadSignature)
	if entries, _ := os.ReadDir(opts.CacheDir); len(entries) != 0 {
		t.Errorf("cache holds %v", entries)
	}
}

func TestFetch_NoCacheSendsNoConditionsAndWritesNothing(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7")
	srv, u, _, pub := serveSigned(t, data)
	opts := options(t, srv, pub)
	opts.NoCache = true
	for range 2 {
		if _, _, err := Fetch(context.Background(), u, opts); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.count(srv.conditional, "/selectors.yaml"); n != 0 {
		t.Errorf("%d conditional requests", n)
	}
	if entries, _ := os.ReadDir(opts.CacheDir); len(entries) != 0 {
		t.Errorf("cache holds %v", entries)
	}
}

func TestFetch_AnUnwritableCacheIsAWarning(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7")
	srv, u, _, pub := serveSigned(t, data)
	opts := options(t, srv, pub)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	opts.CacheDir = filepath.Join(blocker, "cache") // below a file: cannot be made
	f, warn, err := Fetch(context.Background(), u, opts)
	if err != nil || f == nil {
		t.Fatal(err)
	}
	if len(warn) != 1 || !strings.Contains(warn[0], "not cached") {
		t.Errorf("warnings %q", warn)
	}
}

func TestFetch_NetworkErrors(t *testing.T) {
	key, pub := testKey(t)
	data := fileOfVersion(t, "2026.12.7")

	t.Run("server gone", func(t *testing.T) {
		srv, u, _, _ := serveSigned(t, data, key)
		opts := options(t, srv, pub)
		srv.Close()
		_, _, err := Fetch(context.Background(), u, opts)
		wantKind(t, err, ErrNetwork, u, "could not be fetched")
	})
	t.Run("file missing", func(t *testing.T) {
		srv := newTestServer(t)
		_, _, err := Fetch(context.Background(), srv.URL+"/none.yaml", options(t, srv, pub))
		wantKind(t, err, ErrNetwork, "404")
	})
	t.Run("server error on the signature", func(t *testing.T) {
		srv := newTestServer(t)
		u := srv.put("/selectors.yaml", data, nil)
		broken := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".sig") {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			srv.Config.Handler.ServeHTTP(w, r)
		}))
		defer broken.Close()
		opts := options(t, srv, pub)
		opts.Client = broken.Client()
		_, _, err := Fetch(context.Background(), strings.Replace(u, srv.URL, broken.URL, 1), opts)
		wantKind(t, err, ErrNetwork, "503")
	})
	t.Run("a server that hangs is bounded by the timeout", func(t *testing.T) {
		srv, u, _, _ := serveSigned(t, data, key)
		hang := make(chan struct{})
		defer close(hang)
		srv.mu.Lock()
		srv.hang = hang
		srv.mu.Unlock()
		opts := options(t, srv, pub)
		opts.Timeout = 300 * time.Millisecond
		start := time.Now()
		_, _, err := Fetch(context.Background(), u, opts)
		wantKind(t, err, ErrNetwork, "did not arrive within 300ms")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %q is not DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("certificate not trusted", func(t *testing.T) {
		srv, u, _, _ := serveSigned(t, data, key)
		opts := options(t, srv, pub)
		opts.Client = nil // the default client trusts the system's roots only
		_, _, err := Fetch(context.Background(), u, opts)
		wantKind(t, err, ErrNetwork, "certificate")
	})
}

func TestFetch_OnlyHTTPS(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1/selectors.yaml", "ftp://example.com/s.yaml", "https://", "https:///s.yaml", "selectors.yaml", "://x"} {
		_, _, err := Fetch(context.Background(), u, FetchOptions{CacheDir: t.TempDir()})
		wantKind(t, err, ErrNotHTTPS, "only https")
	}
	// Nor is an https URL followed to http.
	srv := newTestServer(t)
	_, pub := testKey(t)
	redirect := httptest.NewTLSServer(http.RedirectHandler("http://127.0.0.1:1/selectors.yaml", http.StatusFound))
	defer redirect.Close()
	opts := options(t, srv, pub)
	opts.Client = redirect.Client()
	_, _, err := Fetch(context.Background(), redirect.URL+"/selectors.yaml", opts)
	wantKind(t, err, ErrNotHTTPS, "redirected to http://127.0.0.1:1/selectors.yaml")
}

func TestFetch_SignatureURLKeepsTheQuery(t *testing.T) {
	f, s, err := remoteURLs("https://example.com/a/selectors.yaml?token=1")
	if err != nil || f != "https://example.com/a/selectors.yaml?token=1" || s != "https://example.com/a/selectors.yaml.sig?token=1" {
		t.Errorf("remoteURLs = %q, %q, %v", f, s, err)
	}
}

func TestDefaultCacheDir_IsUnderTheUserCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/tmp/xdg-cache-test")
	t.Setenv("HOME", "/tmp/home-test")
	dir, err := DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := os.UserCacheDir()
	if dir != filepath.Join(base, "chatgpt-optout", "selectors") {
		t.Errorf("DefaultCacheDir = %q", dir)
	}
}

func TestVerifyURL_ChecksOnlyTheSignature(t *testing.T) {
	data := fileOfVersion(t, "2026.11.9") // older than the embedded file: Fetch would refuse it
	srv, u, key, pub := serveSigned(t, data)
	opts := options(t, srv, pub)
	if id, err := VerifyURL(context.Background(), u, opts); err != nil || id != pub.KeyID() {
		t.Errorf("VerifyURL = %q, %v", id, err)
	}
	_, err := VerifyURL(context.Background(), u, options(t, srv))
	wantKind(t, err, ErrUnknownKey, u)
	srv.put("/selectors.yaml", append(data, '#'), Sign(key, data))
	_, err = VerifyURL(context.Background(), u, opts)
	wantKind(t, err, ErrBadSignature, u)
	srv.put("/selectors.yaml", data, nil)
	_, err = VerifyURL(context.Background(), u, opts)
	wantKind(t, err, ErrNoSignature, u)
	if entries, _ := os.ReadDir(opts.CacheDir); len(entries) != 0 {
		t.Errorf("VerifyURL cached %v", entries)
	}
}

func TestFetch_APasswordInTheURLIsNotShown(t *testing.T) {
	data := fileOfVersion(t, "2026.12.7")
	srv, u, _, pub := serveSigned(t, data)
	withPassword := strings.Replace(u, "https://", "https://team:s3cret@", 1)
	f, _, err := Fetch(context.Background(), withPassword, options(t, srv, pub))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{f.Source, f.Origin().String(), f.Origin().Description()} {
		if strings.Contains(s, "s3cret") || !strings.Contains(s, "team:xxxxx@") {
			t.Errorf("shown as %q", s)
		}
	}
	srv.put("/selectors.yaml", data, nil)
	_, _, err = Fetch(context.Background(), withPassword, options(t, srv, pub))
	wantKind(t, err, ErrNoSignature)
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
}
