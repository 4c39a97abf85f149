package server

import (
	"context"

	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// Hooks for the tests of package server_test, compiled into test binaries only.

// HTTPPatterns exposes the patterns of the HTTP listener's routes.
func (s *Server) HTTPPatterns() []string { return s.httpPatterns }

// AccessTokenCode is the code a call carrying token as its bearer access token fails with (OK if the
// token passes): the verification and the error mapping of the interceptor, without the round trip,
// for sweeps too large to send over the network.
func (s *Server) AccessTokenCode(token string) codes.Code {
	ctx := context.Background()
	_, err := s.verifyAccess(ctx, token)
	return toStatus(ctx, s.log, err).Code()
}

// RefreshTokenCode is the code RefreshSession answers token with, without the round trip.
func (s *Server) RefreshTokenCode(token string) codes.Code {
	ctx := context.Background()
	err := validate(lanyardv1.AuthService_RefreshSession_FullMethodName, &lanyardv1.RefreshSessionRequest{RefreshToken: token})
	if err == nil {
		_, err = s.auth.Refresh(ctx, token)
	}
	return toStatus(ctx, s.log, err).Code()
}

// CheckStore has the store check the engine now, as its health checker does, and returns the outcome.
func (s *Server) CheckStore(ctx context.Context) error { return s.store.Ping(ctx) }

// StoreHealthy is the store's health as the server acts on it.
func (s *Server) StoreHealthy() bool { return s.store.Healthy() }
