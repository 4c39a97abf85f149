package server_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc"

	hooksv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/hooks/v1"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// gateHook is a user creation hook that holds every call until released.
type gateHook struct {
	hooksv1.UnimplementedUserCreationHookServiceServer
	entered chan struct{}
	release chan struct{}
}

func (g *gateHook) OnUserCreation(ctx context.Context, _ *hooksv1.OnUserCreationRequest) (*hooksv1.OnUserCreationResponse, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &hooksv1.OnUserCreationResponse{}, nil
}

// TestWebRPCCallFinishesThroughStop: a unary Connect call in flight when the server is asked to stop
// finishes with its answer, as a native one does, rather than being cancelled by the grpc.Server's
// graceful stop.
func TestWebRPCCallFinishesThroughStop(t *testing.T) {
	gate := &gateHook{entered: make(chan struct{}, 1), release: make(chan struct{})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	hooksv1.RegisterUserCreationHookServiceServer(g, gate)
	go func() { _ = g.Serve(l) }()
	t.Cleanup(g.Stop)

	cfg := testConfig(t)
	cfg.CustomDataOnUserCreation = l.Addr().String()
	cfg.CustomDataHookTimeout = 30 * time.Second
	cfg.ShutdownGrace = 20 * time.Second
	ts := startServer(t, cfg)
	httpAddr := ts.HTTPAddr()

	login := connect.NewClient[lanyardv1.LoginRequest, lanyardv1.LoginResponse](http.DefaultClient,
		webURL(ts, lanyardv1.AuthService_Login_FullMethodName), connect.WithProtoJSON())
	result := make(chan error, 1)
	go func() {
		resp, err := login.CallUnary(context.Background(), connect.NewRequest(&lanyardv1.LoginRequest{
			Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}))
		if err == nil && resp.Msg.GetAccessToken() == "" {
			err = context.DeadlineExceeded
		}
		result <- err
	}()
	select {
	case <-gate.entered:
	case err := <-result:
		t.Fatalf("the login ended before it reached the hook: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the login never reached the hook")
	}

	ts.cancel()
	// The HTTP listener closes when the stop begins: from then on the login is in flight during a stop.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", httpAddr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the HTTP listener still accepts connections 10 s after the stop began")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(gate.release)
	if err := <-result; err != nil {
		t.Fatalf("the Connect login in flight during the stop: %v", err)
	}
}
