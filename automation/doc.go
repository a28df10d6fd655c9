// Package automation drives a real Chrome through the DevTools protocol to
// sign in to ChatGPT and switch off the setting that lets OpenAI train on
// an account's chats ("Improve the model for everyone"; "Chat history &
// training" in the 2023 UI), or to read it without changing it.
//
// Launch starts one Chrome, a Browser. Disable, Status and Verify each run
// one account in an isolated browser context of it, so many accounts may
// run in parallel on one browser; Login waits while a person signs in in a
// visible one. Every selector, label and URL comes from a selectors.File,
// so a UI change is a file edit.
//
// A run observes the page, decides (pure functions of what the page showed)
// and acts, and observes again. The page is never assumed idle: network and
// DOM activity only shorten waits, and a decision is taken once what the
// run looks for has stayed the same for a bounded time. The setting is
// reported off only after "off" was read back from a page reloaded from the
// site.
//
// A run returns its Result, the account's report, and an error when it
// failed: an *Error with its ErrorKind, a sentence a person can act on, the
// cause and the settings it asks to change (Fix); or a *DriftError naming
// the element of the selectors file that the page no longer matches, with
// its candidates and their counts. Secrets (password, TOTP secret, session
// token, mailbox password, saved session cookies) never reach logs,
// results, errors or artifacts.
//
// The sign-in prefers a saved session (a profile folder from Login, a state
// file, or a session token), then the email and password, with a TOTP
// secret for authenticator MFA and a mailbox (package mailbox) for codes
// the site sends by email.
package automation
