package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// CustomDataConfig says where custom user data lives: a collection of the operator's, usually outside
// Lanyard's own database, keyed by a user id field.
type CustomDataConfig struct {
	Database    string
	Collection  string
	UserIDField string
	// MaxSize is the largest BSON size, in bytes, a write through Lanyard may produce (16 KiB default).
	MaxSize int
	// EnforceUnique creates a unique index on UserIDField (refused by the engine if duplicates exist).
	EnforceUnique bool
}

// CustomDoc is the custom data document of one user, as the API and the token carry it: Relaxed
// Extended JSON v2, except that an int64 outside ±2^53 keeps its {"$numberLong": "…"} wrapper so numbers
// stay exact. The whole document is included (its _id and user id field too, as App Services did), minus
// Lanyard's version field.
type CustomDoc struct {
	JSON    json.RawMessage // a valid JSON object, whatever the stored document holds (tokens embed it unchecked); nil when the user has no document
	Version int64           // bumped by every write through Lanyard; 0 when no document or never written by Lanyard
	Size    int             // BSON size of the stored document in bytes
}

// CustomDataUpdate is one write: set replaces top-level fields; unset removes dotted paths; inc adds to
// numbers at dotted paths (missing fields start at 0). Set and Inc are JSON objects in Extended JSON
// (wrappers are parsed; a whole number becomes int32 when it fits, else int64, else double). Fields not
// named keep their stored BSON types.
type CustomDataUpdate struct {
	Set             json.RawMessage
	Unset           []string
	Inc             json.RawMessage
	ExpectedVersion *int64 // when set, the update applies only at this version (0 = no document yet)
}

// ShadowedUser is a user with more than one matching document; document ids are Extended JSON, winner
// first.
type ShadowedUser struct {
	UserID      string
	DocumentIDs []string
}

// MaxCustomDataDepth is how deeply custom data may nest, on every path: writes refuse more, and reads
// render everything up to it. It is MongoDB's limit for stored documents, counted as MongoDB counts it,
// so that documents move between engines: a document's own fields are at level 1; the fields of a
// document and the elements of an array held at level n are at level n+1; nothing may sit beyond level
// 100. An empty document or array at level 100 is therefore fine, and an Extended JSON wrapper
// ({"$date": …}) is one value, not a level.
const MaxCustomDataDepth = 100

// Errors of custom data. Their texts are safe to show.
var (
	// ErrDocumentTooLarge wraps the size and the limit.
	ErrDocumentTooLarge = errors.New("custom data document too large")
	// ErrInvalidUpdate wraps what is wrong with the update (a `$` key, an empty key, the user id field,
	// a non-number increment, one path in two lists, malformed JSON, nesting beyond MaxCustomDataDepth).
	ErrInvalidUpdate = errors.New("invalid custom data update")
	// ErrVersionMismatch: ExpectedVersion differs from the stored version (see ErrConflict).
	ErrVersionMismatch = errors.New("custom data version mismatch")
	// ErrCustomDataUnreadable wraps why a stored document cannot be rendered: written by another tool,
	// it nests beyond MaxCustomDataDepth. Reads return it; a write that would leave the document so
	// returns it and stores nothing.
	ErrCustomDataUnreadable = errors.New("the stored custom data document cannot be read")
)

// FieldError is an ErrInvalidUpdate about one field of the update. Field is its path in the update: the
// list it came in, then the path within it ("set.profile.age", "inc.stats.logins").
type FieldError struct {
	Field string
	Err   error // wraps ErrInvalidUpdate
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// CustomData reads and writes custom user data with the first-inserted-wins rule: candidates are the
// documents whose user id field equals the user id as a string or as an ObjectId; if any holds the string
// form, only string-form documents count; among them the smallest _id (BSON order) wins. Every read, token
// and write uses that one document.
//
// Writes through Lanyard never create a second document, however many writers race the first write, and
// never lose one another's updates, even on engines whose updates are not atomic (FerretDB v1): each
// write claims its version with a unique-key insert before applying it.
type CustomData interface {
	// GetCustomData returns the winning document, or a CustomDoc with nil JSON when there is none.
	GetCustomData(ctx context.Context, userID string) (*CustomDoc, error)
	// UpdateCustomData applies u to the winning document (creating it when there is none) and returns it.
	UpdateCustomData(ctx context.Context, userID string, u CustomDataUpdate) (*CustomDoc, error)
	// ReplaceCustomData sets the whole document (the user creation hook's), creating it when missing.
	ReplaceCustomData(ctx context.Context, userID string, doc json.RawMessage) (*CustomDoc, error)
	// DeleteCustomData deletes the winning document and reports whether there was one.
	DeleteCustomData(ctx context.Context, userID string) (bool, error)
	// CustomDataVersions returns, for each of the users, a fingerprint of its winning document (changes
	// whenever the document changes by any writer; "" when none), in one query: the batched poll behind
	// WatchCustomData.
	CustomDataVersions(ctx context.Context, userIDs []string) (map[string]string, error)
	// ListShadowedCustomData returns up to limit users, in user id order after afterUserID, that have
	// more than one matching document.
	ListShadowedCustomData(ctx context.Context, afterUserID string, limit int) ([]ShadowedUser, error)
	// StampLastLogin sets the `last_login` field of the winning document, when there is one.
	StampLastLogin(ctx context.Context, userID string, at time.Time) error
}
