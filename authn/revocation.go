package authn

import (
	"context"
	"sync"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// revocationSet is this process's copy of the revoked sessions and users. Access tokens are checked
// against it on every request, without touching the store; it is refreshed from the store every
// RevocationInterval, so a revocation on any replica bites here within seconds, not at token expiry.
type revocationSet struct {
	mu       sync.RWMutex
	sessions map[string]time.Time // session id → when revoked: every token of the session is refused
	users    map[string]time.Time // user id → when revoked: tokens issued at or before are refused
	polledAt time.Time            // the last successful poll started here
}

func newRevocationSet() *revocationSet {
	return &revocationSet{sessions: map[string]time.Time{}, users: map[string]time.Time{}}
}

// refuses reports whether p's token was revoked. Token times have one-second resolution, so a token
// issued in the same second as a user-wide revocation is refused too: refusing one token too many is the
// safe side.
func (r *revocationSet) refuses(p *Principal) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.sessions[p.SessionID]; ok {
		return true
	}
	at, ok := r.users[p.UserID]
	return ok && !p.IssuedAt.After(at)
}

// sessionRevoked reports whether the session was revoked lately (within the access token lifetime).
func (r *revocationSet) sessionRevoked(id string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.sessions[id]
	return ok
}

func (r *revocationSet) add(rv store.Revocation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.sessions
	if rv.Kind == store.RevokedUser {
		m = r.users
	}
	if prev, ok := m[rv.ID]; !ok || rv.At.After(prev) {
		m[rv.ID] = rv.At
	}
}

// forget drops revocations older than cutoff: every token they could refuse has expired.
func (r *revocationSet) forget(cutoff time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range []map[string]time.Time{r.sessions, r.users} {
		for id, at := range m {
			if at.Before(cutoff) {
				delete(m, id)
			}
		}
	}
}

// revocationOverlap re-reads revocations recorded shortly before the last poll, to cover clocks of
// replicas that disagree by up to this much and writes that land late.
const revocationOverlap = time.Minute

// pollRevocations reads revocations recorded since the last poll (all that still matter, the first
// time) into the set.
func (s *Service) pollRevocations(ctx context.Context, first bool) error {
	now := s.cfg.Now()
	since := s.revoked.polledAt.Add(-revocationOverlap)
	if first {
		since = now.Add(-s.revocationKeep())
	}
	list, err := s.store.RevocationsSince(ctx, since)
	if err != nil {
		return err
	}
	for _, rv := range list {
		s.revoked.add(rv)
	}
	s.revoked.mu.Lock()
	s.revoked.polledAt = now
	s.revoked.mu.Unlock()
	s.revoked.forget(now.Add(-s.revocationKeep()))
	return nil
}

// revoke records a revocation in the store (for every replica) and in this process at once.
func (s *Service) revoke(ctx context.Context, kind, id string) error {
	rv := store.Revocation{Kind: kind, ID: id, At: s.cfg.Now()}
	if err := s.store.AddRevocation(ctx, rv); err != nil {
		return err
	}
	s.revoked.add(rv)
	return nil
}
