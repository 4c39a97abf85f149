package authn

import (
	"context"
	"testing"
)

func TestPrincipalContext(t *testing.T) {
	iss, _ := newIssuer(t, sharedKey(t, AlgES256))
	tok := mintAccess(t, iss, testClaims())
	c, err := iss.VerifyAccess(tok)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPrincipal(c)
	if p.UserID != c.Subject || p.SessionID != "sess-1" || p.TokenID != c.ID || p.DeviceID != c.DeviceID ||
		!p.IssuedAt.Equal(t0) || !p.ExpiresAt.Equal(t0.Add(DefaultAccessTTL)) || p.IsServer() {
		t.Fatalf("principal = %+v", p)
	}

	ctx := WithPrincipal(context.Background(), p)
	if got, ok := PrincipalFrom(ctx); !ok || got != p {
		t.Fatal("principal not found")
	}
	if _, ok := PrincipalFrom(context.Background()); ok {
		t.Fatal("principal found in an empty context")
	}
	// Another package's key of the same shape is a different key.
	type foreignKey struct{}
	if _, ok := PrincipalFrom(context.WithValue(context.Background(), foreignKey{}, p)); ok {
		t.Fatal("principal found under a foreign key")
	}
	if _, ok := PrincipalFrom(WithPrincipal(context.Background(), nil)); ok {
		t.Fatal("nil principal reported as present")
	}

	var none *Principal
	if none.IsServer() || !(&Principal{UserType: UserTypeServer}).IsServer() {
		t.Fatal("IsServer")
	}
}
