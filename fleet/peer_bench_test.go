//go:build linux

package fleet_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// BenchmarkPeer runs the tool and a Playwright peer written the same way
// (testdata/peer/optout.mjs: one headless Chromium, a context per account,
// at most N accounts at a time, Playwright's auto-waiting locators) on one
// busy simulator, and prints how they compare. For each work size it runs
// the tool (`disable` for one account, `enforce --parallel P` with an
// accounts file for more) and the peer with the same parallelism, in
// turns, the order alternating from one pair to the next. Every account
// starts with the setting on, so every run signs in, switches it off and
// reads it back after a reload; after each side the simulator must hold
// the setting off for every account, and must have seen every account
// sign in.
//
// Wall is the measured program's life, from its start to its exit. CPU is
// the user plus system time of its whole process tree, for both sides
// the same way: each side runs under a small reaper (this test binary,
// started again with peerReaperEnv set) that makes itself the child
// subreaper of the tree, so that every descendant ends up waited for by
// its parent or by the reaper, Chrome's zygote children and orphans
// included, and then reads its RUSAGE_CHILDREN. The reaper waits for the
// last descendant, so CPU spent after the program exited counts too (the
// table says if any process outlived it). The machine's CPU (from
// /proc/stat, the simulator and other work included) and the peak memory
// (runSampled) are printed apart.
//
// PEER_BENCH_SIZES (default "1,20"), PEER_BENCH_PARALLEL (default 4),
// PEER_BENCH_PAIRS (runs of each side for one account, default 5; the
// table shows each pair and the medians) and PEER_BENCH_FLEET_PAIRS (the
// same for the larger sizes, default 1) set the work. PEER_BENCH_REPORTS=DIR
// keeps each run's output there: the tool's JSON report and the peer's
// JSON lines, with the phase timings of every account. Nothing here
// asserts a duration. Run it with
//
//	go test ./fleet -run '^$' -bench Peer -benchtime 1x -timeout 40m
//
// It needs Node.js and playwright-core (scripts/ensure-playwright installs
// it; PLAYWRIGHT_CORE may name its folder): without them it skips, and in
// CI (CI set) it fails.
func BenchmarkPeer(b *testing.B) {
	node, core := peerTools(b)
	chrome, err := automation.FindChrome()
	if err != nil {
		b.Fatal("this benchmark drives a real Chromium:", err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "peer", "optout.mjs"))
	if err != nil {
		b.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(b.TempDir(), "chatgpt-optout")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/chatgpt-optout").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}

	sizes := peerEnvInts(b, "PEER_BENCH_SIZES", []int{1, 20})
	parallel := peerEnvInts(b, "PEER_BENCH_PARALLEL", []int{4})[0]
	pairs := peerEnvInts(b, "PEER_BENCH_PAIRS", []int{5})[0]
	fleetPairs := peerEnvInts(b, "PEER_BENCH_FLEET_PAIRS", []int{1})[0]
	reports := os.Getenv("PEER_BENCH_REPORTS")
	if reports != "" {
		if err := os.MkdirAll(reports, 0o755); err != nil {
			b.Fatal(err)
		}
	}

	// One busy simulator (the default) with as many accounts as the
	// largest size; a size of n uses the first n.
	var sims []simulator.Account
	for i := range slices.Max(sizes) {
		sims = append(sims, simulator.Account{Email: fmt.Sprintf("peer%03d@example.com", i), Password: fmt.Sprintf("peer-password-%03d", i), TrainingAllowed: true})
	}
	srv, err := simulator.Start(simulator.Options{Accounts: sims})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()

	loadBefore := loadAvg()
	var rows []peerRow
	turn := 0 // alternates which side goes first, across all pairs
	for _, n := range sizes {
		accts := sims[:n]
		name := fmt.Sprintf("accounts=%d", n)
		work := "1 account (disable)"
		k := pairs
		if n > 1 {
			name += fmt.Sprintf("/parallel=%d", parallel)
			work = fmt.Sprintf("%d accounts, parallel %d", n, parallel)
			k = fleetPairs
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				var tool, peer []peerRun
				for i := range k {
					sides := []string{"tool", "peer"}
					if turn%2 == 1 {
						sides = []string{"peer", "tool"}
					}
					turn++
					for _, side := range sides {
						r := runPeerSide(b, side, srv, accts, peerSetup{bin: bin, self: self, node: node, core: core, script: script, chrome: chrome, parallel: parallel, reports: reports, tag: fmt.Sprintf("%s-%d", strings.NewReplacer("=", "", "/", "_").Replace(name), i+1)})
						if side == "tool" {
							tool = append(tool, r)
						} else {
							peer = append(peer, r)
						}
					}
					if k > 1 {
						rows = append(rows, peerRow{work: fmt.Sprintf("%s, pair %d (%s first)", work, i+1, sides[0]), tool: tool[i], peer: peer[i]})
					}
				}
				t, p := medianRun(tool), medianRun(peer)
				label := work
				if k > 1 {
					label = fmt.Sprintf("%s, median of %d", work, k)
				}
				rows = append(rows, peerRow{work: label, tool: t, peer: p, summary: true})
				b.ReportMetric(t.wall.Seconds(), "tool-s-wall")
				b.ReportMetric(p.wall.Seconds(), "peer-s-wall")
				b.ReportMetric(t.cpu.Seconds(), "tool-s-cpu")
				b.ReportMetric(p.cpu.Seconds(), "peer-s-cpu")
				b.ReportMetric(t.wall.Seconds()/p.wall.Seconds(), "tool/peer-wall")
				b.ReportMetric(t.cpu.Seconds()/p.cpu.Seconds(), "tool/peer-cpu")
				b.ReportMetric(0, "ns/op") // the walls above say it
			}
		})
	}
	if len(rows) > 0 {
		s := peerTable(rows, parallel, loadBefore, loadAvg())
		b.Log(s)
		fmt.Fprint(os.Stderr, s)
	}
}

// peerSetup is what every run needs.
type peerSetup struct {
	bin, self, node, core, script, chrome string
	parallel                              int
	reports, tag                          string
}

// peerRun is one measured run of one side.
type peerRun struct {
	wall, cpu, user, sys time.Duration // the program's life; its tree's CPU
	machine              time.Duration // the machine's CPU meanwhile
	rss, pss             int64         // peak sums (runSampled)
	outlived             int           // processes still running when the program exited
	phases               map[string]float64
}

type peerRow struct {
	work       string
	tool, peer peerRun
	summary    bool
}

// runPeerSide resets the accounts, runs one side over them and checks the
// simulator's state afterwards.
func runPeerSide(b *testing.B, side string, srv *simulator.Server, accts []simulator.Account, s peerSetup) peerRun {
	b.Helper()
	for _, a := range accts {
		if err := srv.SetTrainingAllowed(a.Email, true); err != nil {
			b.Fatal(err)
		}
		if on, err := srv.TrainingAllowed(a.Email); err != nil || !on {
			b.Fatalf("%s: the reset did not switch the setting on (%v)", a.Email, err)
		}
	}
	tmp := benchTempDir(b) // TMPDIR: Chrome's profile lands in it, and runSampled finds it by it
	var argv, env []string
	report := filepath.Join(tmp, "report.json")
	switch {
	case side == "peer":
		type acct struct {
			Email    string `json:"email"`
			Password string `json:"password"`
		}
		var list []acct
		for _, a := range accts {
			list = append(list, acct{a.Email, a.Password})
		}
		data, _ := json.Marshal(list)
		file := filepath.Join(tmp, "accounts.json")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			b.Fatal(err)
		}
		argv = []string{s.node, s.script, "--base-url", srv.AppURL(), "--accounts", file, "--parallel", strconv.Itoa(s.parallel), "--chromium", s.chrome}
		env = []string{"PLAYWRIGHT_CORE=" + s.core}
	case len(accts) == 1:
		// --artifacts (written only on a failure) names tmp in the
		// command line, so that runSampled counts the tool's own memory.
		argv = []string{s.bin, "disable", "--base-url", srv.AppURL(), "--chrome", s.chrome, "--output", "json", "--artifacts", filepath.Join(tmp, "artifacts")}
		env = []string{"CHATGPT_EMAIL=" + accts[0].Email, "CHATGPT_PASSWORD=" + accts[0].Password}
	default:
		var file strings.Builder
		file.WriteString("accounts:\n")
		for i, a := range accts {
			fmt.Fprintf(&file, "  - name: peer-%03d\n    email: %s\n    password_env: PEER_%03d\n", i, a.Email, i)
			env = append(env, fmt.Sprintf("PEER_%03d=%s", i, a.Password))
		}
		accounts := filepath.Join(tmp, "accounts.yaml")
		if err := os.WriteFile(accounts, []byte(file.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		argv = []string{s.bin, "enforce", "--accounts", accounts, "--base-url", srv.AppURL(), "--chrome", s.chrome, "--parallel", strconv.Itoa(s.parallel), "--report-json", report, "--artifacts", filepath.Join(tmp, "artifacts")}
	}

	usage := filepath.Join(tmp, "rusage.json")
	cmd := exec.Command(s.self, argv...)
	cmd.Env = append(append(os.Environ(), env...), peerReaperEnv+"="+usage, "TMPDIR="+tmp, "GITHUB_STEP_SUMMARY=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	logins := srv.Counters("").Logins
	m, runErr := runSampled(cmd, tmp)
	var u reaped
	if data, err := os.ReadFile(usage); err != nil {
		b.Fatalf("%s: no figures from the reaper (%v): %v\n%s", side, err, runErr, stderr.String())
	} else if err := json.Unmarshal(data, &u); err != nil {
		b.Fatal(err)
	}
	if runErr != nil || u.Exit != 0 {
		b.Fatalf("%s: %v (exit %d)\nstdout:\n%s\nstderr:\n%s", side, runErr, u.Exit, stdout.String(), stderr.String())
	}

	// The server's word, not the program's: every account off, and every
	// one signed in (a retry may sign in again).
	for _, a := range accts {
		if on, err := srv.TrainingAllowed(a.Email); err != nil || on {
			b.Fatalf("%s: %s is still on after the run (%v)\nstdout:\n%s", side, a.Email, err, stdout.String())
		}
	}
	if got := srv.Counters("").Logins - logins; got < len(accts) {
		b.Fatalf("%s: %d sign-ins for %d accounts", side, got, len(accts))
	}

	r := peerRun{wall: u.Wall, cpu: u.User + u.Sys, user: u.User, sys: u.Sys, machine: m.cpu, rss: m.rss, pss: m.pss, outlived: u.Outlived}
	var out []byte
	switch {
	case side == "peer":
		out = stdout.Bytes()
		r.phases = peerPhases(b, out, len(accts))
	case len(accts) == 1:
		out = stdout.Bytes()
		r.phases = toolPhases(b, out, true)
	default:
		data, err := os.ReadFile(report)
		if err != nil {
			b.Fatal(err)
		}
		out = data
		r.phases = toolPhases(b, data, false)
	}
	if s.reports != "" {
		name := filepath.Join(s.reports, s.tag+"-"+side+".json")
		if side == "peer" {
			name += "l"
		}
		if err := os.WriteFile(name, out, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// peerPhases checks the peer's JSON lines (every account ok, the summary
// agreeing) and returns the mean of each phase over the accounts, ms.
func peerPhases(b *testing.B, out []byte, n int) map[string]float64 {
	b.Helper()
	sums := map[string]float64{}
	ok, summary := 0, false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var line struct {
			Summary bool               `json:"summary"`
			OK      json.RawMessage    `json:"ok"` // a count in the summary
			Email   string             `json:"email"`
			Error   string             `json:"error"`
			Timings map[string]float64 `json:"timings_ms"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			b.Fatalf("peer: a line that is not JSON: %q", sc.Text())
		}
		if line.Summary {
			summary = true
			continue
		}
		if string(line.OK) != "true" {
			b.Fatalf("peer: %s failed: %s", line.Email, line.Error)
		}
		ok++
		for k, v := range line.Timings {
			sums[k] += v
		}
	}
	if ok != n || !summary {
		b.Fatalf("peer: %d accounts ok of %d (summary printed: %v)\n%s", ok, n, summary, out)
	}
	for k := range sums {
		sums[k] /= float64(n)
	}
	return sums
}

// toolPhases returns the mean of each phase of the tool's results, ms:
// one result (disable --output json) or a fleet report.
func toolPhases(b *testing.B, out []byte, single bool) map[string]float64 {
	b.Helper()
	type result struct {
		Outcome string             `json:"outcome"`
		Retries int                `json:"retries"`
		Timings map[string]float64 `json:"timings_ms"`
	}
	var results []result
	if single {
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("tool: %v\n%s", err, out)
		}
		results = append(results, r)
	} else {
		var rep struct {
			Results []result `json:"results"`
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			b.Fatalf("tool report: %v", err)
		}
		results = rep.Results
	}
	sums := map[string]float64{}
	for _, r := range results {
		if r.Outcome != "changed" {
			b.Fatalf("tool: an account's outcome is %q, want changed", r.Outcome)
		}
		sums["retries"] += float64(r.Retries)
		for k, v := range r.Timings {
			sums[k] += v
		}
	}
	for k := range sums {
		if k != "retries" {
			sums[k] /= float64(max(1, len(results)))
		}
	}
	return sums
}

// medianRun is the run with the median wall time (and, apart, the median
// CPU time), of an odd or even number of runs.
func medianRun(runs []peerRun) peerRun {
	med := func(f func(peerRun) time.Duration) time.Duration {
		v := make([]time.Duration, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	byWall := slices.Clone(runs)
	slices.SortFunc(byWall, func(a, b peerRun) int { return int(a.wall - b.wall) })
	m := byWall[len(byWall)/2] // phases and memory of the median-wall run
	m.wall = med(func(r peerRun) time.Duration { return r.wall })
	m.cpu = med(func(r peerRun) time.Duration { return r.cpu })
	m.user = med(func(r peerRun) time.Duration { return r.user })
	m.sys = med(func(r peerRun) time.Duration { return r.sys })
	m.machine = med(func(r peerRun) time.Duration { return r.machine })
	return m
}

func peerTable(rows []peerRow, parallel int, before, after string) string {
	var t strings.Builder
	fmt.Fprintf(&t, "\ntool (chatgpt-optout) vs Playwright peer (testdata/peer/optout.mjs) on the busy simulator, parallel %d\n", parallel)
	fmt.Fprintf(&t, "CPU: user+sys of the program's whole process tree (rusage under a subreaper); ratios are tool/peer\n")
	fmt.Fprintf(&t, "load average before: %s; after: %s\n\n", before, after)
	fmt.Fprintf(&t, "%-44s %10s %10s %10s %10s %10s %10s\n", "work", "tool wall", "tool CPU", "peer wall", "peer CPU", "ratio wall", "ratio CPU")
	for _, r := range rows {
		mark := " "
		if r.summary {
			mark = "*"
		}
		fmt.Fprintf(&t, "%-43s%s %9.2fs %9.2fs %9.2fs %9.2fs %10.2f %10.2f\n", r.work, mark, r.tool.wall.Seconds(), r.tool.cpu.Seconds(), r.peer.wall.Seconds(), r.peer.cpu.Seconds(),
			r.tool.wall.Seconds()/r.peer.wall.Seconds(), r.tool.cpu.Seconds()/r.peer.cpu.Seconds())
	}
	fmt.Fprintf(&t, "(* the figures of a size: the medians when it ran several pairs)\n\n")

	fmt.Fprintf(&t, "%-44s %17s %17s %17s %15s %8s\n", "details (* rows)", "user/sys s", "machine CPU s", "peak RSS sum MB", "peak PSS MB", "outlived")
	fmt.Fprintf(&t, "%-44s %17s %17s %17s %15s %8s\n", "", "tool | peer", "tool | peer", "tool | peer", "tool | peer", "t | p")
	for _, r := range rows {
		if !r.summary {
			continue
		}
		fmt.Fprintf(&t, "%-44s %7.1f/%-4.1f|%4.1f/%-4.1f %8.1f | %-6.1f %8d | %-6d %6d | %-6d %3d | %d\n", r.work,
			r.tool.user.Seconds(), r.tool.sys.Seconds(), r.peer.user.Seconds(), r.peer.sys.Seconds(),
			r.tool.machine.Seconds(), r.peer.machine.Seconds(), r.tool.rss>>20, r.peer.rss>>20, r.tool.pss>>20, r.peer.pss>>20, r.tool.outlived, r.peer.outlived)
	}
	fmt.Fprintf(&t, "\nphases, mean ms per account (tool: timings_ms; peer: its own laps)\n")
	for _, r := range rows {
		if !r.summary {
			continue
		}
		fmt.Fprintf(&t, "%-44s tool: session %5.0f  login %5.0f  navigation %5.0f  toggle+verify %5.0f  retries %.0f  (own waits %.0f)\n", r.work,
			r.tool.phases["session"], r.tool.phases["login"], r.tool.phases["navigation"], r.tool.phases["toggle_verify"], r.tool.phases["retries"], r.tool.phases["own_wait"])
		fmt.Fprintf(&t, "%-44s peer:                login %5.0f  navigation %5.0f  toggle+verify %5.0f  (toggle %.0f, verify %.0f)\n", "",
			r.peer.phases["login"], r.peer.phases["navigation"], r.peer.phases["toggle"]+r.peer.phases["verify"], r.peer.phases["toggle"], r.peer.phases["verify"])
	}
	return t.String()
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// peerEnvInts reads a comma-separated list of positive numbers.
func peerEnvInts(b *testing.B, name string, def []int) []int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want positive numbers like 1,20", name, s)
		}
		out = append(out, n)
	}
	return out
}

// peerTools finds Node.js and playwright-core (PLAYWRIGHT_CORE, or where
// scripts/ensure-playwright installs it), or skips; in CI it fails.
func peerTools(b *testing.B) (node, core string) {
	b.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		peerMissingTool(b, "Node.js is not installed")
	}
	core = os.Getenv("PLAYWRIGHT_CORE")
	if core == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			peerMissingTool(b, "no cache folder for playwright-core")
		}
		core = filepath.Join(cache, "chatgpt-optout-tools", "node", "node_modules", "playwright-core")
	}
	if _, err := os.Stat(filepath.Join(core, "package.json")); err != nil {
		peerMissingTool(b, "playwright-core is not installed (scripts/ensure-playwright installs it)")
	}
	return node, core
}

// peerMissingTool skips a benchmark whose tool is missing, except in CI
// (CI set), where every tool is installed by the scripts and a missing one
// fails (the missingTool of the other packages).
func peerMissingTool(b *testing.B, msg string) {
	b.Helper()
	if os.Getenv("CI") != "" {
		b.Fatal(msg + ": in CI the scripts install it, so this is a failure")
	}
	b.Skip(msg)
}

// ---- the reaper ----

// peerReaperEnv, set to a file name, makes this test binary the reaper of
// one measured program instead of running tests: it runs its arguments as
// a command and writes a reaped as JSON to the file.
const peerReaperEnv = "CHATGPT_OPTOUT_PEER_BENCH_REAPER"

// reaped is what the reaper measured.
type reaped struct {
	Exit     int           `json:"exit"`     // the program's exit status (128+N for signal N)
	Wall     time.Duration `json:"wall"`     // from its start to its exit
	User     time.Duration `json:"user"`     // CPU of every process of the tree
	Sys      time.Duration `json:"sys"`      //
	Outlived int           `json:"outlived"` // descendants reaped after the program exited
	Killed   int           `json:"killed"`   // of those, killed after outliveGrace
}

// outliveGrace is how long the reaper waits for processes that outlive
// the program before it kills them.
const outliveGrace = 30 * time.Second

func init() {
	out := os.Getenv(peerReaperEnv)
	if out == "" {
		return
	}
	os.Unsetenv(peerReaperEnv)
	os.Exit(reap(out, os.Args[1:]))
}

// reap runs argv as the child of a subreaper, waits for every process of
// its tree and writes their CPU time to out.
func reap(out string, argv []string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "peer bench reaper:", err)
		return 125
	}
	if len(argv) == 0 {
		return fail(fmt.Errorf("no command"))
	}
	const prSetChildSubreaper = 36 // PR_SET_CHILD_SUBREAPER, linux/prctl.h
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); e != 0 {
		return fail(fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %v", e))
	}
	// Go down with the benchmark: the program first, then the rest.
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); e != 0 {
		return fail(fmt.Errorf("prctl(PR_SET_PDEATHSIG): %v", e))
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	main := cmd.Process.Pid
	var r reaped
	r.Exit = -1
	exited := make(chan struct{})
	killed := make(chan int, 1)
	go func() {
		// After the grace, kill what is left, a generation at a time
		// (killed processes' children come to the reaper).
		<-exited
		n := 0
		defer func() { killed <- n }()
		time.Sleep(outliveGrace)
		for range 50 {
			pids := childrenOf(os.Getpid())
			if len(pids) == 0 {
				return
			}
			for _, p := range pids {
				if syscall.Kill(p, syscall.SIGKILL) == nil {
					n++
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil { // ECHILD: the whole tree is gone
			break
		}
		switch {
		case pid == main:
			r.Wall = time.Since(start)
			switch {
			case ws.Exited():
				r.Exit = ws.ExitStatus()
			case ws.Signaled():
				r.Exit = 128 + int(ws.Signal())
			}
			close(exited)
		case r.Wall > 0:
			r.Outlived++
		}
	}
	if r.Wall == 0 {
		return fail(fmt.Errorf("the program was never reaped"))
	}
	select {
	case r.Killed = <-killed:
	default:
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return fail(err)
	}
	r.User = time.Duration(ru.Utime.Nano())
	r.Sys = time.Duration(ru.Stime.Nano())
	data, _ := json.Marshal(r)
	if err := os.WriteFile(out, data, 0o600); err != nil {
		return fail(err)
	}
	return r.Exit
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	var out []int
	for p, dir := range processes() {
		data, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) >= 2 {
			if pp, _ := strconv.Atoi(f[1]); pp == pid {
				out = append(out, p)
			}
		}
	}
	return out
}
