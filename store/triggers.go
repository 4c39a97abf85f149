package store

import (
	"context"
	"time"
)

// Leases give one process at a time the right to do some work (run the authentication triggers, say)
// while several replicas share a store. A lease is held until an expiry the holder sets from its own clock
// and renews well before it passes; a holder that dies simply stops renewing, and the lease is free once
// its expiry is past.
//
// What the contract promises, on every engine (FerretDB v1 included, whose updates are not atomic): two
// callers never both get held == true for one lease with an expiry unpassed at the same instant, as long as
// they pass times from the same clock (replicas' clocks differing by less than the margin between
// renewal and expiry keep the promise in practice). A caller that got held == true at now holds the lease
// until now + ttl and no longer: it must stop the work it guards by then unless a renewal succeeded.
type Leases interface {
	// AcquireLease takes the lease name for holder until now+ttl when it is free, expired at now, or
	// already holder's (a renewal); it reports whether holder holds it. Losing to another holder is
	// held == false with a nil error. A ttl <= 0 or an empty name or holder is an error.
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (held bool, err error)
	// ReleaseLease frees the lease at once when holder holds it, so that another replica can take it
	// without waiting for its expiry; releasing a lease holder does not hold is not an error.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// TriggerCursors remember, per trigger (or any named reader of the auth event log), the sequence number
// of the last event it finished with, so that a restart resumes after it.
type TriggerCursors interface {
	// TriggerCursor returns the position of the cursor name; 0 when it was never set.
	TriggerCursor(ctx context.Context, name string) (int64, error)
	// SetTriggerCursor moves the cursor name to seq. It only ever moves forward: setting a position at or
	// before the stored one leaves the stored one, even when several writers race.
	SetTriggerCursor(ctx context.Context, name string, seq int64) error
}

// UserSnapshot is what a DELETE event keeps of the user it deleted: what an authentication trigger
// passes to its function, which can no longer read the user from the store.
type UserSnapshot struct {
	Type       string         // UserTypeNormal or UserTypeServer; empty when the user was gone before its event
	Data       map[string]any // as User.Data
	Identities []IdentitySnapshot
}

// IdentitySnapshot is one identity of a deleted user.
type IdentitySnapshot struct {
	ID           string
	ProviderType string
	Data         map[string]any // as Identity.Data
}
