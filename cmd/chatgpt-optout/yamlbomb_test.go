package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// yamlBomb is a "billion laughs" file: 9 levels of 10 aliases of the level
// before (10^9 values expanded) after head, lists, or merge keys when
// merge is set.
func yamlBomb(head string, merge bool) []byte {
	var b strings.Builder
	b.WriteString(head)
	if merge {
		b.WriteString("  - &x0 {name: a, email: a@example.com, password_env: A}\n")
	} else {
		b.WriteString("x0: &x0 [lol]\n")
	}
	for i := 1; i <= 9; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d,", i-1), 10), ",")
		if merge {
			fmt.Fprintf(&b, "  - &x%d {<<: [%s]}\n", i, refs)
		} else {
			fmt.Fprintf(&b, "x%d: &x%d [%s]\n", i, i, refs)
		}
	}
	return []byte(b.String())
}

// An alias bomb in the selectors file or the accounts file is a
// configuration error: exit 1, the file and the line, how to fix it, in
// bounded memory (24 GB for the selectors file before). In process: the
// point is the memory of the command itself.
func TestYAMLBomb_IsAConfigErrorInBoundedMemory(t *testing.T) {
	sel := writeFile(t, "bomb-selectors.yaml", yamlBomb("schema_version: 2\n", false))
	acc := writeFile(t, "bomb-accounts.yaml", yamlBomb("accounts:\n", true))
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"selectors validate", []string{"selectors", "validate", sel},
			"error: selectors file " + sel + " (line 3): YAML aliases (*x0) are not allowed: write the value out\n"},
		{"enforce --accounts", []string{"enforce", "--accounts", acc, "--selectors", "", "--base-url", "http://127.0.0.1:1"},
			"error: accounts file " + acc + ": nothing was run: " + acc + ":6: YAML aliases expand to more than 100000 values at *x3 (aliases of aliases multiply, a \"billion laughs\"): write the values out; an alias may share a few keys, like <<: *defaults"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			code := execute(t.Context(), system{stdout: &stdout, stderr: &stderr}, c.args)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("exit %d, %.1f MB allocated: %s", code, float64(alloc)/(1<<20), stderr.String())
			if code != 1 || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout.String())
			}
			if !strings.HasPrefix(stderr.String(), c.want) {
				t.Errorf("stderr = %q, want it to start %q", stderr.String(), c.want)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
		})
	}
}
