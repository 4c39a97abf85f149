package main

// End-to-end tests of the `lanyard` command: TestMain builds the binary once, and every test runs it as
// a real process (its own temp data dir as working directory, free loopback ports, an environment built
// here so that the test process's LANYARD_* variables never reach it), then talks to it through the
// generated gRPC stubs, gRPC health and reflection, HTTP, and the MongoDB driver.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// lanyardBin is the binary TestMain builds.
var lanyardBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lanyard-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "main_test: temp dir:", err)
		os.Exit(1)
	}
	lanyardBin = filepath.Join(dir, "lanyard")
	goTool, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "main_test: the go command is needed to build lanyard:", err)
		os.Exit(1)
	}
	build := exec.Command(goTool, "build", "-ldflags", "-X main.version="+testVersion+" -X main.commit="+testCommit, "-o", lanyardBin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "main_test: go build: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// childEnv is the whole environment of a lanyard process: what a shell needs and nothing of the test
// process's own LANYARD_* settings; extra adds KEY=VALUE pairs.
func childEnv(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, k := range []string{"HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// syncBuffer collects a child's output while the child runs; Written lets a test wait for more of it.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed at the next write
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// Written returns a channel that is closed at the next write.
func (s *syncBuffer) Written() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(chan struct{})
	}
	return s.written
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lanyardProc is a running `lanyard` process.
type lanyardProc struct {
	args   []string
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{} // closed once the process has exited and its output is read
}

// startLanyard runs `lanyard args…` in dir. The process is killed at the end of the test if it still
// runs, and its stderr is logged when the test failed.
func startLanyard(t *testing.T, dir string, env []string, args ...string) *lanyardProc {
	t.Helper()
	return startCommand(t, exec.Command(lanyardBin, args...), dir, env, args)
}

// startCommand is startLanyard for a command of the caller's: another binary, or lanyard behind a wrapper.
func startCommand(t *testing.T, cmd *exec.Cmd, dir string, env, args []string) *lanyardProc {
	t.Helper()
	p := &lanyardProc{args: args, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = childEnv(env...)
	p.cmd.Stdout = io.Discard
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start lanyard: %v", err)
	}
	go func() {
		_ = p.cmd.Wait() // the exit status is read from ProcessState
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("stderr of lanyard %s:\n%s", strings.Join(p.args, " "), p.stderr)
		}
	})
	return p
}

func (p *lanyardProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// servingLog is the log record that says where Lanyard listens.
type servingLog struct {
	GRPC     string `json:"grpc"`
	HTTP     string `json:"http"`
	Embedded string `json:"embedded_engine"`
}

// logRecords parses stderr as the JSON log; lines that are not JSON fail the test.
func logRecords(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for line := range strings.Lines(stderr) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line is not a JSON log record: %q", line)
			continue
		}
		recs = append(recs, rec)
	}
	return recs
}

// waitServing waits for the "lanyard serving" record and returns it; the process exiting first or the
// deadline passing fail the test. It reads the log again at each write to it.
func (p *lanyardProc) waitServing(t *testing.T) servingLog {
	t.Helper()
	const within = 60 * time.Second
	deadline := time.After(within)
	for {
		written := p.stderr.Written() // before reading, so that a write in between is not missed
		exited := p.exited()
		for line := range strings.Lines(p.stderr.String()) {
			if !strings.Contains(line, `"lanyard serving"`) {
				continue
			}
			var rec struct {
				Msg string `json:"msg"`
				servingLog
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("serving log line is not JSON: %q: %v", line, err)
			}
			if rec.Msg == "lanyard serving" {
				return rec.servingLog
			}
		}
		if exited {
			t.Fatalf("lanyard exited (%s) before serving", p.cmd.ProcessState)
		}
		select {
		case <-written:
		case <-p.done:
		case <-deadline:
			t.Fatalf("lanyard did not log \"lanyard serving\" within %s", within)
		}
	}
}

// waitExit waits up to timeout for the process to end and returns its exit code (-1 when a signal
// ended it); it fails the test when the process is still running then.
func (p *lanyardProc) waitExit(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		t.Fatalf("lanyard still running %s after being asked to stop", timeout)
		return 0
	}
}

// stop sends SIGTERM and asserts a clean exit (code 0) within 10 s.
func (p *lanyardProc) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	if code := p.waitExit(t, 10*time.Second); code != 0 {
		t.Fatalf("after SIGTERM: exit code %d (%s), want 0", code, p.cmd.ProcessState)
	}
	return time.Since(start)
}

// serveArgs is `serve` on data dir "." (the process runs in its data dir) and free loopback ports.
func serveArgs(t *testing.T, extra ...string) (args []string, grpcAddr, httpAddr string) {
	grpcAddr, httpAddr = storetest.FreeAddr(t), storetest.FreeAddr(t)
	args = append([]string{"serve", "--data-dir", ".", "--grpc-addr", grpcAddr, "--http-addr", httpAddr,
		"--shutdown-grace", "5s"}, extra...)
	return args, grpcAddr, httpAddr
}

// dial returns a client connection to a gRPC address, closed at the end of the test.
func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient(%s): %v", addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// waitHealth watches the overall health status until it is want and returns how long that took; the
// timeout passing fails the test. Health's Watch stream sends every change, so nothing is polled.
func waitHealth(t *testing.T, conn *grpc.ClientConn, want healthpb.HealthCheckResponse_ServingStatus, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	last := "no answer"
	for ctx.Err() == nil {
		// WaitForReady: a server still starting is waited for, not an error to retry at once.
		stream, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		for err == nil {
			var resp *healthpb.HealthCheckResponse
			if resp, err = stream.Recv(); err == nil {
				if resp.GetStatus() == want {
					return time.Since(start)
				}
				last = "status " + resp.GetStatus().String()
			}
		}
		last += fmt.Sprintf(", then %v", err)
	}
	t.Fatalf("health not %s within %s; last: %s", want, timeout, last)
	return 0
}

func anonymousLogin(ctx context.Context, auth lanyardv1.AuthServiceClient) (*lanyardv1.LoginResponse, error) {
	return auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}})
}

// mustLogin logs in anonymously and checks the answer's shape.
func mustLogin(t *testing.T, auth lanyardv1.AuthServiceClient) *lanyardv1.LoginResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := anonymousLogin(ctx, auth)
	if err != nil {
		t.Fatalf("anonymous login: %v", err)
	}
	if resp.GetAccessToken() == "" || resp.GetRefreshToken() == "" || resp.GetUserId() == "" {
		t.Fatalf("anonymous login: incomplete answer: user %q, access token %d bytes, refresh token %d bytes",
			resp.GetUserId(), len(resp.GetAccessToken()), len(resp.GetRefreshToken()))
	}
	return resp
}

// httpGet returns the status and body of GET url.
func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, body
}

// jwksKeyIDs returns the key ids of the JWKS served at httpAddr.
func jwksKeyIDs(t *testing.T, httpAddr string) []string {
	t.Helper()
	code, body := httpGet(t, "http://"+httpAddr+"/.well-known/jwks.json")
	if code != http.StatusOK {
		t.Fatalf("GET /.well-known/jwks.json: %d %.200s", code, body)
	}
	var jwks struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(body, &jwks); err != nil {
		t.Fatalf("JWKS is not JSON: %v: %.200s", err, body)
	}
	var kids []string
	for _, k := range jwks.Keys {
		if k.Kid == "" {
			t.Fatalf("JWKS key without kid: %.300s", body)
		}
		kids = append(kids, k.Kid)
	}
	if len(kids) == 0 {
		t.Fatalf("JWKS has no keys: %.300s", body)
	}
	slices.Sort(kids)
	return kids
}

// tokenKeyID returns the kid of a compact JWS's protected header.
func tokenKeyID(t *testing.T, token string) string {
	t.Helper()
	header, _, ok := strings.Cut(token, ".")
	if !ok {
		t.Fatalf("access token is not a compact JWS")
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		t.Fatalf("access token header: %v", err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("access token header: %v", err)
	}
	return h.Kid
}

// errorInfo returns the code and the lanyard ErrorInfo reason of a gRPC error.
func errorInfo(t *testing.T, err error) (codes.Code, string) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("not a gRPC status error: %v", err)
	}
	reason := ""
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if info.GetDomain() != "lanyard" {
				t.Errorf("ErrorInfo domain %q, want lanyard", info.GetDomain())
			}
			reason = info.GetReason()
		}
	}
	return st.Code(), reason
}

// listServices asks gRPC reflection for the services of the server.
func listServices(t *testing.T, conn *grpc.ClientConn) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatalf("reflection: %v", err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{ListServices: ""},
	}); err != nil {
		t.Fatalf("reflection send: %v", err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("reflection recv: %v", err)
	}
	if e := resp.GetErrorResponse(); e != nil {
		t.Fatalf("reflection error: %d %s", e.GetErrorCode(), e.GetErrorMessage())
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	_ = stream.CloseSend()
	return names
}

func TestServeStartsAndStopsCleanly(t *testing.T) {
	// Would make the child fail its validation if the test process's LANYARD_* leaked into it.
	t.Setenv("LANYARD_LOG_LEVEL", "not-a-level")
	t.Setenv("LANYARD_MONGODB_URI", "not-a-uri")

	dir := t.TempDir()
	args, grpcAddr, httpAddr := serveArgs(t)
	p := startLanyard(t, dir, nil, args...)
	where := p.waitServing(t)
	if where.GRPC != grpcAddr || where.HTTP != httpAddr {
		t.Errorf("serving log says grpc %q http %q, want %q %q", where.GRPC, where.HTTP, grpcAddr, httpAddr)
	}

	conn := dial(t, grpcAddr)
	services := listServices(t, conn)
	for _, want := range []string{"lanyard.v1.AuthService", "lanyard.v1.CustomDataService", "lanyard.v1.MetadataService",
		"lanyard.v1.AdminService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"} {
		if !slices.Contains(services, want) {
			t.Errorf("reflection does not list %s; it lists %v", want, services)
		}
	}
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 60*time.Second)

	if code, body := httpGet(t, "http://"+httpAddr+"/metrics"); code != http.StatusOK || !bytes.Contains(body, []byte("grpc_server_")) {
		t.Errorf("GET /metrics: %d %.200s", code, body)
	}
	kids := jwksKeyIDs(t, httpAddr)

	took := p.stop(t)
	t.Logf("first run stopped in %s", took.Round(time.Millisecond))
	recs := logRecords(t, p.stderr.String())
	if len(recs) == 0 || recs[len(recs)-1]["msg"] != "stopped" {
		t.Errorf("the log does not end with \"stopped\"")
	}
	if fi, err := os.Stat(filepath.Join(dir, "master.key")); err != nil {
		t.Errorf("development master key: %v", err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("master.key has mode %v, want 0600", fi.Mode().Perm())
	}

	// Again on the same data dir: the same signing key (so the same master key), and logins work.
	args2, grpcAddr2, httpAddr2 := serveArgs(t)
	p2 := startLanyard(t, dir, nil, args2...)
	p2.waitServing(t)
	if got := jwksKeyIDs(t, httpAddr2); !slices.Equal(got, kids) {
		t.Errorf("JWKS key ids after restart %v, want %v (signing key or master key not persisted)", got, kids)
	}
	conn2 := dial(t, grpcAddr2)
	waitHealth(t, conn2, healthpb.HealthCheckResponse_SERVING, 60*time.Second)
	login := mustLogin(t, lanyardv1.NewAuthServiceClient(conn2))
	if kid := tokenKeyID(t, login.GetAccessToken()); !slices.Contains(kids, kid) {
		t.Errorf("access token signed with kid %q, not in the JWKS %v", kid, kids)
	}
	p2.stop(t)
	logRecords(t, p2.stderr.String())
}

func TestEmbeddedDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	embeddedAddr := storetest.FreeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	args, _, _ := serveArgs(t, "--embedded-addr", embeddedAddr)
	p := startLanyard(t, dir, nil, args...)
	if where := p.waitServing(t); where.Embedded != embeddedAddr {
		t.Errorf("serving log says the embedded engine is at %q, want %q", where.Embedded, embeddedAddr)
	}
	id := bson.NewObjectID()
	marker := "survivor-" + id.Hex()
	client := connectMongo(t, embeddedAddr)
	coll := client.Database("lanyard").Collection("restart_test")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "marker", Value: marker}}); err != nil {
		t.Fatalf("insert through the embedded address: %v", err)
	}
	// Disconnect first: the engine waits ~3 s for connected clients when it stops.
	if err := client.Disconnect(ctx); err != nil {
		t.Fatalf("disconnect: %v", err)
	}
	p.stop(t)

	args2, _, _ := serveArgs(t, "--embedded-addr", embeddedAddr)
	p2 := startLanyard(t, dir, nil, args2...)
	p2.waitServing(t)
	client2 := connectMongo(t, embeddedAddr)
	var got struct {
		Marker string `bson:"marker"`
	}
	if err := client2.Database("lanyard").Collection("restart_test").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&got); err != nil {
		t.Fatalf("find the document after restart: %v", err)
	}
	if got.Marker != marker {
		t.Errorf("document after restart has marker %q, want %q", got.Marker, marker)
	}
	if err := client2.Disconnect(ctx); err != nil {
		t.Fatalf("disconnect: %v", err)
	}
	p2.stop(t)
}

// connectMongo connects the MongoDB driver to an engine address; the client is disconnected at the end
// of the test if the test has not done it.
func connectMongo(t *testing.T, addr string) *mongo.Client {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + addr + "/").
		SetServerSelectionTimeout(3 * time.Second).SetConnectTimeout(3 * time.Second))
	if err != nil {
		t.Fatalf("connect to %s: %v", addr, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(ctx) // a second Disconnect answers ErrClientDisconnected
	})
	return client
}

func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testKill9(t, nil) })
	t.Run("postgresql", func(t *testing.T) {
		pgURL := storetest.PostgreSQL(t) // skips loudly when PostgreSQL is not here
		testKill9(t, []string{"--embedded-postgres-url", pgURL})
	})
}

func testKill9(t *testing.T, engineArgs []string) {
	const wantAcked = 200
	const maxWriting = 2 * time.Second

	dir := t.TempDir()
	embeddedAddr := storetest.FreeAddr(t)
	args, _, _ := serveArgs(t, append([]string{"--embedded-addr", embeddedAddr}, engineArgs...)...)
	p := startLanyard(t, dir, nil, args...)
	p.waitServing(t)

	client := connectMongo(t, embeddedAddr)
	coll := client.Database("lanyard").Collection("kill9_test")

	// The writer inserts until an insert fails (the kill), recording every acknowledged _id.
	var (
		mu       sync.Mutex
		acked    []bson.ObjectID
		writeErr error
	)
	enough := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		var once sync.Once
		for i := 0; ; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			id := bson.NewObjectID()
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "n", Value: i}, {Key: "pad", Value: strings.Repeat("x", 200)}})
			cancel()
			mu.Lock()
			if err != nil {
				writeErr = err
				mu.Unlock()
				return
			}
			acked = append(acked, id)
			n := len(acked)
			mu.Unlock()
			if n >= wantAcked {
				once.Do(func() { close(enough) })
			}
		}
	}()

	start := time.Now()
	select {
	case <-enough:
	case <-time.After(maxWriting):
	case <-writerDone:
		t.Fatalf("writer stopped before the kill: %v", writeErr)
	}
	mu.Lock()
	beforeKill := len(acked)
	mu.Unlock()
	if beforeKill == 0 {
		t.Fatalf("no write acknowledged within %s", maxWriting)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	p.waitExit(t, 10*time.Second)
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("lanyard did not die of SIGKILL: %s", p.cmd.ProcessState)
	}
	select {
	case <-writerDone:
	case <-time.After(60 * time.Second):
		t.Fatalf("writer still running 60s after the kill")
	}
	mu.Lock()
	ids := slices.Clone(acked)
	mu.Unlock()
	if writeErr == nil {
		t.Fatalf("writer ended without an error")
	}
	t.Logf("%d writes acknowledged in %s (%d when the kill was sent); the writer then saw: %v",
		len(ids), time.Since(start).Round(time.Millisecond), beforeKill, writeErr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_ = client.Disconnect(ctx)

	// Restart on the same data dir (and database): every acknowledged write is there.
	args2, _, _ := serveArgs(t, append([]string{"--embedded-addr", embeddedAddr}, engineArgs...)...)
	p2 := startLanyard(t, dir, nil, args2...)
	p2.waitServing(t)
	client2 := connectMongo(t, embeddedAddr)
	cur, err := client2.Database("lanyard").Collection("kill9_test").Find(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatalf("find after restart: %v", err)
	}
	var found []struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		t.Fatalf("find after restart: %v", err)
	}
	present := map[bson.ObjectID]bool{}
	for _, f := range found {
		present[f.ID] = true
	}
	var missing []string
	for i, id := range ids {
		if !present[id] {
			missing = append(missing, fmt.Sprintf("#%d %s", i, id.Hex()))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d acknowledged writes lost by kill -9: %v", len(missing), len(ids), missing)
	}
	if err := client2.Disconnect(ctx); err != nil {
		t.Fatalf("disconnect: %v", err)
	}
	p2.stop(t)
}

func TestStoreOutageRiddenOut(t *testing.T) {
	engineAddr := storetest.FreeAddr(t)
	engineDir := t.TempDir()
	engineLog := &syncBuffer{}
	quiet := slog.New(slog.NewTextHandler(engineLog, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("FerretDB's log:\n%s", engineLog)
		}
	})
	var engine *embedded.Engine
	startEngine := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e, err := embedded.Start(ctx, embedded.Config{DataDir: engineDir, ListenAddr: engineAddr, Logger: quiet})
		if err != nil {
			t.Fatalf("start FerretDB on %s: %v", engineAddr, err)
		}
		engine = e
	}
	stopEngine := func() time.Duration {
		t.Helper()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := engine.Close(ctx); err != nil {
			t.Fatalf("stop FerretDB: %v", err)
		}
		return time.Since(start)
	}
	startEngine()
	// Registered before the process's cleanup, so it runs after it (Lanyard disconnects first).
	t.Cleanup(func() { _ = engine.Close(context.Background()) })

	args, grpcAddr, httpAddr := serveArgs(t, "--mongodb-uri", "mongodb://"+engineAddr+"/",
		"--master-key", authn.GenerateMasterKey(), "--public-url", "http://lanyard.test", "--store-ping-interval", "200ms")
	p := startLanyard(t, t.TempDir(), nil, args...)
	p.waitServing(t)
	conn := dial(t, grpcAddr)
	auth := lanyardv1.NewAuthServiceClient(conn)
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 60*time.Second)
	mustLogin(t, auth)

	// Outage.
	took := stopEngine()
	down := waitHealth(t, conn, healthpb.HealthCheckResponse_NOT_SERVING, 60*time.Second)
	t.Logf("FerretDB stopped in %s; health NOT_SERVING %s later", took.Round(time.Millisecond), down.Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	start := time.Now()
	_, err := anonymousLogin(ctx, auth)
	cancel()
	if err == nil {
		t.Fatalf("login during the outage succeeded")
	}
	if code, reason := errorInfo(t, err); code != codes.Unavailable || reason != "STORE_UNAVAILABLE" {
		t.Fatalf("login during the outage: %s reason %q (%v), want UNAVAILABLE STORE_UNAVAILABLE", code, reason, err)
	}
	// Refused at once by a server that knows the store is gone, not after the driver's 30 s server
	// selection timeout; the margin is for a loaded machine.
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("login during the outage took %s to fail", d)
	}
	if code, body := httpGet(t, "http://"+httpAddr+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz during the outage: %d %q, want 503", code, body)
	}
	if code, body := httpGet(t, "http://"+httpAddr+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz during the outage: %d %q, want 200: liveness does not follow the store", code, body)
	}
	if p.exited() {
		t.Fatalf("lanyard exited during the outage: %s", p.cmd.ProcessState)
	}

	// Recovery, same process.
	startEngine()
	up := waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 60*time.Second)
	t.Logf("health SERVING %s after FerretDB restarted", up.Round(time.Millisecond))
	mustLogin(t, auth)
	if code, body := httpGet(t, "http://"+httpAddr+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz after recovery: %d %q, want 200", code, body)
	}
	p.stop(t)
	stopEngine()
}

func TestStartErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	badYAML := write("bad.yaml", "grpc_addr: [127.0.0.1:1\nhttp_addr: : :\n")
	unknownKey := write("unknown.yaml", "grpc_addr: 127.0.0.1:1\nno_such_setting: 1\n")
	badValueYAML := write("badvalue.yaml", "shutdown_grace: soon\n")
	notPEM := write("not.pem", "not a certificate\n")
	deadAddr := storetest.FreeAddr(t) // nobody listens there

	for _, tc := range []struct {
		name     string
		args     []string
		env      []string
		wantCode int  // 0: any non-zero code
		usage    bool // a flag parse error: Go's flag package prints the usage after the first line
		want     []string
		notWant  []string
		within   time.Duration
	}{
		{name: "unknown flag", args: []string{"--no-such-flag", "1"}, wantCode: 2, usage: true, want: []string{"no-such-flag"}},
		{name: "bad flag value", args: []string{"--shutdown-grace", "soon"}, wantCode: 2, usage: true, want: []string{"shutdown-grace", "soon"}},
		{name: "bad env value", env: []string{"LANYARD_SHUTDOWN_GRACE=soon"}, want: []string{"LANYARD_SHUTDOWN_GRACE", "soon"}},
		{name: "invalid YAML", args: []string{"--config", badYAML}, want: []string{badYAML, "YAML"}},
		{name: "unknown YAML key", args: []string{"--config", unknownKey}, want: []string{unknownKey, "no_such_setting"}},
		{name: "bad YAML value", args: []string{"--config", badValueYAML}, want: []string{"shutdown_grace", "soon"}},
		{name: "unreachable MongoDB", args: []string{"--mongodb-uri", "mongodb://user:secret@" + deadAddr + "/",
			"--master-key", authn.GenerateMasterKey(), "--public-url", "http://lanyard.test", "--store-connect-timeout", "1s"},
			// within: bounded by --store-connect-timeout, not by the driver's 30 s server selection
			// timeout; the margin is for a loaded machine.
			want: []string{deadAddr}, notWant: []string{"secret"}, within: 15 * time.Second},
		// Replicas on one MongoDB must agree on the `iss`; each one's default would be its own address.
		{name: "MongoDB without public URL", args: []string{"--mongodb-uri", "mongodb://" + deadAddr + "/",
			"--master-key", authn.GenerateMasterKey()}, wantCode: 2, want: []string{"LANYARD_PUBLIC_URL", "LANYARD_MONGODB_URI"}},
		{name: "plaintext hook beyond loopback", args: []string{"--custom-data-on-user-creation", "192.0.2.1:50061"},
			wantCode: 2, want: []string{"LANYARD_CUSTOM_DATA_ON_USER_CREATION", "LANYARD_CUSTOM_DATA_HOOK_INSECURE"}},
		{name: "hook certificate without key", args: []string{"--custom-data-on-user-creation", "127.0.0.1:50061",
			"--custom-data-hook-tls-cert-file", notPEM}, wantCode: 2, want: []string{"LANYARD_CUSTOM_DATA_HOOK_TLS_KEY_FILE"}},
		// These fail after the store opened: a given master key keeps the development key's warning away.
		{name: "hook CA file not PEM", args: []string{"--master-key", authn.GenerateMasterKey(), "--custom-data-on-user-creation", "127.0.0.1:50061",
			"--custom-data-hook-tls-ca-file", notPEM}, want: []string{"LANYARD_CUSTOM_DATA_HOOK_TLS_CA_FILE", notPEM}},
		{name: "hook CA file unreadable", args: []string{"--master-key", authn.GenerateMasterKey(), "--custom-data-on-user-creation", "127.0.0.1:50061",
			"--custom-data-hook-tls-ca-file", filepath.Join(dir, "none.pem")}, want: []string{"LANYARD_CUSTOM_DATA_HOOK_TLS_CA_FILE", "none.pem"}},
		{name: "hook client certificate not PEM", args: []string{"--master-key", authn.GenerateMasterKey(), "--custom-data-on-user-creation", "127.0.0.1:50061",
			"--custom-data-hook-tls-cert-file", notPEM, "--custom-data-hook-tls-key-file", notPEM},
			want: []string{"LANYARD_CUSTOM_DATA_HOOK_TLS_CERT_FILE", notPEM}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--data-dir", t.TempDir(), "--grpc-addr", storetest.FreeAddr(t),
				"--http-addr", storetest.FreeAddr(t)}, tc.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, lanyardBin, args...)
			cmd.Dir = t.TempDir()
			cmd.Env = childEnv(tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			took := time.Since(start)
			if ctx.Err() != nil {
				t.Fatalf("lanyard %s still running after 30s; stderr:\n%s", args, &stderr)
			}
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) {
				t.Fatalf("lanyard %s: want a non-zero exit, got %v; stderr:\n%s", args, err, &stderr)
			}
			code := exitErr.ExitCode()
			if code <= 0 || (tc.wantCode != 0 && code != tc.wantCode) {
				t.Errorf("exit code %d, want %d (non-zero)", code, tc.wantCode)
			}
			if tc.within > 0 && took > tc.within {
				t.Errorf("took %s to fail, want at most %s", took.Round(time.Millisecond), tc.within)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
			text := strings.TrimSpace(stderr.String())
			first, _, _ := strings.Cut(text, "\n")
			if !tc.usage && strings.Contains(text, "\n") {
				t.Errorf("stderr is not one line:\n%s", text)
			}
			if text == "" {
				t.Fatalf("nothing on stderr")
			}
			for _, w := range tc.want {
				if !strings.Contains(first, w) {
					t.Errorf("the error line does not name %q: %q", w, first)
				}
			}
			for _, nw := range tc.notWant {
				if strings.Contains(stderr.String(), nw) {
					t.Errorf("stderr contains %q: %q", nw, stderr.String())
				}
			}
			t.Logf("exit %d after %s: %s", code, took.Round(time.Millisecond), first)
		})
	}
}

func TestAPIKeyCommand(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cmd := exec.CommandContext(ctx, lanyardBin, "apikey", "create", "--server", "ops", "--data-dir", ".")
	cmd.Dir = dir
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("lanyard apikey create: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	var keyID, key string
	for line := range strings.Lines(stdout.String()) {
		if v, ok := strings.CutPrefix(line, "id:"); ok {
			keyID = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "key:"); ok {
			key = strings.TrimSpace(v)
		}
	}
	if keyID == "" || key == "" || strings.ContainsAny(key, " \t") {
		t.Fatalf("apikey create printed no id and key:\n%s", &stdout)
	}
	if strings.Contains(stderr.String(), key) {
		t.Errorf("the key reached stderr")
	}

	args, grpcAddr, _ := serveArgs(t)
	p := startLanyard(t, dir, nil, args...)
	p.waitServing(t)
	conn := dial(t, grpcAddr)
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 60*time.Second)
	auth := lanyardv1.NewAuthServiceClient(conn)
	admin := lanyardv1.NewAdminServiceClient(conn)

	login, err := auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_ApiKey{ApiKey: &lanyardv1.ApiKeyCredentials{Key: key}}})
	if err != nil {
		t.Fatalf("login with the server API key: %v", err)
	}
	bearer := func(token string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	users, err := admin.ListUsers(bearer(login.GetAccessToken()), &lanyardv1.ListUsersRequest{PageSize: 100})
	if err != nil {
		t.Fatalf("ListUsers as the server principal: %v", err)
	}
	var me *lanyardv1.User
	for _, u := range users.GetUsers() {
		if u.GetUserId() == login.GetUserId() {
			me = u
		}
	}
	if me == nil {
		t.Fatalf("ListUsers does not list the API key's user %s: %v", login.GetUserId(), users.GetUsers())
	}
	if me.GetType() != "server" {
		t.Errorf("the API key's user has type %q, want server", me.GetType())
	}

	// The admin API really is for server principals only.
	anon := mustLogin(t, auth)
	_, err = admin.ListUsers(bearer(anon.GetAccessToken()), &lanyardv1.ListUsersRequest{})
	if code, reason := errorInfo(t, err); code != codes.PermissionDenied {
		t.Errorf("ListUsers as an anonymous user: %s %q (%v), want PERMISSION_DENIED", code, reason, err)
	}
	p.stop(t)
}

// TestOneProcessPerEmbeddedStore: while a serve runs on an embedded store, a second serve, `apikey
// create` and `import users` on it are refused at start, saying so, and the first one is unharmed; after
// it dies of kill -9 the next serve starts.
func TestOneProcessPerEmbeddedStore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		real, err := filepath.EvalSymlinks(dir) // the child knows its working directory by its real path
		if err != nil {
			t.Fatal(err)
		}
		testOneProcessPerStore(t, dir, nil, "LANYARD_DATA_DIR: the embedded store in "+real+" ")
	})
	t.Run("postgresql", func(t *testing.T) {
		pgURL := storetest.PostgreSQL(t) // skips loudly when PostgreSQL is not here
		u, err := url.Parse(pgURL)
		if err != nil {
			t.Fatal(err)
		}
		testOneProcessPerStore(t, t.TempDir(), []string{"--embedded-postgres-url", pgURL},
			"LANYARD_EMBEDDED_POSTGRES_URL: the embedded store in PostgreSQL database "+u.Host+u.Path+" ")
	})
}

func testOneProcessPerStore(t *testing.T, dir string, engineArgs []string, wantPrefix string) {
	const inUse = "is already in use by another lanyard process (one process per embedded store; run replicas on MongoDB)"
	args, grpcAddr, _ := serveArgs(t, engineArgs...)
	first := startLanyard(t, dir, nil, args...)
	first.waitServing(t)

	args2, _, _ := serveArgs(t, engineArgs...)
	second := startLanyard(t, dir, nil, args2...)
	if code := second.waitExit(t, 30*time.Second); code != 1 {
		t.Errorf("second serve: exit code %d, want 1", code)
	}
	apikey := startLanyard(t, dir, nil, append([]string{"apikey", "create", "--server", "ops", "--data-dir", "."}, engineArgs...)...)
	if code := apikey.waitExit(t, 30*time.Second); code != 1 {
		t.Errorf("apikey create: exit code %d, want 1", code)
	}
	usersFile, err := filepath.Abs("examples/sample-app/users.json")
	if err != nil {
		t.Fatal(err)
	}
	importer := startLanyard(t, dir, nil, append([]string{"import", "users", usersFile, "--data-dir", "."}, engineArgs...)...)
	if code := importer.waitExit(t, 30*time.Second); code != 1 {
		t.Errorf("import users: exit code %d, want 1", code)
	}
	for _, p := range []*lanyardProc{second, apikey, importer} {
		text := strings.TrimSpace(p.stderr.String())
		if want := "lanyard: " + wantPrefix + inUse; text != want {
			t.Errorf("lanyard %s said:\n%s\nwant the one line:\n%s", p.args[0], text, want)
		}
	}

	conn := dial(t, grpcAddr)
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING, 10*time.Second)
	mustLogin(t, lanyardv1.NewAuthServiceClient(conn))

	// A crash never leaves the store locked.
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	first.waitExit(t, 10*time.Second)
	args3, grpcAddr3, _ := serveArgs(t, engineArgs...)
	next := startLanyard(t, dir, nil, args3...)
	next.waitServing(t)
	mustLogin(t, lanyardv1.NewAuthServiceClient(dial(t, grpcAddr3)))
	next.stop(t)
}
