package automation_test

import (
	"context"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// BenchmarkDisable measures one disable on the simulator, from a cold
// browser, split into its phases: browser start, login, navigation to the
// switch, and toggle + verify; on the busy page (the default, like the real
// one) and on a quiet one, to show that background traffic costs a run
// nothing. Run it with
//
//	go test ./automation -run '^$' -bench Disable -benchtime 5x
func BenchmarkDisable(b *testing.B) {
	for _, bc := range []struct {
		ui    simulator.UI
		quiet bool
	}{{simulator.UICurrent, false}, {simulator.UICurrent, true}, {simulator.UI2023, false}, {simulator.UI2023, true}} {
		name := string(bc.ui) + "/busy"
		if bc.quiet {
			name = string(bc.ui) + "/quiet"
		}
		b.Run(name, func(b *testing.B) {
			srv, err := simulator.Start(simulator.Options{UI: bc.ui, Quiet: bc.quiet})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			acct := srv.Accounts()[0]
			a := automation.Account{Email: acct.Email, Password: acct.Password}
			var start, session, login, nav, toggle time.Duration
			for i := 0; i < b.N; i++ {
				if err := srv.SetTrainingAllowed(acct.Email, true); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				browser, err := automation.Launch(context.Background(), automation.BrowserOptions{})
				if err != nil {
					b.Fatal(err)
				}
				start += time.Since(t0)
				res, err := automation.Disable(context.Background(), browser, a, automation.Config{BaseURL: srv.AppURL(), Timeout: time.Minute})
				browser.Close()
				if err != nil || res.Outcome != automation.OutcomeChanged {
					b.Fatalf("run %d: %+v (%v)", i, res, err)
				}
				session += time.Duration(res.Timings.Session) * time.Millisecond
				login += time.Duration(res.Timings.Login) * time.Millisecond
				nav += time.Duration(res.Timings.Navigation) * time.Millisecond
				toggle += time.Duration(res.Timings.Toggle) * time.Millisecond
			}
			n := float64(b.N)
			b.ReportMetric(float64(start.Milliseconds())/n, "ms-browser-start")
			b.ReportMetric(float64(session.Milliseconds())/n, "ms-session")
			b.ReportMetric(float64(login.Milliseconds())/n, "ms-login")
			b.ReportMetric(float64(nav.Milliseconds())/n, "ms-navigation")
			b.ReportMetric(float64(toggle.Milliseconds())/n, "ms-toggle-verify")
		})
	}
}

// BenchmarkSettings measures one disable of a Free account with model
// training alone against --settings all (training, marketing, ads, voice),
// on one warm browser and the busy simulator: what the further settings
// cost is their panels, not another sign-in or another Chrome. Run it with
//
//	go test ./automation -run '^$' -bench Settings -benchtime 5x
func BenchmarkSettings(b *testing.B) {
	srv, err := simulator.Start(simulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	browser, err := automation.Launch(context.Background(), automation.BrowserOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer browser.Close()
	acct := srv.Accounts()[0]
	a := automation.Account{Email: acct.Email, Password: acct.Password}
	keys := []string{simulator.SettingTraining, simulator.SettingMarketingCookies, simulator.SettingMarketingPartners, simulator.SettingAdsPersonalization, simulator.SettingAdsHistory}
	for _, bc := range []struct {
		name     string
		settings []automation.DataSetting
	}{
		{"training", []automation.DataSetting{automation.DataTraining}},
		{"all", []automation.DataSetting{automation.DataTraining, automation.DataMarketing, automation.DataAds, automation.DataVoice}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				for _, k := range keys {
					if err := srv.SetSetting(acct.Email, k, true); err != nil {
						b.Fatal(err)
					}
				}
				t0 := time.Now()
				res, err := automation.Disable(context.Background(), browser, a, automation.Config{BaseURL: srv.AppURL(), Timeout: time.Minute, Settings: bc.settings})
				total += time.Since(t0)
				if err != nil || res.Outcome != automation.OutcomeChanged {
					b.Fatalf("run %d: %+v (%v)", i, res, err)
				}
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/account")
		})
	}
}
