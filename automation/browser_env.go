package automation

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// browserVars are the variables of the tool's environment that Chrome
// gets. Everything else stays out, above all the account's secrets
// (CHATGPT_PASSWORD, …): a process's environment can be read by others
// (/proc/<pid>/environ), and Chrome starts dozens of processes.
var browserVars = []string{
	"PATH", "HOME", "LANG", "LANGUAGE", "TZ",
	"http_proxy", "https_proxy", "no_proxy", "all_proxy",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
	"CHROME_DEVEL_SANDBOX",
}

// browserVarPrefixes are families of variables Chrome gets: locale and
// fonts.
var browserVarPrefixes = []string{"LC_", "FONTCONFIG"}

// headedVars are the display's variables, for a visible browser only.
var headedVars = []string{"DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"}

// windowsVars are what Chrome needs on Windows to find its files.
var windowsVars = []string{"SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "TEMP", "TMP", "USERPROFILE", "LOCALAPPDATA", "APPDATA", "PROGRAMDATA", "PROGRAMFILES", "PROGRAMFILES(X86)", "COMSPEC", "PATHEXT"}

// browserEnv is Chrome's environment: the allowed variables of environ,
// then TMPDIR and XDG_CONFIG_HOME in the run's folder tmp (Chrome's
// temporary files and its crash reporter's database go there, and go with
// it).
func browserEnv(environ []string, headed bool, tmp string) []string {
	var env []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if ok && browserVar(name, headed) {
			env = append(env, kv)
		}
	}
	env = append(env, "TMPDIR="+tmp, "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"))
	if runtime.GOOS == "windows" {
		env = append(env, "TEMP="+tmp, "TMP="+tmp)
	}
	return env
}

func browserVar(name string, headed bool) bool {
	if runtime.GOOS == "windows" {
		if up := strings.ToUpper(name); up == "PATH" || slices.Contains(windowsVars, up) {
			return up != "TEMP" && up != "TMP"
		}
	}
	return slices.Contains(browserVars, name) || headed && slices.Contains(headedVars, name) ||
		slices.ContainsFunc(browserVarPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}
