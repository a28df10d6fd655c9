// Package fleet switches the setting off (or checks it) for many accounts
// in one run, built for scheduled CI: the `enforce` command is a thin layer
// over it.
//
//   - LoadAccounts / ParseAccounts read and check an accounts file (YAML;
//     secrets named by environment variable), listing every problem with
//     its line; Resolve reads the secrets from the environment.
//   - Shard picks a stable, disjoint part of the accounts by a hash of
//     their names (ParseShard reads "I/N").
//   - Run runs the accounts in isolated browser contexts of one Chrome,
//     Parallel at a time (a Chrome of its own for an account with a
//     profile folder), the first one alone as a canary that stops the run
//     on drift, with retries of transient failures and a new Chrome when
//     one crashes. It returns a Report, partial when ctx ends.
//   - Report writes JSON, JUnit XML, Markdown and a self-contained HTML
//     page, each with the Program that ran the fleet (its name, version,
//     command and exit code, which Run cannot know). Each AccountResult
//     keeps the error of its run (Err) for errors.As.
package fleet
