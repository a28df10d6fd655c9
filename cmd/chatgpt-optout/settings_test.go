package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// A fleet of mixed plans with settings: of its own: every report format
// shows every setting of every account. alice (Free) gets the file's
// settings, oscar (Plus) his own, and tina's (a teen's) training is locked.
func TestEnforce_EverySettingOfEveryAccountInEveryReport(t *testing.T) {
	parallelShared(t)
	srv := startSim(t, simulator.Options{})
	pw := func(email string) string { return creds(t, srv, email)["CHATGPT_PASSWORD"] }
	file := writeFile(t, "accounts.yaml", []byte(`settings: [all]
accounts:
  - name: alice
    email: alice@example.com
    password_env: ALICE_PW
  - name: oscar
    email: oscar@example.com
    password_env: OSCAR_PW
    settings: training, ads
  - name: tina
    email: tina@example.com
    password_env: TINA_PW
`))
	env := map[string]string{"ALICE_PW": pw("alice@example.com"), "OSCAR_PW": pw("oscar@example.com"), "TINA_PW": pw("tina@example.com")}
	out := t.TempDir()
	reports := map[string]string{}
	args := []string{"enforce", "--accounts", file, "--base-url", srv.AppURL(), "--timeout", accountTimeout, "--no-canary"}
	for _, f := range []string{"json", "junit", "markdown", "html"} {
		reports[f] = filepath.Join(out, "report."+f)
		args = append(args, "--report-"+f, reports[f])
	}
	code, stdout, stderr := cli(t, env, args...)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (the teen's training is locked)\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	data, err := os.ReadFile(reports["json"])
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Results []struct {
			Account   string `json:"account"`
			Outcome   string `json:"outcome"`
			ErrorKind string `json:"error_kind"`
			Settings  []struct {
				Name, Outcome, Before, After, Action string
				Labels                               []string
				ErrorKind                            string `json:"error_kind"`
			} `json:"settings"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"alice": {"training": "changed", "voice": "not_offered", "marketing": "changed", "ads": "changed"},
		"oscar": {"training": "changed", "ads": "not_offered"},
		"tina":  {"training": "failed", "voice": "not_offered", "marketing": "changed", "ads": "changed"},
	}
	for _, r := range rep.Results {
		got := map[string]string{}
		for _, s := range r.Settings {
			got[s.Name] = s.Outcome
		}
		for name, o := range want[r.Account] {
			if got[name] != o {
				t.Errorf("%s: setting %s is %q, want %q (%+v)", r.Account, name, got[name], o, r.Settings)
			}
		}
		if len(got) != len(want[r.Account]) {
			t.Errorf("%s: settings %v, want %v", r.Account, got, want[r.Account])
		}
	}
	if len(rep.Results) != 3 || rep.Results[2].ErrorKind != "setting_locked" {
		t.Errorf("results %+v: want tina failed with setting_locked", rep.Results)
	}
	for _, email := range []string{"alice@example.com", "tina@example.com"} {
		for _, k := range []string{"marketing_cookies_allowed", "marketing_partner_sharing_allowed", "bazaar_personalization_enabled", "bazaar_history_enabled"} {
			if on, err := srv.Setting(email, k); err != nil || on {
				t.Errorf("%s: %s on the site = %v (%v), want off", email, k, on, err)
			}
		}
	}

	// Every other format names every setting of every account.
	for _, f := range []string{"junit", "markdown", "html"} {
		data, err := os.ReadFile(reports[f])
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for acct, settings := range want {
			if !strings.Contains(text, acct) {
				t.Errorf("%s report does not name %s", f, acct)
			}
			for name := range settings {
				if !strings.Contains(text, name+": ") {
					t.Errorf("%s report has no line for setting %s", f, name)
				}
			}
		}
		if !strings.Contains(text, "not offered (the plus plan has no ads setting") {
			t.Errorf("%s report does not say why oscar's ads are not offered", f)
		}
		if !strings.Contains(text, "setting_locked") {
			t.Errorf("%s report does not name tina's locked training", f)
		}
	}
}
