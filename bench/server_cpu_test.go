// Package bench measures Lanyard as it runs in production: a `lanyard serve` process whose store is in
// another process (FerretDB on PostgreSQL, itself served by a second `lanyard serve` that exposes its
// embedded engine), so that the server's own CPU per operation can be read from the process accounting
// and its store round trips from its metrics. Run with `make bench`; BENCHMARKS.md has the numbers.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
	cmd  *exec.Cmd
	grpc string
	http string
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
	p := &proc{grpc: freeAddr(b), http: freeAddr(b)}
	p.cmd = exec.Command(bin, append([]string{"serve", "--grpc-addr", p.grpc, "--http-addr", p.http, "--data-dir", b.TempDir(), "--log-level", "warn"}, args...)...)
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		_ = p.cmd.Wait()
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get("http://" + p.http + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("lanyard %v did not become healthy", args)
	return nil
}

// cpu is the process's user+system CPU time so far, from /proc (clock ticks of 10 ms).
func (p *proc) cpu(b *testing.B) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// storeCommands sums lanyard_store_commands_total except the health pings.
func (p *proc) storeCommands(b *testing.B) float64 {
	r, err := http.Get("http://" + p.http + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Body.Close()
	var sum float64
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "lanyard_store_commands_total{") || strings.Contains(line, `command="ping"`) ||
			strings.Contains(line, `command="hello"`) || strings.Contains(line, `command="isMaster"`) {
			continue
		}
		v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		sum += v
	}
	return sum
}

// BenchmarkServerCPU reports, per operation, the measured server's CPU milliseconds and store round
// trips, for the operations of the performance targets.
func BenchmarkServerCPU(b *testing.B) {
	bin := buildLanyard(b)
	engineAddr := freeAddr(b)
	serve(b, bin, "--embedded-postgres-url", storetest.PostgreSQL(b), "--embedded-addr", engineAddr)
	// The measured server keeps its own collections apart from the store process's. Background work is
	// slowed down so that it does not count against the calls measured.
	srv := serve(b, bin, "--mongodb-uri", "mongodb://"+engineAddr+"/", "--master-key", authn.GenerateMasterKey(), "--database", "lanyard_bench",
		"--store-ping-interval", "1h", "--revocation-interval", "1h", "--key-reload-interval", "1h", "--custom-data-poll-interval", "1h")
	conn, err := grpc.NewClient(srv.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	auth := lanyardv1.NewAuthServiceClient(conn)
	meta := lanyardv1.NewMetadataServiceClient(conn)
	data := lanyardv1.NewCustomDataServiceClient(conn)
	ctx := context.Background()
	anon := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}
	if _, err := auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "bench@example.com", Password: "pw-benchmark"}); err != nil {
		b.Fatal(err)
	}
	pwLogin := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: "bench@example.com", Password: "pw-benchmark"}}}

	measure := func(b *testing.B, op func() error) {
		cpu0, cmd0 := srv.cpu(b), srv.storeCommands(b)
		n := 0
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		cpu, cmds := srv.cpu(b)-cpu0, srv.storeCommands(b)-cmd0
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "server-cpu-ms/op")
		b.ReportMetric(cmds/float64(n), "store-round-trips/op")
	}
	user := func(b *testing.B, docSize int) (*lanyardv1.LoginResponse, context.Context) {
		l, err := auth.Login(ctx, anon)
		if err != nil {
			b.Fatal(err)
		}
		uctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+l.GetAccessToken())
		if docSize > 0 {
			st, _ := structpb.NewStruct(map[string]any{"blob": strings.Repeat("x", docSize-40)})
			if _, err := data.UpdateCustomData(uctx, &lanyardv1.UpdateCustomDataRequest{Set: st}); err != nil {
				b.Fatal(err)
			}
		}
		return l, uctx
	}

	b.Run("GetJwks", func(b *testing.B) {
		measure(b, func() error { _, err := auth.GetJwks(ctx, &lanyardv1.GetJwksRequest{}); return err })
	})
	b.Run("Login_anonymous", func(b *testing.B) {
		measure(b, func() error { _, err := auth.Login(ctx, anon); return err })
	})
	b.Run("Login_password", func(b *testing.B) {
		measure(b, func() error { _, err := auth.Login(ctx, pwLogin); return err })
	})
	for _, size := range []int{0, 4096} {
		b.Run(fmt.Sprintf("custom_data_%dB", size), func(b *testing.B) {
			l, uctx := user(b, size)
			b.Run("WhoAmI", func(b *testing.B) {
				measure(b, func() error { _, err := auth.WhoAmI(uctx, &lanyardv1.WhoAmIRequest{}); return err })
			})
			b.Run("GetProfile", func(b *testing.B) {
				measure(b, func() error { _, err := meta.GetProfile(uctx, &lanyardv1.GetProfileRequest{}); return err })
			})
			rt := l.GetRefreshToken()
			b.Run("RefreshSession", func(b *testing.B) {
				measure(b, func() error {
					r, err := auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: rt})
					if err == nil {
						rt = r.GetRefreshToken()
					}
					return err
				})
			})
		})
	}
}
