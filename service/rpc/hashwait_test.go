package rpc

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/lanyardhq/lanyard/authn"
)

// TestHashWaitStatus: a password hash whose call ends while it waits for the hash budget answers
// CANCELLED or DEADLINE_EXCEEDED, never INTERNAL, and its message tells nothing of the server.
func TestHashWaitStatus(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		want codes.Code
	}{{cancelled, codes.Canceled}, {expired, codes.DeadlineExceeded}} {
		_, err := authn.HashPassword(tc.ctx, "pw-waiting")
		if err == nil {
			t.Fatalf("HashPassword with a %v context succeeded", tc.want)
		}
		st := Status(tc.ctx, log, err)
		if st.Code() != tc.want {
			t.Errorf("HashPassword with a %v context answered %v (%v)", tc.want, st.Code(), err)
		}
		if strings.Contains(st.Message(), "semaphore") || strings.Contains(st.Message(), "argon") {
			t.Errorf("message shows internals: %q", st.Message())
		}
		if _, _, err := authn.DummyVerify(tc.ctx, "pw-waiting"); Status(tc.ctx, log, err).Code() != tc.want {
			t.Errorf("DummyVerify with a %v context answered %v (%v)", tc.want, Status(tc.ctx, log, err).Code(), err)
		}
	}
}
