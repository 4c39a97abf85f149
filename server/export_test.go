package server

import (
	"context"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

// Hooks for the tests of package server_test, compiled into test binaries only.

// ApplyAppDir applies the export of cfg.AppDir, as LoadConfig does.
var ApplyAppDir = applyAppDir

// HTTPPatterns exposes the patterns of the HTTP listener's routes.
func (s *Server) HTTPPatterns() []string { return s.httpPatterns }

// AccessTokenCode is the code a call carrying token as its bearer access token fails with (OK if the
// token passes): the verification and the error mapping of the interceptor, without the round trip,
// for sweeps too large to send over the network.
func (s *Server) AccessTokenCode(token string) codes.Code {
	ctx := context.Background()
	_, err := s.verifyAccess(ctx, token)
	return rpc.Status(ctx, s.log, err).Code()
}

// RefreshTokenCode is the code RefreshSession answers token with, without the round trip.
func (s *Server) RefreshTokenCode(token string) codes.Code {
	ctx := context.Background()
	err := validate(&lanyardv1.RefreshSessionRequest{RefreshToken: token})
	if err == nil {
		_, err = s.auth.Refresh(ctx, token)
	}
	return rpc.Status(ctx, s.log, err).Code()
}

// WhoAmIInProcess returns a function that makes a WhoAmI call through the server's own code (its
// interceptor chain, the handler and the codec that encodes the answer) without the transport, from a
// context carrying the call's incoming metadata, and returns the size of the encoded answer.
func (s *Server) WhoAmIInProcess() func(ctx context.Context) (int, error) {
	unary, _ := s.interceptors(grpcprom.NewServerMetrics())
	svc := s.authService()
	info := &grpc.UnaryServerInfo{Server: svc, FullMethod: lanyardv1.AuthService_WhoAmI_FullMethodName}
	handler := func(ctx context.Context, req any) (any, error) {
		return svc.WhoAmI(ctx, req.(*lanyardv1.WhoAmIRequest))
	}
	for i := len(unary) - 1; i >= 0; i-- {
		next, step := handler, unary[i]
		handler = func(ctx context.Context, req any) (any, error) { return step(ctx, req, info, next) }
	}
	codec := newMarkingCodec()
	return func(ctx context.Context) (int, error) {
		resp, err := handler(ctx, &lanyardv1.WhoAmIRequest{})
		if err != nil {
			return 0, err
		}
		out, err := codec.Marshal(resp)
		if err != nil {
			return 0, err
		}
		defer out.Free()
		return out.Len(), nil
	}
}

// CheckStore has the store check the engine now, as its health checker does, and returns the outcome.
func (s *Server) CheckStore(ctx context.Context) error { return s.store.Ping(ctx) }

// StoreHealthy is the store's health as the server acts on it.
func (s *Server) StoreHealthy() bool { return s.store.Healthy() }

// PollWatchers has the custom data watch hub poll the store now, as its ticker does.
func (s *Server) PollWatchers(ctx context.Context) { s.watch.Poll(ctx) }

// WatchWakes is how many times the watch hub woke a user's streams because the store's fingerprint of
// the document changed.
func (s *Server) WatchWakes() int64 {
	return s.watch.Wakes()
}
