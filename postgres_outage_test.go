package main

// The PostgreSQL under an embedded FerretDB going away under a write load: stopped, then killed. A test
// may not stop the machine's shared PostgreSQL (other tests use it), so it runs one of its own.

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// privatePostgreSQL is a PostgreSQL server of the test's own: a cluster in a temp dir, listening on a
// free loopback port, stopped and removed when the test ends.
type privatePostgreSQL struct {
	t    *testing.T
	bin  string // the directory of initdb, pg_ctl and postgres
	base string // temp dir holding the cluster and its log
	data string
	port string
	cred *syscall.Credential // PostgreSQL refuses to run as root: as root, its commands run as "postgres"
	URL  string
}

// startPrivatePostgreSQL creates and starts a cluster. Without PostgreSQL's programs it skips t loudly,
// or fails it when CI requires PostgreSQL.
func startPrivatePostgreSQL(t *testing.T) *privatePostgreSQL {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv(storetest.EnvRequirePostgreSQL) == "1" {
			t.Fatalf("a private PostgreSQL is required (%s=1): %s", storetest.EnvRequirePostgreSQL, msg)
		}
		fmt.Fprintln(os.Stderr, "SKIPPING a private PostgreSQL:", msg)
		t.Skip("SKIPPING a private PostgreSQL: " + msg)
	}
	bin, err := postgresBinDir()
	if err != nil {
		skip("%v", err)
	}
	pg := &privatePostgreSQL{t: t, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			skip("running as root and there is no postgres user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pg.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}

	// Not t.TempDir: its parent is private to this user, and PostgreSQL's user must reach the cluster.
	pg.base, err = os.MkdirTemp("", "lanyard-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(pg.base) })
	if err := os.Chmod(pg.base, 0o755); err != nil {
		t.Fatal(err)
	}
	if pg.cred != nil {
		if err := os.Chown(pg.base, int(pg.cred.Uid), int(pg.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	pg.data = filepath.Join(pg.base, "data")
	_, pg.port, _ = net.SplitHostPort(storetest.FreeAddr(t))
	pg.URL = "postgres://postgres@127.0.0.1:" + pg.port + "/postgres"

	// --no-sync: the cluster is thrown away; fsync stays on for the server itself.
	pg.run("initdb", "-D", pg.data, "-U", "postgres", "-A", "trust", "--locale=C", "-E", "UTF8", "--no-sync")
	t.Cleanup(func() {
		// Immediate: whatever state the test left it in, nothing of it is kept.
		_, _ = pg.command("pg_ctl", "stop", "-D", pg.data, "-m", "immediate", "-w").CombinedOutput()
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(pg.base, "postgres.log")); err == nil {
				t.Logf("the private PostgreSQL's log:\n%s", log)
			}
		}
	})
	pg.Start()
	return pg
}

// postgresBinDir finds PostgreSQL's programs: pg_config knows where they are (Debian keeps them out of
// PATH); otherwise they are on PATH.
func postgresBinDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("PostgreSQL's programs (initdb, pg_ctl, postgres) are not installed: %v", err)
	}
	if p, err = filepath.EvalSymlinks(p); err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

// withToken is a context carrying an access token.
func withToken(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

func (pg *privatePostgreSQL) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(pg.bin, name), args...)
	cmd.Dir = pg.base
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C"}
	if pg.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
	}
	return cmd
}

func (pg *privatePostgreSQL) run(name string, args ...string) {
	pg.t.Helper()
	if out, err := pg.command(name, args...).CombinedOutput(); err != nil {
		pg.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// Start starts the server and waits until it accepts connections. After a kill -9, the killed server's
// children may hold its shared memory for a moment, and PostgreSQL refuses to start until they are gone:
// Start tries again until then.
func (pg *privatePostgreSQL) Start() {
	pg.t.Helper()
	opts := "-c listen_addresses=127.0.0.1 -p " + pg.port + " -k " + pg.data
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := pg.command("pg_ctl", "start", "-D", pg.data, "-w", "-t", "60",
			"-l", filepath.Join(pg.base, "postgres.log"), "-o", opts).CombinedOutput()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			pg.t.Fatalf("pg_ctl start: %v\n%s", err, out)
		}
		// Polled: nothing tells when the killed server's last child has exited.
		time.Sleep(200 * time.Millisecond)
	}
}

// StopFast is `pg_ctl stop -m fast`: sessions are ended (SQLSTATE 57P01), then the server stops.
func (pg *privatePostgreSQL) StopFast() {
	pg.t.Helper()
	pg.run("pg_ctl", "stop", "-D", pg.data, "-m", "fast", "-w", "-t", "60")
}

// KillBackend kills one of the server's sessions (FerretDB's) with SIGKILL, as the OOM killer would:
// the postmaster then ends every other session (SQLSTATE 57P02) and restarts, recovering, by itself.
func (pg *privatePostgreSQL) KillBackend() {
	pg.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.URL)
	if err != nil {
		pg.t.Fatalf("connect to the private PostgreSQL: %v", err)
	}
	var pid int
	err = conn.QueryRow(ctx, `SELECT pid FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
		ORDER BY state = 'active' DESC LIMIT 1`).Scan(&pid)
	_ = conn.Close(ctx)
	if err != nil {
		pg.t.Fatalf("find a session of the private PostgreSQL: %v", err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		pg.t.Fatalf("kill -9 the backend %d: %v", pid, err)
	}
}

// Kill sends SIGKILL to the postmaster: its children notice and quit, without a shutdown of any kind.
func (pg *privatePostgreSQL) Kill() {
	pg.t.Helper()
	b, err := os.ReadFile(filepath.Join(pg.data, "postmaster.pid"))
	if err != nil {
		pg.t.Fatalf("postmaster.pid: %v", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		pg.t.Fatalf("postmaster.pid holds no pid: %q", first)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		pg.t.Fatalf("kill -9 the postmaster %d: %v", pid, err)
	}
}

// TestPostgreSQLOutageUnderWriteLoad: writers update their custom data over gRPC while the PostgreSQL
// under the embedded FerretDB is stopped (-m fast), restarted, killed with SIGKILL, restarted, and then
// loses one session to SIGKILL (it restarts itself). Every answer is OK or UNAVAILABLE (never INTERNAL,
// on which retrying clients give up), every acknowledged write is there at the end, and the server is
// SERVING again by itself after each restart.
func TestPostgreSQLOutageUnderWriteLoad(t *testing.T) {
	pg := startPrivatePostgreSQL(t)
	args, grpcAddr, _ := serveArgs(t, "--embedded-postgres-url", pg.URL, "--store-ping-interval", "200ms")
	p := startLanyard(t, t.TempDir(), nil, args...)
	p.waitServing(t)
	conn := dial(t, grpcAddr)
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 60*time.Second)
	auth := lanyardv1.NewAuthServiceClient(conn)
	data := lanyardv1.NewCustomDataServiceClient(conn)

	const writers = 4
	tokens := make([]string, writers)
	for i := range tokens {
		tokens[i] = mustLogin(t, auth).GetAccessToken()
	}

	// Each write sets a field of its own (w<n>), so that every acknowledged write can be found at the end.
	var (
		mu      sync.Mutex
		answers = map[string]int{} // code, and reason when not OK → count
		acked   = make([][]string, writers)
		samples []string // the first few answers that are neither OK nor UNAVAILABLE
		total   atomic.Int64
	)
	progress := make(chan struct{}, 1) // rung after every acknowledged write
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				field := fmt.Sprintf("w%05d", n)
				set, _ := structpb.NewStruct(map[string]any{field: n})
				// Generous: the deadline is not what this test measures, and a loaded machine is slow.
				ctx, cancel := context.WithTimeout(withToken(tokens[w]), 60*time.Second)
				_, err := data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: set})
				cancel()
				code, reason := codes.OK, ""
				if err != nil {
					// Not errorInfo: it may fail the test, which only the test's goroutine may do.
					st := status.Convert(err)
					code = st.Code()
					for _, d := range st.Details() {
						if info, ok := d.(*errdetails.ErrorInfo); ok {
							reason = info.GetReason()
						}
					}
				}
				key := code.String()
				if reason != "" {
					key += " " + reason
				}
				mu.Lock()
				answers[key]++
				if err == nil {
					acked[w] = append(acked[w], field)
				} else if code != codes.Unavailable && len(samples) < 5 {
					samples = append(samples, err.Error())
				}
				mu.Unlock()
				if err == nil {
					total.Add(1)
					select {
					case progress <- struct{}{}:
					default:
					}
				} else if code == codes.Unavailable {
					// As a retrying client does: back off a little rather than spin through the outage.
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
		}()
	}
	stopWriters := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}
	t.Cleanup(stopWriters)

	// moreWrites waits until n more writes have been acknowledged.
	moreWrites := func(n int64, when string) {
		t.Helper()
		want := total.Load() + n
		deadline := time.After(60 * time.Second)
		for total.Load() < want {
			select {
			case <-progress:
			case <-deadline:
				t.Fatalf("%s: %d writes acknowledged, waited for %d", when, total.Load(), want)
			}
		}
	}

	start := time.Now()
	moreWrites(30, "before the outages")

	pg.StopFast()
	down := waitHealth(t, conn, healthpb.HealthCheckResponse_NOT_SERVING, 60*time.Second)
	t.Logf("PostgreSQL stopped (-m fast); NOT_SERVING %s later", down.Round(time.Millisecond))
	pg.Start()
	up := waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 60*time.Second)
	t.Logf("PostgreSQL restarted; SERVING %s later", up.Round(time.Millisecond))
	moreWrites(30, "after the restart")

	pg.Kill()
	down = waitHealth(t, conn, healthpb.HealthCheckResponse_NOT_SERVING, 60*time.Second)
	t.Logf("PostgreSQL killed (SIGKILL); NOT_SERVING %s later", down.Round(time.Millisecond))
	pg.Start()
	up = waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 60*time.Second)
	t.Logf("PostgreSQL restarted after the kill; SERVING %s later", up.Round(time.Millisecond))
	moreWrites(30, "after the second restart")

	pg.KillBackend()
	moreWrites(30, "after a backend was killed")
	stopWriters()

	mu.Lock()
	defer mu.Unlock()
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var summary []string
	for _, k := range keys {
		summary = append(summary, fmt.Sprintf("%s ×%d", k, answers[k]))
	}
	t.Logf("answers in %s: %s", time.Since(start).Round(time.Millisecond), strings.Join(summary, ", "))
	for _, k := range keys {
		if k != "OK" && !strings.HasPrefix(k, "Unavailable") {
			t.Errorf("%d answers %s; want only OK and UNAVAILABLE; for example: %q", answers[k], k, samples)
		}
	}

	// Every acknowledged write is in its writer's document.
	for w := range writers {
		ctx, cancel := context.WithTimeout(withToken(tokens[w]), 60*time.Second)
		got, err := data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{})
		cancel()
		if err != nil {
			t.Fatalf("GetCustomData of writer %d: %v", w, err)
		}
		fields := got.GetData().GetFields()
		var missing []string
		for _, f := range acked[w] {
			if _, ok := fields[f]; !ok {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			t.Errorf("writer %d: %d of %d acknowledged writes lost: %v", w, len(missing), len(acked[w]), missing)
		}
	}
	p.stop(t)
}
