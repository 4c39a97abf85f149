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
		if blocked, _ := l.blocked("ada@example.com", "10.0.0.66"); blocked {
			t.Fatalf("blocked after %d failures", i)
		}
		l.failed("ada@example.com", "10.0.0.66")
	}
	blocked, wait := l.blocked("ada@example.com", "10.0.0.66")
	if !blocked || wait <= 0 || wait > failureWindow {
		t.Fatalf("after %d failures: blocked %v for %s", maxFailuresIdentity, blocked, wait)
	}
	if blocked, _ := l.blocked("ada@example.com", "192.0.2.7"); blocked {
		t.Fatal("the victim is locked out from another address")
	}
	l.succeeded("ada@example.com", "192.0.2.7")

	// Spreading guesses over many identities from one peer hits the per-peer limit.
	for i := range maxFailuresPeer {
		l.failed(string(rune('a'+i%26))+"@example.com", "203.0.113.9")
	}
	if blocked, _ := l.blocked("new@example.com", "203.0.113.9"); !blocked {
		t.Fatal("a peer past the per-peer limit can still try")
	}

	now = now.Add(failureWindow)
	if blocked, _ := l.blocked("ada@example.com", "10.0.0.66"); blocked {
		t.Fatal("still blocked after the window")
	}
	l.failed("ada@example.com", "10.0.0.66")
	l.succeeded("ada@example.com", "10.0.0.66")
	if f := l.entries["i\x00ada@example.com\x0010.0.0.66"]; f != nil {
		t.Fatal("a success does not clear the identity's count")
	}
}
