package server

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// panickingHealth is a health service whose every method panics with a value that must never reach a
// client.
type panickingHealth struct {
	grpc_health_v1.UnimplementedHealthServer
}

const panicSecret = "internal detail: connection string mongodb://user:secret@db"

func (panickingHealth) Check(context.Context, *grpc_health_v1.HealthCheckRequest) (*grpc_health_v1.HealthCheckResponse, error) {
	panic(panicSecret)
}

func (panickingHealth) Watch(*grpc_health_v1.HealthCheckRequest, grpc.ServerStreamingServer[grpc_health_v1.HealthCheckResponse]) error {
	panic(panicSecret)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// chainClient serves svc over real gRPC behind the server's whole interceptor chain (as Server.interceptors
// builds it) and returns a connection to it and the server's log.
func chainClient(t *testing.T, register func(*grpc.Server)) (*grpc.ClientConn, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	st := &healthOnlyStore{}
	st.healthy.Store(true)
	s := &Server{store: st, log: slog.New(slog.NewJSONHandler(logs, nil)), policy: apiPolicy}
	unary, stream := s.interceptors(grpcprom.NewServerMetrics())
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(unary...), grpc.ChainStreamInterceptor(stream...))
	register(srv)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, logs
}

// TestPanicBecomesMaskedInternal: a panic in a handler, unary or streaming, answers INTERNAL with the
// INTERNAL reason and the request id, never the panic's value; the process goes on serving; the log keeps
// the value and the stack under the request id.
func TestPanicBecomesMaskedInternal(t *testing.T) {
	conn, logs := chainClient(t, func(s *grpc.Server) { grpc_health_v1.RegisterHealthServer(s, panickingHealth{}) })
	health := grpc_health_v1.NewHealthClient(conn)
	check := func(err error, id string) {
		t.Helper()
		st := status.Convert(err)
		if st.Code() != codes.Internal {
			t.Fatalf("code %s (%v), want INTERNAL", st.Code(), err)
		}
		if strings.Contains(st.Message(), "secret") || strings.Contains(st.Message(), "mongodb") {
			t.Fatalf("the panic's value reached the client: %q", st.Message())
		}
		if !strings.Contains(st.Message(), id) {
			t.Errorf("message %q does not name the request id %s", st.Message(), id)
		}
		var reason string
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				reason = info.GetReason()
			}
		}
		if reason != "INTERNAL" {
			t.Errorf("ErrorInfo reason %q, want INTERNAL", reason)
		}
	}
	// Twice: the first panic must leave the server serving.
	for _, id := range []string{"panic-unary-1", "panic-unary-2"} {
		ctx := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", id)
		_, err := health.Check(ctx, &grpc_health_v1.HealthCheckRequest{})
		check(err, id)
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", "panic-stream")
	w, err := health.Watch(ctx, &grpc_health_v1.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Recv()
	check(err, "panic-stream")

	log := logs.String()
	for _, id := range []string{"panic-unary-1", "panic-unary-2", "panic-stream"} {
		line := ""
		for _, l := range strings.Split(log, "\n") {
			if strings.Contains(l, `"msg":"panic in handler"`) && strings.Contains(l, id) {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("no panic log line for %s in:\n%s", id, log)
		}
		if !strings.Contains(line, panicSecret) || !strings.Contains(line, "recovery_internal_test.go") {
			t.Errorf("the panic's line lacks its value or stack: %s", line)
		}
	}
}
