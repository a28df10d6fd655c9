package automation

import (
	"cmp"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// Route is the way from the chat page to the setting.
type Route string

// The routes. RouteAuto walks the menus and falls back to the deep link when
// the menu path no longer matches; with a saved session it opens the deep
// link first, as the page load that signs the run in.
const (
	RouteAuto     Route = "auto"
	RouteMenu     Route = "menu"
	RouteDeepLink Route = "deep_link"
)

// ParseRoute is the route s names ("" is RouteAuto), or a configuration
// error pointing at SettingRoute.
func ParseRoute(s string) (Route, error) {
	switch r := Route(s); r {
	case "":
		return RouteAuto, nil
	case RouteAuto, RouteMenu, RouteDeepLink:
		return r, nil
	}
	return "", configError([]Setting{SettingRoute}, "route %s is not one of auto, menu, deep_link", quote.Value(s))
}

// CheckBaseURL says whether s can be Config.BaseURL: an http(s) URL with a
// host. Its error, pointing at SettingBaseURL, starts with the quoted
// value, so that a caller may put where it came from in front.
func CheckBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return configError([]Setting{SettingBaseURL}, "%s is not an http(s) URL: give one like %s", quote.Value(s), DefaultBaseURL)
	}
	return nil
}

// Config is what a run needs besides the account.
type Config struct {
	BaseURL   string          // where the app lives, e.g. https://chatgpt.com
	Selectors *selectors.File // nil means the embedded file; a run never changes the file it is given
	UI        string          // profile name, or "" / "auto" to detect
	Route     Route           // "" means RouteAuto
	Timeout   time.Duration   // limit for one account, end to end
	// Settle is how long a page must be still before a missing element
	// counts as drift.
	Settle       time.Duration
	ArtifactsDir string // on failure: screenshot, masked HTML, console log
	DryRun       bool   // read and report, change nothing
	Logger       *slog.Logger
	// StateKey encrypts and decrypts state files: an age X25519 identity
	// (AGE-SECRET-KEY-1…) or a passphrase. It is never logged.
	StateKey string
	// StatePlaintext allows writing a state file without a StateKey.
	StatePlaintext bool
	// Evidence takes a small screenshot of the switch once it was read off
	// and verified (Result.Evidence), for a report an auditor reads.
	Evidence bool
	// SecurityCheckWait bounds the wait for a security check that clears
	// itself, each time one shows (and Timeout does); 0 means
	// DefaultSecurityCheckWait.
	SecurityCheckWait time.Duration
	// Settings are the data-use settings a run reads and switches off, in
	// any order (a run visits them in its own); nil means model training
	// alone. ParseDataSettings reads them from names.
	Settings []DataSetting
	// SaveStateFile is where Login writes the session once a person has
	// signed in (Disable, Status and Verify use Account.StateFile).
	SaveStateFile string
}

// DefaultBaseURL is where the real app lives.
const DefaultBaseURL = "https://chatgpt.com"

// DefaultTimeout is the interface's default limit for one account.
const DefaultTimeout = 2 * time.Minute

// DefaultSecurityCheckWait is how long a run waits, by default, for a
// security check to clear itself: a real browser passes one in a few
// seconds, and a person would give it about half a minute.
const DefaultSecurityCheckWait = 30 * time.Second

// DefaultSettle is the default settle window.
const DefaultSettle = 1200 * time.Millisecond

// builtInSelectors is the embedded selectors file, parsed once for every
// run that names none: a run only reads its file, and a parse costs more
// than a probe of the page.
var builtInSelectors = sync.OnceValues(selectors.Default)

// WithDefaults fills the zero fields and checks the rest. Run calls it
// too; a caller may call it first to refuse bad input before starting Chrome.
func (c Config) WithDefaults() (Config, error) {
	if c.Selectors == nil {
		f, err := builtInSelectors()
		if err != nil {
			return c, err
		}
		c.Selectors = f
	}
	c.BaseURL = cmp.Or(c.BaseURL, DefaultBaseURL)
	if err := CheckBaseURL(c.BaseURL); err != nil {
		return c, configError([]Setting{SettingBaseURL}, "base URL %v", err)
	}
	if c.UI == "auto" {
		c.UI = ""
	}
	if c.UI != "" {
		if _, ok := c.Selectors.Profile(c.UI); !ok {
			return c, configError([]Setting{SettingUI}, "UI profile %s is not in selectors file %s (version %s); it has: auto, %s", quote.Value(c.UI), c.Selectors.Source, c.Selectors.Version, strings.Join(c.Selectors.ProfileNames(), ", "))
		}
	}
	route, err := ParseRoute(string(c.Route))
	if err != nil {
		return c, err
	}
	c.Route = route
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.SecurityCheckWait < 0 {
		return c, configError([]Setting{SettingCheckWait}, "the wait for the site's security check is %s: give a positive duration like 30s", c.SecurityCheckWait)
	}
	c.SecurityCheckWait = cmp.Or(c.SecurityCheckWait, DefaultSecurityCheckWait)
	if len(c.Settings) == 0 {
		c.Settings = []DataSetting{DataTraining}
	}
	for _, d := range c.Settings {
		if !slices.Contains(dataSettingOrder, d) {
			return c, configError([]Setting{SettingSettings}, "setting %s is not one of %s", quote.Value(string(d)), knownDataSettings())
		}
	}
	if c.Settle <= 0 {
		c.Settle = DefaultSettle
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	return c, nil
}
