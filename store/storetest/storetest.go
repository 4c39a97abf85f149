// Package storetest is the conformance suite of store.Store and the matrix
// of engines it runs on. Every implementation passes the same behaviours on
// every engine: embedded FerretDB on SQLite (always), embedded FerretDB on
// the local PostgreSQL (when reachable; required when
// LANYARD_TEST_REQUIRE_POSTGRES=1) and a real MongoDB (when
// LANYARD_TEST_MONGODB_URI is set).
//
// A behaviour is one function, listed in a table under the name of what it
// checks; Run runs each as a subtest of that name, so that a failure names the
// engine and the behaviour: TestConformance/sqlite/Ping. Where an engine
// differs, the table entry says so (exceptOn) and the behaviour checks that it
// still does.
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
)

// Opener returns a store on the named database of the engine under test,
// closed at the end of t (Close is idempotent, so behaviours may close it
// earlier). Two calls with one name give two stores on one database, as two
// replicas of Lanyard would have.
type Opener func(t *testing.T, database string) store.Store

// Run runs every behaviour against stores made by openDB on the named engine (Engine.Name), each on a
// fresh database (named by DatabaseName) unless the behaviour needs several stores on one.
func Run(t *testing.T, engine string, openDB Opener) {
	// Error translation (ErrAlreadyExists, ErrNotFound) is checked through
	// the domain operations, on every engine.
	runBehaviours(t, harness{engine: engine, openDB: openDB}, slices.Concat(
		storeBehaviours,
		usersBehaviours,
		sessionsBehaviours,
		revocationsBehaviours,
		keysBehaviours,
		apiKeysBehaviours,
		passwordsBehaviours,
		eventsBehaviours,
		triggersBehaviours,
		customDataBehaviours,
	))
}

// RunCustomData runs the custom data behaviours only, for stores that differ from those of Run in how
// they find documents.
func RunCustomData(t *testing.T, engine string, openDB Opener) {
	runBehaviours(t, harness{engine: engine, openDB: openDB}, customDataBehaviours)
}

// behaviour is one entry of the suite: a subtest named name (TestConformance/sqlite/<name>) that runs
// run.
type behaviour struct {
	name string
	run  func(t *testing.T, h harness)
	// exceptOn maps an engine to how it differs here from the others. The behaviour checks the
	// engine does differ so (an exception that stops holding fails), then skips what the difference
	// leaves out, giving this reason.
	exceptOn map[string]string
}

// harness is what a behaviour is given: the engine under test and stores on it.
type harness struct {
	engine string
	openDB Opener
	except string // the behaviour's exceptOn entry for engine, if any
}

// open returns a store on a fresh database.
func (h harness) open(t *testing.T) store.Store { return h.openDB(t, DatabaseName(t)) }

// skipException skips the rest of the behaviour on an engine it has an exception for.
func (h harness) skipException(t *testing.T) {
	t.Helper()
	t.Skipf("on %s: %s", h.engine, h.except)
}

func runBehaviours(t *testing.T, h harness, behaviours []behaviour) {
	for _, b := range behaviours {
		for engine := range b.exceptOn {
			// A misspelt engine would make the exception never apply, unnoticed.
			if !slices.ContainsFunc(engineKinds, func(k engineKind) bool { return k.name == engine }) {
				t.Fatalf("storetest: %s has an exception for %q, which is not an engine", b.name, engine)
			}
		}
		t.Run(b.name, func(t *testing.T) {
			h := h
			h.except = b.exceptOn[h.engine]
			b.run(t, h)
		})
	}
}

var storeBehaviours = []behaviour{
	{name: "Ping", run: ping},
	{name: "HealthyAfterOpen", run: healthyAfterOpen},
	{name: "CanceledContextPassesThrough", run: canceledContextPassesThrough},
	{name: "CloseIsIdempotent", run: closeIsIdempotent},
}

func ping(t *testing.T, h harness) {
	s := h.open(t)
	if err := s.Ping(testContext(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func healthyAfterOpen(t *testing.T, h harness) {
	s := h.open(t)
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
}

func canceledContextPassesThrough(t *testing.T, h harness) {
	s := h.open(t)
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
}

func closeIsIdempotent(t *testing.T, h harness) {
	s := h.open(t)
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
}

// testContext bounds one behaviour, so that a hung engine fails the test
// instead of stalling the run until go test's global timeout.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
