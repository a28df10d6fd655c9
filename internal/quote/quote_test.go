package quote

import (
	"strings"
	"testing"
)

func TestValue(t *testing.T) {
	if got := Value(`a "b"`); got != `"a \"b\""` {
		t.Errorf("Value = %s", got)
	}
	long := strings.Repeat("é", 200)
	got := Value(long)
	if !strings.HasSuffix(got, "… (200 characters)") || strings.Count(got, "é") != 80 {
		t.Errorf("a long value = %s, want 80 characters and the length", got)
	}
	if got := Runes("ab\xffc", 10); got != "abc" {
		t.Errorf("Runes of invalid UTF-8 = %q", got)
	}
}
