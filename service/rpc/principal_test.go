package rpc

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/lanyardhq/lanyard/authn"
)

// TestAuthedWithoutPrincipal: a method marked public by mistake reaches its handler with no principal in
// the context; the wrapper answers UNAUTHENTICATED instead of running a handler that would dereference nil.
func TestAuthedWithoutPrincipal(t *testing.T) {
	ran := false
	h := Authed(func(_ context.Context, p *authn.Principal, req string) (string, error) {
		ran = true
		return p.UserID + req, nil
	})
	resp, err := h(context.Background(), "x")
	if ran {
		t.Fatal("the handler ran without a principal")
	}
	if resp != "" {
		t.Errorf("response %q, want none", resp)
	}
	st := Status(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), err)
	if st.Code() != codes.Unauthenticated {
		t.Fatalf("answered %v (%v), want UNAUTHENTICATED", st.Code(), err)
	}
}

// TestAuthedWithPrincipal: with the principal the policy put in the context, the handler runs with it.
func TestAuthedWithPrincipal(t *testing.T) {
	h := Authed(func(_ context.Context, p *authn.Principal, req string) (string, error) {
		return p.UserID + req, nil
	})
	ctx := authn.WithPrincipal(context.Background(), &authn.Principal{UserID: "u1"})
	resp, err := h(ctx, "-x")
	if err != nil || resp != "u1-x" {
		t.Fatalf("answered %q, %v; want u1-x", resp, err)
	}
}
