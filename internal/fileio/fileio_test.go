package fileio

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCapped(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(small, []byte("a: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), MaxBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadCapped(small); err != nil || string(data) != "a: 1\n" {
		t.Errorf("small file = %q, %v", data, err)
	}
	if _, err := ReadCapped(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a file over the cap = %v, want ErrTooLarge", err)
	}
	if _, err := ReadCapped(dir); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("a folder = %v, want an error saying so", err)
	}
	if _, err := ReadCapped(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file = %v", err)
	}
}

func TestWriteAtomic_ReplacesTheFileWithTheModeAndLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	for _, data := range []string{"first", "second"} {
		if err := WriteAtomic(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("read back %q, %v; want %q", got, err, data)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the file alone", len(entries))
	}
}
