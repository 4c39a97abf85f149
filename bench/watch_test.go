package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// Watchers as an operator meets them: watchUsers anonymous users, each watching its own custom data with
// its own token, over watchConns client connections, against a `lanyard serve` with its default settings
// on its default engine (the embedded FerretDB on SQLite, in the server's process).
const (
	watchUsers  = 10_000
	watchConns  = 8
	loginWorker = 8
)

// settle is how long the streams idle before the second measurement.
const settle = 20 * time.Second

// envWatchBaseline names a git revision (a commit, a branch) to measure beside the working tree, in
// alternation, so that a before/after pair sees the same machine.
const envWatchBaseline = "LANYARD_BENCH_WATCH_BASELINE"

// envWatchEnv is added to the environment of the servers measured (space-separated NAME=value pairs, as
// GOGC=100): the measurement is of the default settings without it.
const envWatchEnv = "LANYARD_BENCH_WATCH_ENV"

// envWatchProfiles names a directory where the working tree's server leaves, once every stream has
// answered and idled for settle, its heap profile and its goroutines' stacks (through LANYARD_PPROF_ADDR),
// and its log so far.
const envWatchProfiles = "LANYARD_BENCH_WATCH_PROFILES"

// envWatchRounds is how many times each server is measured (3 unless set): with a baseline, the two
// alternate, round after round. (-count would measure one of them that many times, then the other.)
const envWatchRounds = "LANYARD_BENCH_WATCH_ROUNDS"

// BenchmarkWatchStreams opens one WatchCustomData stream per user, one after another without waiting
// for any answer, waits for every stream's first message (or error), and reports the server process's
// memory as the system sees it (VmRSS then and settle later, and VmHWM, its peak until then, from
// /proc), its goroutines and Go memory (from /metrics), how many streams failed (by code: a code's count
// is reported only when non-zero), and the load average. The memory is the whole server process, so it
// includes the embedded engine. b.N is not used: run it with -benchtime 1x -count 1.
func BenchmarkWatchStreams(b *testing.B) {
	bins := map[string]string{"worktree": buildLanyard(b)}
	names := []string{"worktree"}
	if rev := os.Getenv(envWatchBaseline); rev != "" {
		bins["baseline"] = buildRevision(b, rev)
		names = []string{"baseline", "worktree"}
		b.Logf("baseline is %s", rev)
	}
	rounds := 3
	if v := os.Getenv(envWatchRounds); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q is not a positive number", envWatchRounds, v)
		}
		rounds = n
	}
	for range rounds {
		for _, name := range names {
			// Sub-benchmarks of the same name are numbered (worktree#01, …); bench/medians.py puts them
			// together.
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					profiles := ""
					if name == "worktree" {
						profiles = os.Getenv(envWatchProfiles)
					}
					watchOnce(b, bins[name], profiles)
				}
			})
		}
	}
}

// buildRevision builds `lanyard` as it was at rev, from a copy of that revision's tree.
func buildRevision(b *testing.B, rev string) string {
	src := b.TempDir()
	tarball := filepath.Join(b.TempDir(), "src.tar")
	archive := exec.Command("git", "archive", "--format=tar", "-o", tarball, rev)
	archive.Dir = ".."
	if out, err := archive.CombinedOutput(); err != nil {
		b.Fatalf("git archive %s: %v\n%s", rev, err, out)
	}
	if out, err := exec.Command("tar", "-x", "-f", tarball, "-C", src).CombinedOutput(); err != nil {
		b.Fatalf("tar: %v\n%s", err, out)
	}
	bin := filepath.Join(b.TempDir(), "lanyard")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build of %s: %v\n%s", rev, err, out)
	}
	return bin
}

func watchOnce(b *testing.B, bin, profiles string) {
	logPath := filepath.Join(b.TempDir(), "server.log")
	logs, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	defer logs.Close()
	var args []string
	pprofAddr := ""
	if profiles != "" {
		pprofAddr = freeAddr(b)
		args = append(args, "--pprof-addr", pprofAddr)
	}
	env := strings.Fields(os.Getenv(envWatchEnv))
	if len(env) > 0 {
		b.Logf("server environment: %v", env)
	}
	srv := serveLogging(b, bin, logs, env, args...)
	ctx := context.Background()
	conns := make([]*grpc.ClientConn, watchConns)
	for i := range conns {
		conn, err := grpc.NewClient(srv.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		conns[i] = conn
	}

	tokens := make([]string, watchUsers)
	var mu sync.Mutex
	next := 0
	anon := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}
	inParallel(b, watchUsers, loginWorker, func(w int) error {
		l, err := lanyardv1.NewAuthServiceClient(conns[w%watchConns]).Login(ctx, anon)
		if err != nil {
			return err
		}
		mu.Lock()
		tokens[next] = l.GetAccessToken()
		next++
		mu.Unlock()
		return nil
	})
	before := procStatus(b, srv)

	// Streams are opened from one goroutine, as fast as grpc-go sends them; each gets a goroutine of
	// this process that waits for its first message, so that the server sees them all at once.
	watchCtx, stop := context.WithCancel(ctx)
	defer stop()
	load0 := loadAverage(b)
	start := time.Now()
	results := make(chan error, watchUsers)
	for i, token := range tokens {
		client := lanyardv1.NewCustomDataServiceClient(conns[i%watchConns])
		sctx := metadata.AppendToOutgoingContext(watchCtx, "authorization", "Bearer "+token)
		st, err := client.WatchCustomData(sctx, &lanyardv1.WatchCustomDataRequest{})
		if err != nil {
			results <- err
			continue
		}
		go func() {
			_, err := st.Recv()
			results <- err
		}()
	}
	opened := time.Since(start)
	failures := map[string]int{}
	examples := map[string]string{}
	limit := time.After(15 * time.Minute)
	for range tokens {
		select {
		case err := <-results:
			if err != nil {
				st := status.Convert(err)
				failures[st.Code().String()]++
				examples[st.Code().String()+": "+requestIDs.ReplaceAllString(st.Message(), "request id …")] = ""
			}
		case <-limit:
			b.Fatalf("not every stream answered within 15 minutes")
		}
	}
	answered := time.Since(start)
	after := procStatus(b, srv)
	load1 := loadAverage(b)
	// Then the streams idle for a while (the poller still runs, every 2 s by default): what they hold once
	// every first read and the poller's first pass are over.
	time.Sleep(settle)
	settled := procStatus(b, srv)
	if profiles != "" {
		saveProfiles(b, pprofAddr, profiles)
		if raw, err := os.ReadFile(logPath); err == nil {
			_ = os.WriteFile(filepath.Join(profiles, "server.log"), raw, 0o644)
		}
	}

	failed := 0
	for _, n := range failures {
		failed += n
	}
	var messages []string
	for m := range examples {
		messages = append(messages, m)
	}
	sort.Strings(messages)
	b.Logf("%d streams opened in %s, all answered in %s; %d failed %v; load average %.2f before, %.2f after",
		watchUsers, opened.Round(time.Millisecond), answered.Round(time.Millisecond), failed, failures, load0, load1)
	for _, m := range messages {
		b.Logf("failure: %s", m)
	}
	logSummary(b, logPath)
	var gauges []string
	for name, v := range after.runtime {
		gauges = append(gauges, fmt.Sprintf("%s %.1f", name, v/(1<<20)))
	}
	sort.Strings(gauges)
	b.Logf("Go runtime (MiB): %s", strings.Join(gauges, ", "))
	b.Logf("before the streams: RSS %.0f MiB, goroutines %.0f; with them: RSS %.0f MiB (peak so far %.0f MiB), held by Go %.0f MiB, of which heap in use %.0f MiB and stacks %.0f MiB; goroutines %.0f; %s later: RSS %.0f MiB (peak %.0f MiB), heap in use %.0f MiB",
		before.rss, before.goroutines, after.rss, after.hwm, after.goHeld, after.heapInuse, after.stackInuse, after.goroutines, settle, settled.rss, settled.hwm, settled.heapInuse)

	b.ReportMetric(after.rss, "rss-MiB")
	b.ReportMetric(settled.hwm, "peak-rss-MiB")
	b.ReportMetric(after.rss-before.rss, "rss-added-MiB")
	b.ReportMetric(settled.rss, "rss-settled-MiB")
	b.ReportMetric(after.goHeld, "go-held-MiB")
	b.ReportMetric(after.heapInuse, "heap-inuse-MiB")
	b.ReportMetric(after.stackInuse, "stack-inuse-MiB")
	b.ReportMetric(after.goroutines, "goroutines")
	b.ReportMetric(answered.Seconds(), "s-to-all-first-messages")
	b.ReportMetric(float64(failed), "failed-streams")
	for code, n := range failures {
		b.ReportMetric(float64(n), code+"-streams")
	}
	b.ReportMetric(load1, "loadavg-1m")
}

// saveProfiles saves the server's heap profile (after a collection) and its goroutines' stacks in dir.
func saveProfiles(b *testing.B, addr, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for file, path := range map[string]string{"heap.pprof": "heap?gc=1", "goroutines.txt": "goroutine?debug=1", "allocs.pprof": "allocs"} {
		r, err := http.Get("http://" + addr + "/debug/pprof/" + path)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), raw, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("profiles saved in %s", dir)
}

var requestIDs = regexp.MustCompile(`request id [A-Z0-9]+`)

// logSummary logs how often each warning or error the server logged occurred, by message and error text
// (ids left out, so that lines that differ only by them count together).
func logSummary(b *testing.B, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	counts := map[string]int{}
	for _, line := range strings.Split(string(raw), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil {
			continue
		}
		key := fmt.Sprint(entry["level"], " ", entry["msg"], " ", entry["grpc.code"], " ", entry["grpc.error"], " ", entry["error"])
		counts[hexIDs.ReplaceAllString(requestIDs.ReplaceAllString(key, "request id …"), "…")]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
	for _, k := range keys[:min(len(keys), 12)] {
		b.Logf("server log, %d×: %s", counts[k], k)
	}
}

var hexIDs = regexp.MustCompile(`[0-9a-f]{24}|[0-9]+(\.[0-9]+)?(ms|s|µs)\b`)

// memory is what the system and the Go runtime say about a server process.
type memory struct {
	rss, hwm              float64 // MiB, from /proc/<pid>/status
	heapInuse, stackInuse float64 // MiB, from /metrics
	// goHeld is what the Go runtime holds of the system's memory and has not handed back (MiB): the rest
	// of the RSS is the embedded engine's SQLite, whose allocator is not Go's.
	goHeld     float64
	goroutines float64
	// runtime is every go_memstats gauge in bytes, for the log.
	runtime map[string]float64
}

func procStatus(b *testing.B, p *proc) memory {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	m := memory{runtime: map[string]float64{}}
	for _, line := range strings.Split(string(raw), "\n") {
		field, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		switch field {
		case "VmRSS":
			m.rss = kb / 1024
		case "VmHWM":
			m.hwm = kb / 1024
		}
	}
	p.scrape(b, func(line string) {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			return
		}
		v, _ := strconv.ParseFloat(value, 64)
		if gauge, ok := strings.CutPrefix(name, "go_memstats_"); ok && strings.HasSuffix(gauge, "_bytes") {
			m.runtime[strings.TrimSuffix(gauge, "_bytes")] = v
		}
		switch name {
		case "go_goroutines":
			m.goroutines = v
		case "go_memstats_heap_inuse_bytes":
			m.heapInuse = v / (1 << 20)
		case "go_memstats_stack_inuse_bytes":
			m.stackInuse = v / (1 << 20)
		case "go_memstats_sys_bytes":
			m.goHeld += v / (1 << 20)
		case "go_memstats_heap_released_bytes":
			m.goHeld -= v / (1 << 20)
		}
	})
	return m
}
