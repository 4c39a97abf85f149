package server_test

import (
	"context"
	"encoding/json"
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
	for path, want := range map[string]string{"/healthz": "ok", "/metrics": "grpc_server_handled_total", "/.well-known/jwks.json": `"keys"`} {
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

// TestCallLogLine: every call leaves one line naming its method, code, request id and, once the token
// is verified, its user; the request id is the caller's when plain, and the one echoed.
func TestCallLogLine(t *testing.T) {
	ts := startServer(t, testConfig(t))
	login := anonLogin(t, ts)
	ctx := metadata.AppendToOutgoingContext(bearer(login.GetAccessToken()), "x-request-id", "trace-who-am-i")
	var header metadata.MD
	if _, err := ts.auth.WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, grpc.Header(&header)); err != nil {
		t.Fatal(err)
	}
	if got := header.Get("x-request-id"); len(got) != 1 || got[0] != "trace-who-am-i" {
		t.Errorf("x-request-id echoed %q", got)
	}
	_, err := ts.admin.ListUsers(metadata.AppendToOutgoingContext(bearer(login.GetAccessToken()), "x-request-id", "trace-denied"), &lanyardv1.ListUsersRequest{})
	wantError(t, err, codes.PermissionDenied, "SERVER_PRINCIPAL_REQUIRED")

	lines := map[string]map[string]any{}
	for _, l := range strings.Split(ts.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "finished call" {
			if id, _ := m["request_id"].(string); id != "" {
				lines[id] = m
			}
		}
	}
	for id, want := range map[string]map[string]any{
		"trace-who-am-i": {"level": "INFO", "grpc.service": "lanyard.v1.AuthService", "grpc.method": "WhoAmI", "grpc.code": "OK", "user_id": login.GetUserId()},
		"trace-denied":   {"level": "WARN", "grpc.service": "lanyard.v1.AdminService", "grpc.method": "ListUsers", "grpc.code": "PermissionDenied", "user_id": login.GetUserId()},
	} {
		got, ok := lines[id]
		if !ok {
			t.Errorf("no finished call line with request id %s in:\n%s", id, ts.logs.String())
			continue
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", id, k, got[k], v)
			}
		}
		if _, ok := got["grpc.time_ms"].(float64); !ok {
			t.Errorf("%s: no grpc.time_ms in %v", id, got)
		}
	}
	if e, _ := lines["trace-denied"]["grpc.error"].(string); e == "" {
		t.Errorf("the refused call's line has no grpc.error: %v", lines["trace-denied"])
	}
}
