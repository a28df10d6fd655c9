package selectors

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

// OriginKind says where a selectors file came from.
type OriginKind string

// The places a selectors file comes from.
const (
	OriginEmbedded OriginKind = "embedded" // built into the binary
	OriginFile     OriginKind = "file"     // a path given by the user
	OriginURL      OriginKind = "url"      // fetched by Fetch, its signature verified
)

// Origin is where a loaded selectors file came from: what `selectors show`
// prints and the selectors_source of every result.
type Origin struct {
	Kind  OriginKind
	Path  string // the file's path (OriginFile)
	URL   string // the address it was fetched from (OriginURL)
	KeyID string // the id of the key whose signature verified (OriginURL)
	// FetchedAt is when the server sent the file or, with FromCache (it
	// answered 304 Not Modified), confirmed that the cached copy is current.
	FetchedAt time.Time
	FromCache bool
}

// String is the selectors_source of a result: "embedded", the path, or
// "URL (key KEYID)".
func (o Origin) String() string {
	switch o.Kind {
	case OriginURL:
		return o.URL + " (key " + o.KeyID + ")"
	case OriginFile:
		return o.Path
	default:
		return string(OriginEmbedded)
	}
}

// Description is String with the fetch time and whether the cached copy
// was used, for `selectors show`.
func (o Origin) Description() string {
	if o.Kind != OriginURL {
		return o.String()
	}
	s := fmt.Sprintf("%s (key %s, fetched %s", o.URL, o.KeyID, o.FetchedAt.UTC().Format(time.RFC3339))
	if o.FromCache {
		s += ", unchanged since the cached copy"
	}
	return s + ")"
}

// Origin is where f came from: for a file from Parse or Load, what its
// Source names; for one from Fetch, its URL, key and fetch time.
func (f *File) Origin() Origin {
	if f.origin != nil {
		return *f.origin
	}
	if f.Source == EmbeddedSource {
		return Origin{Kind: OriginEmbedded}
	}
	return Origin{Kind: OriginFile, Path: f.Source}
}

// The kinds of SourceError, for errors.Is. ErrTooLarge is one too.
var (
	ErrNotHTTPS           = errors.New("not an https URL")
	ErrNetwork            = errors.New("could not be fetched")
	ErrNoSignature        = errors.New("no signature")
	ErrMalformedSignature = errors.New("malformed signature")
	ErrUnknownKey         = errors.New("signed by an untrusted key")
	ErrBadSignature       = errors.New("bad signature")
	ErrInvalidFile        = errors.New("not a valid selectors file")
	ErrTooOld             = errors.New("older than the embedded file")
	ErrNeedsNewerTool     = errors.New("needs a newer chatgpt-optout")
	ErrRead               = errors.New("could not be read")
)

// SourceError says why a selectors file from a URL, or a signature, was
// not used. Every one is a configuration error: the tool stops before any
// browser starts (exit 1), unless it falls back to the embedded file.
type SourceError struct {
	Source string // the URL or path; empty for a bare Verify
	Kind   error  // one of the Err variables above (ErrNoSignature, …)
	Msg    string // a sentence a person can act on
	Err    error  // the cause, if any: the *Error of an invalid file, the network error
}

func (e *SourceError) Error() string {
	if e.Msg == "" && e.Err != nil {
		// An invalid file: Parse's error already names the file.
		return e.Err.Error()
	}
	if e.Source == "" {
		return "selectors signature: " + e.Msg
	}
	return "selectors file " + e.Source + ": " + e.Msg
}

// Unwrap gives the Kind and the cause, for errors.Is and errors.As.
func (e *SourceError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Reason is the kind as a word for a report (not_https, too_old, …).
func (e *SourceError) Reason() string { return reasons[e.Kind] }

var reasons = map[error]string{
	ErrNotHTTPS: "not_https", ErrNetwork: "network", ErrNoSignature: "no_signature",
	ErrMalformedSignature: "malformed_signature", ErrUnknownKey: "unknown_key",
	ErrBadSignature: "bad_signature", ErrInvalidFile: "invalid_file", ErrTooOld: "too_old",
	ErrNeedsNewerTool: "needs_newer_tool", ErrRead: "read", ErrTooLarge: "too_large",
}

// withSource sets the Source of a *SourceError that has none.
func withSource(err error, source string) error {
	var se *SourceError
	if errors.As(err, &se) && se.Source == "" {
		c := *se
		c.Source = source
		return &c
	}
	return err
}

// IsURL tells whether a --selectors value names a URL ("://") rather than
// a path; Resolve refuses any scheme but https.
func IsURL(spec string) bool { return strings.Contains(spec, "://") }

// ResolveOptions are Fetch's options and what to do when it fails.
type ResolveOptions struct {
	FetchOptions
	// FallbackToEmbedded: when a URL cannot be fetched or its file is not
	// accepted (network, signature, version), go on with the embedded
	// file and a warning instead of failing. A URL that is not https is
	// a mistake in the configuration and fails all the same.
	FallbackToEmbedded bool
}

// Resolve loads the selectors file that spec names: the embedded one for
// "", an https URL through Fetch, or else a path through Load; a file whose
// min_tool_version is above opts.ToolVersion is refused (ErrNeedsNewerTool).
// Warnings are sentences for the result: a min_tool_version that could
// not be checked, a cache that could not be written, the fallback taken.
// Errors are *SourceError or, for a path, what Load returns.
func Resolve(ctx context.Context, spec string, opts ResolveOptions) (*File, []string, error) {
	if spec == "" {
		f, err := Default()
		return f, nil, err
	}
	if !IsURL(spec) {
		f, err := Load(spec)
		if err != nil {
			return nil, nil, err
		}
		return checkToolVersion(f, opts.ToolVersion)
	}
	f, warn, err := Fetch(ctx, spec, opts.FetchOptions)
	if err == nil || !opts.FallbackToEmbedded || errors.Is(err, ErrNotHTTPS) {
		return f, warn, err
	}
	def, derr := Default()
	if derr != nil {
		return nil, nil, derr
	}
	return def, append(warn, fmt.Sprintf("%v; going on with the embedded selectors file (version %s) as the fallback asks", err, def.Version)), nil
}

// checkToolVersion refuses f if its min_tool_version is above tool, and
// warns when tool is not a release version (so cannot be compared): a
// development build is taken to be new enough.
func checkToolVersion(f *File, tool string) (*File, []string, error) {
	if f.MinToolVersion == "" {
		return f, nil, nil
	}
	ok, known := toolVersionAllows(f.MinToolVersion, tool)
	if !known {
		return f, []string{fmt.Sprintf("selectors file %s asks for chatgpt-optout %s or newer; this build's version (%s) is not a release version, so it is taken to be new enough", f.Source, f.MinToolVersion, cmp.Or(tool, "unknown"))}, nil
	}
	if !ok {
		return nil, nil, &SourceError{Source: f.Source, Kind: ErrNeedsNewerTool,
			Msg: fmt.Sprintf("min_tool_version is %s but this is chatgpt-optout %s: install %s or newer, or use an older selectors file", f.MinToolVersion, tool, f.MinToolVersion)}
	}
	return f, nil, nil
}

// toolVersionAllows tells whether tool is at least min. known is false
// when tool is no release version: empty, "dev", "(devel)", not semantic,
// or a Go pseudo-version of no tagged release (v0.0.0-DATE-COMMIT).
func toolVersionAllows(min, tool string) (ok, known bool) {
	m, t := fullSemver(min), fullSemver(tool)
	if m == "" || t == "" || strings.HasPrefix(t, "v0.0.0-") {
		return true, false
	}
	return semver.Compare(t, m) >= 0, true
}

// fullSemver is s (with or without a leading v) with a leading v when it is
// a whole semantic version MAJOR.MINOR.PATCH[-PRE][+BUILD], else "": x/mod's
// semver also takes the shorthands v1 and v1.2, which a release never is.
func fullSemver(s string) string {
	v := "v" + strings.TrimPrefix(s, "v")
	if semver.Canonical(v)+semver.Build(v) != v {
		return ""
	}
	return v
}

// olderFileVersion tells whether file version a (YEAR.MONTH.N, as the
// schema has it) is older than b. Versions that do not parse are not ordered.
func olderFileVersion(a, b string) bool {
	var va, vb [3]int
	_, errA := fmt.Sscanf(a, "%d.%d.%d", &va[0], &va[1], &va[2])
	_, errB := fmt.Sscanf(b, "%d.%d.%d", &vb[0], &vb[1], &vb[2])
	return errA == nil && errB == nil && slices.Compare(va[:], vb[:]) < 0
}
