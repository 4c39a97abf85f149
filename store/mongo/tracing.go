package mongo

import (
	"context"
	"errors"
	"sync"

	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the instrumentation scope of the command spans.
const tracerName = "github.com/lanyardhq/lanyard/store/mongo"

// commandSpans makes one client span per command the driver sends for a traced caller, a child of the
// span in the context the store method was given: a call's trace shows each of its round trips. Work
// without a span in its context (the store's own polls and migrations) makes none, so that an idle
// server does not fill the collector with a root span per poll.
//
// A span carries the command's name, database and collection, never its body or reply: those hold
// password hashes, token hashes and user data.
type commandSpans struct {
	tracer trace.Tracer

	mu sync.Mutex
	// open are the spans of the commands sent and not answered yet. The driver's request ids are unique
	// in the process; the connection is part of the key in case a future driver numbers per connection.
	open map[commandKey]trace.Span
}

type commandKey struct {
	conn string
	id   int64
}

func newCommandSpans(tp trace.TracerProvider) *commandSpans {
	return &commandSpans{tracer: tp.Tracer(tracerName), open: map[commandKey]trace.Span{}}
}

func (c *commandSpans) started(ctx context.Context, e *event.CommandStartedEvent) {
	// Only under a recorded span: a child of an unsampled one would be made and dropped for nothing.
	if !trace.SpanFromContext(ctx).IsRecording() {
		return
	}
	name := commandLabel(e.CommandName)
	attrs := make([]attribute.KeyValue, 0, 4)
	attrs = append(attrs,
		attribute.String("db.system", "mongodb"),
		attribute.String("db.operation", name),
		attribute.String("db.name", e.DatabaseName),
	)
	if coll := collectionOf(e); coll != "" {
		name += " " + coll
		attrs = append(attrs, attribute.String("db.mongodb.collection", coll))
	}
	_, span := c.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	if !span.IsRecording() {
		// Not sampled: ending it later would do nothing either.
		return
	}
	c.mu.Lock()
	c.open[commandKey{e.ConnectionID, e.RequestID}] = span
	c.mu.Unlock()
}

// finished ends the command's span; failure is nil for a command that succeeded.
func (c *commandSpans) finished(e *event.CommandFinishedEvent, failure error) {
	key := commandKey{e.ConnectionID, e.RequestID}
	c.mu.Lock()
	span, ok := c.open[key]
	delete(c.open, key)
	c.mu.Unlock()
	if !ok {
		return
	}
	if failure != nil {
		// Never the failure's text: an engine's error can quote the document (a duplicate key's value).
		span.SetAttributes(attribute.String("error.type", failureType(failure)))
		span.SetStatus(codes.Error, "command failed")
	}
	span.End()
}

// failureType classifies a failed command without its message.
func failureType(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), mongodriver.IsTimeout(err):
		return "timeout"
	case mongodriver.IsNetworkError(err):
		return "network"
	default:
		return "command"
	}
}

// knownCommands are the commands the store sends, itself or through the driver (cursors, sessions,
// health checks), and a few more the driver may send for it. The command metric's label and a command
// span's name hold these or "other": the name comes from the driver, and an engine or a driver version
// that sends something else must not open new series.
var knownCommands = map[string]bool{
	"find": true, "getMore": true, "killCursors": true, "insert": true, "update": true, "delete": true,
	"findAndModify": true, "aggregate": true, "count": true, "distinct": true,
	"createIndexes": true, "dropIndexes": true, "listIndexes": true, "listCollections": true,
	"create": true, "collMod": true, "drop": true, "dropDatabase": true,
	"ping": true, "hello": true, "isMaster": true, "buildInfo": true, "endSessions": true,
	"commitTransaction": true, "abortTransaction": true,
}

// commandLabel is the command's name for metrics and spans: itself when known, otherwise "other".
func commandLabel(name string) string {
	if knownCommands[name] {
		return name
	}
	return "other"
}

// collectionCommands are the commands whose first element's value is the collection they act on.
var collectionCommands = map[string]bool{
	"find": true, "insert": true, "update": true, "delete": true, "findAndModify": true, "aggregate": true,
	"count": true, "distinct": true, "createIndexes": true, "dropIndexes": true, "listIndexes": true,
	"drop": true, "create": true, "collMod": true, "killCursors": true,
}

// collectionOf is the collection a command acts on, or "" when it acts on none (ping, buildInfo, an
// aggregate of the database) or names it in a way not known here.
func collectionOf(e *event.CommandStartedEvent) string {
	field := e.CommandName
	switch {
	case field == "getMore":
		field = "collection"
	case !collectionCommands[field]:
		return ""
	}
	v, err := e.Command.LookupErr(field)
	if err != nil {
		return ""
	}
	coll, _ := v.StringValueOK()
	return coll
}
