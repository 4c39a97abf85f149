package mongo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/description"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

func TestTranslate(t *testing.T) {
	live := context.Background()
	canceled, cancel := context.WithCancel(live)
	cancel()
	expired, cancel := context.WithDeadline(live, time.Now())
	defer cancel()
	passed := pastDeadline{live, time.Now().Add(-time.Second)}
	// A server selection timeout: the driver's last attempt to reach the engine was refused, timed out,
	// or has not ended yet.
	selectionRefused := topology.ServerSelectionError{Wrapped: context.DeadlineExceeded, Desc: description.Topology{
		Servers: []description.Server{{LastError: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}}}}
	selectionSlow := topology.ServerSelectionError{Wrapped: context.DeadlineExceeded, Desc: description.Topology{
		Servers: []description.Server{{LastError: fmt.Errorf("handshake: %w", context.DeadlineExceeded)}}}}
	selectionPending := topology.ServerSelectionError{Wrapped: context.DeadlineExceeded, Desc: description.Topology{
		Servers: []description.Server{{}}}}
	// What a request gets from a connection pool the driver cleared (the driver's own type is unexported).
	poolCleared := driver.Error{Message: "connection pool for 127.0.0.1:1 was cleared because another operation failed with: connection() error occurred during connection handshake: context deadline exceeded",
		Labels: []string{driver.TransientTransactionError}, Wrapped: clearedPool{}}
	// A deadline an hour away, and one the engine's time limit left close to (its timer has not run).
	farDeadline, cancel := context.WithTimeout(live, time.Hour)
	defer cancel()
	nearDeadline := pastDeadline{live, time.Now().Add(deadlineSlack / 2)}
	// What FerretDB answered on PostgreSQL under a load average of 20 (the conformance suite's racing writes).
	const ferretTimeout = "[msg_update.go:133 handler.(*Handler).updateDocument] [update.go:114 common.UpdateDocument] [collection.go:227 postgresql.(*collection).UpdateAll] timeout: read tcp 127.0.0.1:44218->127.0.0.1:5432: i/o timeout"

	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want error // nil: err itself, unchanged
		not  error // must not match
	}{
		{"no documents", live, mongodriver.ErrNoDocuments, store.ErrNotFound, nil},
		{"command kept back for the caller's deadline", farDeadline, fmt.Errorf("find: %w", driver.ErrDeadlineWouldBeExceeded), context.DeadlineExceeded, store.ErrBusy},
		{"duplicate key", live, mongodriver.WriteException{WriteErrors: []mongodriver.WriteError{{Code: 11000, Message: "E11000 dup key: { email: \"a@b.c\" }"}}}, store.ErrAlreadyExists, nil},
		{"FerretDB SQLite duplicate on update", live, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: "UNIQUE constraint failed: users.email"}, store.ErrAlreadyExists, nil},
		{"FerretDB PostgreSQL duplicate on update", live, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: "ERROR: duplicate key value violates unique constraint (SQLSTATE 23505)"}, store.ErrAlreadyExists, nil},
		{"other internal error", live, mongodriver.CommandError{Code: 1, Message: "boom"}, nil, store.ErrAlreadyExists},
		{"server selection timeout, engine refused", live, selectionRefused, store.ErrUnavailable, context.DeadlineExceeded},
		{"server selection timeout, engine slow to answer", live, selectionSlow, store.ErrBusy, store.ErrUnavailable},
		{"server selection timeout, engine not checked yet", live, selectionPending, store.ErrBusy, store.ErrUnavailable},
		{"network error", live, mongodriver.CommandError{Labels: []string{"NetworkError"}}, store.ErrUnavailable, nil},
		{"network timeout", live, mongodriver.CommandError{Labels: []string{"NetworkError"}, Wrapped: &net.OpError{Op: "read", Net: "tcp", Err: timeoutError{}}}, store.ErrBusy, store.ErrUnavailable},
		{"connection pool cleared", live, poolCleared, store.ErrBusy, store.ErrUnavailable},
		{"client disconnected", live, mongodriver.ErrClientDisconnected, store.ErrUnavailable, nil},
		{"caller canceled during selection", canceled, topology.ServerSelectionError{Wrapped: context.Canceled}, context.Canceled, store.ErrUnavailable},
		{"caller canceled, network error", canceled, mongodriver.CommandError{Labels: []string{"NetworkError"}}, context.Canceled, store.ErrUnavailable},
		{"caller deadline", expired, fmt.Errorf("op: %w", context.DeadlineExceeded), context.DeadlineExceeded, store.ErrUnavailable},
		{"driver's own deadline", live, fmt.Errorf("op: %w", context.DeadlineExceeded), store.ErrBusy, context.DeadlineExceeded},
		{"caller deadline passed, its timer not run yet", passed, mongodriver.CommandError{Labels: []string{"NetworkError"}, Wrapped: context.DeadlineExceeded}, context.DeadlineExceeded, store.ErrUnavailable},
		{"queued for a connection", live, topology.WaitQueueTimeoutError{Wrapped: context.DeadlineExceeded}, store.ErrBusy, store.ErrUnavailable},
		{"caller deadline while queued for a connection", expired, topology.WaitQueueTimeoutError{Wrapped: context.DeadlineExceeded}, context.DeadlineExceeded, store.ErrBusy},
		{"MongoDB's time limit at the caller's deadline", nearDeadline, mongodriver.CommandError{Code: 50, Name: "MaxTimeMSExpired"}, context.DeadlineExceeded, store.ErrUnavailable},
		{"MongoDB's time limit past the caller's deadline", passed, mongodriver.CommandError{Code: 50, Name: "MaxTimeMSExpired"}, context.DeadlineExceeded, store.ErrUnavailable},
		{"MongoDB's time limit, caller deadline far away", farDeadline, mongodriver.CommandError{Code: 50, Name: "MaxTimeMSExpired"}, store.ErrBusy, context.DeadlineExceeded},
		{"MongoDB's time limit, no deadline", live, mongodriver.CommandError{Code: 50, Name: "MaxTimeMSExpired"}, store.ErrBusy, context.DeadlineExceeded},
		{"FerretDB PostgreSQL backend timeout at the caller's deadline", nearDeadline, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: ferretTimeout}, context.DeadlineExceeded, store.ErrUnavailable},
		{"FerretDB PostgreSQL backend timeout, caller deadline far away", farDeadline, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: ferretTimeout}, store.ErrBusy, context.DeadlineExceeded},
		{"FerretDB PostgreSQL backend timeout, no deadline", live, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: ferretTimeout}, store.ErrBusy, store.ErrUnavailable},
		{"other internal error naming a timeout", live, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: "boom: the timeout: field is invalid"}, nil, store.ErrBusy},
	}
	// What FerretDB answered while its PostgreSQL was stopped or killed (TestPostgreSQLOutageUnderWriteLoad).
	for _, msg := range []string{
		"[msg_find.go:123 handler.handleMaxTimeMSError] [collection.go:200 postgresql.(*collection).Query] failed to connect to `user=postgres database=postgres`:\n\t127.0.0.1:5433 (127.0.0.1): dial error: dial tcp 127.0.0.1:5433: connect: connection refused",
		"failed to connect to `user=postgres database=postgres`:\n\t127.0.0.1:5433 (127.0.0.1): tls error: server refused TLS connection\n\t127.0.0.1:5433 (127.0.0.1): server error: FATAL: the database system is shutting down (SQLSTATE 57P03)",
		"failed to connect to `user=postgres database=postgres`:\n\t127.0.0.1:5433 (127.0.0.1): tls error: server refused TLS connection\n\t127.0.0.1:5433 (127.0.0.1): server error: FATAL: the database system is in recovery mode (SQLSTATE 57P03)",
		"[msg_insert.go:150 handler.(*Handler).MsgInsert] FATAL: terminating connection due to administrator command (SQLSTATE 57P01)",
		"[values.go:43 iterator.ConsumeValues[...]] FATAL: terminating connection due to unexpected postmaster exit (SQLSTATE 57P01)",
		"[values.go:43 iterator.ConsumeValues[...]] unexpected EOF",
		"read tcp 127.0.0.1:40312->127.0.0.1:5433: read: connection reset by peer",
		// Documented by PostgreSQL for the same conditions, not provoked here.
		"FATAL: terminating connection because of crash of another server process (SQLSTATE 57P02)",
		"FATAL: connection failure (SQLSTATE 08006)",
	} {
		tests = append(tests, struct {
			name string
			ctx  context.Context
			err  error
			want error
			not  error
		}{"PostgreSQL gone: " + msg, live, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: msg}, store.ErrUnavailable, nil})
	}
	tests = append(tests, []struct {
		name string
		ctx  context.Context
		err  error
		want error
		not  error
	}{
		// Other PostgreSQL errors are the engine's answers, not an outage.
		{"PostgreSQL syntax error", live, mongodriver.CommandError{Code: 1, Name: "InternalError", Message: "ERROR: syntax error at or near \"x\" (SQLSTATE 42601)"}, nil, store.ErrUnavailable},
		{"SQLSTATE 57P01 in another code", live, mongodriver.CommandError{Code: 2, Name: "BadValue", Message: "FATAL: terminating connection due to administrator command (SQLSTATE 57P01)"}, nil, store.ErrUnavailable},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate(tt.ctx, tt.err)
			if tt.want == nil && !reflect.DeepEqual(got, tt.err) {
				t.Errorf("translate(%v) = %v, want it unchanged", tt.err, got)
			}
			if tt.want != nil && !errors.Is(got, tt.want) {
				t.Errorf("translate(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if tt.not != nil && errors.Is(got, tt.not) {
				t.Errorf("translate(%v) = %v, which also matches %v", tt.err, got, tt.not)
			}
		})
	}
	if got := translate(live, nil); got != nil {
		t.Errorf("translate(nil) = %v", got)
	}
}

// clearedPool stands for the driver's error of a cleared connection pool, the one retryable pool error.
type clearedPool struct{}

func (clearedPool) Error() string   { return "connection pool cleared" }
func (clearedPool) Retryable() bool { return true }

// timeoutError is a network error that is a timeout, as a socket's deadline gives.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// pastDeadline is a context whose deadline has passed while its Err is still nil: how a context looks
// when the driver's socket deadline fired before the context's own timer ran.
type pastDeadline struct {
	context.Context
	deadline time.Time
}

func (c pastDeadline) Deadline() (time.Time, bool) { return c.deadline, true }

// TestDuplicateOnUpdate provokes a unique index violation by an update on
// each engine: FerretDB does not report it as 11000.
func TestDuplicateOnUpdate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Disconnect(ctx)
		coll := client.Database(storetest.DatabaseName(t)).Collection("users")

		if _, err := coll.Indexes().CreateOne(ctx, mongodriver.IndexModel{
			Keys:    bson.D{{Key: "email", Value: 1}},
			Options: options.Index().SetUnique(true),
		}); err != nil {
			t.Fatal(err)
		}
		for i, email := range []string{"a@example.com", "b@example.com"} {
			if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: i}, {Key: "email", Value: email}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: 1}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: "a@example.com"}}}})
		t.Logf("engine reports: %v", err)
		if got := translate(ctx, err); !errors.Is(got, store.ErrAlreadyExists) {
			t.Fatalf("duplicate on update translated to %v, want ErrAlreadyExists", got)
		}
	})
}

// TestIsDeadlock: PostgreSQL's deadlock_detected, as FerretDB passes it on, is the one error index
// creation retries; other internal errors and SQLite's are not.
func TestIsDeadlock(t *testing.T) {
	deadlock := mongodriver.CommandError{Code: 1, Name: "InternalError", Message: "[msg_createindexes.go:155 handler.(*Handler).MsgCreateIndexes] ERROR: deadlock detected (SQLSTATE 40P01)"}
	if !isDeadlock(deadlock) || !isDeadlock(fmt.Errorf("create index: %w", deadlock)) {
		t.Error("PostgreSQL's deadlock not recognised")
	}
	for _, err := range []error{
		mongodriver.CommandError{Code: 1, Message: "ERROR: duplicate key value violates unique constraint (SQLSTATE 23505)"},
		mongodriver.CommandError{Code: 1, Message: "database is locked (5) (SQLITE_BUSY)"},
		mongodriver.CommandError{Code: 112, Name: "WriteConflict", Message: "SQLSTATE 40P01"},
		errors.New("SQLSTATE 40P01"),
	} {
		if isDeadlock(err) {
			t.Errorf("isDeadlock(%v) = true", err)
		}
	}
}
