package mongo

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestDocumentsCommandsAreObserved: the commands of Documents go through the store's command monitor as
// every other command does: counted by name (a name of the protocol's, whatever the collection, so the
// metric's label stays bounded) and traced as "<command> <collection>" in the operator's database.
func TestDocumentsCommandsAreObserved(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	engine, err := embedded.Start(ctx, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = engine.Close(context.Background()) })
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	var (
		mu    sync.Mutex
		names []string
	)
	s, err := Open(ctx, Config{URI: engine.URI(), Database: storetest.DatabaseName(t), Logger: storetest.Logger(t), TracerProvider: tp,
		OnCommand: func(name string) {
			mu.Lock()
			names = append(names, name)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	mu.Lock()
	names = nil // Open's own commands
	mu.Unlock()

	ns := store.Namespace{Database: storetest.DatabaseName(t), Collection: "items"}
	callCtx, call := tp.Tracer("test").Start(ctx, "the call")
	doc := json.RawMessage(`{"_id": "a", "n": 1}`)
	if _, err := s.InsertDocuments(callCtx, ns, []json.RawMessage{doc}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindDocuments(callCtx, ns, store.Query{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CountDocuments(callCtx, ns, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateDocuments(callCtx, ns, nil, json.RawMessage(`{"$inc": {"n": 1}}`), false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AggregateDocuments(callCtx, ns, json.RawMessage(`[{"$match": {}}]`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteDocuments(callCtx, ns, nil, true); err != nil {
		t.Fatal(err)
	}
	call.End()

	mu.Lock()
	got := slices.Clone(names)
	mu.Unlock()
	want := []string{"insert", "find", "aggregate", "update", "aggregate", "delete"}
	if !slices.Equal(got, want) {
		t.Errorf("commands counted %v, want %v", got, want)
	}
	var spans []string
	for _, sp := range recorder.Ended() {
		if sp.Name() == "the call" {
			continue
		}
		spans = append(spans, sp.Name())
		for _, kv := range sp.Attributes() {
			if kv.Key == "db.name" && kv.Value.AsString() != ns.Database {
				t.Errorf("span %q has db.name %q, want %q", sp.Name(), kv.Value.AsString(), ns.Database)
			}
		}
	}
	wantSpans := []string{"insert items", "find items", "aggregate items", "update items", "aggregate items", "delete items"}
	if !slices.Equal(spans, wantSpans) {
		t.Errorf("spans %v, want %v", spans, wantSpans)
	}
}
