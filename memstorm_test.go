package main

// A password login storm against the real binary in a 256 MiB memory cgroup: Lanyard must take its
// memory limit from the cgroup, queue the hashes it has no memory for, answer every login and not be
// killed. Creating the cgroup needs root and a writable memory controller (cgroup v1 or v2); without
// them the test skips loudly, naming what is missing.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

const (
	stormCgroupLimit = 256 << 20
	stormUsers       = 64 // registered at once, then logging in at once, stormRounds times
	stormRounds      = 3
	// stormProcs is the server's GOMAXPROCS unless envStormProcs sets it: a container on a many-core
	// node with a memory limit and no CPU limit. Without the memory bound it would hash 2 per CPU at
	// once, more than 256 MiB holds.
	stormProcs    = 8
	envStormProcs = "LANYARD_TEST_MEMSTORM_GOMAXPROCS"
	// envStormBaseline names another lanyard binary (say, one built before a change) that runs the same
	// storm after the one under test, for comparison: its results are logged, not asserted.
	envStormBaseline = "LANYARD_TEST_MEMSTORM_BASELINE"
)

// memoryCgroup is a memory cgroup of the test's own, removed when the test ends.
type memoryCgroup struct {
	dir string
	v2  bool
}

// memoryController finds where a memory cgroup can be made: a writable cgroup v1 memory hierarchy, or
// a cgroup v2 one whose root offers the memory controller. missing says what is not there otherwise.
func memoryController() (dir string, v2 bool, missing string) {
	if os.Geteuid() != 0 {
		return "", false, fmt.Sprintf("root (creating a cgroup needs it; this test runs as uid %d)", os.Geteuid())
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", false, "/proc/self/mountinfo: " + err.Error()
	}
	defer f.Close()
	var v2dirs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 6 || len(tail) < 3 {
			continue
		}
		mountpoint, writable := fields[4], strings.HasPrefix(fields[5], "rw")
		switch {
		case !writable:
		case tail[0] == "cgroup" && strings.Contains(","+tail[2]+",", ",memory,") && fields[3] == "/":
			return mountpoint, false, ""
		case tail[0] == "cgroup2" && fields[3] == "/":
			v2dirs = append(v2dirs, mountpoint)
		}
	}
	for _, d := range v2dirs {
		if c, err := os.ReadFile(filepath.Join(d, "cgroup.controllers")); err != nil || !strings.Contains(" "+strings.TrimSpace(string(c))+" ", " memory ") {
			continue
		}
		// The memory controller has to be on for the root's children; writing it again is harmless. A
		// root holding processes of its own (a container's namespace) refuses it.
		if err := os.WriteFile(filepath.Join(d, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
			return "", false, fmt.Sprintf("a cgroup v2 hierarchy whose children may use the memory controller (enabling it in %s: %v)", d, err)
		}
		return d, true, ""
	}
	return "", false, "a writable memory cgroup controller (no cgroup v1 memory hierarchy and no cgroup v2 hierarchy offering memory is mounted read-write)"
}

// newMemoryCgroup makes a cgroup limited to limit bytes of memory and no swap.
func newMemoryCgroup(t *testing.T, parent string, v2 bool, limit int64) *memoryCgroup {
	t.Helper()
	cg := &memoryCgroup{dir: filepath.Join(parent, fmt.Sprintf("lanyard-memstorm-%d-%d", os.Getpid(), time.Now().UnixNano())), v2: v2}
	if err := os.Mkdir(cg.dir, 0o755); err != nil {
		t.Fatalf("create cgroup: %v", err)
	}
	t.Cleanup(func() {
		// Runs after the processes' own cleanups (registered later, run first) killed and reaped them.
		if err := os.Remove(cg.dir); err != nil {
			t.Errorf("remove cgroup %s: %v", cg.dir, err)
		}
	})
	n := []byte(strconv.FormatInt(limit, 10))
	if v2 {
		cg.write(t, "memory.max", n)
		if _, err := os.Stat(filepath.Join(cg.dir, "memory.swap.max")); err == nil {
			cg.write(t, "memory.swap.max", []byte("0"))
		}
	} else {
		cg.write(t, "memory.limit_in_bytes", n)
		// Memory and swap together: with swap on, the same limit leaves none of it.
		if _, err := os.Stat(filepath.Join(cg.dir, "memory.memsw.limit_in_bytes")); err == nil {
			cg.write(t, "memory.memsw.limit_in_bytes", n)
		}
	}
	return cg
}

func (cg *memoryCgroup) write(t *testing.T, file string, value []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(cg.dir, file), value, 0); err != nil {
		t.Fatalf("cgroup %s: %v", file, err)
	}
}

// cgroupStats is what the kernel counted for a cgroup.
type cgroupStats struct {
	peak     uint64 // the most memory charged at once, bytes (page cache included)
	oomKills uint64
}

func (cg *memoryCgroup) stats(t *testing.T) cgroupStats {
	t.Helper()
	read := func(file string) string {
		b, err := os.ReadFile(filepath.Join(cg.dir, file))
		if err != nil {
			t.Fatalf("cgroup %s: %v", file, err)
		}
		return string(b)
	}
	number := func(s string) uint64 {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			t.Fatalf("cgroup: not a number: %q", s)
		}
		return n
	}
	keyed := func(file, key string) uint64 {
		for line := range strings.Lines(read(file)) {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok && k == key {
				return number(v)
			}
		}
		t.Fatalf("cgroup %s has no %s line", file, key)
		return 0
	}
	if cg.v2 {
		return cgroupStats{peak: number(read("memory.peak")), oomKills: keyed("memory.events", "oom_kill")}
	}
	return cgroupStats{peak: number(read("memory.max_usage_in_bytes")), oomKills: keyed("memory.oom_control", "oom_kill")}
}

// procMemory reads a process's resident set (VmRSS) and its high-water mark (VmHWM), in bytes.
func procMemory(pid int) (rss, hwm uint64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(line, ":")
		if k != "VmRSS" && k != "VmHWM" {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %q", k, v)
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm, nil
}

// stormResult is one storm's outcome.
type stormResult struct {
	memLog        map[string]any // the "memory limit" start record, if the binary logs one
	calls, failed int
	firstFailure  error
	failureCodes  map[codes.Code]int
	cgroup        cgroupStats
	rss, hwm      uint64 // of the server after the last round; 0 when it was gone
	survived      bool
	proc          *lanyardProc
}

func (r stormResult) String() string {
	const mib = 1 << 20
	return fmt.Sprintf("%d of %d calls failed %v; cgroup peak %.1f MiB, OOM kills %d; server RSS %.1f MiB, peak RSS %.1f MiB, alive at the end: %v",
		r.failed, r.calls, r.failureCodes, float64(r.cgroup.peak)/mib, r.cgroup.oomKills,
		float64(r.rss)/mib, float64(r.hwm)/mib, r.survived)
}

// runStorm starts bin in a fresh cgroup of stormCgroupLimit bytes, registers stormUsers users at once,
// then logs them all in at once, stormRounds times, and reads what the kernel counted.
func runStorm(t *testing.T, bin, parent string, v2 bool, procs int) stormResult {
	t.Helper()
	cg := newMemoryCgroup(t, parent, v2, stormCgroupLimit)
	args, grpcAddr, _ := serveArgs(t, "--providers", "local-userpass", "--userpass-auto-confirm=true")
	// The shell joins the cgroup, then becomes lanyard: the server does all its work inside.
	cmd := exec.Command("/bin/sh", append([]string{"-c", `echo $$ > "$0" && exec "$@"`, filepath.Join(cg.dir, "cgroup.procs"), bin}, args...)...)
	p := startCommand(t, cmd, t.TempDir(), []string{"GOMAXPROCS=" + strconv.Itoa(procs)}, args)
	p.waitServing(t)
	res := stormResult{proc: p, failureCodes: map[codes.Code]int{}}
	for _, rec := range logRecords(t, p.stderr.String()) {
		if rec["msg"] == "memory limit" {
			res.memLog = rec
		}
	}
	auth := lanyardv1.NewAuthServiceClient(dial(t, grpcAddr))
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		res.failed++
		res.failureCodes[status.Code(err)]++
		if res.firstFailure == nil {
			res.firstFailure = err
		}
	}
	// The deadline is generous: the calls queue for the hash budget on a shared two-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	burst := func(call func(i int) error) {
		var wg sync.WaitGroup
		var calls atomic.Int64
		for i := range stormUsers {
			wg.Go(func() {
				calls.Add(1)
				if err := call(i); err != nil {
					fail(err)
				}
			})
		}
		wg.Wait()
		res.calls += int(calls.Load())
	}
	email := func(i int) string { return fmt.Sprintf("storm-%d@example.com", i) }
	const password = "pw-storm-password"
	burst(func(i int) error {
		_, err := auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: email(i), Password: password})
		return err
	})
	for range stormRounds {
		burst(func(i int) error {
			resp, err := auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
				EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email(i), Password: password}}})
			if err == nil && resp.GetAccessToken() == "" {
				err = errors.New("login answered without an access token")
			}
			return err
		})
	}
	res.cgroup = cg.stats(t)
	// A killed server not yet reaped still has a /proc entry, without memory.
	if !p.exited() {
		var err error
		if res.rss, res.hwm, err = procMemory(p.cmd.Process.Pid); err != nil {
			t.Fatalf("server memory: %v", err)
		}
	}
	res.survived = res.rss > 0 && res.cgroup.oomKills == 0 && !p.exited()
	return res
}

func TestLoginStormInMemoryCgroup(t *testing.T) {
	parent, v2, missing := memoryController()
	if missing != "" {
		msg := "LOGIN STORM IN A MEMORY CGROUP NOT RUN: missing " + missing + ". Run the tests as root on a machine with a writable memory cgroup controller."
		fmt.Fprintf(os.Stderr, "\n%s\n!!! SKIPPED: %s\n%s\n\n", strings.Repeat("!", 100), msg, strings.Repeat("!", 100))
		t.Skip("!!! SKIPPED: " + msg)
	}
	procs := stormProcs
	if v := os.Getenv(envStormProcs); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", envStormProcs, v)
		}
		procs = n
	}
	res := runStorm(t, lanyardBin, parent, v2, procs)
	t.Logf("lanyard under test, cgroup of %d MiB, GOMAXPROCS %d: %s", stormCgroupLimit>>20, procs, res)

	// What it found and set at start.
	if res.memLog == nil {
		t.Fatal(`no "memory limit" record in the start log`)
	}
	num := func(key string) int64 {
		v, ok := res.memLog[key].(float64)
		if !ok {
			t.Fatalf("memory limit record: %s = %v (%T), want a number; record %v", key, res.memLog[key], res.memLog[key], res.memLog)
		}
		return int64(v)
	}
	if src := res.memLog["source"]; src != "cgroup" {
		t.Errorf("memory limit source %v, want cgroup; record %v", src, res.memLog)
	}
	if got := num("container_limit_bytes"); got != stormCgroupLimit {
		t.Errorf("container limit %d found, want the cgroup's %d", got, stormCgroupLimit)
	}
	goLimit := num("go_memory_limit_bytes")
	goShare := float64(stormCgroupLimit - 40<<20) // what the binary's pages and SQLite are left
	if want := int64(goShare * memoryLimitRatio); goLimit != want {
		t.Errorf("Go memory limit %d set, want %d", goLimit, want)
	}
	// Twice the hashes' argon2 memory (live, and garbage until collected) fits in the Go limit, and where
	// 2 per CPU would not fit, there are fewer.
	hashes, perHash := num("concurrent_password_hashes"), int64(2*19<<20)
	if hashes < 1 || hashes > int64(2*procs) || hashes*perHash >= goLimit || (int64(2*procs)*perHash >= goLimit && hashes == int64(2*procs)) {
		t.Errorf("%d password hashes at once under a Go memory limit of %d bytes and GOMAXPROCS %d", hashes, goLimit, procs)
	}

	// Every call answered, nothing killed.
	if res.failed > 0 {
		t.Errorf("%d of %d calls failed (%v); first: %v", res.failed, res.calls, res.failureCodes, res.firstFailure)
	}
	if res.cgroup.oomKills > 0 || !res.survived {
		t.Errorf("the server was OOM-killed (%d kills) or gone (%v)", res.cgroup.oomKills, res.proc.cmd.ProcessState)
	}
	if res.survived {
		res.proc.stop(t)
	}

	if baseline := os.Getenv(envStormBaseline); baseline != "" {
		base := runStorm(t, baseline, parent, v2, procs)
		if base.survived {
			_ = base.proc.cmd.Process.Kill()
		}
		t.Logf("baseline %s, same storm: %s", baseline, base)
	}
}
