package fleet_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// BenchmarkFleet compares one `enforce` process over N simulator accounts
// (N = 20 and 100, --parallel 1, 2 and 4) with N sequential `disable`
// processes, all from one binary built once. For each it reports the wall
// time, the time per account, the machine's CPU time per account, and the
// peak memory: the RSS and PSS of the tool's process plus every Chrome
// process it started, summed (see runSampled). At the end it prints a
// table with the marginal time per account (the slope between N = 20 and
// N = 100). FLEET_BENCH_SIZES and FLEET_BENCH_PARALLEL (like "4", or
// "2,4,auto") narrow it for a quick try; FLEET_BENCH_SEQUENTIAL=0 leaves
// the sequential runs out; FLEET_BENCH_STATE=1 runs each enforce twice
// with --state-dir, cold (signing in, saving states) then warm (loading
// them). The simulator is busy like the real page (a WebSocket, an event
// stream, a long poll, beacons); FLEET_BENCH_QUIET=1 makes it quiet, to
// compare. FLEET_BENCH_REPORTS=DIR keeps each run's JSON report there,
// with every account's phase timings. FLEET_BENCH_SETTINGS=training,all
// runs each enforce once per --settings value. Run it with
//
//	go test ./fleet -run '^$' -bench Fleet -benchtime 1x -timeout 60m
//
// Every account starts with the setting on, so every run is a change.
func BenchmarkFleet(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "chatgpt-optout")
	build := exec.Command("go", "build", "-o", bin, "../cmd/chatgpt-optout")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	sizes := []int{20, 100}
	if s := os.Getenv("FLEET_BENCH_SIZES"); s != "" { // like "5,10" for a quick try
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatal(err)
			}
			sizes = append(sizes, n)
		}
	}
	parallels := []string{"1", "2", "4"}
	if s := os.Getenv("FLEET_BENCH_PARALLEL"); s != "" {
		parallels = nil
		for _, f := range strings.Split(s, ",") {
			f = strings.TrimSpace(f)
			if n, err := strconv.Atoi(f); f != "auto" && (err != nil || n < 1) {
				b.Fatalf("FLEET_BENCH_PARALLEL=%q: want numbers like 1,2,4, or auto", s)
			}
			parallels = append(parallels, f)
		}
	}
	type figure struct {
		wall    time.Duration
		cpu     time.Duration // CPU time of the whole machine while the runs ran
		peakRSS int64         // bytes, RSS summed over the processes
		peakPSS int64         // bytes, PSS (shared pages divided among their users) summed
		procs   int           // peak processes measured at once
	}
	results := map[string]map[int]figure{} // mode → N → figure
	var modes []string
	record := func(mode string, n int, f figure) {
		if results[mode] == nil {
			results[mode] = map[int]figure{}
			modes = append(modes, mode)
		}
		results[mode][n] = f
	}

	for _, n := range sizes {
		var sims []simulator.Account
		var file strings.Builder
		env := []string{}
		file.WriteString("accounts:\n")
		for i := 0; i < n; i++ {
			a := simulator.Account{Email: fmt.Sprintf("bench%03d@example.com", i), Password: fmt.Sprintf("bench-password-%03d", i), TrainingAllowed: true}
			sims = append(sims, a)
			fmt.Fprintf(&file, "  - name: bench-%03d\n    email: %s\n    password_env: BENCH_%03d\n", i, a.Email, i)
			env = append(env, fmt.Sprintf("BENCH_%03d=%s", i, a.Password))
		}
		srv, err := simulator.Start(simulator.Options{Accounts: sims, Quiet: os.Getenv("FLEET_BENCH_QUIET") == "1"})
		if err != nil {
			b.Fatal(err)
		}
		accounts := filepath.Join(b.TempDir(), "accounts.yaml")
		if err := os.WriteFile(accounts, []byte(file.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		reset := func() {
			for _, a := range sims {
				for _, k := range []string{simulator.SettingTraining, simulator.SettingMarketingCookies, simulator.SettingMarketingPartners, simulator.SettingAdsPersonalization, simulator.SettingAdsHistory} {
					if err := srv.SetSetting(a.Email, k, true); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		checkAllOff := func(b *testing.B) {
			for _, a := range sims {
				if on, _ := srv.TrainingAllowed(a.Email); on {
					b.Fatalf("%s is still on after the run", a.Email)
				}
			}
		}

		// With FLEET_BENCH_STATE=1 each run keeps saved session states:
		// the first (cold) signs every account in and saves its state,
		// the second (warm) loads them and signs nobody in.
		runs := []string{""}
		if os.Getenv("FLEET_BENCH_STATE") == "1" {
			runs = []string{"cold", "warm"}
		}
		// FLEET_BENCH_SETTINGS=training,all runs each enforce once per
		// --settings value, to compare what the further settings cost.
		settingsList := []string{""}
		if s := os.Getenv("FLEET_BENCH_SETTINGS"); s != "" {
			settingsList = strings.Split(s, ",")
		}
		for _, parallel := range parallels {
			for _, set := range settingsList {
				stateDir := ""
				for _, run := range runs {
					mode := "enforce --parallel " + parallel
					name := fmt.Sprintf("accounts=%d/enforce-parallel=%s", n, parallel)
					if set != "" {
						mode += " --settings " + set
						name += "/settings=" + set
					}
					if run != "" {
						mode += " " + run
						name += "/" + run
						if stateDir == "" {
							stateDir = b.TempDir()
						}
					}
					b.Run(name, func(b *testing.B) {
						var f figure
						for i := 0; i < b.N; i++ {
							reset()
							tmp := benchTempDir(b)
							args := []string{"enforce", "--accounts", accounts, "--base-url", srv.AppURL(), "--parallel", parallel}
							if stateDir != "" {
								args = append(args, "--state-dir", stateDir)
							}
							if set != "" {
								args = append(args, "--settings", set)
							}
							if dir := os.Getenv("FLEET_BENCH_REPORTS"); dir != "" {
								args = append(args, "--report-json", filepath.Join(dir, strings.NewReplacer("/", "_", "=", "").Replace(name)+".json"))
							}
							cmd := exec.Command(bin, args...)
							cmd.Env = append(append(os.Environ(), env...), "TMPDIR="+tmp, "GITHUB_STEP_SUMMARY=", "CHATGPT_OPTOUT_STATE_KEY="+benchStateKey)
							var stderr bytes.Buffer
							cmd.Stderr = &stderr
							logins := srv.Counters("").Logins
							start := time.Now()
							m, err := runSampled(cmd, tmp)
							f.wall = time.Since(start)
							f.cpu = m.cpu
							f.peakRSS, f.peakPSS, f.procs = max(f.peakRSS, m.rss), max(f.peakPSS, m.pss), max(f.procs, m.procs)
							if err != nil {
								b.Fatalf("enforce: %v\n%s", err, stderr.String())
							}
							checkAllOff(b)
							signedIn := srv.Counters("").Logins - logins
							b.ReportMetric(float64(signedIn), "sign-ins")
							if run == "warm" && signedIn != 0 {
								b.Fatalf("the warm run signed %d accounts in: their saved states did not hold", signedIn)
							}
						}
						report(b, f.wall, f.cpu, n, f.peakRSS, f.peakPSS)
						record(mode, n, f)
					})
				}
			}
		}

		if os.Getenv("FLEET_BENCH_SEQUENTIAL") == "0" {
			srv.Close()
			continue
		}
		b.Run(fmt.Sprintf("accounts=%d/sequential-disable", n), func(b *testing.B) {
			var f figure
			for i := 0; i < b.N; i++ {
				reset()
				start := time.Now()
				for j, a := range sims {
					tmp := benchTempDir(b)
					cmd := exec.Command(bin, "disable", "--base-url", srv.AppURL())
					cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "CHATGPT_EMAIL="+a.Email, "CHATGPT_PASSWORD="+a.Password)
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					m, err := runSampled(cmd, tmp)
					f.cpu += m.cpu
					f.peakRSS, f.peakPSS, f.procs = max(f.peakRSS, m.rss), max(f.peakPSS, m.pss), max(f.procs, m.procs)
					if err != nil {
						b.Fatalf("disable %d: %v\n%s", j, err, stderr.String())
					}
				}
				f.wall = time.Since(start)
				checkAllOff(b)
			}
			report(b, f.wall, f.cpu, n, f.peakRSS, f.peakPSS)
			record("sequential disable", n, f)
		})
		srv.Close()
	}

	// The table: wall time, time per account, marginal time per account
	// between the smallest and the largest fleet, peak memory.
	if len(sizes) < 2 {
		return
	}
	lo, hi := sizes[0], sizes[len(sizes)-1]
	sort.SliceStable(modes, func(i, j int) bool { return modes[i] > modes[j] })
	var t strings.Builder
	fmt.Fprintf(&t, "\n%-21s %9s %9s %9s %9s %9s | %-23s | %-23s | %s\n", "", "wall", "wall", "per acct", "marginal", "CPU/acct", "peak RSS sum (MB)", "peak PSS sum (MB)", "procs")
	fmt.Fprintf(&t, "%-21s %9s %9s %9s %9s %9s | %11s %11s | %11s %11s | %s\n", "mode", fmt.Sprintf("N=%d", lo), fmt.Sprintf("N=%d", hi), fmt.Sprintf("N=%d", hi), "", fmt.Sprintf("N=%d", hi), fmt.Sprintf("N=%d", lo), fmt.Sprintf("N=%d", hi), fmt.Sprintf("N=%d", lo), fmt.Sprintf("N=%d", hi), "peak")
	for _, m := range modes {
		l, h := results[m][lo], results[m][hi]
		if l.wall == 0 || h.wall == 0 {
			continue
		}
		marginal := (h.wall - l.wall) / time.Duration(hi-lo)
		fmt.Fprintf(&t, "%-21s %8.1fs %8.1fs %8.2fs %8.2fs %8.2fs | %11d %11d | %11d %11d | %d\n", m, l.wall.Seconds(), h.wall.Seconds(), h.wall.Seconds()/float64(hi), marginal.Seconds(), h.cpu.Seconds()/float64(hi), l.peakRSS>>20, h.peakRSS>>20, l.peakPSS>>20, h.peakPSS>>20, h.procs)
	}
	if s, p := results["sequential disable"][hi], results["enforce --parallel 4"][hi]; s.wall > 0 && p.wall > 0 {
		fmt.Fprintf(&t, "N=%d: enforce --parallel 4 takes %.0f%% of the wall time of %d sequential disable runs\n", hi, 100*p.wall.Seconds()/s.wall.Seconds(), hi)
	}
	b.Log(t.String())
	fmt.Fprint(os.Stderr, t.String())
}

func report(b *testing.B, wall, cpu time.Duration, n int, rss, pss int64) {
	b.ReportMetric(wall.Seconds(), "s-wall")
	b.ReportMetric(wall.Seconds()*1000/float64(n), "ms/account")
	b.ReportMetric(cpu.Seconds()*1000/float64(n), "cpu-ms/account")
	b.ReportMetric(float64(rss>>20), "MB-peak-rss-sum")
	b.ReportMetric(float64(pss>>20), "MB-peak-pss-sum")
	b.ReportMetric(0, "ns/op") // the wall time above says it
}

// benchTempDir is a short TMPDIR for one process: Chrome's profile lands
// in it, which is how its processes are found in /proc.
func benchTempDir(b *testing.B) string {
	dir, err := os.MkdirTemp("/tmp", "co-bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// measured is what runSampled saw.
type measured struct {
	rss, pss int64         // peak sums, bytes
	procs    int           // peak number of processes
	cpu      time.Duration // the machine's, from /proc/stat
}

// runSampled runs cmd and samples the memory of cmd's process and of every
// process whose command line names tmp (the Chrome it started, and Chrome's
// helpers), summed: RSS every 100 ms, PSS every second from 0.5 s on. PSS
// comes from smaps_rollup, which walks every mapping of a process: read
// every 100 ms over a fleet's Chrome processes it took most of a core,
// time that the CPU-bound fleet lost and the sequential runs barely did.
// It returns the peaks and the CPU time of cmd, which includes the Chromes
// it waited for.
func runSampled(cmd *exec.Cmd, tmp string) (measured, error) {
	busy := machineBusy()
	if err := cmd.Start(); err != nil {
		return measured{}, err
	}
	var (
		mu   sync.Mutex
		peak measured
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for tick := 0; ; tick++ {
			m := sample(cmd.Process.Pid, tmp, tick%10 == 5)
			mu.Lock()
			peak.rss, peak.pss, peak.procs = max(peak.rss, m.rss), max(peak.pss, m.pss), max(peak.procs, m.procs)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	peak.cpu = machineBusy() - busy
	return peak, err
}

// machineBusy is the CPU time the machine has spent on anything but idling,
// from /proc/stat. Every Chrome process counts, including those the tool's
// process never waits for (the zygote's children), and so do the simulator
// and the sampling: the figure is what the machine paid.
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	var busy int64
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		if i != 3 && i != 4 && i < 8 { // not idle, iowait, guest
			busy += v
		}
	}
	return time.Duration(busy) * time.Second / 100 // USER_HZ
}

// sample sums VmRSS (from status) and, with pss, Pss (from smaps_rollup)
// over the processes measured.
func sample(pid int, tmp string, pss bool) measured {
	var m measured
	for p, dir := range processes() {
		if p != pid {
			cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
			if err != nil || !bytes.Contains(cmdline, []byte(tmp)) {
				continue
			}
		}
		rss := kbField(filepath.Join(dir, "status"), "VmRSS:")
		if rss < 0 {
			continue // gone
		}
		m.rss += rss
		if pss {
			m.pss += max(0, kbField(filepath.Join(dir, "smaps_rollup"), "Pss:"))
		}
		m.procs++
	}
	return m
}

// kbField reads "Name:   123 kB" from a /proc file, in bytes; -1 if absent.
func kbField(path, name string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, name) {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return -1
}

// benchStateKey encrypts the saved states of FLEET_BENCH_STATE runs: an
// age identity, since a passphrase costs a second of scrypt per read.
var benchStateKey = func() string {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		panic(err)
	}
	return id.String()
}()
