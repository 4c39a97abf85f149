package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// healthOnlyStore is a store of which only the health is used.
type healthOnlyStore struct {
	store.Store
	healthy atomic.Bool
}

func (s *healthOnlyStore) Healthy() bool { return s.healthy.Load() }

// TestCallWaitingForStoreEndsWhenItIsLost: a call that waits for the store (the driver waits for an
// engine it lost as long as the call allows) answers UNAVAILABLE as soon as the store turns unhealthy;
// while it is unhealthy calls are refused before the handler; a caller's own cancellation stays its own.
func TestCallWaitingForStoreEndsWhenItIsLost(t *testing.T) {
	st := &healthOnlyStore{}
	st.healthy.Store(true)
	s := &Server{store: st, log: slog.New(slog.NewTextHandler(io.Discard, nil)), policy: apiPolicy}
	s.storeOutage.set(true)
	info := &grpc.UnaryServerInfo{FullMethod: lanyardv1.AuthService_RefreshSession_FullMethodName}
	if !s.policy[info.FullMethod].store {
		t.Fatalf("%s does not need the store", info.FullMethod)
	}
	// waiting stands for a handler whose store request waits for the engine until its context ends.
	entered := make(chan struct{})
	waiting := func(ctx context.Context, _ any) (any, error) {
		close(entered)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	wantUnavailable := func(err error) {
		t.Helper()
		st := rpc.Status(context.Background(), s.log, err)
		if st.Code() != codes.Unavailable || !errors.Is(err, storeUnavailable) {
			t.Fatalf("error %v (%s), want UNAVAILABLE STORE_UNAVAILABLE", err, st.Code())
		}
	}

	errc := make(chan error, 1)
	go func() {
		_, err := s.unaryAvailability(context.Background(), nil, info, waiting)
		errc <- err
	}()
	<-entered
	st.healthy.Store(false)
	s.storeOutage.set(false) // what the health watcher does (setHealth)
	wantUnavailable(<-errc)

	// While the store is unhealthy, the handler is not even called.
	_, err := s.unaryAvailability(context.Background(), nil, info, func(context.Context, any) (any, error) {
		t.Fatal("handler called while the store is unreachable")
		return nil, nil
	})
	wantUnavailable(err)

	// Healthy again: calls go through, and a caller that gives up gets its own cancellation back.
	st.healthy.Store(true)
	s.storeOutage.set(true)
	entered = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := s.unaryAvailability(ctx, nil, info, waiting)
		errc <- err
	}()
	<-entered
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) || status.Code(err) == codes.Unavailable {
		t.Fatalf("a call its caller canceled answered %v, want its cancellation", err)
	}
}
