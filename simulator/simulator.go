package simulator

import (
	"cmp"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// UI names an era of the ChatGPT web UI.
type UI string

// The eras the simulator can serve.
const (
	UICurrent UI = "current" // 2024-2026: "Improve the model for everyone"
	UI2023    UI = "2023"    // 2023: "Chat history & training"
)

// Post-login dialog names for Account.Dialogs. A name that does not belong
// to the served era is ignored, so one account list works for both eras.
const (
	DialogGettingStarted = "getting-started" // current: "Tips for getting started" (seen in clones only; see VariantGettingStarted)
	DialogAllSet         = "all-set"         // current: "You're all set"
	DialogTour           = "tour"            // current: "Ask anything" tour popover
	DialogRateLimit      = "rate-limit"      // current: "Too many requests", "Got it"
	DialogOnboarding     = "onboarding"      // 2023: Headless UI modal, Next, Next, Done

	// DialogSessionExpired shows not after sign-in but, once per lapsed
	// session (ExpireSessions, SessionTTL), on the signed-out page it
	// lands on: "Your session has expired" with "Log in". Current UI.
	DialogSessionExpired = "session-expired"
)

// Account is one simulated ChatGPT account. README.md describes each
// field's pages.
type Account struct {
	Email, Password string
	DisplayName     string
	TOTPSecret      string   // base32; when set, login needs a TOTP code (±1 step)
	TrainingAllowed bool     // initial state of the setting (true = "on")
	Dialogs         []string // post-login dialogs shown once after sign-in, in order
	BotWall         bool     // auth shows a Cloudflare-like interstitial after the email step
	EmailCode       bool     // auth asks for an emailed code at /email-verification after the password (current UI)

	// The privacy baseline (issue 21), current UI:

	// Plan is PlanFree ("" too), PlanGo, PlanPlus or PlanPro; Start refuses
	// another name. Free and Go have marketing on by default, and ads.
	Plan string
	// Teen makes a linked teen account: the improve switch is read-only
	// and a training PATCH answers 403.
	Teen bool
	// TeenRow shows a teen's improve row itself disabled, opening
	// nothing (current UI), instead of a read-only switch behind it.
	TeenRow bool

	// The 2026 sign-in pages, current UI only:

	EmailFirst   bool // a code by email right after the email step; "Continue with password" is the way out
	PasskeyOffer bool // "Log in faster next time" (login-enroll-passkey), with Skip, after the last step
	// WelcomeBack makes the login origin remember the email after a
	// sign-in for the browser's next /log-in (see Options.WelcomeBackEmail).
	WelcomeBack bool
	// Chooser gives every new session the account chooser: the session is
	// valid, but the app page stays signed-out until the account is picked.
	Chooser bool

	// The first minute on the real site (issue 20):

	// SiteErrors sends the sign-in to /unexpected-state ("Operation timed
	// out") the first SiteErrors times it would leave the login origin
	// (-1: every time); its "Try again" goes on.
	SiteErrors int
	// MaxCheckAttempts lands the browser, after the password, on an error
	// page naming max_check_attempts, whose "Try again" must not be pressed.
	MaxCheckAttempts bool
	// Needs names a sign-in page that needs a person and never lets the
	// flow go on: NeedsAddPhone, NeedsAboutYou, NeedsAge or NeedsPhone.
	Needs string

	MailboxPassword string // the IMAP password of its mailbox (the user is the email); empty: random per Start
}

// Options configures Start. The zero value serves the current UI with
// DemoAccounts on random loopback ports. README.md describes each option.
type Options struct {
	UI          UI            // default UICurrent
	Accounts    []Account     // default DemoAccounts()
	AppAddr     string        // listen address of the app, default "127.0.0.1:0"
	AuthAddr    string        // listen address of auth, default "127.0.0.1:0"
	Latency     time.Duration // added to every /api and /backend-api response
	ToggleDelay time.Duration // delay between the PATCH answer and the switch flipping (0 = 150ms, <0 = none)
	LoginEntry  string        // "redirect" (default) or "dialog" (current UI only)
	SessionTTL  time.Duration // 0 = sessions never expire

	// Variants apply UI drift to the signed-in app (see Variant). Unknown
	// names make Start fail; repeats are ignored.
	Variants []Variant

	SplitSessionCookie bool // session tokens over 3000 characters, set in chunks .0/.1 as next-auth does
	SessionOnlyCookie  bool // the session cookie without Expires or Max-Age; default: persistent, 90 days
	Quiet              bool // no background traffic or rotating composer text; by default a page is never network-idle

	WelcomeBackEmail string // /log-in is "Welcome back" with this email prefilled (current UI)
	ConsentBanner    bool   // a cookie banner over the sidebar's profile trigger on every app page until answered
	// LateDialogs shows an account's post-login dialogs 0.2 s after the
	// settings open at Data controls (or 30 s after load). The 2023
	// onboarding then sets no pointer-events of its own: over an open Radix
	// modal only the keyboard reaches its buttons.
	LateDialogs      bool
	SplitCode        bool // the current UI's code fields as six one-digit boxes
	SidebarCollapsed bool // the signed-in app opens with its sidebar collapsed (current UI)
	// HydrateAfter is how long /log-in shows its bare Log in / Sign up
	// buttons before the form replaces them: 0 means a random 0.4 to 1.8 s;
	// negative means until "Log in" is clicked.
	HydrateAfter time.Duration
	HoldWrites   bool // every setting PATCH answer flushed but never completed; the page flips on the status alone
	// SlowWrites holds every setting PATCH this long before the write is
	// applied and answered: a save slower than any settle window.
	SlowWrites time.Duration
	// LoadingSwitches renders every setting switch of the current UI
	// disabled and off for this long after it appears, before its value
	// has loaded: a reading taken meanwhile is no reading.
	LoadingSwitches time.Duration
	// LazySwitches renders every setting switch of the current UI enabled
	// and off for this long after it appears, before its value has loaded
	// (a page that draws its default first). Wins over LoadingSwitches.
	LazySwitches time.Duration

	// The mailbox (Server.IMAPURL), on by default when some account gets
	// email codes:

	NoMailbox     bool          // no mailbox; the codes are then only in Server.EmailCode
	IMAPAddr      string        // the mailbox's listen address, default "127.0.0.1:0"
	IMAPPlain     bool          // plain IMAP (imap://, LOGIN in the clear) instead of IMAPS, self-signed
	MailDelay     time.Duration // every code email arrives this long after the code is issued
	MailStale     bool          // before each code email, one with an invalid code dated StaleMailAge earlier
	MailTwice     bool          // each code twice: a replaced one, then the valid one ≥ 1.1 s later
	SharedMailbox bool          // the user SharedMailboxUser gets a copy of every code email

	// The first minute on the real site (issue 20), each off by default:

	SecurityCheck    *SecurityCheck // a Cloudflare managed challenge in front of the app and/or auth
	UnknownDialog    *UnknownDialog // a dialog nobody catalogued after sign-in, once per session
	OneTimeCodeOffer bool           // "Log in with a one-time code" on the password page; every account gets a mailbox
	// Chaos, when not 0, draws a ChaosPlan from this seed that overrides
	// SecurityCheck, UnknownDialog and every account's SiteErrors,
	// MaxCheckAttempts and Needs.
	Chaos int64

	// Slow and crowded pages, as independent replicas of the site showed
	// them (current UI), each off by default:

	// FirstPaint keeps the signed-out home page blank this long before it
	// draws anything: the app's script arriving late.
	FirstPaint time.Duration
	// PlaceholderFor is how long the signed-out home page shows its pulsing
	// placeholder profile trigger (accounts-profile-button) before the Log
	// in buttons; 0 means 0.5 to 1 s.
	PlaceholderFor time.Duration
	// DataControlsDelay keeps the Data controls panel's rows this long
	// behind a spinner (no role, no aria-busy: an animate-spin icon) once
	// the settings have arrived.
	DataControlsDelay time.Duration
	// WelcomeBackAsText makes the "Welcome back" page (WelcomeBackEmail,
	// Account.WelcomeBack) show the email as text only, carried in a hidden
	// input[name=email], with just its Continue: no field to type into.
	WelcomeBackAsText bool
	// OneTap shows Google One Tap's box (#credential_picker_container, a
	// cross-origin frame from the login origin) fixed top right on the
	// signed-out home page from its load, over the header's Log in; when
	// the login dialog opens (LoginEntry "dialog") it comes again, over the
	// dialog's email field. Its "Continue as" is a choice
	// (Counters.ChoicePresses).
	OneTap bool
}

// Counters are per-account request counts, for tests.
type Counters struct {
	LoginPageViews     int // GETs of the auth email page (and dialog-mode entries)
	PasswordAttempts   int // password submissions, right or wrong
	MFAAttempts        int // TOTP and email code submissions, right or wrong
	Logins             int // successful sign-ins (session created)
	SettingsReads      int // GET /backend-api/settings/user
	Patches            int // setting PATCH requests received (failed ones included)
	BackgroundRequests int // the app pages' background traffic (Server.Busy)

	// The mailbox: code emails put into the account's mailbox (stale and
	// replaced ones included), IMAP logins, refused ones (Counters("")
	// also counts unknown users), and FETCH commands.
	MailsSent, IMAPLogins, IMAPLoginFailures, IMAPFetches int

	SiteErrorPages      int // /unexpected-state pages shown (SiteErrors and MaxCheckAttempts)
	TryAgainPresses     int // "Try again" presses on them
	ChoicePresses       int // choices a run must never make: an UnknownDialog's accept or "Learn more", "Try again" after max_check_attempts
	DialogsClosed       int // UnknownDialogs closed without a choice (close control, Escape)
	PersonPages         int // views of the pages of Account.Needs
	OneTimeCodeRequests int // "Log in with a one-time code" presses (OneTimeCodeOffer)
	DangerPresses       int // presses on buttons that delete or archive data, which a run must never make
}

// add adds o to c, field by field (every field is an int).
func (c *Counters) add(o Counters) {
	cv, ov := reflect.ValueOf(c).Elem(), reflect.ValueOf(o)
	for i := range cv.NumField() {
		cv.Field(i).SetInt(cv.Field(i).Int() + ov.Field(i).Int())
	}
}

// Info describes a running simulator; the sim command prints it as JSON.
type Info struct {
	App      string        `json:"app"`
	Auth     string        `json:"auth"`
	UI       UI            `json:"ui"`
	Variants []Variant     `json:"variants,omitempty"`
	Accounts []InfoAccount `json:"accounts"`

	// The mailbox, when there is one: its URL without a user, the
	// certificate to trust (none with IMAPPlain), the shared mailbox.
	IMAP               string `json:"imap,omitempty"`
	IMAPCAPEM          string `json:"imap_ca_pem,omitempty"`
	IMAPSharedUser     string `json:"imap_shared_user,omitempty"`
	IMAPSharedPassword string `json:"imap_shared_password,omitempty"`
	// IMAPCA is the path of a file holding IMAPCAPEM, set by the sim command.
	IMAPCA string     `json:"imap_ca,omitempty"`
	Chaos  *ChaosPlan `json:"chaos,omitempty"` // the plan drawn for Options.Chaos
}

// InfoAccount is one account in Info.
type InfoAccount struct {
	Email           string `json:"email"`
	Password        string `json:"password"`
	TOTPSecret      string `json:"totp_secret"`
	TrainingAllowed bool   `json:"training_allowed"`
	Plan            string `json:"plan,omitempty"` // when not the default, free
	Teen            bool   `json:"teen,omitempty"`

	// The account's mailbox, if any: user, password, Info.IMAP with the user.
	IMAPUser     string `json:"imap_user,omitempty"`
	IMAPPassword string `json:"imap_password,omitempty"`
	IMAPURL      string `json:"imap_url,omitempty"`
}

// DemoAccounts returns the fixed demo accounts README.md lists. The
// credentials are fake and exist only inside the simulator.
func DemoAccounts() []Account {
	all := []string{DialogAllSet, DialogTour, DialogOnboarding}
	return []Account{
		{Email: "alice@example.com", Password: "alice-password-1", DisplayName: "Alice Example", TrainingAllowed: true},
		{Email: "bob@example.com", Password: "bob-password-2", DisplayName: "Bob Example", TrainingAllowed: false},
		{Email: "carol@example.com", Password: "carol-password-3", DisplayName: "Carol Example", TrainingAllowed: true, TOTPSecret: "JBSWY3DPEHPK3PXP"},
		{Email: "dave@example.com", Password: "dave-password-4", DisplayName: "Dave Example", TrainingAllowed: true, Dialogs: all},
		{Email: "erin@example.com", Password: "erin-password-5", DisplayName: "Erin Example", TrainingAllowed: true, BotWall: true},
		{Email: "frank@example.com", Password: "frank-password-6", DisplayName: "Frank Example", TrainingAllowed: true, EmailCode: true, MailboxPassword: "frank-mailbox-6"},
		{Email: "grace@example.com", Password: "grace-password-7", DisplayName: "Grace Example", TrainingAllowed: true, PasskeyOffer: true},
		{Email: "heidi@example.com", Password: "heidi-password-8", DisplayName: "Heidi Example", TrainingAllowed: true, EmailFirst: true, MailboxPassword: "heidi-mailbox-8"},
		{Email: "ivan@example.com", Password: "ivan-password-9", DisplayName: "Ivan Example", TrainingAllowed: true, Chooser: true},
		{Email: "judy@example.com", Password: "judy-password-10", DisplayName: "Judy Example", TrainingAllowed: true, WelcomeBack: true},
		{Email: "kim@example.com", Password: "kim-password-11", DisplayName: "Kim Example", TrainingAllowed: true, Dialogs: []string{DialogRateLimit, DialogSessionExpired}},
		{Email: "oscar@example.com", Password: "oscar-password-12", DisplayName: "Oscar Example", TrainingAllowed: true, Plan: PlanPlus},
		{Email: "tina@example.com", Password: "tina-password-13", DisplayName: "Tina Example", TrainingAllowed: true, Teen: true},
	}
}

// account is the server-side state of one account.
type account struct {
	Account
	userID    string
	settings  map[string]bool // the Setting* keys the plan has; training_allowed always
	writes    map[string]int  // setting PATCHes by feature, refused ones included
	counters  Counters
	failNext  int
	emailCode string // last code "sent" by email

	siteErrorsShown int // Account.SiteErrors used up so far
}

type session struct {
	token, accessToken, email string
	created                   time.Time
	expires                   time.Time // zero: never
	revoked                   bool
	dialogs                   []string // post-login dialogs not yet shown
	announce                  bool     // VariantNewDialog: announcement not yet dismissed
	chooser                   bool     // Account.Chooser: no account picked yet
	lapseShown                bool     // DialogSessionExpired shown for this lapsed session
	notice                    bool     // Options.UnknownDialog: not yet closed or answered
}

// Server is a running simulator. All methods are safe for concurrent use.
type Server struct {
	opts Options // defaults filled in, validated

	appURL, authURL string
	appSrv, authSrv *http.Server

	mu           sync.Mutex
	accounts     map[string]*account // by lower-case email
	order        []string
	sessions     map[string]*session // by cookie token
	tokens       map[string]*session // by access token
	flows        map[string]*flow    // auth flows by id
	codes        map[string]*authCode
	unattributed Counters // page views of flows whose email is unknown
	busy         BusyCounters
	wsTickets    map[string]string    // WebSocket tickets → account key
	turnstile    map[string]time.Time // Turnstile tokens handed out → expiry
	mail         *mailbox             // nil: no mailbox
	cf           checkState           // the managed challenge's state

	done      chan struct{} // closed by Close: held responses and WebSockets end
	closeOnce sync.Once
}

// Start serves the app and auth on their addresses and returns at once.
func Start(opts Options) (*Server, error) {
	opts.UI = cmp.Or(opts.UI, UICurrent)
	opts.LoginEntry = cmp.Or(opts.LoginEntry, "redirect")
	switch {
	case opts.UI != UICurrent && opts.UI != UI2023:
		return nil, fmt.Errorf("simulator: unknown UI %q (want %q or %q)", opts.UI, UICurrent, UI2023)
	case opts.LoginEntry != "redirect" && opts.LoginEntry != "dialog":
		return nil, fmt.Errorf("simulator: unknown LoginEntry %q (want redirect or dialog)", opts.LoginEntry)
	}
	var err error
	if opts.Variants, err = normalizeVariants(opts.Variants); err != nil {
		return nil, err
	}
	if opts.Accounts == nil {
		opts.Accounts = DemoAccounts()
	}
	if opts.Chaos != 0 {
		plan := NewChaosPlan(opts.Chaos)
		opts.SecurityCheck, opts.UnknownDialog = plan.SecurityCheck, plan.Dialog
		opts.Accounts = slices.Clone(opts.Accounts)
		for i := range opts.Accounts {
			a := &opts.Accounts[i]
			a.SiteErrors, a.MaxCheckAttempts, a.Needs = plan.SiteErrors, plan.MaxCheckAttempts, plan.Needs
		}
	}
	if opts.SecurityCheck, err = normalizeCheck(opts.SecurityCheck); err != nil {
		return nil, err
	}
	if opts.UnknownDialog, err = normalizeNotice(opts.UnknownDialog); err != nil {
		return nil, err
	}
	opts.ToggleDelay = cmp.Or(opts.ToggleDelay, 150*time.Millisecond)
	s := &Server{
		opts:      opts,
		accounts:  map[string]*account{},
		sessions:  map[string]*session{},
		tokens:    map[string]*session{},
		flows:     map[string]*flow{},
		codes:     map[string]*authCode{},
		wsTickets: map[string]string{},
		turnstile: map[string]time.Time{},
		done:      make(chan struct{}),
		cf: checkState{
			visitors:   map[string]*visitor{},
			clearances: map[string]string{},
			challenges: map[string]*challenge{},
		},
	}
	for _, a := range opts.Accounts {
		key := strings.ToLower(strings.TrimSpace(a.Email))
		sec := strings.ToUpper(strings.TrimRight(a.TOTPSecret, "="))
		_, secErr := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(sec)
		switch {
		case key == "" || !strings.Contains(key, "@"):
			return nil, fmt.Errorf("simulator: account with invalid email %q", a.Email)
		case s.accounts[key] != nil:
			return nil, fmt.Errorf("simulator: duplicate account %q", a.Email)
		case secErr != nil:
			return nil, fmt.Errorf("simulator: account %q: TOTP secret is not base32", a.Email)
		case !validNeeds(a.Needs):
			return nil, fmt.Errorf("simulator: account %q: unknown Needs %q (want %s, %s, %s or %s)", a.Email, a.Needs, NeedsAddPhone, NeedsAboutYou, NeedsAge, NeedsPhone)
		case a.SiteErrors < -1:
			return nil, fmt.Errorf("simulator: account %q: SiteErrors %d (want -1 for always, 0 or more)", a.Email, a.SiteErrors)
		case !slices.Contains(allPlans, cmp.Or(a.Plan, PlanFree)):
			return nil, fmt.Errorf("simulator: account %q: unknown plan %q (want %s)", a.Email, a.Plan, strings.Join(allPlans, ", "))
		}
		a.Plan = cmp.Or(a.Plan, PlanFree)
		if a.DisplayName == "" {
			a.DisplayName, _, _ = strings.Cut(a.Email, "@")
		}
		a.Dialogs = slices.Clone(a.Dialogs)
		s.accounts[key] = &account{Account: a, userID: "user-" + randomText(24), settings: defaultSettings(a), writes: map[string]int{}}
		s.order = append(s.order, key)
	}

	if err := s.startMailbox(); err != nil {
		return nil, err
	}
	appLn, err := net.Listen("tcp", cmp.Or(opts.AppAddr, "127.0.0.1:0"))
	if err != nil {
		_ = s.closeMailbox()
		return nil, fmt.Errorf("simulator: app listener: %w", err)
	}
	authLn, err := net.Listen("tcp", cmp.Or(opts.AuthAddr, "127.0.0.1:0"))
	if err != nil {
		_ = appLn.Close()
		_ = s.closeMailbox()
		return nil, fmt.Errorf("simulator: auth listener: %w", err)
	}
	s.appURL = advertise(appLn.Addr(), "localhost")
	s.authURL = advertise(authLn.Addr(), "127.0.0.1")

	// Cloudflare stands in front of both origins (Options.SecurityCheck).
	s.appSrv = &http.Server{Handler: s.edge("app", s.appHandler()), ReadHeaderTimeout: 10 * time.Second}
	s.authSrv = &http.Server{Handler: s.edge("auth", s.authHandler()), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.appSrv.Serve(appLn) }()
	go func() { _ = s.authSrv.Serve(authLn) }()
	return s, nil
}

// advertise turns a listener address into the base URL browsers should use.
// Loopback and wildcard listeners get the preferred host name, which is
// different for app and auth so that their cookies stay apart.
func advertise(addr net.Addr, prefer string) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := prefer
	switch {
	case tcp.IP.IsLoopback() && tcp.IP.To4() == nil && prefer != "localhost":
		host = "::1"
	case !tcp.IP.IsLoopback() && !tcp.IP.IsUnspecified():
		host = tcp.IP.String()
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// Close stops the servers and the mailbox and drops open connections,
// also the held responses and the WebSockets.
func (s *Server) Close() error {
	var mailErr error
	s.closeOnce.Do(func() {
		close(s.done)
		mailErr = s.closeMailbox()
	})
	return errors.Join(s.appSrv.Close(), s.authSrv.Close(), mailErr)
}

// AppURL is the app's base URL, e.g. "http://localhost:41234" (no trailing slash).
func (s *Server) AppURL() string { return s.appURL }

// AuthURL is the auth server's base URL, e.g. "http://127.0.0.1:41235".
func (s *Server) AuthURL() string { return s.authURL }

// UI is the era being served.
func (s *Server) UI() UI { return s.opts.UI }

// Accounts returns the configured accounts with TrainingAllowed and BotWall
// as they are now and Plan filled in (PlanFree for "").
func (s *Server) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Account, 0, len(s.order))
	for _, k := range s.order {
		a := s.accounts[k]
		acc := a.Account
		acc.Dialogs = slices.Clone(a.Dialogs)
		acc.TrainingAllowed = a.settings[SettingTraining]
		out = append(out, acc)
	}
	return out
}

// Info describes the server for the sim command.
func (s *Server) Info() Info {
	info := Info{App: s.appURL, Auth: s.authURL, UI: s.opts.UI, Variants: s.Variants(), Accounts: []InfoAccount{},
		IMAP: s.IMAPURL(), IMAPCAPEM: string(s.IMAPCertPEM()),
		IMAPSharedUser: s.MailboxUser(SharedMailboxUser), IMAPSharedPassword: s.MailboxPassword(SharedMailboxUser),
		Chaos: s.ChaosPlan()}
	for _, a := range s.Accounts() {
		info.Accounts = append(info.Accounts, InfoAccount{
			Email: a.Email, Password: a.Password, TOTPSecret: a.TOTPSecret, TrainingAllowed: a.TrainingAllowed, Teen: a.Teen,
			IMAPUser: s.MailboxUser(a.Email), IMAPPassword: s.MailboxPassword(a.Email), IMAPURL: s.MailboxURL(a.Email),
		})
		if a.Plan != PlanFree {
			info.Accounts[len(info.Accounts)-1].Plan = a.Plan
		}
	}
	return info
}

func (s *Server) lookup(email string) *account {
	return s.accounts[strings.ToLower(strings.TrimSpace(email))]
}

// onAccount runs f on the account under s.mu; no such account is an error.
func (s *Server) onAccount(email string, f func(*account) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(email)
	if a == nil {
		return fmt.Errorf("simulator: no account %q", email)
	}
	return f(a)
}

// TrainingAllowed reports the server-side state of the account's setting.
func (s *Server) TrainingAllowed(email string) (bool, error) {
	return s.Setting(email, SettingTraining)
}

// SetTrainingAllowed changes the server-side state, as another device would
// (switching it off switches the voice settings off too; see SetSetting).
func (s *Server) SetTrainingAllowed(email string, on bool) error {
	return s.SetSetting(email, SettingTraining, on)
}

// Counters returns the account's counters. Counters("") returns the totals
// over all accounts, including auth page views whose email never became known.
func (s *Server) Counters(email string) Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.TrimSpace(email) == "" {
		total := s.unattributed
		for _, a := range s.accounts {
			total.add(a.counters)
		}
		return total
	}
	if a := s.lookup(email); a != nil {
		return a.counters
	}
	return Counters{}
}

// FailPatches makes the next n setting PATCHes of the account answer 500.
func (s *Server) FailPatches(email string, n int) {
	_ = s.onAccount(email, func(a *account) error {
		a.failNext = max(n, 0)
		return nil
	})
}

// SetBotWall turns the account's bot wall on or off for flows that reach the
// password step from now on.
func (s *Server) SetBotWall(email string, on bool) {
	_ = s.onAccount(email, func(a *account) error {
		a.BotWall = on
		return nil
	})
}

// ExpireSessions makes every session of the account invalid now: its cookie
// and access tokens are refused from then on.
func (s *Server) ExpireSessions(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(strings.TrimSpace(email))
	for _, ss := range s.sessions {
		if ss.email == key {
			ss.revoked = true
		}
	}
}

// EmailCode returns the last verification code "emailed" to the account, or
// "" if none was sent. It is the only way to obtain it, as with a real inbox.
func (s *Server) EmailCode(email string) (code string) {
	_ = s.onAccount(email, func(a *account) error {
		code = a.emailCode
		return nil
	})
	return code
}

// NewSession signs the account in without the login pages and returns the
// session cookie's value (with SplitSessionCookie, the chunks joined), as a
// person would copy it from their browser. It does not count as a login.
func (s *Server) NewSession(email string) (token string, err error) {
	err = s.onAccount(email, func(a *account) error {
		token = s.newSessionLocked(a).token
		return nil
	})
	return token, err
}

// newSessionLocked creates a session for a; s.mu must be held.
func (s *Server) newSessionLocked(a *account) *session {
	now := time.Now()
	// next-auth session tokens are JWEs; make ours look alike. Base64url
	// alphabet only, so the cookie value needs no quoting.
	n := 900
	if s.opts.SplitSessionCookie {
		n = 4200
	}
	ss := &session{
		token:       "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0.." + randomB64(n),
		accessToken: "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." + randomB64(300) + "." + randomB64(340),
		email:       strings.ToLower(a.Email),
		created:     now,
		announce:    s.has(VariantNewDialog),
		chooser:     a.Chooser && s.opts.UI == UICurrent,
		notice:      s.opts.UnknownDialog != nil,
	}
	if s.opts.SessionTTL > 0 {
		ss.expires = now.Add(s.opts.SessionTTL)
	}
	if s.has(VariantGettingStarted) && s.opts.UI == UICurrent && !slices.Contains(a.Dialogs, DialogGettingStarted) {
		ss.dialogs = append(ss.dialogs, DialogGettingStarted)
	}
	for _, d := range a.Dialogs {
		if dialogEra[d] == s.opts.UI && d != DialogSessionExpired {
			ss.dialogs = append(ss.dialogs, d)
		}
	}
	s.sessions[ss.token] = ss
	s.tokens[ss.accessToken] = ss
	return ss
}

// dialogEra is the era of each post-login dialog; unknown names have none.
var dialogEra = map[string]UI{DialogGettingStarted: UICurrent, DialogAllSet: UICurrent, DialogTour: UICurrent,
	DialogRateLimit: UICurrent, DialogSessionExpired: UICurrent, DialogOnboarding: UI2023}

func randomText(n int) string { return randomFrom("abcdefghijklmnopqrstuvwxyz0123456789", n) }
func randomB64(n int) string {
	return randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", n)
}
func randomDigits(n int) string  { return randomFrom("0123456789", n) }
func randomLetters(n int) string { return randomFrom("abcdefghijklmnopqrstuvwxyz", n) }

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
