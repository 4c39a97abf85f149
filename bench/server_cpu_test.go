// Package bench measures Lanyard as it runs in production: a `lanyard serve` process whose store is in
// another process (FerretDB on PostgreSQL, itself served by a second `lanyard serve` that exposes its
// embedded engine), so that the server's own CPU per operation can be read from the process accounting
// and its store round trips from its metrics. BenchmarkPopulation (population_test.go) measures how the
// cost of a call grows with the number of users the store holds. Run with `make bench`; BENCHMARKS.md
// has the numbers.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/cputime"
	"github.com/lanyardhq/lanyard/store/storetest"
)

func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// proc is a running `lanyard serve`.
type proc struct {
	cmd   *exec.Cmd
	grpc  string
	http  string
	pprof string // where it serves its profiles, if it does
}

func buildLanyard(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "lanyard")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/lanyardhq/lanyard").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func serve(b *testing.B, bin string, args ...string) *proc {
	return serveLogging(b, bin, os.Stderr, nil, args...)
}

// serveLogging is serve with the server's log going to logs, and env added to its environment.
func serveLogging(b *testing.B, bin string, logs io.Writer, env []string, args ...string) *proc {
	p := &proc{grpc: freeAddr(b), http: freeAddr(b)}
	// Not b.TempDir(): a repeated sub-benchmark's name has a '#', and a data dir whose path has one puts
	// every database of the embedded SQLite engine in one file (SQLite ends a file name at '#').
	dataDir, err := os.MkdirTemp("", "lanyard-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dataDir) })
	p.cmd = exec.Command(bin, append([]string{"serve", "--grpc-addr", p.grpc, "--http-addr", p.http, "--data-dir", dataDir, "--log-level", "warn"}, args...)...)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	p.cmd.Stderr = logs
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		_ = p.cmd.Wait()
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get("http://" + p.http + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if f, ok := logs.(*os.File); ok {
		raw, _ := os.ReadFile(f.Name())
		b.Fatalf("lanyard %v did not become healthy; its log ends with:\n%s", args, raw[max(0, len(raw)-4000):])
	}
	b.Fatalf("lanyard %v did not become healthy", args)
	return nil
}

// cpu is the CPU time the process's threads have run so far (user and system), from their schedstat
// in nanoseconds: /proc/<pid>/stat counts 10 ms ticks, too coarse for a fraction of a millisecond per
// call. Go does not end its threads, so none of the time is lost with an exited one.
func (p *proc) cpu(b *testing.B) time.Duration {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", p.cmd.Process.Pid))
	if err != nil || len(tasks) == 0 {
		b.Fatalf("no threads of pid %d: %v", p.cmd.Process.Pid, err)
	}
	var total time.Duration
	for _, f := range tasks {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(raw))[0], 10, 64)
		total += time.Duration(ns)
	}
	return total
}

// storeCommands sums lanyard_store_commands_total except the health pings.
func (p *proc) storeCommands(b *testing.B) float64 {
	var sum float64
	p.scrape(b, func(line string) {
		if !strings.HasPrefix(line, "lanyard_store_commands_total{") || strings.Contains(line, `command="ping"`) ||
			strings.Contains(line, `command="hello"`) || strings.Contains(line, `command="isMaster"`) {
			return
		}
		v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		sum += v
	})
	return sum
}

// allocated is how many bytes the process has allocated on its heap so far.
func (p *proc) allocated(b *testing.B) float64 {
	var v float64
	p.scrape(b, func(line string) {
		if n, ok := strings.CutPrefix(line, "go_memstats_alloc_bytes_total "); ok {
			v, _ = strconv.ParseFloat(n, 64)
		}
	})
	return v
}

// scrape calls f with every line of the process's metrics.
func (p *proc) scrape(b *testing.B, f func(line string)) {
	r, err := http.Get("http://" + p.http + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		f(sc.Text())
	}
}

// concurrencies are the numbers of calls in flight the server is measured at: one at a time, where
// every call pays for waking the process up, and 16, as ghz runs, where a busy server amortizes that.
var concurrencies = []int{1, 16}

// seedUsers is how many users the store holds before the first measurement.
const seedUsers = 2000

// warmUp is how many calls of an operation are made, at the concurrency measured, before each
// measurement.
const warmUp = 200

// pairBlock is how many calls paired measurements make on one server before switching to the other.
const pairBlock = 100

// inParallel makes n calls of op, c at a time. op gets the index of its worker.
func inParallel(b *testing.B, n, c int, op func(worker int) error) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		errs = make(chan error, c)
	)
	for w := range c {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := op(w); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkServerCPU reports, per operation, the measured server's CPU milliseconds and store round
// trips, for the operations of the performance targets, at each of the concurrencies.
func BenchmarkServerCPU(b *testing.B) {
	bin := buildLanyard(b)
	engineAddr := freeAddr(b)
	engine := serve(b, bin, "--embedded-postgres-url", storetest.PostgreSQL(b), "--embedded-addr", engineAddr)
	// The measured servers keep their own collections apart from the store process's. Background work
	// is slowed down so that it does not count against the calls measured. Every custom data size has a
	// server and a database of its own, so that no row is measured against a store the rows before it
	// grew (each refresh adds a rotation record); logins, which add a user each, go to another.
	master := authn.GenerateMasterKey()
	ctx := context.Background()
	anon := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}
	type measured struct {
		*proc
		auth lanyardv1.AuthServiceClient
		meta lanyardv1.MetadataServiceClient
		data lanyardv1.CustomDataServiceClient
	}
	start := func(database string) measured {
		p := serve(b, bin, "--mongodb-uri", "mongodb://"+engineAddr+"/", "--master-key", master, "--public-url", "http://lanyard.bench", "--database", database,
			"--store-ping-interval", "1h", "--revocation-interval", "1h", "--key-reload-interval", "1h", "--custom-data-poll-interval", "1h")
		conn, err := grpc.NewClient(p.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		return measured{p, lanyardv1.NewAuthServiceClient(conn), lanyardv1.NewMetadataServiceClient(conn), lanyardv1.NewCustomDataServiceClient(conn)}
	}
	logins := start("lanyard_bench_logins")
	// Without a document, a refresh on FerretDB asks for one under both forms of the user id: one query
	// more than with one (see "The store" in the README).
	sizes := []int{0, 100, 4096}
	reads := map[int]measured{}
	for _, size := range sizes {
		srv := start(fmt.Sprintf("lanyard_bench_%dB", size))
		// The reads are measured against a store that already holds seedUsers users: FerretDB answers
		// by scanning, so an almost empty store would flatter the numbers.
		inParallel(b, seedUsers, 16, func(int) error { _, err := srv.auth.Login(ctx, anon); return err })
		reads[size] = srv
	}

	// measure makes b.N calls of op on p, c at a time, and reports p's CPU and store commands per call.
	// It first makes warmUp calls it does not count, so that what it reports is the steady state: the
	// first calls at a new concurrency open the store connections and start the goroutines the later
	// ones reuse.
	measure := func(b *testing.B, p *proc, c int, op func(worker int) error) {
		inParallel(b, warmUp, c, op)
		cpu0, cmd0 := p.cpu(b), p.storeCommands(b)
		inParallel(b, b.N, c, op)
		cpu, cmds := p.cpu(b)-cpu0, p.storeCommands(b)-cmd0
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "server-cpu-ms/op")
		b.ReportMetric(cmds/float64(b.N), "store-round-trips/op")
	}
	// users logs in c anonymous users on srv, each with a custom data document of about docSize bytes.
	users := func(b *testing.B, srv measured, c, docSize int) (refresh []string, uctx []context.Context) {
		for range c {
			l, err := srv.auth.Login(ctx, anon)
			if err != nil {
				b.Fatal(err)
			}
			u := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+l.GetAccessToken())
			if docSize > 0 {
				st, _ := structpb.NewStruct(map[string]any{"blob": strings.Repeat("x", max(docSize-60, 1))})
				upd, err := srv.data.UpdateCustomData(u, &lanyardv1.UpdateCustomDataRequest{Set: st})
				if err != nil {
					b.Fatal(err)
				}
				// The login's token was minted before the document existed: the calls measured carry the
				// one that holds it, as a client's do after it writes its data.
				u = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+upd.GetAccessToken())
			}
			refresh, uctx = append(refresh, l.GetRefreshToken()), append(uctx, u)
		}
		return refresh, uctx
	}

	// The calls measured per user: uctx and rts hold one user's context and latest refresh token per
	// worker.
	whoAmI := func(srv measured, uctx []context.Context) func(int) error {
		return func(w int) error { _, err := srv.auth.WhoAmI(uctx[w], &lanyardv1.WhoAmIRequest{}); return err }
	}
	getProfile := func(srv measured, uctx []context.Context) func(int) error {
		return func(w int) error { _, err := srv.meta.GetProfile(uctx[w], &lanyardv1.GetProfileRequest{}); return err }
	}
	refresh := func(srv measured, rts []string) func(int) error {
		return func(w int) error {
			r, err := srv.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: rts[w]})
			if err == nil {
				rts[w] = r.GetRefreshToken()
			}
			return err
		}
	}

	// paired measures the same operation on two servers in alternating blocks of calls, so that both
	// rows of a ratio see the same machine: on these shared machines a row measured minutes after
	// another can be 10-20 % off by itself. The server not being called meanwhile does nothing that
	// counts (its background work is slowed down).
	// It also returns the bytes each server allocated per call: what the garbage collector has to
	// collect, and so how often it runs.
	type pair struct{ xms, yms, xkb, ykb float64 }
	paired := func(b *testing.B, c int, x, y *proc, opX, opY func(worker int) error) pair {
		inParallel(b, warmUp, c, opX)
		inParallel(b, warmUp, c, opY)
		x0, y0 := x.cpu(b), y.cpu(b)
		xa, ya := x.allocated(b), y.allocated(b)
		for done := 0; done < b.N; done += pairBlock {
			n := min(pairBlock, b.N-done)
			inParallel(b, n, c, opX)
			inParallel(b, n, c, opY)
		}
		xcpu, ycpu := x.cpu(b)-x0, y.cpu(b)-y0
		n := float64(b.N)
		return pair{float64(xcpu.Microseconds()) / 1000 / n, float64(ycpu.Microseconds()) / 1000 / n,
			(x.allocated(b) - xa) / 1024 / n, (y.allocated(b) - ya) / 1024 / n}
	}

	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			b.Run("GetJwks", func(b *testing.B) {
				srv := reads[100]
				measure(b, srv.proc, c, func(int) error { _, err := srv.auth.GetJwks(ctx, &lanyardv1.GetJwksRequest{}); return err })
			})
			b.Run("Login_anonymous", func(b *testing.B) {
				measure(b, logins.proc, c, func(int) error { _, err := logins.auth.Login(ctx, anon); return err })
			})
			for _, size := range sizes {
				srv := reads[size]
				b.Run(fmt.Sprintf("custom_data_%dB", size), func(b *testing.B) {
					rts, uctx := users(b, srv, c, size)
					b.Run("WhoAmI", func(b *testing.B) { measure(b, srv.proc, c, whoAmI(srv, uctx)) })
					b.Run("GetProfile", func(b *testing.B) { measure(b, srv.proc, c, getProfile(srv, uctx)) })
					b.Run("RefreshSession", func(b *testing.B) { measure(b, srv.proc, c, refresh(srv, rts)) })
				})
			}
		})
	}

	// What a 4 KB document costs, against a 100 B one, measured in pairs.
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("c=%d/4096B_vs_100B", c), func(b *testing.B) {
			small, big := reads[100], reads[4096]
			srts, suctx := users(b, small, c, 100)
			brts, buctx := users(b, big, c, 4096)
			report := func(b *testing.B, p pair) {
				b.ReportMetric(p.xms, "100B-cpu-ms/op")
				b.ReportMetric(p.yms, "4096B-cpu-ms/op")
				b.ReportMetric(p.yms/p.xms, "4096B/100B")
				b.ReportMetric(p.xkb, "100B-alloc-KiB/op")
				b.ReportMetric(p.ykb, "4096B-alloc-KiB/op")
			}
			b.Run("WhoAmI", func(b *testing.B) {
				report(b, paired(b, c, small.proc, big.proc, whoAmI(small, suctx), whoAmI(big, buctx)))
			})
			b.Run("RefreshSession", func(b *testing.B) {
				report(b, paired(b, c, small.proc, big.proc, refresh(small, srts), refresh(big, brts)))
			})
		})
	}

	// The floor under every store round trip: the CPU the MongoDB driver itself spends on one findOne
	// by _id against the same store process, measured in this process, which does nothing else.
	coll, dialer := driverCollection(b, engineAddr)
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("c=%d/driver_findOne", c), func(b *testing.B) {
			id := bson.NewObjectID()
			if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v", Value: "x"}}); err != nil {
				b.Fatal(err)
			}
			find := func(int) error {
				var out bson.M
				return coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&out)
			}
			cpu0 := cputime.Process()
			inParallel(b, b.N, c, find)
			b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "client-cpu-ms/op")
		})
	}

	// What a 4 KB document costs the store itself, against a 100 B one, in pairs of blocks: the store
	// process's CPU per find, and the reads the driver needs per reply (FerretDB writes its replies
	// through a 4,096-byte buffer, so a larger one can arrive in two pieces, each a wake-up).
	b.Run("c=16/driver_find_4096B_vs_100B", func(b *testing.B) {
		find := func(size int) func(int) error {
			if _, err := coll.InsertOne(ctx, bson.D{{Key: "size", Value: size}, {Key: "blob", Value: strings.Repeat("x", size-60)}}); err != nil {
				b.Fatal(err)
			}
			return func(int) error { return coll.FindOne(ctx, bson.D{{Key: "size", Value: size}}).Err() }
		}
		small, big := find(100), find(4096)
		var cpu [2]time.Duration
		var calls [2]int64
		for done := 0; done < b.N; done += pairBlock {
			for i, op := range []func(int) error{small, big} {
				cpu0, calls0 := engine.cpu(b), dialer.calls.Load()
				inParallel(b, min(pairBlock, b.N-done), 16, op)
				cpu[i] += engine.cpu(b) - cpu0
				calls[i] += dialer.calls.Load() - calls0
			}
		}
		n := float64(b.N)
		b.ReportMetric(float64(cpu[0].Microseconds())/1000/n, "100B-store-cpu-ms/op")
		b.ReportMetric(float64(cpu[1].Microseconds())/1000/n, "4096B-store-cpu-ms/op")
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "4096B/100B")
		b.ReportMetric(float64(calls[0])/n, "100B-reads/op")
		b.ReportMetric(float64(calls[1])/n, "4096B-reads/op")
	})
}

// driverCollection is a collection of the store at addr, reached by a driver whose reads of the network
// are counted.
func driverCollection(b *testing.B, addr string) (*mongo.Collection, *countingDialer) {
	d := &countingDialer{}
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + addr + "/").SetDialer(d))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database("lanyard_bench_driver").Collection("docs"), d
}

// countingDialer counts the reads of the connections it dials.
type countingDialer struct {
	net.Dialer
	calls atomic.Int64
}

func (d *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.Dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return countedConn{c, &d.calls}, nil
}

type countedConn struct {
	net.Conn
	calls *atomic.Int64
}

func (c countedConn) Read(p []byte) (int, error) {
	c.calls.Add(1)
	return c.Conn.Read(p)
}
