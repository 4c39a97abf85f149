// Package store defines the persistence contract of Lanyard: the Store
// interface the server opens, the smaller interfaces it is made of (which the
// auth logic takes, each consumer only the ones it uses), the domain records
// they read and write, and the sentinel errors every implementation maps its
// engine's errors to.
//
// The package knows no engine, no transport and no token policy: domain
// records are plain Go structs declared here, never driver or wire types, so
// that the conformance suite (store/storetest) can hold every implementation
// to the same behaviour.
package store

import (
	"context"
	"errors"
)

// Sentinel errors. Implementations wrap them, so callers test with errors.Is.
// context.Canceled and context.DeadlineExceeded are never translated: they
// reach callers unchanged, so that a caller that gave up is not mistaken for
// an engine that failed.
var (
	// ErrNotFound: the record does not exist (or no longer matches the
	// conditions of the request, e.g. it expired).
	ErrNotFound = errors.New("store: not found")

	// ErrAlreadyExists: a unique key (an id, an email, a claim) is taken.
	// Claims are how Lanyard keeps its invariants on engines whose updates are
	// not atomic (FerretDB v1), so losing a claim race reports this error.
	ErrAlreadyExists = errors.New("store: already exists")

	// ErrUnavailable: the engine cannot be reached (network error, timeout,
	// no server selectable). The request may succeed when retried later.
	ErrUnavailable = errors.New("store: engine unavailable")

	// ErrBusy: the engine answers, but the request waited for a connection
	// to it longer than the store allows (every connection stayed busy
	// answering others). Unlike ErrUnavailable it says nothing about the
	// engine's reachability; the request may succeed when retried later.
	ErrBusy = errors.New("store: engine busy")

	// ErrConflict: the record changed since the caller read it (an expected
	// version did not match). Reserved for the operations that take one.
	ErrConflict = errors.New("store: conflict")
)

// Store is everything Lanyard persists. One implementation (store/mongo)
// serves every engine: MongoDB, and FerretDB on SQLite or PostgreSQL.
//
// The domain operations are grouped by record into the small interfaces
// declared in records.go, next to their structs, so that a consumer can
// depend on only the part it needs. Rules that hold for all of them:
//
//   - Times are stored to the millisecond (BSON datetimes) and come back in
//     UTC.
//   - Ids (users, identities, sessions, API keys, action tokens) are ids in
//     the sense of NewID/ValidID. Inserting a record whose id is not one
//     fails; looking one up by a string that is not an id is ErrNotFound.
//   - A limit <= 0 in a list operation means no limit.
//   - Every invariant holds on FerretDB v1, whose updates are not atomic
//     (a concurrent update of another field of the same document can be
//     lost): what must never be lost (a disabled flag, a revocation, a
//     claim) is written as a unique-key insert or a delete, never as an
//     update of a document another writer updates.
type Store interface {
	Users
	Sessions
	Revocations
	Keys
	APIKeys
	Passwords
	AuthEvents
	CustomData
	Documents
	Leases
	TriggerCursors

	// Ping checks that the engine answers now. An engine that cannot be
	// reached yields an error that wraps ErrUnavailable.
	Ping(ctx context.Context) error

	// Healthy reports the result of the most recent check of the engine
	// (background or Ping); it never blocks. It starts true because Open
	// only succeeds after reaching the engine.
	Healthy() bool

	// HealthChanged returns a channel that is closed at the next change of
	// Healthy. See WatchHealth for the usual loop.
	HealthChanged() <-chan struct{}

	// Close releases the connection pool and stops background work. Calling
	// it again is harmless.
	Close(ctx context.Context) error
}
