package automation

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// profileLockName is the lock file the tool keeps in a profile folder.
const profileLockName = "chatgpt-optout.lock"

// profileLock is a profile folder held by this process: no other run of
// the tool starts a browser on it until release. The lock is taken
// atomically (flock), before Chrome starts, and the system drops it when
// the process ends, however it ends.
type profileLock struct{ f *os.File }

// lockProfile takes the lock of the profile folder dir, or fails at once
// with a configuration error saying the folder is in use.
func lockProfile(dir string) (*profileLock, error) {
	path := filepath.Join(dir, profileLockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, wrapConfig(err, "the profile folder %s cannot be locked (%v): is it writable?", dir, err)
	}
	ok, err := tryLockFile(f)
	if err != nil {
		f.Close()
		return nil, wrapConfig(err, "the profile folder %s cannot be locked: %v", dir, err)
	}
	if !ok {
		// The holder writes its process ID just after it takes the lock:
		// one that took it a moment ago has not written it yet.
		holder := " that is starting"
		if data, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
				holder = fmt.Sprintf(" (process %d)", pid)
			}
		}
		f.Close()
		return nil, configError([]Setting{SettingProfileDir}, "the profile folder %s is in use by another run of chatgpt-optout%s: wait for it to end, or give each run its own profile folder", dir, holder)
	}
	// Who holds it, for the message of the next one that tries.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &profileLock{f: f}, nil
}

// release frees the profile folder. It is safe on a nil lock.
func (l *profileLock) release() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
