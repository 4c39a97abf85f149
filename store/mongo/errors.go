package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
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
	case deadlinePassed(ctx):
		// The driver's socket deadline, taken from ctx, can fire before ctx's
		// own timer has run on a loaded machine: a slow engine must still
		// read as the caller's deadline, not as an unreachable engine.
		return fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
	case errors.Is(err, driver.ErrDeadlineWouldBeExceeded):
		// The driver kept the command back because the caller's deadline would pass before its fastest
		// round trip ended: the caller's time ran out, though ctx's timer has not fired yet.
		return err

	// The request queued for a connection for longer than the driver allows
	// (it bounds that wait with the server selection timeout): the engine
	// is busy answering others, not out of reach.
	case isWaitQueueTimeout(err):
		return fmt.Errorf("%w: %s", store.ErrBusy, shortCause(err))

	// The engine gave up at a time limit: the one the driver sends with
	// each command (maxTimeMS, the caller's deadline less the fastest round
	// trip, so that it fires just before ctx's own timer), or its backend's,
	// or one of the engine's own (a default time limit of the server). A
	// slow engine, not a broken one; the caller's deadline only when it was
	// the caller's time that ran out.
	case isEngineTimeLimit(err):
		if deadlineNear(ctx) {
			return fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
		return fmt.Errorf("%w: %s", store.ErrBusy, shortCause(err))
	}

	switch unreachable, selection := isUnreachable(err); {
	case unreachable:
		// The original error is not wrapped: a server selection timeout
		// chains context.DeadlineExceeded, which callers would mistake for
		// their own deadline.
		return fmt.Errorf("%w: %s", store.ErrUnavailable, shortCause(err))

	// No answer in time, or a connection pool the driver emptied after
	// another request's failure (it re-checks the engine meanwhile): the
	// request was slow to be served, which says nothing about whether the
	// engine can be reached. A busy engine and a reachable one that is
	// slow to answer look the same from here; an engine out of reach is
	// told by the health checker (see Store.check), which counts the
	// answers it gives to everyone, and the server refuses calls while it
	// says so.
	case selection || mongodriver.IsTimeout(err) || isPoolCleared(err):
		return fmt.Errorf("%w: %s", store.ErrBusy, shortCause(err))
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

// isDeadlock reports PostgreSQL's deadlock_detected, which FerretDB passes on as an internal error. On
// the embedded engine an index Lanyard creates can meet the GIN index the engine builds concurrently on
// the same table (store/embedded/pgindexes.go); PostgreSQL then fails one of the two, and the failed
// statement succeeds when sent again.
func isDeadlock(err error) bool {
	var se mongodriver.ServerError
	return errors.As(err, &se) && se.HasErrorCodeWithMessage(1, "SQLSTATE 40P01")
}

func deadlinePassed(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// deadlineSlack is how close to the caller's deadline an engine's time limit
// must fire to have been the caller's. An engine that ran out of the
// maxTimeMS the driver derived from the deadline (what was left of it less
// the fastest round trip) answers about when the deadline passes, a moment
// early at most; one that stopped well before had a limit of its own.
const deadlineSlack = time.Second

// deadlineNear reports whether ctx's deadline has passed or is within
// deadlineSlack.
func deadlineNear(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) <= deadlineSlack
}

// isEngineTimeLimit reports MongoDB's MaxTimeMSExpired (50) and FerretDB's
// InternalError carrying pgx's "timeout: …" (seen on PostgreSQL under a load
// average of 20: "timeout: read tcp …->…:5432: i/o timeout"), which is how
// FerretDB reports a backend query cut off at its deadline.
func isEngineTimeLimit(err error) bool {
	var se mongodriver.ServerError
	return errors.As(err, &se) && (se.HasErrorCode(50) || se.HasErrorCodeWithMessage(1, "] timeout: "))
}

func isWaitQueueTimeout(err error) bool {
	var wqt topology.WaitQueueTimeoutError
	return errors.As(err, &wqt)
}

// isUnreachable reports errors that say the engine could not be reached
// (refused, reset or closed connections, a client disconnected), as opposed
// to errors the engine answered with or answers that were slow in coming,
// and the answers of an engine whose own backend cannot serve (see
// backendUnavailable). selection says whether err is a server selection
// timeout, which is unreachable only when the driver's last attempt to
// reach the engine failed for a reason other than time.
func isUnreachable(err error) (unreachable, selection bool) {
	var sse topology.ServerSelectionError
	if errors.As(err, &sse) {
		for _, s := range sse.Desc.Servers {
			if s.LastError != nil && !mongodriver.IsTimeout(s.LastError) {
				return true, true
			}
		}
		return false, true
	}
	return errors.Is(err, mongodriver.ErrClientDisconnected) ||
		(mongodriver.IsNetworkError(err) && !mongodriver.IsTimeout(err)) ||
		isBackendUnavailable(err), false
}

// isPoolCleared reports the driver's error for a request that found the
// connection pool cleared, which the driver does when a connection fails
// (its handshake too slow, say) and until it has checked the engine again.
// It is the one retryable pool error the driver has.
func isPoolCleared(err error) bool {
	var pe driver.RetryablePoolError
	return errors.As(err, &pe) && pe.Retryable()
}

// backendUnavailable are the texts with which FerretDB on PostgreSQL answers
// while PostgreSQL cannot serve: FerretDB itself stays up and answers every
// command, but with InternalError (code 1) and the message of pgx, its
// PostgreSQL driver. All but two were seen with the real engine while
// PostgreSQL was stopped (pg_ctl stop -m fast), its postmaster killed with
// SIGKILL, or one of its backends (TestPostgreSQLOutageUnderWriteLoad).
// Class 08 and 57P02 are what PostgreSQL documents for the same conditions
// (a broken connection; the sessions it ends after a backend crashed, which
// pgx's pool usually discards before FerretDB sees them).
var backendUnavailable = []string{
	"(SQLSTATE 08",     // class 08, connection exception
	"(SQLSTATE 57P01)", // admin_shutdown: the server is stopping, or its postmaster died
	"(SQLSTATE 57P02)", // crash_shutdown: another backend crashed, every session ends
	"(SQLSTATE 57P03)", // cannot_connect_now: shutting down, or recovering after a crash
	// pgx could not open a connection: refused, or 57P03 at connect time.
	"failed to connect to `",
	// The connection ended in the middle of an answer: its backend was killed.
	"unexpected EOF",
	"connection reset by peer",
}

// isBackendUnavailable reports an answer with one of backendUnavailable, as
// the driver returns it (a mongo.ServerError) or as its command monitor
// reports it (the driver's own error type).
func isBackendUnavailable(err error) bool {
	var se mongodriver.ServerError
	if errors.As(err, &se) {
		for _, text := range backendUnavailable {
			if se.HasErrorCodeWithMessage(1, text) {
				return true
			}
		}
		return false
	}
	var de driver.Error
	if errors.As(err, &de) && de.Code == 1 {
		for _, text := range backendUnavailable {
			if strings.Contains(de.Message, text) {
				return true
			}
		}
	}
	return false
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
