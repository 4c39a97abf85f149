package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/lanyardhq/lanyard/store"
)

// translate maps an error of the driver to the sentinel errors of package
// store. ctx is the context the operation ran with. Every method of Store
// passes its errors through here, so this is the one place that knows how
// each engine reports a condition.
//
// ErrNotFound and ErrAlreadyExists come back bare: a duplicate-key message
// quotes the key (an email, say), which must not reach logs.
func translate(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil

	// Answers of the engine count even if the caller gives up just after.
	case errors.Is(err, mongodriver.ErrNoDocuments):
		return store.ErrNotFound
	case isDuplicateKey(err):
		return store.ErrAlreadyExists

	// The caller gave up: its own cancellation or deadline reaches it
	// unchanged, even when the driver reports it as a server selection or
	// network failure.
	case ctx.Err() != nil:
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fmt.Errorf("%w: %w", ctx.Err(), err)

	case isUnavailable(err):
		// The original error is not wrapped: a server selection timeout
		// chains context.DeadlineExceeded, which callers would mistake for
		// their own deadline.
		return fmt.Errorf("%w: %s", store.ErrUnavailable, shortCause(err))
	}
	return err
}

// isDuplicateKey reports a unique index violation. FerretDB v1 reports one
// on insert as MongoDB does (11000), but on update (updateOne, replaceOne,
// findOneAndUpdate) as InternalError, code 1, with the backend's message.
func isDuplicateKey(err error) bool {
	if mongodriver.IsDuplicateKeyError(err) {
		return true
	}
	var se mongodriver.ServerError
	return errors.As(err, &se) &&
		(se.HasErrorCodeWithMessage(1, "UNIQUE constraint failed") || // SQLite
			se.HasErrorCodeWithMessage(1, "SQLSTATE 23505")) // PostgreSQL unique_violation
}

// isUnavailable reports errors that say the engine could not be reached, as
// opposed to errors the engine answered with.
func isUnavailable(err error) bool {
	var sse topology.ServerSelectionError
	return errors.As(err, &sse) ||
		errors.Is(err, mongodriver.ErrClientDisconnected) ||
		mongodriver.IsNetworkError(err) ||
		mongodriver.IsTimeout(err)
}

// shortCause returns a one-line reason for an unavailable engine. A server
// selection error prints the whole topology; the last error of a server
// ("connection refused") says more in fewer words.
func shortCause(err error) string {
	msg := err.Error()
	var sse topology.ServerSelectionError
	if errors.As(err, &sse) {
		msg = "no server answered within the server selection timeout"
		for _, s := range sse.Desc.Servers {
			if s.LastError != nil {
				msg = innermost(s.LastError).Error()
				break
			}
		}
	}
	return strings.Join(strings.Fields(msg), " ")
}

// innermost returns the end of err's chain of single wrapping: for a failed
// dial that is the system's "connection refused".
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
