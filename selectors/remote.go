package selectors

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
)

// DefaultFetchTimeout bounds a Fetch (both requests) given no Timeout.
const DefaultFetchTimeout = 30 * time.Second

// FetchOptions are the settings of Fetch.
type FetchOptions struct {
	// Keys are trusted besides the maintainers' embedded key (a team's
	// own, from --selectors-key).
	Keys []PublicKey
	// ToolVersion is the running tool's version, compared with the
	// file's min_tool_version. A development build ("dev", "", a
	// pseudo-version of no release) passes, with a warning.
	ToolVersion string
	// Timeout bounds the whole fetch; DefaultFetchTimeout when zero.
	Timeout time.Duration
	// Client makes the requests; nil for a default one (proxy settings from
	// the environment). Redirects are followed to https URLs only.
	Client *http.Client
	// CacheDir holds the last accepted file of each URL; DefaultCacheDir
	// when empty. NoCache sends no conditional request and writes no cache.
	CacheDir string
	NoCache  bool

	now func() time.Time // for tests
}

// DefaultCacheDir is chatgpt-optout/selectors under the user's cache
// directory (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux).
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "chatgpt-optout", "selectors"), nil
}

// Fetch gets the selectors file at an https URL and its minisign
// signature at URL.sig, and returns the file only when all of this holds;
// otherwise a *SourceError of the kind in brackets:
//
//   - the URL is https, also after redirects, even on loopback [ErrNotHTTPS];
//   - both answers arrive within the timeout and are 200 (or 304, below)
//     [ErrNetwork]; a signature answering 404 or 410 is [ErrNoSignature];
//   - the file is at most MaxFileSize [ErrTooLarge];
//   - the signature is by a trusted key [ErrMalformedSignature,
//     ErrUnknownKey] and matches the file [ErrBadSignature];
//   - the file is a valid selectors file [ErrInvalidFile];
//   - its version is not older than the embedded file's [ErrTooOld];
//   - its min_tool_version is at most opts.ToolVersion [ErrNeedsNewerTool].
//
// The last accepted file and signature of each URL are cached with their
// ETag and Last-Modified, sent back as If-None-Match and If-Modified-Since;
// on 304 the cached copy is used after its signature is verified again (if
// it no longer verifies, both are fetched afresh). Nothing is cached before
// it verified.
func Fetch(ctx context.Context, rawURL string, opts FetchOptions) (*File, []string, error) {
	cachePath := ""
	if !opts.NoCache {
		cachePath = cacheFile(opts.CacheDir, rawURL)
	}
	got, err := fetchVerified(ctx, rawURL, opts, readCache(cachePath, rawURL))
	if err != nil {
		return nil, nil, err
	}
	shown := redactURL(rawURL)
	f, warn, err := accept(got.file.Data, shown, opts.ToolVersion)
	if err != nil {
		return nil, nil, err
	}
	at := time.Now()
	if opts.now != nil {
		at = opts.now()
	}
	f.origin = &Origin{Kind: OriginURL, URL: shown, KeyID: got.keyID, FetchedAt: at, FromCache: got.fileCached}
	if cachePath != "" && !(got.fileCached && got.sigCached) {
		entry := cacheEntry{URL: rawURL, File: got.file, Sig: got.sig, FetchedAt: at}
		if err := writeCache(cachePath, entry); err != nil {
			warn = append(warn, fmt.Sprintf("selectors file %s: not cached (%v): the next run downloads it again", shown, err))
		}
	}
	return f, warn, nil
}

// VerifyURL fetches the file at an https URL and its signature as Fetch
// does, without the cache, and checks only the signature (`selectors
// verify-signature`): it returns the signing key's id, or a *SourceError.
func VerifyURL(ctx context.Context, rawURL string, opts FetchOptions) (keyID string, err error) {
	got, err := fetchVerified(ctx, rawURL, opts, nil)
	if err != nil {
		return "", err
	}
	return got.keyID, nil
}

// verified is a file and its signature from a URL, the signature checked.
type verified struct {
	file, sig             cachedBody
	fileCached, sigCached bool // the server answered 304 for it
	keyID                 string
}

// fetchVerified downloads the file and its signature (conditionally
// against cached, when given) within the timeout, and verifies them.
func fetchVerified(ctx context.Context, rawURL string, opts FetchOptions, cached *cacheEntry) (*verified, error) {
	fileURL, sigURL, err := remoteURLs(rawURL)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := &fetcher{client: httpsOnly(opts.Client), url: redactURL(rawURL), timeout: timeout,
		userAgent: "chatgpt-optout/" + cmp.Or(opts.ToolVersion, "dev") + " (selectors)"}
	var prevFile, prevSig *cachedBody
	if cached != nil {
		prevFile, prevSig = &cached.File, &cached.Sig
	}
	var v verified
	if v.file, v.fileCached, err = r.get(ctx, fileURL, prevFile, MaxFileSize, false); err != nil {
		return nil, err
	}
	if v.sig, v.sigCached, err = r.get(ctx, sigURL, prevSig, maxSignatureSize, true); err != nil {
		return nil, err
	}
	if v.keyID, err = Verify(TrustedKeys(opts.Keys...), v.file.Data, v.sig.Data); err != nil {
		if v.fileCached || v.sigCached {
			// The cached copy no longer verifies: fetch both afresh, within
			// what is left of the timeout.
			return fetchVerified(ctx, rawURL, opts, nil)
		}
		return nil, withSource(err, redactURL(rawURL))
	}
	return &v, nil
}

// redactURL is rawURL with its password, if any, replaced by xxxxx.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Redacted()
}

// remoteURLs checks that rawURL is https and gives it and its signature's URL.
func remoteURLs(rawURL string) (fileURL, sigURL string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", "", &SourceError{Source: redactURL(rawURL), Kind: ErrNotHTTPS,
			Msg: "only https URLs are fetched (the file must come over TLS from a server that holds a valid certificate); give an https:// URL or a path"}
	}
	s := *u
	s.Path += ".sig"
	if u.RawPath != "" {
		s.RawPath += ".sig"
	}
	return u.String(), s.String(), nil
}

// accept parses a verified file and applies the version rules.
func accept(data []byte, source, toolVersion string) (*File, []string, error) {
	f, err := Parse(data, source)
	if err != nil {
		kind := ErrInvalidFile
		if errors.Is(err, ErrTooLarge) {
			kind = ErrTooLarge
		}
		return nil, nil, &SourceError{Source: source, Kind: kind, Err: err}
	}
	def, err := Default()
	if err != nil {
		return nil, nil, err
	}
	if olderFileVersion(f.Version, def.Version) {
		return nil, nil, &SourceError{Source: source, Kind: ErrTooOld,
			Msg: fmt.Sprintf("version %s is older than the embedded file's %s: publish a newer file there (or point at one), or leave the selectors setting out to use the embedded file", f.Version, def.Version)}
	}
	return checkToolVersion(f, toolVersion)
}

// fetcher makes the requests of one Fetch.
type fetcher struct {
	client    *http.Client
	url       string // the file's URL as given, for errors
	timeout   time.Duration
	userAgent string
}

// get fetches u, conditionally when prev is given, and returns the body
// (prev's on 304) and whether it is prev's.
func (r *fetcher) get(ctx context.Context, u string, prev *cachedBody, limit int64, isSig bool) (cachedBody, bool, error) {
	what := "the file"
	if isSig {
		what = "the signature " + redactURL(u)
	}
	fail := func(kind error, cause error, format string, args ...any) (cachedBody, bool, error) {
		return cachedBody{}, false, &SourceError{Source: r.url, Kind: kind, Msg: fmt.Sprintf(format, args...), Err: cause}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fail(ErrNotHTTPS, err, "%s: %v", what, err)
	}
	req.Header.Set("User-Agent", r.userAgent)
	if prev != nil {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return r.networkError(ctx, what, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && prev != nil:
		return *prev, true, nil
	case resp.StatusCode == http.StatusOK:
	case isSig && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone):
		return fail(ErrNoSignature, nil, "no signature: %s answered %s; a selectors file from a URL is used only with its minisign signature beside it (sign it with `chatgpt-optout selectors sign` or `minisign -S`, upload FILE.sig)", redactURL(u), resp.Status)
	default:
		return fail(ErrNetwork, nil, "%s answered %s", what, resp.Status)
	}
	if resp.ContentLength > limit {
		return fail(ErrTooLarge, ErrTooLarge, "%s is %d bytes; at most %d are read", what, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return r.networkError(ctx, what, err)
	}
	if int64(len(body)) > limit {
		return fail(ErrTooLarge, ErrTooLarge, "%s is more than %d bytes, the most that is read", what, limit)
	}
	return cachedBody{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Data: body}, false, nil
}

func (r *fetcher) networkError(ctx context.Context, what string, err error) (cachedBody, bool, error) {
	kind, msg := ErrNetwork, fmt.Sprintf("%s could not be fetched: %v", what, unwrapURLError(err))
	switch {
	case errors.Is(err, ErrNotHTTPS):
		kind, msg = ErrNotHTTPS, fmt.Sprintf("%s: %v", what, unwrapURLError(err))
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		msg = fmt.Sprintf("%s did not arrive within %s", what, r.timeout)
	}
	return cachedBody{}, false, &SourceError{Source: r.url, Kind: kind, Msg: msg, Err: err}
}

// unwrapURLError drops the "Get URL:" that net/http puts before an error.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// httpsOnly is a copy of c (or of a default client) that follows
// redirects to https URLs only.
func httpsOnly(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	next := out.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("%w: redirected to %s", ErrNotHTTPS, req.URL.Redacted())
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &out
}

// cacheEntry is the cache file of one URL.
type cacheEntry struct {
	URL       string     `json:"url"`
	File      cachedBody `json:"file"`
	Sig       cachedBody `json:"sig"`
	FetchedAt time.Time  `json:"fetched_at"`
}

type cachedBody struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Data         []byte `json:"data"`
}

// cacheFile is the cache file of rawURL under dir (DefaultCacheDir when
// empty), or "" without a cache directory.
func cacheFile(dir, rawURL string) string {
	if dir == "" {
		var err error
		if dir, err = DefaultCacheDir(); err != nil {
			return ""
		}
	}
	sum := sha256.Sum256([]byte(rawURL))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".json")
}

// readCache reads the entry of rawURL; nil when there is none or it is unreadable.
func readCache(path, rawURL string) *cacheEntry {
	var e cacheEntry
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &e) != nil || e.URL != rawURL || len(e.File.Data) == 0 || len(e.Sig.Data) == 0 {
		return nil
	}
	return &e
}

// writeCache replaces the entry at path atomically.
func writeCache(path string, e cacheEntry) error {
	data, err := json.Marshal(e)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o700)
	}
	if err != nil {
		return err
	}
	return fileio.WriteAtomic(path, data, 0o600)
}
