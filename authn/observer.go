package authn

import "fmt"

// Observer is told the outcomes operators count. The service calls it where both APIs meet, so a login
// or refresh over the App Services API is told like one over gRPC. Package metrics implements it; a nil
// Config.Observer tells no one.
type Observer interface {
	// Login reports the end of a login with a provider (one of the Provider* names): nil on success.
	Login(provider string, err error)
	// Refresh reports the end of a refresh token exchange: nil on success.
	Refresh(err error)
	// RateLimited reports a login refused by one of the failed-login limits (Limit*).
	RateLimited(limit string)
	// Revoked reports an action that ended sessions, by why (Revoked*).
	Revoked(reason string)
}

// The failed-login limits, as Observer.RateLimited names them.
const (
	LimitIdentity = "identity" // failures of one identity from one client address
	LimitPeer     = "peer"     // failures from one client address, across identities
)

// Why sessions were ended, as Observer.Revoked names it.
const (
	RevokedLogout       = "logout"          // the session's own refresh token logged out
	RevokedReuse        = "reuse"           // a rotated refresh token came back after the grace window
	RevokedSessions     = "revoke_sessions" // RevokeSessions: every session of a user
	RevokedUserDisabled = "user_disabled"   // DisableUser: every session of a user
	RevokedUserDeleted  = "user_deleted"    // DeleteUser or DeleteMe: every session of a user
)

// ErrRefreshReused is the answer to a rotated refresh token presented after the grace window: the session
// is revoked, so it is ErrSessionRevoked to callers; counters tell it apart.
var ErrRefreshReused = fmt.Errorf("%w: a rotated refresh token was reused", ErrSessionRevoked)

// nopObserver is the Observer of a service configured without one.
type nopObserver struct{}

func (nopObserver) Login(string, error) {}
func (nopObserver) Refresh(error)       {}
func (nopObserver) RateLimited(string)  {}
func (nopObserver) Revoked(string)      {}
