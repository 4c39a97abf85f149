package authn

import (
	"context"
	"time"
)

// User types, as App Services names them.
const (
	UserTypeNormal = "normal"
	UserTypeServer = "server"
)

// Principal is who an authenticated request acts for, taken from a verified
// access token. It deliberately holds no token: whatever reaches the context
// ends up in handlers and, sooner or later, in logs.
type Principal struct {
	UserID    string
	UserType  string
	SessionID string
	TokenID   string
	DeviceID  string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Claims are the verified claims, shared with the verify cache:
	// read-only.
	Claims *AccessClaims
}

// NewPrincipal builds the Principal for verified claims.
func NewPrincipal(c *AccessClaims) *Principal {
	p := &Principal{
		UserID:    c.Subject,
		UserType:  c.UserType,
		SessionID: c.SessionID,
		TokenID:   c.ID,
		DeviceID:  c.DeviceID,
		Claims:    c,
	}
	if c.IssuedAt != nil {
		p.IssuedAt = c.IssuedAt.Time()
	}
	if c.Expiry != nil {
		p.ExpiresAt = c.Expiry.Time()
	}
	return p
}

// IsServer reports whether the principal is a server (API key) user.
func (p *Principal) IsServer() bool { return p != nil && p.UserType == UserTypeServer }

// principalKey is unexported so that only this package can put a Principal
// in a context: no other code can forge one under the same key.
type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of an authenticated request.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}
