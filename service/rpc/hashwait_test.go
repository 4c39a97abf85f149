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

// TestHashWaitStatusWhileWaiting: a login whose call ends while it waits for the hash budget (taken
// whole here) answers CANCELLED, leaves the queue, and leaves the budget whole.
func TestHashWaitStatusWhileWaiting(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	waiting := make(chan struct{}, 1)
	release, err := authn.HoldHashBudget(t.Context(), waiting)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := authn.HashPassword(ctx, "pw-waiting")
		done <- err
	}()
	<-waiting
	select {
	case err := <-done:
		release()
		t.Fatalf("HashPassword ended (%v) with the budget taken", err)
	default:
	}
	cancel()
	err = <-done
	release()
	if err == nil {
		t.Fatal("HashPassword succeeded after its call was cancelled while waiting")
	}
	st := Status(ctx, log, err)
	if st.Code() != codes.Canceled {
		t.Errorf("a call cancelled while waiting answered %v (%v)", st.Code(), err)
	}
	if strings.Contains(st.Message(), "semaphore") || strings.Contains(st.Message(), "argon") {
		t.Errorf("message shows internals: %q", st.Message())
	}

	// The cancelled waiter took nothing: the whole budget can be taken again, and hashes run.
	whole, cancelWhole := context.WithTimeout(context.Background(), time.Minute)
	defer cancelWhole()
	again, err := authn.HoldHashBudget(whole, nil)
	if err != nil {
		t.Fatalf("the whole budget cannot be taken after the cancelled wait: %v", err)
	}
	again()
	if _, err := authn.HashPassword(context.Background(), "pw-after"); err != nil {
		t.Errorf("HashPassword after the cancelled wait: %v", err)
	}
}
