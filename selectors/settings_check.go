package selectors

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The rules a schema cannot say about a profile's markers and settings.

// checkMarkersCSS checks the css of every challenge marker as Chrome would
// take it. It returns the key path of the first bad one and why.
func (p *Profile) checkMarkersCSS() ([]string, string) {
	c := p.Challenges
	named := []struct {
		key string
		m   *Markers
	}{
		{"security_check", c.SecurityCheck}, {"human_verification", c.HumanVerification}, {"email_verification", c.EmailVerification},
		{"push_verification", c.PushVerification}, {"site_error", c.SiteError}, {"rate_limited", c.RateLimited},
	}
	for i := range c.AccountAction {
		named = append(named, struct {
			key string
			m   *Markers
		}{"account_action." + strconv.Itoa(i), &c.AccountAction[i].Markers})
	}
	for _, n := range named {
		if n.m == nil {
			continue
		}
		for j, css := range n.m.CSS {
			if err := CheckCSS(css); err != nil {
				loc := append([]string{"challenges"}, strings.Split(n.key, ".")...)
				return append(loc, "css", strconv.Itoa(j)), fmt.Sprintf("%v: %s", err, quoteCSS(css))
			}
		}
	}
	return nil, ""
}

// checkSettings refuses a setting named twice, and plans the plan reader
// cannot tell.
func (p *Profile) checkSettings() ([]string, string) {
	seen := map[string]bool{}
	for i, x := range p.Settings {
		at := []string{"settings", strconv.Itoa(i)}
		if seen[x.Name] {
			return append(at, "name"), fmt.Sprintf("setting %q is described twice: keep one entry per setting", x.Name)
		}
		seen[x.Name] = true
		if x.Offered != OfferedPlans {
			continue
		}
		if p.Plan == nil {
			return append(at, "plans"), fmt.Sprintf("setting %q exists on some plans only, but the profile has no plan: to read the account's plan with; add plan:, or say offered: uncertain", x.Name)
		}
		for j, name := range x.Plans {
			if _, ok := p.Plan.Names[name]; !ok {
				known := make([]string, 0, len(p.Plan.Names))
				for k := range p.Plan.Names {
					known = append(known, k)
				}
				slices.Sort(known)
				return append(at, "plans", strconv.Itoa(j)), fmt.Sprintf("plan %q is not one of plan.names (%s)", name, strings.Join(known, ", "))
			}
		}
	}
	return nil, ""
}
