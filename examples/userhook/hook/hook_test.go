package hook

import (
	"context"
	"io"
	"log/slog"
	"net"
	"reflect"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
)

// serve runs svc on a loopback listener and returns a client for it, and a channel that receives the
// status code of every call when its handler returns.
func serve(t *testing.T, svc *Service) (hooksv1.UserCreationHookServiceClient, <-chan codes.Code) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan codes.Code, 16)
	srv := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		done <- status.Code(err)
		return resp, err
	}))
	hooksv1.RegisterUserCreationHookServiceServer(srv, svc)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return hooksv1.NewUserCreationHookServiceClient(conn), done
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func request(t *testing.T, provider, email string) *hooksv1.OnUserCreationRequest {
	t.Helper()
	req := &hooksv1.OnUserCreationRequest{
		UserId: "65a0c0ffee00000000000001", Type: "normal", ProviderType: provider,
		ProviderId: "subject-1", AppId: "lanyard",
	}
	if email != "" {
		data, err := structpb.NewStruct(map[string]any{"email": email, "name": "Test User"})
		if err != nil {
			t.Fatal(err)
		}
		req.Data = data
	}
	return req
}

func TestOnUserCreation(t *testing.T) {
	client, done := serve(t, &Service{Log: quiet()})
	granted := func(provider string) map[string]any {
		return map[string]any{"plan": "free", "created_by": "userhook", "provider": provider, "user_id": "65a0c0ffee00000000000001"}
	}
	cases := []struct {
		name     string
		req      *hooksv1.OnUserCreationRequest
		timeout  time.Duration
		wantCode codes.Code
		wantMsg  string
		wantData map[string]any
	}{
		{name: "google user", req: request(t, "oauth2-google", "ann@example.com"), wantData: granted("oauth2-google")},
		{name: "anonymous user without metadata", req: request(t, "anon-user", ""), wantData: granted("anon-user")},
		{name: "look-alike domain is not blocked", req: request(t, "local-userpass", "ann@notblocked.example"), wantData: granted("local-userpass")},
		{name: "blocked domain", req: request(t, "local-userpass", "eve@blocked.example"),
			wantCode: codes.FailedPrecondition, wantMsg: "sign-ups from blocked.example are closed"},
		{name: "blocked domain, any case and spacing", req: request(t, "oauth2-google", " Eve@Blocked.EXAMPLE "),
			wantCode: codes.FailedPrecondition, wantMsg: "sign-ups from blocked.example are closed"},
		{name: "hook down", req: request(t, "local-userpass", "dan@down.example"), wantCode: codes.Unavailable, wantMsg: "hook is down"},
		{name: "slow hook times out", req: request(t, "local-userpass", "sam@slow.example"), timeout: 200 * time.Millisecond,
			wantCode: codes.DeadlineExceeded},
		{name: "missing user id", req: &hooksv1.OnUserCreationRequest{ProviderType: "anon-user"},
			wantCode: codes.InvalidArgument, wantMsg: "user_id is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			start := time.Now()
			resp, err := client.OnUserCreation(ctx, tc.req)
			if got := status.Code(err); got != tc.wantCode {
				t.Fatalf("code = %v (%v), want %v", got, err, tc.wantCode)
			}
			if tc.wantMsg != "" {
				if got := status.Convert(err).Message(); got != tc.wantMsg {
					t.Errorf("message = %q, want %q", got, tc.wantMsg)
				}
			}
			if tc.wantData != nil {
				if got := resp.GetCustomData().AsMap(); !reflect.DeepEqual(got, tc.wantData) {
					t.Errorf("custom data = %v, want %v", got, tc.wantData)
				}
			} else if resp.GetCustomData() != nil {
				t.Errorf("custom data = %v, want none", resp.GetCustomData())
			}
			if tc.timeout > 0 && time.Since(start) < tc.timeout {
				t.Errorf("answered after %v, before the %v deadline", time.Since(start), tc.timeout)
			}
			// The handler itself must return (a slow hook waits for the caller's deadline, not forever).
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the handler did not return")
			}
		})
	}
}

func TestPlan(t *testing.T) {
	client, _ := serve(t, &Service{Plan: "trial", Log: quiet()})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := client.OnUserCreation(ctx, request(t, "api-key", ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.GetCustomData().AsMap()["plan"]; got != "trial" {
		t.Errorf("plan = %v, want trial", got)
	}
}
