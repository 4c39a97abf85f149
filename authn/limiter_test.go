package authn

import (
	"testing"
	"time"
)

// TestFailureLimiter: failures are limited per identity and peer and per peer, expire with their window,
// and an attacker elsewhere cannot lock a victim out.
func TestFailureLimiter(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newFailureLimiter(func() time.Time { return now })
	for i := range maxFailuresIdentity {
		if limit, _ := l.blocked("ada@example.com", "10.0.0.66"); limit != "" {
			t.Fatalf("blocked by the %s limit after %d failures", limit, i)
		}
		l.failed("ada@example.com", "10.0.0.66")
	}
	limit, wait := l.blocked("ada@example.com", "10.0.0.66")
	if limit != LimitIdentity || wait <= 0 || wait > failureWindow {
		t.Fatalf("after %d failures: blocked by %q for %s, want the %s limit", maxFailuresIdentity, limit, wait, LimitIdentity)
	}
	if limit, _ := l.blocked("ada@example.com", "192.0.2.7"); limit != "" {
		t.Fatal("the victim is locked out from another address")
	}
	l.succeeded("ada@example.com", "192.0.2.7")

	// Spreading guesses over many identities from one peer hits the per-peer limit.
	for i := range maxFailuresPeer {
		l.failed(string(rune('a'+i%26))+"@example.com", "203.0.113.9")
	}
	if limit, _ := l.blocked("new@example.com", "203.0.113.9"); limit != LimitPeer {
		t.Fatalf("a peer past the per-peer limit: blocked by %q, want the %s limit", limit, LimitPeer)
	}

	now = now.Add(failureWindow)
	if limit, _ := l.blocked("ada@example.com", "10.0.0.66"); limit != "" {
		t.Fatal("still blocked after the window")
	}
	l.failed("ada@example.com", "10.0.0.66")
	l.succeeded("ada@example.com", "10.0.0.66")
	if f := l.entries["i\x00ada@example.com\x0010.0.0.66"]; f != nil {
		t.Fatal("a success does not clear the identity's count")
	}
}
