// Package fileio reads the files the tool is given, never more than a cap,
// and writes the files it keeps atomically, readable by their owner only.
package fileio

import (
	"cmp"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// MaxBytes is the most the tool reads of a file it is given: an accounts
// file, a selectors file, a dotenv file, a state file (4 MiB). Real ones
// are a few KB; a larger one is the wrong file.
const MaxBytes = 4 << 20

// ErrTooLarge is the error of ReadCapped for a file larger than MaxBytes.
var ErrTooLarge = errors.New("the file is larger than 4 MiB, the most the tool reads of such a file: is it the right file?")

// ReadCapped reads a file of at most MaxBytes. It reads pipes too
// (--env-file <(…)), never more than the cap.
func ReadCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("it is a folder, not a file")
	}
	return ReadAtMost(f, MaxBytes, ErrTooLarge)
}

// ReadAtMost reads r to its end, or returns tooLarge once it holds more
// than limit bytes, having read at most limit+1 of them.
func ReadAtMost(r io.Reader, limit int64, tooLarge error) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge
	}
	return data, nil
}

// WriteAtomic writes data to path through a temporary file in the same
// folder, synced and renamed over the old one, with mode perm: a reader
// sees the old file or the new one, never a part, and a failed write
// leaves no temporary file behind.
func WriteAtomic(path string, data []byte, perm os.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	_, err = tmp.Write(data)
	if err = cmp.Or(err, tmp.Chmod(perm), tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
