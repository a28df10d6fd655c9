// Package simulator is a local replica of chatgpt.com and auth.openai.com,
// good enough to drive with a real headless Chromium. It exists because the
// product cannot be tested against the real site: there is no network in CI,
// the real site blocks headless browsers, and nobody wants a test suite that
// flips the settings of real accounts.
//
// The replica follows what public evidence shows of the real pages, in both
// eras (README.md beside this file describes each page's DOM, each variant
// and the counters). It serves two origins on loopback with different host
// names, so cookies do not leak between them the way they would not between
// chatgpt.com and auth.openai.com:
//
//   - the app, advertised as http://localhost:PORT (it listens on 127.0.0.1);
//     it sets the session cookie __Secure-next-auth.session-token (HttpOnly,
//     Secure, SameSite=Lax). Chrome treats http://localhost as a secure
//     origin, so it accepts Secure and __Secure- cookies there.
//   - auth, advertised as http://127.0.0.1:PORT2.
//
// Two eras of the UI are available (Options.UI):
//
//   - UICurrent: the 2024-2026 UI. Settings → Data controls → the row
//     "Improve the model for everyone" opens a dialog with the switch
//     [data-testid="improve-model-toggle"]; login on the 2026 auth pages
//     (bare buttons before the form, invisible Turnstile, passkey offer,
//     account chooser).
//   - UI2023: the 2023 UI. Settings → Data controls holds the switch
//     "Chat history & training" directly; login goes through Auth0-style
//     /u/login/... pages. No #settings/... deep link: Settings open from
//     the menu only.
//
// The pages are deliberately awkward to automate, like the real ones: the
// HTML is a shell and the content is rendered by JavaScript after small
// random delays, generated ids change per load, menus and dialogs live in
// portals at the end of <body>, the profile menu toggles on pointerdown
// only (a synthetic el.click() does nothing; a synthetic PointerEvent
// works, as on the real page), tabs activate on mousedown (or
// focus/keyboard), and the setting's switch flips only after the backend
// has answered. Class names are the stable Tailwind utilities the
// reference documents, at the documented depth, as public clients such as
// Brave's PSST select on them; testdata/ui-evidence.yaml at the repository
// root lists every quoted locator, and TestChromiumEvidence checks them.
//
// Like the real one, a signed-in app page is never network-idle and its DOM
// is never still (Options.Quiet, Server.Busy); two empty live regions
// (role=alert, role=status) are always in the DOM.
//
// Options.Variants applies UI drift to the signed-in app, the way real
// releases changed the page under automation, so that tests can show what
// the tool does then (see Variant); ParseVariants reads them from a flag.
//
// Accounts that get sign-in codes by email (Account.EmailCode, EmailFirst;
// current UI) each have a mailbox on an IMAP server on loopback (go-imap
// v2's in-memory server; see Server.IMAPURL and the Mail* options).
//
// Surprises of the real site's first minute (issue 20) are each off by
// default: a Cloudflare managed challenge (Options.SecurityCheck), a dialog
// nobody catalogued (Options.UnknownDialog), the error page
// /unexpected-state (Account.SiteErrors, Account.MaxCheckAttempts), pages
// that need a person (Account.Needs), "Log in with a one-time code"
// (Options.OneTimeCodeOffer), and all of them drawn from a seed
// (Options.Chaos, NewChaosPlan).
//
// The current UI carries the 2026 data-use settings beside model training
// (issue 21, a privacy baseline; the 2023 UI keeps training only): the
// Setting* keys, whose defaults follow Account.Plan, with Account.Teen for
// a linked teen. Counters.DangerPresses counts presses on buttons that
// delete or archive data, which a run must never make. Labels the
// reference marks unconfirmed are the simulator's own wording; README.md
// lists which.
//
// # Backend
//
// Both eras share one backend, kept per account on the server:
//
//	GET   /api/auth/session                       {"user":…,"accessToken":…,"expires":…} or {}
//	GET   /backend-api/settings/user              {"settings":{"training_allowed":bool,…}} (Bearer)
//	PATCH /backend-api/settings/account_user_setting?feature=training_allowed&value=false  (Bearer; any Setting* key)
//	PATCH /backend-api/settings/account_user_setting?feature=history_disabled&value=true   (Bearer, 2023 page)
//	POST  /backend-api/settings/announcement_viewed       (Bearer, VariantNewDialog: dismisses it)
//	POST  /backend-api/notices/response                   (Bearer, UnknownDialog: {"action":"close"|"escape"|"accept"|"learn_more"})
//	PATCH /backend-api/conversations, DELETE /backend-api/bazaar/ads_data, … (Bearer, danger presses)
//
// Deviation from the real 2023 site: there the history setting lived only in
// the browser (localStorage key oai/apps/historyDisabled, value "true" with
// the quotes) and did not sync. The simulator keeps it per account on the
// server, so that tests can assert it, with TrainingAllowed == history
// enabled. The 2023 page still mirrors the value into that localStorage key.
//
// # Demo accounts
//
// DemoAccounts returns fixed, fake credentials, documented here because the
// sim command prints them anyway. alice and bob take the plain path (the
// Turnstile-gated email and password forms):
//
//	alice@example.com  alice-password-1   training on
//	bob@example.com    bob-password-2     training off
//	carol@example.com  carol-password-3   training on, TOTP secret JBSWY3DPEHPK3PXP
//	dave@example.com   dave-password-4    training on, post-login dialogs (all-set, tour; 2023 onboarding)
//	erin@example.com   erin-password-5    training on, bot wall after the email step
//	frank@example.com  frank-password-6   training on, email code after the password (mailbox password frank-mailbox-6)
//	grace@example.com  grace-password-7   training on, passkey offer with Skip (PasskeyOffer)
//	heidi@example.com  heidi-password-8   training on, email code first, "Continue with password" (EmailFirst; mailbox heidi-mailbox-8)
//	ivan@example.com   ivan-password-9    training on, account chooser after sign-in (Chooser)
//	judy@example.com   judy-password-10   training on, "Welcome back" on the next log-in (WelcomeBack)
//	kim@example.com    kim-password-11    training on, rate-limit dialog; session-expired dialog when a session lapses
//	oscar@example.com  oscar-password-12  training on, plus plan (no Ads controls, marketing off)
//	tina@example.com   tina-password-13   training on, a linked teen: the training switch is the parent's
//
// All but oscar are on the free plan.
package simulator
