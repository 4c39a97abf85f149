package server

import (
	"context"

	"github.com/lanyardhq/lanyard/authn"
)

// verifyAccess turns a bearer token into the caller's principal. Until signing keys exist nothing is
// accepted: authentication fails closed.
func (s *Server) verifyAccess(ctx context.Context, token string) (*authn.Principal, error) {
	return nil, errTokenInvalid
}
