package server

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

// maxAuthorization caps the authorization value before any parsing: a token carrying a 16 KiB custom data
// document is about 22 KB, so 32 KiB leaves room without letting a caller make the server decode
// megabytes. (grpc-go's MaxHeaderListSize bounds the whole header list before this runs.)
const maxAuthorization = 32 << 10

var (
	errServerOnly = rpc.NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_SERVER_PRINCIPAL_REQUIRED,
		"this method is for server principals (server API keys) only")
	errNoPolicy = rpc.NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_SERVER_PRINCIPAL_REQUIRED,
		"this method is not open to anyone")
)

func (s *Server) unaryAuth(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	ctx, err := s.authorize(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return next(ctx, req)
}

func (s *Server) streamAuth(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	// Verifying a signature takes a deeper stack than everything else the stream's goroutine does before
	// it waits for news, for as long as the stream lasts (see deep).
	var ctx context.Context
	err := s.deep(ss.Context(), func() (err error) {
		ctx, err = s.authorize(ss.Context(), info.FullMethod)
		return err
	})
	if err != nil {
		return err
	}
	return next(srv, &contextStream{ServerStream: ss, ctx: ctx})
}

// authorize applies the method's access option to one call: public methods pass, user and server methods
// need a verified access token (UNAUTHENTICATED otherwise), server methods a server principal
// (PERMISSION_DENIED otherwise), and methods with no access option, or one this server does not know,
// are refused.
func (s *Server) authorize(ctx context.Context, method string) (context.Context, error) {
	r := s.policy[method]
	switch r.access {
	case lanyardv1.Access_ACCESS_PUBLIC:
		return ctx, nil
	case lanyardv1.Access_ACCESS_USER, lanyardv1.Access_ACCESS_SERVER:
	default:
		return ctx, errNoPolicy
	}
	token, err := bearer(ctx)
	if err != nil {
		return ctx, err
	}
	p, err := s.verifyAccess(ctx, token)
	if err != nil {
		return ctx, err
	}
	if c := rpc.CallFrom(ctx); c != nil {
		c.UserID = p.UserID
	}
	if r.access == lanyardv1.Access_ACCESS_SERVER && !p.IsServer() {
		return ctx, errServerOnly
	}
	return authn.WithPrincipal(ctx, p), nil
}

// bearer extracts the token of the one `authorization: Bearer …` value, refusing oversized values before
// looking at them.
func bearer(ctx context.Context) (string, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	switch {
	case len(values) == 0:
		return "", rpc.ErrTokenMissing
	case len(values) > 1:
		return "", rpc.ErrTokenInvalid
	case len(values[0]) > maxAuthorization:
		return "", rpc.ErrTokenInvalid
	}
	scheme, token, found := strings.Cut(values[0], " ")
	if !found || !strings.EqualFold(scheme, "bearer") || token == "" {
		return "", rpc.ErrTokenInvalid
	}
	return token, nil
}
