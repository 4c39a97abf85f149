package authn

import (
	"context"
	"sync"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// revocationSet is this process's copy of the ended sessions. Access tokens are checked against it on
// every request, without touching the store; it follows the store's revocation log every
// RevocationInterval, so a session ended on any replica is refused here within seconds, not at token
// expiry.
//
// Nothing here compares one replica's clock with another's: a session is refused by id, whoever minted
// its tokens and whenever, and the log is followed by sequence number. (User-wide revocations compared a
// token's iat, by the minting replica's clock, with the revoking replica's: a replica whose clock ran
// ahead minted tokens that outlived the revocation.) Actions on a user (DisableUser, RevokeSessions,
// DeleteUser) revoke each of its sessions by id.
type revocationSet struct {
	mu sync.RWMutex
	// sessions maps a revoked session's id to when this process learned of it (by its own clock): it is
	// forgotten revocationKeep after that, when every token it could refuse has expired.
	sessions map[string]time.Time
	after    int64 // the highest sequence number of the log read so far
}

func newRevocationSet() *revocationSet {
	return &revocationSet{sessions: map[string]time.Time{}}
}

// refuses reports whether p's token was revoked.
func (r *revocationSet) refuses(p *Principal) bool {
	return r.sessionRevoked(p.SessionID)
}

// sessionRevoked reports whether the session was revoked lately (within the access token lifetime).
func (r *revocationSet) sessionRevoked(id string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.sessions[id]
	return ok
}

// add records revoked sessions, learned at now.
func (r *revocationSet) add(now time.Time, ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if _, ok := r.sessions[id]; !ok {
			r.sessions[id] = now
		}
	}
}

// forget drops revocations learned before cutoff: every token they could refuse has expired.
func (r *revocationSet) forget(cutoff time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, at := range r.sessions {
		if at.Before(cutoff) {
			delete(r.sessions, id)
		}
	}
}

// pollRevocations reads the revocations logged since the last poll (the first time: all the log holds,
// which is every revocation that still matters) into the set, in one query.
func (s *Service) pollRevocations(ctx context.Context) error {
	s.revoked.mu.RLock()
	after := s.revoked.after
	s.revoked.mu.RUnlock()
	list, err := s.store.RevocationsAfter(ctx, after)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	if n := len(list); n > 0 {
		ids := make([]string, n)
		for i, rv := range list {
			ids[i] = rv.SessionID
		}
		s.revoked.add(now, ids...)
		s.revoked.mu.Lock()
		s.revoked.after = max(s.revoked.after, list[n-1].Seq)
		s.revoked.mu.Unlock()
	}
	s.revoked.forget(now.Add(-s.revocationKeep()))
	return nil
}

// revoke records the end of sessions in the store's log (for every replica) and in this process at once.
func (s *Service) revoke(ctx context.Context, sessionIDs ...string) error {
	if len(sessionIDs) == 0 {
		return nil
	}
	now := s.cfg.Now()
	rs := make([]*store.Revocation, len(sessionIDs))
	for i, id := range sessionIDs {
		rs[i] = &store.Revocation{SessionID: id, At: now}
	}
	if err := s.store.AddRevocations(ctx, rs...); err != nil {
		return err
	}
	s.revoked.add(now, sessionIDs...)
	return nil
}
