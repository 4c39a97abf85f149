package rpc

import (
	"context"

	"google.golang.org/grpc/codes"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

var (
	// ErrTokenMissing answers a call that needs a principal and has none.
	ErrTokenMissing = NewError(codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_TOKEN_MISSING,
		"this method needs an access token: send `authorization: Bearer <token>`")
	// ErrTokenInvalid answers a call whose authorization cannot hold a token.
	ErrTokenInvalid = NewError(codes.Unauthenticated, lanyardv1.ErrorReason_ERROR_REASON_TOKEN_INVALID,
		"the access token is not valid")
)

// Caller is the principal of an authenticated call. The access policy puts it in the context before
// user and server methods run; a call without one (a method whose access option says public by
// mistake) gets ErrTokenMissing, so that no handler dereferences a nil principal.
func Caller(ctx context.Context) (*authn.Principal, error) {
	if p, ok := authn.PrincipalFrom(ctx); ok && p != nil {
		return p, nil
	}
	return nil, ErrTokenMissing
}

// Authed adapts a handler that needs the caller to the gRPC method's signature: h runs only with a
// non-nil principal.
func Authed[Req, Resp any](h func(context.Context, *authn.Principal, Req) (Resp, error)) func(context.Context, Req) (Resp, error) {
	return func(ctx context.Context, req Req) (Resp, error) {
		p, err := Caller(ctx)
		if err != nil {
			var zero Resp
			return zero, err
		}
		return h(ctx, p, req)
	}
}
