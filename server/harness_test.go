package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/server"
	"github.com/lanyardhq/lanyard/telemetry"
)

// testServer is a whole Lanyard (real interceptor chain, real embedded engine) on loopback ports, with
// a gRPC client connected to it.
type testServer struct {
	*server.Server
	cfg      server.Config
	conn     *grpc.ClientConn
	auth     lanyardv1.AuthServiceClient
	data     lanyardv1.CustomDataServiceClient
	meta     lanyardv1.MetadataServiceClient
	admin    lanyardv1.AdminServiceClient
	logs     *syncBuffer
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
}

// syncBuffer collects the server's log for tests that read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testConfig is a development configuration on free loopback ports in a fresh data dir.
func testConfig(t testing.TB) server.Config {
	cfg := server.DefaultConfig()
	cfg.GRPCAddr = "127.0.0.1:0"
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.PublicURL = "http://lanyard.test"
	cfg.DataDir = t.TempDir()
	// A backstop, not a measure: the embedded engine answers within a second on an idle machine, but
	// make test builds and runs the Java and Python clients beside this package, and one start waited
	// more than 20 s for the engine then.
	cfg.StoreConnectTimeout = time.Minute
	cfg.StorePingInterval = 200 * time.Millisecond
	cfg.RevocationInterval = 200 * time.Millisecond
	cfg.ShutdownGrace = 5 * time.Second
	return cfg
}

// startServer starts a server with cfg and stops it at the end of the test.
func startServer(t testing.TB, cfg server.Config) *testServer {
	t.Helper()
	_, bench := t.(*testing.B)
	return startServerLogging(t, cfg, bench)
}

// startQuietServer is startServer for tests that count what calls allocate: it formats log lines as
// production does (info) but keeps none of them, so that no growing log buffer counts against a call.
func startQuietServer(t testing.TB, cfg server.Config) *testServer {
	t.Helper()
	return startServerLogging(t, cfg, true)
}

func startServerLogging(t testing.TB, cfg server.Config, quiet bool) *testServer {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	logs := &syncBuffer{}
	var w io.Writer = logs
	level := slog.LevelDebug
	if quiet {
		// Benchmarks format log lines as production does (info) but keep none of them.
		w, level = io.Discard, slog.LevelInfo
	}
	log := telemetry.NewLogger(w, level)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("server.New: %v", err)
	}
	ts := &testServer{Server: srv, cfg: cfg, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ctx) }()
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	ts.conn = conn
	ts.auth = lanyardv1.NewAuthServiceClient(conn)
	ts.data = lanyardv1.NewCustomDataServiceClient(conn)
	ts.meta = lanyardv1.NewMetadataServiceClient(conn)
	ts.admin = lanyardv1.NewAdminServiceClient(conn)
	t.Cleanup(func() {
		conn.Close()
		ts.stop(t)
		checkLogsClean(t, logs.String())
		if os.Getenv("DBGLOG") != "" {
			t.Log(logs.String())
		}
	})
	return ts
}

// stop stops the server and waits for it; later calls (the cleanup after a test's own stop) do nothing.
func (ts *testServer) stop(t testing.TB) {
	ts.stopOnce.Do(func() {
		ts.cancel()
		select {
		case err := <-ts.done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not stop within 30s")
		}
	})
}

// bearer returns a context carrying an access token.
func bearer(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

// wantError asserts a gRPC error's code and ErrorInfo reason.
func wantError(t *testing.T, err error, code codes.Code, reason string) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("not a status error: %v", err)
	}
	if st.Code() != code {
		t.Fatalf("code %s (%q), want %s", st.Code(), st.Message(), code)
	}
	got := ""
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if info.GetDomain() != "lanyard" {
				t.Errorf("ErrorInfo domain %q", info.GetDomain())
			}
			got = info.GetReason()
		}
	}
	if got != reason {
		t.Fatalf("reason %q (%q), want %q", got, st.Message(), reason)
	}
	return st
}

// violationFields lists the BadRequest field violations of an error.
func violationFields(err error) []string {
	st, _ := status.FromError(err)
	var out []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out = append(out, v.GetField())
			}
		}
	}
	return out
}

func anonLogin(t testing.TB, ts *testServer) *lanyardv1.LoginResponse {
	t.Helper()
	resp, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}})
	if err != nil {
		t.Fatalf("anonymous login: %v", err)
	}
	return resp
}
