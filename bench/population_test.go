//go:build linux

package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// populations are the numbers of users the store holds when a measurement starts; the benchmark's
// name selects among them (`make bench` runs the first two, `make bench-population-100k` the last).
var populations = []int{1_000, 10_000, 100_000}

// popConcurrency is how many calls are in flight, each worker with a user and a session of its own.
const popConcurrency = 8

// popRounds is how many times every operation is measured, the operations taking turns, so that a
// change of the machine's load over the minutes of a run reaches all of them alike; the median is
// reported.
const popRounds = 3

// EnvOpBudget bounds the wall time of one measurement of one operation (a Go duration, 4s by
// default): the number of calls measured is what the warm-up says fits in it.
const EnvOpBudget = "LANYARD_BENCH_OP_BUDGET"

// Bounds of the number of calls of one measurement: enough for every worker to make one, few enough
// that an operation answered from an index does not stretch the run.
const (
	minCalls = popConcurrency
	maxCalls = 2000
)

// callLimit is a guard, not a measure: a call still unanswered after it means the store does not
// answer, and the benchmark says so rather than hanging.
const callLimit = 30 * time.Minute

// popOp is one operation measured: call makes one call as a worker.
type popOp struct {
	name  string
	call  func(ctx context.Context, worker int) error
	grows bool // every call adds a user
}

// maxGrowth is the share of the population that the calls adding users may add, warm-up included, so
// that the operations measured after them meet about the population named.
const maxGrowth = 0.05

// popSample is one measurement of one operation, per call.
type popSample struct {
	calls                    int
	wall, latency            time.Duration
	lanyardCPU, pgCPU, dbCPU time.Duration
	roundTrips, load         float64
}

// BenchmarkPopulation measures what the operations of a running `lanyard serve` cost as the number of
// users grows: for each engine and population, a store is filled with that many users, the server
// started on it, and each operation measured in turns. The CPU is the lanyard process's (which runs the
// FerretDB engine on both engines) and, on PostgreSQL, PostgreSQL's. Run with -benchtime 1x: each leaf
// only reports what its population measured. bench/population.py prints the tables.
func BenchmarkPopulation(b *testing.B) {
	bin := buildLanyard(b)
	for _, engine := range []string{"sqlite", "postgresql"} {
		b.Run(engine, func(b *testing.B) {
			if engine == "postgresql" {
				if err := postgresReachable(b.Context()); err != nil {
					if os.Getenv(storetest.EnvRequirePostgreSQL) == "1" {
						b.Fatalf("population benchmark: FerretDB-PostgreSQL is required (%s=1): %v", storetest.EnvRequirePostgreSQL, err)
					}
					msg := fmt.Sprintf("population benchmark: SKIPPING FerretDB-PostgreSQL: %v", err)
					fmt.Fprintln(os.Stderr, msg)
					b.Skip(msg)
				}
			}
			for _, users := range populations {
				b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) {
					for _, m := range measurePopulation(b, bin, engine, users) {
						b.Run(m.op, func(b *testing.B) { reportSamples(b, engine, m) })
					}
				})
			}
		})
	}
}

// measured is what the rounds measured of one operation, and how a profile taken after them split its
// CPU.
type measured struct {
	op      string
	samples []popSample
	shares  cpuShares
}

// measurePopulation fills a store with users, serves it, and measures every operation popRounds times.
func measurePopulation(b *testing.B, bin, engine string, users int) []measured {
	var pop populated
	if engine == "sqlite" {
		pop = populateSQLite(b, users)
	} else {
		pop = populatePostgreSQL(b, users)
	}
	what := fmt.Sprintf("%s with %d users", engine, users)
	p := servePopulated(b, bin, what, pop.args)
	conn, err := grpc.NewClient(p.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	auth, meta, data := lanyardv1.NewAuthServiceClient(conn), lanyardv1.NewMetadataServiceClient(conn), lanyardv1.NewCustomDataServiceClient(conn)

	anon := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}
	password := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
		EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: benchEmail, Password: benchPassword}}}

	// The workers' users, each with a session and a custom data document of about 100 bytes, like the
	// population's.
	access := make([]string, popConcurrency)
	refresh := make([]string, popConcurrency)
	for w := range popConcurrency {
		ctx, cancel := context.WithTimeout(context.Background(), callLimit)
		l, err := auth.Login(ctx, anon)
		if err == nil {
			access[w], refresh[w] = l.GetAccessToken(), l.GetRefreshToken()
			st, _ := structpb.NewStruct(map[string]any{"blob": docBlob})
			_, err = data.UpdateCustomData(bearer(ctx, access[w]), &lanyardv1.UpdateCustomDataRequest{Set: st})
		}
		cancel()
		if err != nil {
			b.Fatalf("the server on the store %s does not answer: %v", what, err)
		}
	}
	ops := []popOp{
		{"Login_anonymous", func(ctx context.Context, _ int) error { _, err := auth.Login(ctx, anon); return err }, true},
		{"Login_email_password", func(ctx context.Context, _ int) error { _, err := auth.Login(ctx, password); return err }, false},
		{"RefreshSession", func(ctx context.Context, w int) error {
			// As clients do: the successor replaces the token used, and the new access token the old one.
			r, err := auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: refresh[w]})
			if err == nil {
				refresh[w], access[w] = r.GetRefreshToken(), r.GetAccessToken()
			}
			return err
		}, false},
		{"GetProfile", func(ctx context.Context, w int) error {
			_, err := meta.GetProfile(bearer(ctx, access[w]), &lanyardv1.GetProfileRequest{})
			return err
		}, false},
		{"GetCustomData", func(ctx context.Context, w int) error {
			r, err := data.GetCustomData(bearer(ctx, access[w]), &lanyardv1.GetCustomDataRequest{})
			if err == nil && r.GetData() == nil {
				return errors.New("GetCustomData: the worker's document is missing")
			}
			return err
		}, false},
	}

	budget := opBudget(b)
	calls := map[string]int{}
	for _, op := range ops {
		// The first calls open the store connections and grow the stacks the later ones reuse; the
		// next ones say how many calls fit in the budget.
		runCalls(b, what, popConcurrency, op)
		start := time.Now()
		runCalls(b, what, minCalls, op)
		perCall := time.Since(start) / minCalls
		n := min(int(budget/max(perCall, time.Microsecond)), maxCalls)
		if op.grows {
			n = min(n, (int(maxGrowth*float64(users))-2*popConcurrency)/popRounds)
		}
		calls[op.name] = max(n-n%popConcurrency, minCalls)
	}
	results := make([]measured, len(ops))
	for round := range popRounds {
		for i, op := range ops {
			s := measureCalls(b, p, what, pop.database, calls[op.name], op)
			fmt.Fprintf(os.Stderr, "%s, round %d, %s: %d calls, %.2f ms wall, %.3f ms lanyard CPU, %.3f ms PostgreSQL CPU per call\n",
				what, round+1, op.name, s.calls, ms(s.wall), ms(s.lanyardCPU), ms(s.pgCPU))
			results[i].op = op.name
			results[i].samples = append(results[i].samples, s)
		}
	}
	// Profiled after the rounds, the operations adding users last, each allowed as many users again as
	// its rounds added: the profile needs a few hundred samples, and the rounds are measured by then.
	order := slices.Clone(ops)
	slices.SortStableFunc(order, func(a, b popOp) int {
		if a.grows == b.grows {
			return 0
		}
		if a.grows {
			return 1
		}
		return -1
	})
	for _, op := range order {
		i := slices.IndexFunc(ops, func(o popOp) bool { return o.name == op.name })
		limit := math.MaxInt // the window ends the others
		if op.grows {
			limit = int(maxGrowth * float64(users))
		}
		results[i].shares = profileShares(b, p.pprof, what, op, limit)
		sh := results[i].shares
		fmt.Fprintf(os.Stderr, "%s, %s profiled: %d samples, %.0f%% engine, %.0f%% Go runtime, %.0f%% Lanyard\n", what, op.name,
			sh.samples, 100*sh.engine, 100*sh.runtime, 100*sh.lanyard)
	}
	return results
}

func bearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

func opBudget(b *testing.B) time.Duration {
	v := os.Getenv(EnvOpBudget)
	if v == "" {
		return 4 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		b.Fatalf("%s=%q: want a positive duration such as 4s", EnvOpBudget, v)
	}
	return d
}

// runCalls makes n calls of op, popConcurrency at a time, and returns their summed latency.
func runCalls(b *testing.B, what string, n int, op popOp) time.Duration {
	var latency atomic.Int64
	inParallel(b, n, popConcurrency, func(w int) error {
		ctx, cancel := context.WithTimeout(context.Background(), callLimit)
		defer cancel()
		start := time.Now()
		err := op.call(ctx, w)
		latency.Add(int64(time.Since(start)))
		if err != nil {
			return fmt.Errorf("%s on the store %s: %w", op.name, what, err)
		}
		return nil
	})
	return time.Duration(latency.Load())
}

// measureCalls makes n calls of op and returns their cost per call.
func measureCalls(b *testing.B, p *proc, what, database string, n int, op popOp) popSample {
	load := loadAverage(b)
	cpu0, cmd0 := p.cpu(b), p.storeCommands(b)
	pg0 := readPostgresCPU(database)
	start := time.Now()
	latency := runCalls(b, what, n, op)
	wall := time.Since(start)
	pg, db := readPostgresCPU(database).since(pg0)
	cpu1, cmd1 := p.cpu(b), p.storeCommands(b)
	per := func(d time.Duration) time.Duration { return d / time.Duration(n) }
	return popSample{calls: n, wall: per(wall), latency: per(latency), lanyardCPU: per(cpu1 - cpu0),
		pgCPU: per(pg), dbCPU: per(db), roundTrips: (cmd1 - cmd0) / float64(n), load: load}
}

// reportSamples reports the medians over the rounds.
func reportSamples(b *testing.B, engine string, m measured) {
	samples := m.samples
	if len(samples) != popRounds {
		b.Fatalf("%d rounds measured, want %d", len(samples), popRounds)
	}
	med := func(f func(popSample) float64) float64 {
		v := make([]float64, len(samples))
		for i, s := range samples {
			v[i] = f(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	lanyard := med(func(s popSample) float64 { return ms(s.lanyardCPU) })
	pg := med(func(s popSample) float64 { return ms(s.pgCPU) })
	// On SQLite PostgreSQL has no part in a call: what its processes spend then is other work.
	total := med(func(s popSample) float64 { return ms(s.lanyardCPU) })
	if engine == "postgresql" {
		total = med(func(s popSample) float64 { return ms(s.lanyardCPU + s.pgCPU) })
	}
	b.ReportMetric(float64(samples[0].calls), "calls/round")
	b.ReportMetric(med(func(s popSample) float64 { return ms(s.wall) }), "wall-ms/op")
	b.ReportMetric(med(func(s popSample) float64 { return ms(s.latency) }), "latency-ms/op")
	b.ReportMetric(lanyard, "lanyard-cpu-ms/op")
	b.ReportMetric(pg, "pg-cpu-ms/op")
	b.ReportMetric(med(func(s popSample) float64 { return ms(s.dbCPU) }), "pg-db-cpu-ms/op")
	b.ReportMetric(total, "total-cpu-ms/op")
	// The lanyard process's CPU split as its profile split it: FerretDB runs inside it on both engines.
	b.ReportMetric(m.shares.engine*lanyard, "ferretdb-cpu-ms/op")
	b.ReportMetric(m.shares.runtime*lanyard, "goruntime-cpu-ms/op")
	b.ReportMetric(m.shares.lanyard*lanyard, "own-cpu-ms/op")
	b.ReportMetric(float64(m.shares.samples), "profile-samples")
	b.ReportMetric(med(func(s popSample) float64 { return s.roundTrips }), "round-trips/op")
	b.ReportMetric(med(func(s popSample) float64 { return s.load }), "load")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// servePopulated starts `lanyard serve` on a populated store and waits until it answers. A populated
// store takes longer to open than an empty one, so the wait is long, but a server that exits fails at
// once, with what it printed.
func servePopulated(b *testing.B, bin, what string, storeArgs []string) *proc {
	p := &proc{grpc: freeAddr(b), http: freeAddr(b), pprof: freeAddr(b)}
	args := []string{"serve", "--grpc-addr", p.grpc, "--http-addr", p.http, "--pprof-addr", p.pprof, "--log-level", "warn",
		"--master-key", authn.GenerateMasterKey(), "--public-url", "http://lanyard.bench",
		// Background work is slowed down so that it does not count against the calls.
		"--store-ping-interval", "1h", "--revocation-interval", "1h", "--key-reload-interval", "1h", "--custom-data-poll-interval", "1h"}
	if !slices.Contains(storeArgs, "--data-dir") {
		args = append(args, "--data-dir", b.TempDir())
	}
	p.cmd = exec.Command(bin, append(args, storeArgs...)...)
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	logPath := filepath.Join(b.TempDir(), "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close()
	p.cmd.Stderr = logFile
	// The server must not outlive the benchmark, however the benchmark ends (a test timeout too).
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(exited) }()
	b.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(time.Minute):
			_ = p.cmd.Process.Kill()
			<-exited
		}
	})
	failed := func(format string, args ...any) {
		log, _ := os.ReadFile(logPath)
		b.Fatalf("lanyard on the store %s: %s\nits output:\n%s", what, fmt.Sprintf(format, args...), log)
	}
	healthy := make(chan struct{})
	go func() {
		defer close(healthy)
		for {
			select {
			case <-exited:
				return
			default:
			}
			if r, err := http.Get("http://" + p.http + "/readyz"); err == nil {
				r.Body.Close()
				if r.StatusCode == http.StatusOK {
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	select {
	case <-healthy:
	case <-time.After(5 * time.Minute):
		failed("not healthy after 5 minutes")
	}
	select {
	case <-exited:
		failed("exited before it answered (%v)", p.cmd.ProcessState)
	default:
	}
	return p
}

// loadAverage is the machine's load average over the last minute.
func loadAverage(b *testing.B) float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		b.Fatal(err)
	}
	v, err := strconv.ParseFloat(strings.Fields(string(raw))[0], 64)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// pgProcs is the CPU time so far, in nanoseconds, of every process whose name starts with "postgres"
// (the server, its helpers, every backend), by pid, and whether the process serves database. It is read
// from schedstat, as the server's: /proc/<pid>/stat counts 10 ms ticks, and a few of them per backend
// would be most of what a thousand fast calls cost.
type pgProcs map[int]pgProc

type pgProc struct {
	ns int64
	db bool // serves the benchmark's database
}

func readPostgresCPU(database string) pgProcs {
	procs := pgProcs{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended
		}
		s := string(raw)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || !strings.HasPrefix(s[open+1:end], "postgres") {
			continue
		}
		dir := filepath.Dir(f)
		pid, _ := strconv.Atoi(filepath.Base(dir))
		sched, err := os.ReadFile(filepath.Join(dir, "schedstat"))
		if err != nil {
			continue
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(sched))[0], 10, 64)
		// A backend's command line is "postgres: <cluster>: <user> <database> <client> <state>".
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		db := database != "" && slices.Contains(strings.Fields(strings.ReplaceAll(string(cmdline), "\x00", " ")), database)
		procs[pid] = pgProc{ns, db}
	}
	return procs
}

// since is the CPU the processes spent after before was read: all of them, and those serving the
// database. A process that started since counts from zero; one that ended took its time with it.
func (after pgProcs) since(before pgProcs) (all, db time.Duration) {
	for pid, a := range after {
		d := time.Duration(a.ns - before[pid].ns)
		if d < 0 {
			d = time.Duration(a.ns) // a new process under an old pid
		}
		all += d
		if a.db {
			db += d
		}
	}
	return all, db
}
