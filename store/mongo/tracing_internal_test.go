package mongo

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestCommandSpans: on a real engine, every command a traced caller's store method sends becomes a
// client span, child of the caller's span, named "<command> <collection>" with the database attributes
// and nothing of the documents; a failed command's span says so without the engine's message; work
// without a span in its context makes no span.
func TestCommandSpans(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	engine, err := embedded.Start(ctx, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = engine.Close(context.Background()) })
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	database := storetest.DatabaseName(t)
	s, err := Open(ctx, Config{URI: engine.URI(), Database: database, Logger: storetest.Logger(t), TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if n := len(recorder.Ended()); n != 0 {
		t.Errorf("opening the store (migrations, no caller's span) made %d spans", n)
	}

	const hash = "$argon2id$v=19$m=65536,t=1,p=4$c2VjcmV0c2FsdA$c2VjcmV0aGFzaA"
	email := "spans@example.com"
	callCtx, call := tp.Tracer("test").Start(ctx, "the call")
	if err := s.CreatePassword(callCtx, &store.Password{Email: email, Hash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPassword(callCtx, email); err != nil {
		t.Fatal(err)
	}
	// A command the engine refuses (a filter must be a document).
	if err := s.db.RunCommand(callCtx, bson.D{{Key: "find", Value: "passwords"}, {Key: "filter", Value: hash}}).Err(); err == nil {
		t.Fatal("the engine accepted a find with a string filter")
	}
	call.End()
	// Untraced: no span in the context.
	if _, err := s.GetPassword(ctx, email); err != nil {
		t.Fatal(err)
	}

	var commands []sdktrace.ReadOnlySpan
	for _, sp := range recorder.Ended() {
		if sp.Name() != "the call" {
			commands = append(commands, sp)
		}
	}
	if len(commands) < 3 {
		t.Fatalf("%d command spans, want one per command of the two methods and the refused find", len(commands))
	}
	var inserts, finds, failed int
	for _, sp := range commands {
		if sp.Parent().SpanID() != call.SpanContext().SpanID() || sp.SpanContext().TraceID() != call.SpanContext().TraceID() {
			t.Errorf("span %q is not a child of the caller's span", sp.Name())
		}
		attrs := map[string]string{}
		for _, kv := range sp.Attributes() {
			attrs[string(kv.Key)] = kv.Value.String()
			if strings.Contains(kv.Value.String(), "argon2id") || strings.Contains(kv.Value.String(), email) {
				t.Errorf("span %q carries document content in %s", sp.Name(), kv.Key)
			}
		}
		if attrs["db.system"] != "mongodb" || attrs["db.name"] != database || attrs["db.operation"] == "" {
			t.Errorf("span %q attributes %v", sp.Name(), attrs)
		}
		want := attrs["db.operation"]
		if coll := attrs["db.mongodb.collection"]; coll != "" {
			want += " " + coll
		}
		if sp.Name() != want {
			t.Errorf("span %q, want the name %q from its attributes", sp.Name(), want)
		}
		switch sp.Name() {
		case "insert passwords":
			inserts++
		case "find passwords":
			finds++
		}
		if sp.Status().Code == codes.Error {
			failed++
			if strings.Contains(sp.Status().Description, "filter") || attrs["error.type"] != "command" {
				t.Errorf("failed span %q: status %q, error.type %q", sp.Name(), sp.Status().Description, attrs["error.type"])
			}
		}
	}
	if inserts != 1 || finds != 2 || failed != 1 {
		t.Errorf("%d insert passwords, %d find passwords (one refused), %d failed spans; want 1, 2, 1", inserts, finds, failed)
	}
	s.spans.mu.Lock()
	open := len(s.spans.open)
	s.spans.mu.Unlock()
	if open != 0 {
		t.Errorf("%d spans left open after every command answered", open)
	}
}

// TestCommandLabelClosed: a command name outside the store's list becomes "other", in the metric's label
// and in the span's name and db.operation, whatever the driver calls it.
func TestCommandLabelClosed(t *testing.T) {
	for name, want := range map[string]string{
		"find": "find", "getMore": "getMore", "endSessions": "endSessions", "createIndexes": "createIndexes",
		"shutdown": "other", "FIND": "other", "": "other", "find " + strings.Repeat("x", 64): "other",
	} {
		if got := commandLabel(name); got != want {
			t.Errorf("commandLabel(%q) = %q, want %q", name, got, want)
		}
	}

	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	spans := newCommandSpans(tp)
	ctx, call := tp.Tracer("test").Start(t.Context(), "the call")
	cmd, err := bson.Marshal(bson.D{{Key: "replSetStepDown", Value: 1}})
	if err != nil {
		t.Fatal(err)
	}
	started := event.CommandStartedEvent{
		Command:      cmd,
		DatabaseName: "admin",
		CommandName:  "replSetStepDown",
		RequestID:    1,
		ConnectionID: "conn",
	}
	spans.started(ctx, &started)
	spans.finished(&event.CommandFinishedEvent{CommandName: started.CommandName, RequestID: 1, ConnectionID: "conn"}, nil)
	call.End()
	var found bool
	for _, sp := range recorder.Ended() {
		if sp.Name() == "the call" {
			continue
		}
		found = true
		if sp.Name() != "other" {
			t.Errorf("span name %q, want other", sp.Name())
		}
		for _, kv := range sp.Attributes() {
			if kv.Key == "db.operation" && kv.Value.AsString() != "other" {
				t.Errorf("db.operation %q, want other", kv.Value.AsString())
			}
		}
	}
	if !found {
		t.Error("the command made no span")
	}
}
