package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/structpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// whoAmIRounds is how many times each kind of token is measured, in alternation with the others, so
// that every kind sees the same minutes of a shared machine (LANYARD_BENCH_ROUNDS sets another).
const whoAmIRounds = 3

// whoAmIWorkers is the concurrency measured: ghz's default, and that of the other rows.
const whoAmIWorkers = 16

// whoAmIKind is one kind of user: the document its tokens carry.
type whoAmIKind struct {
	name string
	doc  string // JSON object; empty: the user has no document
}

// whoAmIKinds are a user without a document, one with about 100 bytes of custom data and two with about
// 4 KB: one shaped like an application's (nested objects, arrays, numbers, short strings), since
// rendering a document costs per member more than per byte, and one of a single long string, as
// BenchmarkServerCPU's documents are.
func whoAmIKinds() []whoAmIKind {
	return []whoAmIKind{
		{name: "none"},
		{name: "100B", doc: `{"plan":"pro","seats":3,"theme":"dark","locale":"en-GB","beta":true,"tags":["a","b"]}`},
		{name: "4096B", doc: appDocument(4096)},
		{name: "4096B_one_string", doc: `{"blob":"` + strings.Repeat("x", 4080) + `"}`},
	}
}

// appDocument is a JSON object of about size bytes: a few settings and a list of items.
func appDocument(size int) string {
	items := []string{}
	doc := func() string {
		return `{"plan":"team","seats":12,"theme":"dark","locale":"en-GB","items":[` + strings.Join(items, ",") + `]}`
	}
	for i := 0; len(doc()) < size-100; i++ {
		items = append(items, fmt.Sprintf(`{"sku":"SKU-%05d","name":"item number %d","qty":%d,"price":%d.5,"tags":["red","large"],"gift":%t}`, i, i, i%7, 10+i, i%2 == 0))
	}
	return doc()
}

// whoAmIServer is one measured `lanyard serve` and, per kind of user, the workers' calls, each with
// its own token.
type whoAmIServer struct {
	name  string
	p     *proc
	calls map[string][]func() error
	token map[string]int // bytes of a token of each kind
}

// startWhoAmIServer runs bin on the embedded engine.
func startWhoAmIServer(b *testing.B, name, bin string) *whoAmIServer {
	// The database name lets bench/profile.sh find the process.
	p := serve(b, bin, "--database", "lanyard_bench_whoami", "--store-ping-interval", "1h", "--revocation-interval", "1h",
		"--key-reload-interval", "1h", "--custom-data-poll-interval", "1h")
	return &whoAmIServer{name: name, p: p}
}

// users logs in whoAmIWorkers users of every kind, each worker with a connection of its own, as
// separate clients have, or all over one (shared). A user with a document calls with the token
// UpdateCustomData returns: the login's token was minted before the document existed.
func (s *whoAmIServer) users(b *testing.B, shared bool) {
	dial := func() *grpc.ClientConn {
		conn, err := grpc.NewClient(s.p.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close() })
		return conn
	}
	one := dial()
	ctx := context.Background()
	s.calls, s.token = map[string][]func() error{}, map[string]int{}
	anon := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}
	for _, k := range whoAmIKinds() {
		for range whoAmIWorkers {
			conn := one
			if !shared {
				conn = dial()
			}
			auth := lanyardv1.NewAuthServiceClient(conn)
			l, err := auth.Login(ctx, anon)
			if err != nil {
				b.Fatal(err)
			}
			token := l.GetAccessToken()
			if k.doc != "" {
				var m map[string]any
				if err := json.Unmarshal([]byte(k.doc), &m); err != nil {
					b.Fatal(err)
				}
				st, err := structpb.NewStruct(m)
				if err != nil {
					b.Fatal(err)
				}
				u, err := lanyardv1.NewCustomDataServiceClient(conn).UpdateCustomData(
					metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token), &lanyardv1.UpdateCustomDataRequest{Set: st})
				if err != nil {
					b.Fatal(err)
				}
				token = u.GetAccessToken()
			}
			uctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
			// The token must carry the document, or the row measures nothing.
			who, err := auth.WhoAmI(uctx, &lanyardv1.WhoAmIRequest{})
			if err != nil {
				b.Fatal(err)
			}
			if got := len(who.GetUserData().GetFields()); (got > 0) != (k.doc != "") {
				b.Fatalf("%s: the token of a user of kind %s carries %d fields", s.name, k.name, got)
			}
			s.token[k.name] = len(token)
			call := func() error {
				_, err := auth.WhoAmI(uctx, &lanyardv1.WhoAmIRequest{})
				return err
			}
			if os.Getenv("LANYARD_BENCH_CALL") == "GetJwks" {
				// Public: Lanyard ignores the token, so what it adds is HTTP/2's alone.
				call = func() error {
					_, err := auth.GetJwks(uctx, &lanyardv1.GetJwksRequest{})
					return err
				}
			}
			s.calls[k.name] = append(s.calls[k.name], call)
		}
	}
}

// BenchmarkWhoAmIDocument is WhoAmI as an outside client sees it: `lanyard serve` on its embedded
// engine, 16 workers, each with its own connection and one token it reuses, calling WhoAmI b.N times
// per kind of user (see whoAmIKinds) and round, the kinds alternated in rounds. It reports,
// each the median of the rounds, the server's CPU per call (from /proc/<pid>/task/*/schedstat), the
// calls per second, what the server allocates and reads from its sockets per call, and the ratios of
// a 4 KB call's CPU to a 100 B one's in the same round.
//
//	go test -run '^$' -bench 'WhoAmIDocument/conns=worker' -benchtime 20000x ./bench/
//
// Each round's figures go to stderr. LANYARD_BENCH_BINARIES (name=path,...) measures prebuilt
// binaries instead of this tree, alternated in every round: before and after a change in the same
// minutes. LANYARD_BENCH_KINDS (e.g. 4096B) measures only those kinds, for a profile of one
// (bench/profile.sh). LANYARD_BENCH_ROUNDS sets the number of rounds (3). LANYARD_BENCH_CALL=GetJwks
// makes the same calls to GetJwks, public and answered from memory, whose server ignores the token: what
// a token costs there is the transport's. conns=one sends every worker's calls over one connection, as
// ghz does by default.
func BenchmarkWhoAmIDocument(b *testing.B) {
	type binary struct{ name, path string }
	var bins []binary
	if env := os.Getenv("LANYARD_BENCH_BINARIES"); env != "" {
		for _, nb := range strings.Split(env, ",") {
			name, path, ok := strings.Cut(nb, "=")
			if !ok {
				b.Fatalf("LANYARD_BENCH_BINARIES: %q is not name=path", nb)
			}
			bins = append(bins, binary{name, path})
		}
	} else {
		bins = []binary{{"this", buildLanyard(b)}}
	}
	kinds := whoAmIKinds()
	if env := os.Getenv("LANYARD_BENCH_KINDS"); env != "" {
		kinds = slices.DeleteFunc(kinds, func(k whoAmIKind) bool { return !slices.Contains(strings.Split(env, ","), k.name) })
	}
	rounds := whoAmIRounds
	if env := os.Getenv("LANYARD_BENCH_ROUNDS"); env != "" {
		var err error
		if rounds, err = strconv.Atoi(env); err != nil || rounds < 1 {
			b.Fatalf("LANYARD_BENCH_ROUNDS: %q", env)
		}
	}
	var servers []*whoAmIServer
	for _, bin := range bins {
		servers = append(servers, startWhoAmIServer(b, bin.name, bin.path))
	}
	for _, conns := range []string{"worker", "one"} {
		b.Run("conns="+conns, func(b *testing.B) {
			for _, s := range servers {
				s.users(b, conns == "one")
			}
			// testing's first run, of one call, only probes: its figures are not worth printing.
			report := b.N > 1
			logf := func(format string, args ...any) {
				if report {
					fmt.Fprintf(os.Stderr, "whoami conns=%s: "+format+"\n", append([]any{conns}, args...)...)
				}
			}
			logf("load average before: %s", loadAverages())
			type key struct{ server, kind string }
			type figures struct{ cpu, rate, alloc, read, trips float64 }
			measured := map[key][]figures{}
			for round := range rounds {
				// Each round starts with another kind and server, so that none is always measured first.
				var order []key
				for _, s := range servers {
					for _, k := range kinds {
						order = append(order, key{s.name, k.name})
					}
				}
				shift := round % len(order)
				for _, kk := range append(order[shift:], order[:shift]...) {
					s := servers[slices.IndexFunc(servers, func(s *whoAmIServer) bool { return s.name == kk.server })]
					calls := s.calls[kk.kind]
					op := func(w int) error { return calls[w]() }
					inParallel(b, warmUp, whoAmIWorkers, op)
					cpu0, a0, rd0, r0, t0 := s.p.cpu(b), s.p.allocated(b), s.p.read(b), s.p.storeCommands(b), time.Now()
					inParallel(b, b.N, whoAmIWorkers, op)
					elapsed := time.Since(t0)
					n := float64(b.N)
					f := figures{
						cpu:   float64((s.p.cpu(b) - cpu0).Nanoseconds()) / 1e6 / n,
						rate:  n / elapsed.Seconds(),
						alloc: (s.p.allocated(b) - a0) / 1024 / n,
						read:  float64(s.p.read(b)-rd0) / n,
						trips: (s.p.storeCommands(b) - r0) / n,
					}
					measured[kk] = append(measured[kk], f)
					logf("round %d, %s, %s: %.4f ms CPU per call, %.0f calls/s, %.1f KiB allocated and %.0f bytes read per call, %.2f store round trips per call",
						round+1, kk.server, kk.kind, f.cpu, f.rate, f.alloc, f.read, f.trips)
				}
			}
			logf("load average after: %s", loadAverages())
			pick := func(kk key, field func(figures) float64) []float64 {
				var v []float64
				for _, f := range measured[kk] {
					v = append(v, field(f))
				}
				return v
			}
			for _, s := range servers {
				prefix := s.name + "-"
				if len(servers) == 1 {
					prefix = ""
				}
				for _, k := range kinds {
					kk := key{s.name, k.name}
					b.ReportMetric(median(pick(kk, func(f figures) float64 { return f.cpu })), prefix+k.name+"-cpu-ms/op")
					b.ReportMetric(median(pick(kk, func(f figures) float64 { return f.rate })), prefix+k.name+"-calls/s")
					b.ReportMetric(median(pick(kk, func(f figures) float64 { return f.alloc })), prefix+k.name+"-alloc-KiB/op")
					b.ReportMetric(median(pick(kk, func(f figures) float64 { return f.read })), prefix+k.name+"-read-B/op")
					b.ReportMetric(float64(s.token[k.name]), prefix+k.name+"-token-B")
				}
				small := measured[key{s.name, "100B"}]
				for _, large := range []string{"4096B", "4096B_one_string"} {
					if len(small) == 0 || len(measured[key{s.name, large}]) == 0 {
						continue
					}
					var ratios []float64
					for i, f := range measured[key{s.name, large}] {
						ratios = append(ratios, f.cpu/small[i].cpu)
					}
					logf("%s: %s/100B CPU per round %.2f", s.name, large, ratios)
					b.ReportMetric(median(ratios), prefix+large+"/100B")
				}
			}
		})
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadAverage is the machine's load over 1, 5 and 15 minutes.
func loadAverages() string {
	raw, err := os.ReadFile(filepath.Join("/proc", "loadavg"))
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(raw))[:3], " ")
}

// read is how many bytes the process has read so far (rchar in /proc/<pid>/io), its sockets' included:
// how much a call's request takes on the wire, its headers as HPACK left them.
func (p *proc) read(b *testing.B) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if n, ok := strings.CutPrefix(line, "rchar: "); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return v
		}
	}
	b.Fatalf("no rchar in /proc/%d/io", p.cmd.Process.Pid)
	return 0
}
