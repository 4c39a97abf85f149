// Package auth is AuthService: sessions, registration and password flows, the caller's API keys, the
// signing keys' JWKS and WhoAmI.
package auth

import (
	"log/slog"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
)

// Service implements AuthService. Methods not written yet answer UNIMPLEMENTED through the embedded
// server, with an ErrorInfo added by the error mapping.
type Service struct {
	lanyardv1.UnimplementedAuthServiceServer
	auth  *authn.Service
	store store.Store
	log   *slog.Logger
	jwks  jwksCache
}

// New returns the service on the server's authn.Service and store.
func New(auth *authn.Service, st store.Store, log *slog.Logger) *Service {
	return &Service{auth: auth, store: st, log: log}
}
