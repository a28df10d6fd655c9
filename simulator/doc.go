// Package simulator is a local replica of chatgpt.com and auth.openai.com,
// good enough to drive with a real headless Chromium. It exists because the
// product cannot be tested against the real site: there is no network in CI,
// the real site blocks headless browsers, and nobody wants a test suite that
// flips the settings of real accounts.
//
// The replica follows what public evidence shows of the real pages, in both
// eras (see README.md beside this file). It serves two origins on loopback with different host names, so
// cookies do not leak between them the way they would not between
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
// # A busy page
//
// Like the real one, a signed-in app page is never network-idle and its DOM
// is never still: it keeps a WebSocket, an event stream and a 20 s long poll
// open, posts analytics beacons every 1-3 s whose answers it never reads,
// and rotates a suggestion under the composer every second. Options.Quiet
// switches that off; Server.Busy and Counters.BackgroundRequests count it.
// Two empty live regions (role=alert, role=status) are always in the DOM.
// Options.HoldWrites holds the setting's write answer open forever after its
// body: a request that never reports finished. Options.SessionOnlyCookie
// sets the session cookie without an expiry (default: 90 days).
//
// # Variants
//
// Options.Variants applies UI drift to the signed-in app, the way real
// releases changed the page under automation, so that tests can show what
// the tool does then. Variants combine, keep the page fully usable by a
// person (real mouse input still reaches and flips the same setting with the
// same PATCH), and leave the backend and the login origin alone:
//
//   - VariantRenamedClasses: every stable class name (flex, min-w-0,
//     truncate, ps-3, toast-root, ...) becomes a generated one; styles follow.
//   - VariantNoSwitchTestID: current UI, the switch loses its data-testid;
//     2023 UI, it is named by aria-labelledby instead of aria-label.
//   - VariantProfileTopRight: current UI, the profile trigger moves to the
//     top right as [data-testid="profile-button"], named "User".
//   - VariantRewordedLabel: the setting is renamed ("Use my chats for model
//     training"; 2023: "Save chat history"); test ids and roles stay.
//   - VariantNewDialog: an "Introducing memory" modal after sign-in that no
//     selectors file knows, shown until "Got it" is used.
//   - VariantUnknownUI: a new app shell with none of the known landmarks.
//   - VariantGettingStarted: "Tips for getting started" after sign-in, a
//     dialog seen in clones only.
//   - VariantSettingsPage: Settings as a page at /settings/<section>
//     (October 2026), with the same tabs, rows and test ids.
//   - VariantDataControlsInGeneral: April 2023, Data Controls a section of
//     General behind "Show", the switch labelled in Title Case (2023 UI).
//   - VariantImproveDone: a "Done" button in the improve-model dialog, as
//     2025 how-to guides describe (no DOM evidence), which closes it.
//   - VariantMarketingPage: Marketing privacy is a sub-view of the Data
//     controls panel (Back, the same two switches), not a dialog.
//   - VariantVoiceRows: "Include your audio recordings" and "Include your
//     video recordings" in the improve-model dialog, disabled while
//     training is off (app rows a 2026-10 audit did not see on the web).
//
// ParseVariants reads a comma-separated list, as a command-line flag would
// carry it. README.md lists the DOM facts of each variant.
//
// # Mailbox
//
// Accounts that get sign-in codes by email (Account.EmailCode, EmailFirst;
// current UI) each have a mailbox on an IMAP server on loopback (go-imap
// v2's in-memory server), on by default (Options.NoMailbox): every code the
// login origin issues lands there as "Your ChatGPT code is NNNNNN" from
// "OpenAI <noreply@tm.openai.com>". Server.IMAPURL is imaps://127.0.0.1:PORT/INBOX
// with a self-signed certificate made at Start (Server.IMAPCertPEM, to add to
// a client's roots), or imap:// with Options.IMAPPlain. The user is the
// email, the password Server.MailboxPassword. Options.MailDelay,
// Options.MailStale and Options.MailTwice deliver codes late, after a stale
// one, or twice; Options.SharedMailbox adds a team mailbox with a copy of all.
//
// # The first minute on the real site
//
// Surprises of the real site's first minute (issue 20), each off by
// default:
//
//   - Options.SecurityCheck: a Cloudflare managed challenge in front of the
//     app and/or the login origin, on a visitor's AtView-th HTML page load
//     (a visitor is a cookie jar, __cf_bm). The non-interactive face (403,
//     "Just a moment...", "Verifying you are human. This may take a few
//     seconds.", __cf_chl_rt_tk on the URL) clears after Delay and reloads
//     the page (CheckClears; CheckHeadless unless the User-Agent says
//     HeadlessChrome), or turns into the checkbox widget in
//     iframe[title="Widget containing a Cloudflare security challenge"]
//     (CheckInteractive, and CheckHeadless for HeadlessChrome). cf_clearance
//     keeps the visitor out of it from then on. Server.CheckCounters counts
//     the challenges, Server.Clients lists the User-Agent, sec-ch-ua and
//     Accept-Language the site received on page loads.
//   - Options.UnknownDialog: a Radix modal nobody catalogued ("Personalized
//     ads") after sign-in or over the open settings, once per session until
//     closed or answered; closing (a close control of the kind
//     UnknownDialog.Close says, Escape) counts in Counters.DialogsClosed,
//     its accept button or "Learn more" in Counters.ChoicePresses.
//   - Account.SiteErrors: the sign-in's way back to the app goes to the
//     error page /unexpected-state ("Oops, an error occurred!", "Operation
//     timed out", Try again) the first N times (-1: always).
//   - Account.MaxCheckAttempts: after the password, an error page naming
//     max_check_attempts, whose Try again must not be pressed.
//   - Account.Needs: a page that needs a person (add-phone, about-you, age
//     verification, a phone-only log-in) and never lets the flow go on.
//   - Options.OneTimeCodeOffer: "Log in with a one-time code" on the
//     password page, a code by email that signs in alone.
//   - Options.Chaos: a ChaosPlan drawn from a seed (NewChaosPlan) that sets
//     all of the above for the server and says how a run must end
//     (ChaosPlan.Expect); Server.ChaosPlan returns it.
//
// README.md describes each page's DOM and the counters.
//
// # A privacy baseline
//
// The current UI carries the 2026 data-use settings beside model training
// (issue 21; the 2023 UI keeps training only), each a switch that PATCHes
// its key: Marketing privacy (a dialog from the Data controls row, two
// switches: marketing cookies, sharing with marketing partners; on by
// default for Free and Go, off for Plus and Pro), the Ads controls tab
// (Free and Go only: "Personalize ads", "Past chats and memory", Ads
// history, "Delete ads data"), Memory in Personalization ("Reference saved
// memories", "Reference chat history") and, under VariantVoiceRows, the
// voice rows of the improve dialog. Switching training off switches the
// voice settings off, switching saved memories off switches chat history
// off; the dependent switch shows off and disabled meanwhile.
//
// Account.Plan (PlanFree, PlanGo, PlanPlus, PlanPro) sets the defaults,
// the tab and the plan the profile trigger names; Account.Teen makes a
// linked teen account whose training switch is read-only (a note beside
// it, a PATCH answers 403). Server.Setting and Server.SetSetting read and
// change any of the Setting* keys, Server.Writes counts the PATCHes per
// key, and Counters.DangerPresses counts presses on buttons that delete or
// archive data ("Delete ads data", "Delete all chats", ...), which a run
// must never make. Labels the reference marks unconfirmed (the marketing
// switches, the descriptions, the teen's note) are the simulator's own
// wording; README.md lists which.
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
