package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

func newSelectorsCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use: "selectors",
		Example: `  chatgpt-optout selectors show > my-selectors.yaml
  chatgpt-optout selectors validate my-selectors.yaml
  chatgpt-optout selectors verify --selectors my-selectors.yaml`,
		Short: "Check or show the selectors file that describes the ChatGPT pages",
	}
	var vsrc selectorsSource
	validate := &cobra.Command{
		Use:   "validate [FILE|URL]",
		Short: "Check a selectors file against its schema (the built-in one without FILE; a URL's signature too)",
		Example: `  chatgpt-optout selectors validate my-selectors.yaml
  chatgpt-optout selectors validate https://example.org/selectors.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				_ = vsrc.flags.Set("selectors", args[0])
			}
			f, warnings, err := vsrc.resolve(cmd.Context(), g.sys.fetch, &envSource{env: g.sys.lookup})
			if err != nil {
				return err
			}
			warnAll(g, warnings)
			if g.output == "json" {
				return json.NewEncoder(g.stdout).Encode(map[string]any{"source": f.Source, "selectors_source": f.Origin().String(), "version": f.Version, "profiles": f.ProfileNames(), "valid": true})
			}
			fmt.Fprintf(g.stdout, "%s: valid, version %s, profiles %v\n", f.Origin().Description(), f.Version, f.ProfileNames())
			return nil
		},
	}
	vsrc.addFlags(validate.Flags(), "selectors file to check")
	_ = validate.Flags().MarkHidden("selectors")
	var src selectorsSource
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the selectors file in use, with its version and where it came from",
		Example: `  chatgpt-optout selectors show > my-selectors.yaml
  chatgpt-optout selectors show --selectors my-selectors.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, warnings, err := src.resolve(cmd.Context(), g.sys.fetch, &envSource{env: g.sys.lookup})
			if err != nil {
				return err
			}
			warnAll(g, warnings)
			if g.output == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(f)
			}
			fmt.Fprintf(g.stdout, "# source: %s\n# version: %s\n", f.Origin().Description(), f.Version)
			var data []byte
			switch f.Origin().Kind {
			case selectors.OriginEmbedded:
				data = selectors.Embedded()
			case selectors.OriginURL:
				// The verified file as the tool read it (comments are
				// not kept): save it to edit and sign a newer one.
				data, err = yaml.Marshal(f)
			default:
				if data, err = fileio.ReadCapped(f.Source); err != nil {
					return wrapConfig(err, "selectors file %s: %v", f.Source, err)
				}
			}
			if err != nil {
				return err
			}
			_, err = g.stdout.Write(data)
			return err
		},
	}
	src.addFlags(show.Flags(), "selectors file to show instead of the built-in one")
	cmd.AddCommand(validate, newKeygenCmd(g), newSignCmd(g), newVerifySignatureCmd(g))
	cmd.AddCommand(show, newVerifyCmd(g))
	return cmd
}

func newVerifyCmd(g *globalOptions) *cobra.Command {
	o := &browserOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Walk the whole path read-only and report which locator of each element matched",
		Example: `  chatgpt-optout selectors verify --profile-dir ~/.config/chatgpt-optout/alice
  chatgpt-optout selectors verify --selectors my-selectors.yaml --settings all --output json`,
		Long: `verify signs in (credentials, CHATGPT_SESSION_TOKEN or --profile-dir) and walks
profile menu → Settings → Data controls → the switch without changing anything. It
prints one row per element of the selectors file: the candidate that matched, how many
elements it matched, and ok, stale (a fallback matched: fix the file soon), missing (exit
4) or not_seen (the flow did not pass that page).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := runAccount(cmd, g, o, nil, automation.Verify)
			if err != nil {
				return err
			}
			if g.output == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				printChecks(g, res)
			}
			return &exitError{code: verifyExitCode(res)}
		},
	}
	o.addFlags(cmd.Flags())
	o.addStateFlags(cmd.Flags())
	return cmd
}

// printChecks writes the verify table.
func printChecks(g *globalOptions, res *automation.Result) {
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "ELEMENT\tSTATUS\tMATCHES\tCANDIDATE\n")
	for _, c := range res.Elements {
		cand := c.Candidate
		if c.Index > 0 {
			cand = fmt.Sprintf("#%d %s", c.Index, c.Candidate)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", c.Element, c.Status, c.Matches, cand)
	}
	_ = w.Flush()
	fmt.Fprintf(g.stdout, "selectors %s (%s), UI %s\n", res.SelectorsVersion, res.SelectorsSource, res.UI)
	if res.Error != "" {
		fmt.Fprintf(g.stdout, "%s (%s): %s\n", res.Outcome, res.ErrorKind, res.Error)
	}
}

func newKeygenCmd(g *globalOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:     "keygen --out FILE",
		Short:   "Make a minisign key pair for signing selectors files: FILE (secret, 0600) and FILE.pub",
		Example: `  chatgpt-optout selectors keygen --out ~/.config/chatgpt-optout/selectors.key`,
		Long: `keygen writes a new Ed25519 secret key in minisign's format to FILE (mode 0600)
and its public key to FILE.pub, and prints the public key: give it to the runs
with --selectors-key or CHATGPT_OPTOUT_SELECTORS_KEY. With
CHATGPT_OPTOUT_SELECTORS_KEY_PASSWORD set, the secret key is encrypted with it
(as minisign -G does); without, it is not (minisign -G -W): keep it in a secret
store. Both kinds sign with selectors sign and with minisign -S.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return configErrorf("keygen needs --out FILE: where to write the secret key (the public key goes to FILE.pub)")
			}
			for _, p := range []string{out, out + ".pub"} {
				if _, err := os.Stat(p); err == nil {
					return configErrorf("%s exists: keygen never overwrites a key; remove it or choose another --out", p)
				}
			}
			pub, secret, err := selectors.GenerateKey(g.sys.getenv(envSelectorsPassword))
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
				return wrapConfig(err, "--out %s: %v", out, err)
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return wrapConfig(err, "--out %s: %v", out, err)
			}
			_, err = f.Write(secret)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.WriteFile(out+".pub", pub.File(), 0o644); err != nil {
				return err
			}
			fmt.Fprintln(g.stdout, pub.String())
			fmt.Fprintf(g.stderr, "secret key %s (0600), public key %s.pub, key id %s; trust it with --selectors-key %s\n", out, out, pub.KeyID(), pub.String())
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file for the secret key; the public key goes to FILE.pub")
	return cmd
}

func newSignCmd(g *globalOptions) *cobra.Command {
	var keyFile string
	cmd := &cobra.Command{
		Use:     "sign --key FILE SELECTORS",
		Short:   "Sign a selectors file: writes SELECTORS.sig (minisign's format)",
		Example: `  chatgpt-optout selectors sign --key ~/.config/chatgpt-optout/selectors.key selectors.yaml`,
		Long: `sign checks the selectors file (as selectors validate does), signs it with the
minisign secret key FILE and writes the signature to SELECTORS.sig. Upload both;
every run with --selectors URL then uses the file. A key encrypted with a
password reads it from CHATGPT_OPTOUT_SELECTORS_KEY_PASSWORD, never from a flag.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keyFile == "" {
				return configErrorf("sign needs --key FILE: the secret key from selectors keygen or minisign -G")
			}
			data, err := fileio.ReadCapped(keyFile)
			if err != nil {
				return wrapConfig(err, "--key %s cannot be read: %v", keyFile, err)
			}
			key, err := selectors.ParsePrivateKey(data, g.sys.getenv(envSelectorsPassword))
			switch {
			case errors.Is(err, selectors.ErrKeyEncrypted):
				return configErrorf("--key %s is encrypted: set %s to its password", keyFile, envSelectorsPassword)
			case errors.Is(err, selectors.ErrWrongPassword):
				return configErrorf("--key %s: %s does not decrypt it (wrong password)", keyFile, envSelectorsPassword)
			case err != nil:
				return wrapConfig(err, "--key %s: %v", keyFile, err)
			}
			sig, err := selectors.SignFile(key, args[0])
			if err != nil {
				return configErrorf("%s", capMessage(err.Error()))
			}
			fmt.Fprintf(g.stdout, "%s: signed with key %s\n", sig, key.KeyID())
			return nil
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "minisign secret key file")
	return cmd
}

func newVerifySignatureCmd(g *globalOptions) *cobra.Command {
	var src selectorsSource
	cmd := &cobra.Command{
		Use:   "verify-signature URL|FILE",
		Short: "Check the minisign signature (URL.sig or FILE.sig) of a selectors file; prints the key id",
		Example: `  chatgpt-optout selectors verify-signature https://example.org/selectors.yaml
  chatgpt-optout selectors verify-signature --selectors-key RWQ... selectors.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := src.trustedKeys(&envSource{env: g.sys.lookup})
			if err != nil {
				return err
			}
			var id string
			if selectors.IsURL(args[0]) {
				fetch := g.sys.fetch
				fetch.Keys, fetch.ToolVersion = keys, toolVersion()
				id, err = selectors.VerifyURL(cmd.Context(), args[0], fetch)
			} else {
				id, err = selectors.VerifyFile(args[0], selectors.TrustedKeys(keys...))
			}
			if err != nil {
				return configErrorf("%s", capMessage(err.Error()))
			}
			if g.output == "json" {
				return json.NewEncoder(g.stdout).Encode(map[string]any{"source": args[0], "key_id": id, "valid": true})
			}
			fmt.Fprintf(g.stdout, "%s: good signature by key %s\n", args[0], id)
			return nil
		},
	}
	src.addFlags(cmd.Flags(), "")
	_ = cmd.Flags().MarkHidden("selectors")
	_ = cmd.Flags().MarkHidden("selectors-fallback")
	return cmd
}
