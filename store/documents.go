package store

import (
	"context"
	"encoding/json"
	"errors"
)

// Namespace names one collection of the operator's databases.
type Namespace struct {
	Database   string
	Collection string
}

// Query is a find: every field is an Extended JSON v2 object (nil = none).
type Query struct {
	Filter     json.RawMessage
	Projection json.RawMessage
	Sort       json.RawMessage
	Skip       int64
	Limit      int64 // <= 0: every match; either way at most MaxDocumentsPerRead
}

// UpdateResult is what an update did.
type UpdateResult struct {
	Matched    int64
	Modified   int64
	UpsertedID json.RawMessage // the new document's _id, Canonical Extended JSON v2; nil when none was upserted
}

// MaxDocumentsPerRead bounds what one find or aggregate returns, so that a function cannot pull a whole
// collection into memory.
const MaxDocumentsPerRead = 10000

// ErrNamespaceRefused: the namespace is Lanyard's own database, or not a valid namespace. Its wrapped
// text names the namespace and is safe to show.
var ErrNamespaceRefused = errors.New("store: namespace refused")

// ErrInvalidDocument wraps what is wrong with a document, filter, update or pipeline (malformed
// Extended JSON, an operator that runs code or writes elsewhere, nesting beyond MaxCustomDataDepth). Its
// text is safe to show.
var ErrInvalidDocument = errors.New("store: invalid document")

// Documents is generic access to the operator's collections on the store's own connection: what App
// Services functions reach as context.services.get(<MongoDB service>).db(…).collection(…). Documents
// cross it as Extended JSON v2, so that no driver type leaves the store: what it returns is canonical;
// what it takes may be canonical or relaxed.
//
// What runs code on the engine ($where, $function, $accumulator) is refused anywhere, and so are
// aggregate stages that write ($out, $merge) or read beyond the namespace's database, and the stages and
// update operators an implementation does not list as supported (ErrInvalidDocument, naming them). A
// write may not store anything nested beyond MaxCustomDataDepth, in any namespace. Where an engine would
// answer wrongly (FerretDB v1: several accumulators in one $group, field paths in projections) or fail
// (Decimal128 and NaN there), the request is refused with ErrInvalidDocument instead.
//
// Lanyard's own database is refused, whatever the operation. Writes to the custom data collection keep
// every guarantee of CustomData's readers: what they store, a token can carry (the depth limit), and
// the store's bookkeeping of that collection (owner index, versions seen by CustomDataVersions) hears of
// them as it hears of every other writer's.
type Documents interface {
	// InsertDocuments inserts docs (each a JSON object) and returns their _ids in order, generating
	// ObjectIds for documents without one. It stops at the first document that fails (a taken _id:
	// ErrAlreadyExists); the documents before it stay inserted.
	InsertDocuments(ctx context.Context, ns Namespace, docs []json.RawMessage) ([]json.RawMessage, error)
	// FindDocuments returns the matching documents, at most min(q.Limit, MaxDocumentsPerRead) of them
	// (MaxDocumentsPerRead when q.Limit <= 0); never nil.
	FindDocuments(ctx context.Context, ns Namespace, q Query) ([]json.RawMessage, error)
	// CountDocuments counts the documents matching filter (nil = all).
	CountDocuments(ctx context.Context, ns Namespace, filter json.RawMessage) (int64, error)
	// UpdateDocuments applies update (a document of update operators: neither a replacement nor a
	// pipeline) to the first match, or to every match when many; upsert inserts a document when none
	// matches.
	UpdateDocuments(ctx context.Context, ns Namespace, filter, update json.RawMessage, many, upsert bool) (*UpdateResult, error)
	// DeleteDocuments deletes the first match, or every match when many, and returns how many went.
	DeleteDocuments(ctx context.Context, ns Namespace, filter json.RawMessage, many bool) (int64, error)
	// AggregateDocuments runs a read-only pipeline (a JSON array of stages) and returns at most
	// MaxDocumentsPerRead documents; never nil.
	AggregateDocuments(ctx context.Context, ns Namespace, pipeline json.RawMessage) ([]json.RawMessage, error)
}
