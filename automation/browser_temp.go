package automation

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// tempPrefix begins the name of every run's temporary folder.
const tempPrefix = "chatgpt-optout-"

// ownerFileName marks a run's temporary folder with its process, so that a
// later run can remove the folder of one killed before it could clean up.
const ownerFileName = "chatgpt-optout.owner"

var sweepOnce sync.Once

// newTempDir creates a run's temporary folder, marked with its owner.
func newTempDir() (string, error) {
	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFileName), []byte(ownerMark(os.Getpid())), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// ownerMark is the content of an owner file: the process id and its start
// time (0: unknown), which tells a later process with the same id apart.
func ownerMark(pid int) string {
	return fmt.Sprintf("chatgpt-optout %d %d\n", pid, processStartTime(pid))
}

// ownerGone reports whether the process an owner file names has ended.
// A file it cannot read names no one: the folder is left alone.
func ownerGone(mark string) bool {
	var pid int
	var start uint64
	if _, err := fmt.Sscanf(mark, "chatgpt-optout %d %d", &pid, &start); err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return false
	}
	if !processAlive(pid) {
		return true
	}
	now := processStartTime(pid)
	return start != 0 && now != 0 && now != start
}

// sweepTempDirs removes the temporary folders of runs whose process is
// gone, after stopping any browser process still using one. Folders
// without an owner file (another program's, or a run's that is just being
// set up) are left alone.
func sweepTempDirs() {
	root := os.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		dir := filepath.Join(root, e.Name())
		mark, err := os.ReadFile(filepath.Join(dir, ownerFileName))
		if err != nil || !ownerGone(string(mark)) {
			continue
		}
		stopBrowserProcesses(0, []string{dir}, 2*time.Second)
		os.RemoveAll(dir)
	}
}
