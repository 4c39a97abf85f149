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

// Opener returns a store on the named database of the engine under test,
// closed at the end of t (Close is idempotent, so behaviours may close it
// earlier). Two calls with one name give two stores on one database, as two
// replicas of Lanyard would have.
type Opener func(t *testing.T, database string) store.Store

// Run runs every behaviour against stores made by open, each on a fresh
// database (named by DatabaseName).
func Run(t *testing.T, openDB Opener) {
	open := func(t *testing.T) store.Store { return openDB(t, DatabaseName(t)) }

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

	// Error translation (ErrAlreadyExists, ErrNotFound) is checked through
	// the domain operations below, on every engine.
	runUsers(t, open)
	runSessions(t, open)
	runRevocations(t, openDB)
	runKeys(t, open)
	runAPIKeys(t, open)
	runPasswords(t, open)
	runEvents(t, openDB)
	runCustomData(t, openDB)
}

// RunCustomData runs the custom data behaviours only, for stores that differ from those of Run in how
// they find documents.
func RunCustomData(t *testing.T, openDB Opener) { runCustomData(t, openDB) }

// testContext bounds one behaviour, so that a hung engine fails the test
// instead of stalling the run until go test's global timeout.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
