// Package storetest is the conformance suite of store.Store and the matrix
// of engines it runs on. Every implementation passes the same behaviours on
// every engine: embedded FerretDB on SQLite (always), embedded FerretDB on
// the local PostgreSQL (when reachable; required when
// LANYARD_TEST_REQUIRE_POSTGRES=1) and a real MongoDB (when
// LANYARD_TEST_MONGODB_URI is set).
//
// A behaviour is one t.Run in Run, named after what it checks, so that a
// failure names the engine and the behaviour: TestConformance/sqlite/Ping.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// Hooks lets the suite exercise error translation against a real engine
// before the domain operations that depend on it exist. Implementations
// write only to the named collection; once domain operations can provoke
// the same errors, behaviours move to them and Hooks shrinks.
type Hooks interface {
	// InsertTestDocument inserts a document whose unique id is id.
	InsertTestDocument(ctx context.Context, collection, id string) error
	// FindTestDocument looks the document with that id up.
	FindTestDocument(ctx context.Context, collection, id string) error
}

// hookCollection is the only collection the suite writes through Hooks.
const hookCollection = "storetest"

// Run runs every behaviour against stores made by open. open returns a
// store on a fresh database each time and closes it at the end of the test
// it is given (Close is idempotent, so behaviours may close it earlier).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Ping", func(t *testing.T) {
		s := open(t)
		if err := s.Ping(testContext(t)); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})

	t.Run("HealthyAfterOpen", func(t *testing.T) {
		s := open(t)
		if !s.Healthy() {
			t.Fatal("Healthy() = false right after open")
		}
		var got []bool
		ctx, cancel := context.WithCancel(testContext(t))
		store.WatchHealth(ctx, s, func(healthy bool) {
			got = append(got, healthy)
			cancel() // the first call is the current state; enough here
		})
		if len(got) != 1 || !got[0] {
			t.Fatalf("WatchHealth delivered %v, want [true]", got)
		}
	})

	t.Run("CanceledContextPassesThrough", func(t *testing.T) {
		s := open(t)
		ctx, cancel := context.WithCancel(testContext(t))
		cancel()
		err := s.Ping(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Ping with a canceled context: %v, want context.Canceled", err)
		}
		if errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Ping with a canceled context: %v also matches ErrUnavailable", err)
		}
		if !s.Healthy() {
			t.Fatal("a canceled Ping marked the store unhealthy")
		}
	})

	t.Run("CloseIsIdempotent", func(t *testing.T) {
		s := open(t)
		ctx := testContext(t)
		if err := s.Close(ctx); err != nil {
			t.Fatalf("first Close: %v", err)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		// Requests racing a shutdown must map to UNAVAILABLE, not INTERNAL.
		if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Ping after Close: %v, want ErrUnavailable", err)
		}
	})

	t.Run("DuplicateInsertIsAlreadyExists", func(t *testing.T) {
		h := hooks(t, open(t))
		ctx := testContext(t)
		if err := h.InsertTestDocument(ctx, hookCollection, "dup"); err != nil {
			t.Fatalf("first insert: %v", err)
		}
		err := h.InsertTestDocument(ctx, hookCollection, "dup")
		if !errors.Is(err, store.ErrAlreadyExists) {
			t.Fatalf("second insert: %v, want ErrAlreadyExists", err)
		}
	})

	t.Run("MissingIsNotFound", func(t *testing.T) {
		h := hooks(t, open(t))
		ctx := testContext(t)
		if err := h.FindTestDocument(ctx, hookCollection, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("find in an empty collection: %v, want ErrNotFound", err)
		}
		if err := h.InsertTestDocument(ctx, hookCollection, "present"); err != nil {
			t.Fatalf("insert: %v", err)
		}
		if err := h.FindTestDocument(ctx, hookCollection, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("find a missing id: %v, want ErrNotFound", err)
		}
		if err := h.FindTestDocument(ctx, hookCollection, "present"); err != nil {
			t.Fatalf("find an inserted id: %v", err)
		}
	})
}

func hooks(t *testing.T, s store.Store) Hooks {
	t.Helper()
	h, ok := s.(Hooks)
	if !ok {
		t.Fatalf("%T does not implement storetest.Hooks", s)
	}
	return h
}

// testContext bounds one behaviour, so that a hung engine fails the test
// instead of stalling the run until go test's global timeout.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
