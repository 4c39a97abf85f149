package authn

import (
	"sync"
	"time"
)

// Failed-login limits. Failures are counted per (identity, peer) and per peer, never per identity alone:
// an attacker elsewhere can then exhaust only their own allowance, and cannot lock a victim out of their
// account.
const (
	failureWindow       = 15 * time.Minute
	maxFailuresIdentity = 10  // per identity from one peer
	maxFailuresPeer     = 100 // per peer, across identities
	maxLimiterEntries   = 100_000
)

// failureLimiter counts failed logins in fixed windows. It is per process: with several replicas the
// allowance is per replica, which still bounds guessing to a few attempts a minute per peer.
type failureLimiter struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*failures
}

type failures struct {
	count int
	start time.Time
}

func newFailureLimiter(now func() time.Time) *failureLimiter {
	return &failureLimiter{now: now, entries: map[string]*failures{}}
}

// blocked reports which limit (LimitIdentity, LimitPeer) refuses logins for identity from peer now, and
// for how long; "" when none does.
func (l *failureLimiter) blocked(identity, peer string) (string, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range []struct {
		key   string
		max   int
		limit string
	}{{"i\x00" + identity + "\x00" + peer, maxFailuresIdentity, LimitIdentity}, {"p\x00" + peer, maxFailuresPeer, LimitPeer}} {
		if f, ok := l.entries[k.key]; ok && now.Sub(f.start) < failureWindow && f.count >= k.max {
			return k.limit, failureWindow - now.Sub(f.start)
		}
	}
	return "", 0
}

// failed counts one failure.
func (l *failureLimiter) failed(identity, peer string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.entries) >= maxLimiterEntries {
		l.prune(now)
	}
	for _, key := range []string{"i\x00" + identity + "\x00" + peer, "p\x00" + peer} {
		f, ok := l.entries[key]
		if !ok || now.Sub(f.start) >= failureWindow {
			f = &failures{start: now}
			l.entries[key] = f
		}
		f.count++
	}
}

// succeeded clears the identity's count for the peer.
func (l *failureLimiter) succeeded(identity, peer string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, "i\x00"+identity+"\x00"+peer)
}

// prune drops expired windows; if the table is still full (a flood of distinct peers), it is cleared,
// failing open rather than growing without bound.
func (l *failureLimiter) prune(now time.Time) {
	for k, f := range l.entries {
		if now.Sub(f.start) >= failureWindow {
			delete(l.entries, k)
		}
	}
	if len(l.entries) >= maxLimiterEntries {
		l.entries = map[string]*failures{}
	}
}
