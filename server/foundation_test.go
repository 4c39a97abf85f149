package server_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protowire"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// secretPatterns are shapes of secrets that must never reach a log: JWTs (access, refresh, custom),
// argon2 hashes, and the passwords tests use (all start with "pw-").
var secretPatterns = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.|\$argon2id\$|pw-[A-Za-z0-9]`)

func checkLogsClean(t testing.TB, logs string) {
	t.Helper()
	if m := secretPatterns.FindString(logs); m != "" {
		i := strings.Index(logs, m)
		t.Errorf("a secret reached the log: ...%s...", logs[max(0, i-80):min(len(logs), i+40)])
	}
}

func TestHealthAndHTTP(t *testing.T) {
	ts := startServer(t, testConfig(t))
	resp, err := healthpb.NewHealthClient(ts.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", resp, err)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "grpc_server_handled_total", "/.well-known/jwks.json": `"keys"`} {
		r, err := http.Get("http://" + ts.HTTPAddr() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %.200s", path, r.StatusCode, body)
		}
	}
}

// TestBadInputsGetClearAnswers: every malformed call gets the right code and reason, never INTERNAL.
func TestBadInputsGetClearAnswers(t *testing.T) {
	ts := startServer(t, testConfig(t))
	ctx := context.Background()

	_, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{})
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
	if f := violationFields(err); len(f) != 1 || f[0] != "credentials" {
		t.Errorf("violations %v", f)
	}

	_, err = ts.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{})
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")

	_, err = ts.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: "not.a.token"})
	wantError(t, err, codes.Unauthenticated, "TOKEN_INVALID")

	_, err = ts.auth.WhoAmI(ctx, &lanyardv1.WhoAmIRequest{})
	wantError(t, err, codes.Unauthenticated, "TOKEN_MISSING")

	_, err = ts.auth.WhoAmI(metadata.AppendToOutgoingContext(ctx, "authorization", "Basic abc"), &lanyardv1.WhoAmIRequest{})
	wantError(t, err, codes.Unauthenticated, "TOKEN_INVALID")

	_, err = ts.admin.ListUsers(ctx, &lanyardv1.ListUsersRequest{})
	wantError(t, err, codes.Unauthenticated, "TOKEN_MISSING")

	// A request that is not valid protobuf for the method (a string field holding invalid UTF-8): grpc-go
	// would answer INTERNAL before any interceptor.
	bad := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), []byte{0xff, 0xfe})
	msg := rawMessage(bad)
	err = ts.conn.Invoke(ctx, lanyardv1.AuthService_RefreshSession_FullMethodName, &msg, new(rawMessage), grpc.ForceCodecV2(rawCodec{}))
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")

}

// TestOversizedHeaderRefused: an authorization value past the server's header limit is refused before
// any handler, and the server keeps serving.
func TestOversizedHeaderRefused(t *testing.T) {
	ts := startServer(t, testConfig(t))
	huge := "Bearer " + strings.Repeat("A", 100<<10)
	_, err := ts.auth.WhoAmI(metadata.AppendToOutgoingContext(context.Background(), "authorization", huge), &lanyardv1.WhoAmIRequest{})
	if err == nil {
		t.Fatal("a 100 KiB authorization header was accepted")
	}
	// Between the client limit and the server's own cap: refused by the interceptor with a reason.
	mid := "Bearer " + strings.Repeat("A", 40<<10)
	conn, err := grpc.NewClient(ts.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = lanyardv1.NewAuthServiceClient(conn).WhoAmI(metadata.AppendToOutgoingContext(context.Background(), "authorization", mid), &lanyardv1.WhoAmIRequest{})
	wantError(t, err, codes.Unauthenticated, "TOKEN_INVALID")
	anonLogin(t, ts) // still serving
}

// rawMessage and rawCodec send bytes as they are, to test what the server does with malformed input.
type rawMessage []byte

type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(*v.(*rawMessage))}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*v.(*rawMessage) = data.Materialize()
	return nil
}
