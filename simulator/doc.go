// Package simulator is a local replica of chatgpt.com and auth.openai.com,
// good enough to drive with a real headless Chromium. It exists because the
// product cannot be tested against the real site: there is no network in CI,
// the real site blocks headless browsers, and nobody wants a test suite that
// flips the settings of real accounts.
//
// The replica follows what public evidence shows of the real pages, in both
// eras; README.md beside this file describes each page's DOM, each option,
// variant and counter, and the evidence behind them. It serves two origins
// on loopback with different host names, so cookies do not leak between
// them, as they would not between chatgpt.com and auth.openai.com:
//
//   - the app, advertised as http://localhost:PORT (it listens on 127.0.0.1);
//     it sets the session cookie __Secure-next-auth.session-token (HttpOnly,
//     Secure, SameSite=Lax). Chrome treats http://localhost as a secure
//     origin, so it accepts Secure and __Secure- cookies there.
//   - auth, advertised as http://127.0.0.1:PORT2.
//
// Options.UI picks the era: UICurrent (2024-2026: Settings → Data controls →
// "Improve the model for everyone", the 2026 login pages) or UI2023
// ("Chat history & training" in Data controls, Auth0-style /u/login/...
// pages, no #settings/... deep link).
//
// The pages are deliberately awkward to automate, like the real ones: the
// HTML is a shell rendered by JavaScript after small random delays,
// generated ids change per load, menus and dialogs live in portals, the
// profile menu toggles on pointerdown only (a synthetic el.click() does
// nothing), and the switch flips only after the backend has answered. A
// signed-in page is never network-idle (Options.Quiet, Server.Busy).
// testdata/ui-evidence.yaml at the repository root lists every quoted
// locator, and TestChromiumEvidence checks them.
//
// Options.Variants applies UI drift to the signed-in app, as real releases
// did (see Variant). Accounts that get sign-in codes by email have a mailbox
// on an IMAP server on loopback (Server.IMAPURL). Surprises of the real
// site's first minute (issue 20) are each off by default: Options.SecurityCheck,
// Options.UnknownDialog, Account.SiteErrors, MaxCheckAttempts and Needs,
// Options.OneTimeCodeOffer, and all of them drawn from a seed (Options.Chaos).
// The current UI carries the 2026 data-use settings (issue 21): the Setting*
// keys, whose defaults follow Account.Plan, and Account.Teen.
//
// Both eras share one backend, kept per account on the server (README.md
// lists its endpoints). Deviation from the real 2023 site: there the
// history setting lived only in the browser (localStorage key
// oai/apps/historyDisabled, value "true" with the quotes) and did not sync.
// The simulator keeps it on the server, so that tests can assert it; the
// page still mirrors it there.
//
// DemoAccounts returns fixed, fake credentials (README.md lists what each
// account's sign-in shows). alice and bob take the plain path, the
// Turnstile-gated email and password forms; all but oscar are on the free
// plan.
package simulator
