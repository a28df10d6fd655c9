package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
	"github.com/chatgpt-optout/chatgpt-optout/mailbox"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/state"
)

// The environment variables of the 2026-12 additions and later.
const (
	envSettings          = "CHATGPT_OPTOUT_SETTINGS" // the settings when --settings is not given
	envSelectors         = "CHATGPT_OPTOUT_SELECTORS"
	envSelectorsKey      = "CHATGPT_OPTOUT_SELECTORS_KEY"
	envSelectorsPassword = "CHATGPT_OPTOUT_SELECTORS_KEY_PASSWORD"
	envStateKey          = "CHATGPT_OPTOUT_STATE_KEY"
	envIMAPURL           = "CHATGPT_IMAP_URL"
	envIMAPPassword      = "CHATGPT_IMAP_PASSWORD"
	envIMAPCAFile        = "CHATGPT_IMAP_CA_FILE"
)

// selectorsSource is where the selectors file comes from: --selectors (a
// path or an https URL), the keys trusted for a URL's signature, and
// whether a failed fetch falls back to the embedded file.
type selectorsSource struct {
	spec     string
	keys     []string
	fallback string
	flags    *pflag.FlagSet
}

func (s *selectorsSource) addFlags(fs *pflag.FlagSet, what string) {
	s.flags = fs
	fs.StringVar(&s.spec, "selectors", "", what+" (a path, or an https:// URL of a file signed with minisign; env "+envSelectors+")")
	fs.StringSliceVar(&s.keys, "selectors-key", nil, "a further trusted minisign public key (RW…) for a selectors file from a URL, besides the maintainers' one; repeatable or comma-separated (env "+envSelectorsKey+")")
	fs.StringVar(&s.fallback, "selectors-fallback", "", "embedded: when the selectors URL cannot be fetched or its signature does not verify, go on with the built-in file and a warning (default: exit 1)")
}

// lookupFunc reads a variable from the environment (and the dotenv file).
type lookupFunc func(string) (string, bool)

// flagOrEnv is a flag's value when it was given on fs's command line, else
// the variable's, with where it came from for messages.
func flagOrEnv(fs *pflag.FlagSet, flag, value string, env *envSource, variable string) (v, from string, set bool) {
	if fs != nil && fs.Changed(flag) {
		return value, "--" + flag, true
	}
	if v, ok := env.lookup(variable); ok {
		return v, env.origin(variable), true
	}
	return "", "", false
}

// trustedKeys parses --selectors-key or CHATGPT_OPTOUT_SELECTORS_KEY.
func (s *selectorsSource) trustedKeys(env *envSource) ([]selectors.PublicKey, error) {
	values, from := s.keys, "--selectors-key"
	if s.flags == nil || !s.flags.Changed("selectors-key") {
		v, ok := env.lookup(envSelectorsKey)
		if !ok {
			return nil, nil
		}
		values, from = strings.Split(v, ","), env.origin(envSelectorsKey)
	}
	var keys []selectors.PublicKey
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		k, err := selectors.ParsePublicKey(v)
		if err != nil {
			return nil, wrapConfig(err, "%s %s is not a minisign public key (like RWQ…, the second line of a .pub file): %v", from, quote.Value(v), err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// resolve loads the selectors file once: the built-in one, a path, or a
// URL whose signature verified (fetched with fetch, the system's). Errors are configuration errors (exit 1)
// naming the flag or variable; warnings belong to the result.
func (s *selectorsSource) resolve(ctx context.Context, fetch selectors.FetchOptions, env *envSource) (*selectors.File, []string, error) {
	spec, from, _ := flagOrEnv(s.flags, "selectors", s.spec, env, envSelectors)
	if s.fallback != "" && s.fallback != "embedded" {
		return nil, nil, configErrorf("--selectors-fallback %s is not embedded, the only fallback there is (leave the flag out to stop on a failed fetch)", quote.Value(s.fallback))
	}
	keys, err := s.trustedKeys(env)
	if err != nil {
		return nil, nil, err
	}
	fetch.Keys, fetch.ToolVersion = keys, toolVersion()
	f, warnings, err := selectors.Resolve(ctx, spec, selectors.ResolveOptions{
		FetchOptions:       fetch,
		FallbackToEmbedded: s.fallback == "embedded",
	})
	if err != nil {
		msg := capMessage(err.Error())
		if from != "" && !strings.HasPrefix(from, "--") {
			msg += " (the selectors file named by " + from + ")"
		}
		if selectors.IsURL(spec) && s.fallback == "" {
			msg += "; nothing was run (--selectors-fallback embedded would go on with the built-in file)"
		}
		return nil, nil, configErrorf("%s", msg)
	}
	return f, warnings, nil
}

// stateKey reads CHATGPT_OPTOUT_STATE_KEY and refuses, before Chrome
// starts, a run that would write a state file (files; "": none) without one
// unless --state-plaintext allows it, and a key that is no age identity
// when it claims to be one.
func stateKey(env *envSource, files string, plaintext bool) (string, error) {
	key, _ := env.lookup(envStateKey)
	key = strings.TrimSpace(key)
	if files == "" {
		return key, nil
	}
	if key == "" && !plaintext {
		return "", configErrorf("refusing to keep the session in %s unencrypted: a state file signs in as the account for weeks, so anyone who reads it is signed in too; set %s (an age identity from age-keygen, or a passphrase) to encrypt it, or allow plaintext explicitly with --state-plaintext", files, envStateKey)
	}
	if state.CheckKey(key) != nil {
		return "", configErrorf("%s looks like an age identity (AGE-SECRET-KEY-1…) but is not one: copy the whole line age-keygen wrote (the key is not shown)", env.origin(envStateKey))
	}
	return key, nil
}

// mailboxFromEnv is the one account's mailbox: CHATGPT_IMAP_URL,
// CHATGPT_IMAP_PASSWORD and CHATGPT_IMAP_CA_FILE; nil when none is set.
func mailboxFromEnv(env *envSource) (*mailbox.Mailbox, error) {
	rawURL, hasURL := env.lookup(envIMAPURL)
	password, hasPassword := env.lookup(envIMAPPassword)
	if !hasURL && !hasPassword {
		return nil, nil
	}
	caFile, _ := env.lookup(envIMAPCAFile)
	roots, err := mailbox.LoadRoots(caFile, env.origin(envIMAPCAFile))
	if err != nil {
		return nil, wrapConfig(err, "%v", err)
	}
	m, err := mailbox.New(env.origin(envIMAPURL), rawURL, env.origin(envIMAPPassword), password, roots)
	if err != nil {
		return nil, wrapConfig(err, "%v", err)
	}
	return m, nil
}

// warnAll prints warnings on stderr, for commands without a result.
func warnAll(g *globalOptions, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(g.stderr, "warning: "+w)
	}
}
