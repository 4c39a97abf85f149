package mongo

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
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

// TestDocumentsReadLimit: a read asks the engine for at most store.MaxDocumentsPerRead documents, and
// for fewer when the caller asks for fewer.
func TestDocumentsReadLimit(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	engine, err := embedded.Start(ctx, embedded.Config{DataDir: t.TempDir(), Logger: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = engine.Close(context.Background()) })
	var (
		mu   sync.Mutex
		sent = map[string]bson.Raw{}
	)
	s, err := Open(ctx, Config{URI: engine.URI(), Database: storetest.DatabaseName(t), Logger: storetest.Logger(t),
		observe: func(e *event.CommandStartedEvent) {
			mu.Lock()
			sent[e.CommandName] = slices.Clone(e.Command)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	ns := store.Namespace{Database: storetest.DatabaseName(t), Collection: "items"}
	limitSent := func() int64 {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		n, ok := sent["find"].Lookup("limit").AsInt64OK()
		if !ok {
			t.Fatalf("find sent without a limit: %s", sent["find"])
		}
		return n
	}
	for _, c := range []struct{ asked, want int64 }{
		{0, store.MaxDocumentsPerRead},
		{-3, store.MaxDocumentsPerRead},
		{5, 5},
		{store.MaxDocumentsPerRead + 1, store.MaxDocumentsPerRead},
	} {
		if _, err := s.FindDocuments(ctx, ns, store.Query{Limit: c.asked}); err != nil {
			t.Fatal(err)
		}
		if got := limitSent(); got != c.want {
			t.Errorf("find with Limit %d sent limit %d, want %d", c.asked, got, c.want)
		}
	}

	if _, err := s.AggregateDocuments(ctx, ns, json.RawMessage(`[{"$match": {}}]`)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	stages, _ := sent["aggregate"].Lookup("pipeline").Array().Values()
	mu.Unlock()
	if len(stages) != 2 {
		t.Fatalf("aggregate sent %d stages, want the caller's and a $limit", len(stages))
	}
	if n, ok := stages[1].Document().Lookup("$limit").AsInt64OK(); !ok || n != store.MaxDocumentsPerRead {
		t.Errorf("the last stage sent is %s, want {$limit: %d}", stages[1], store.MaxDocumentsPerRead)
	}
}

// TestUpdateOwners: what an update reports to the feed about the owners of the watched field.
func TestUpdateOwners(t *testing.T) {
	doc := func(js string) bson.Raw {
		t.Helper()
		var raw bson.Raw
		if err := bson.UnmarshalExtJSON([]byte(js), false, &raw); err != nil {
			t.Fatal(err)
		}
		return raw
	}
	const oid = "65a1b2c3d4e5f60718293a4b"
	for _, c := range []struct {
		filter, update string
		upsert         bool
		users          []string
		all            bool
	}{
		{`{"_id": 1}`, `{"$set": {"x": 1}}`, false, nil, false},
		{`{"_id": 1}`, `{"$set": {"owner": "u1"}}`, false, []string{"u1"}, false},
		{`{}`, `{"$set": {"owner": {"$oid": "` + oid + `"}}}`, false, []string{oid}, false},
		{`{}`, `{"$setOnInsert": {"owner": "u1"}, "$max": {"owner": "u2"}}`, false, []string{"u1", "u2"}, false},
		{`{}`, `{"$set": {"owner": 5}}`, false, nil, false},
		{`{}`, `{"$unset": {"owner": ""}}`, false, nil, false},
		{`{"owner": "u1"}`, `{"$set": {"x": 1}}`, false, nil, false},
		{`{"owner": "u1"}`, `{"$set": {"x": 1}}`, true, []string{"u1"}, false},
		{`{"$and": [{"owner": {"$eq": "u1"}}], "other": "u9"}`, `{"$inc": {"x": 1}}`, true, []string{"u1"}, false},
		{`{"owner": {"$in": ["u1", "u2"]}}`, `{"$inc": {"x": 1}}`, true, []string{"u1", "u2"}, false},
		{`{}`, `{"$rename": {"x": "owner"}}`, false, nil, true},
		{`{}`, `{"$rename": {"owner": "x"}}`, false, nil, false},
	} {
		got := updateOwners(doc(c.filter), doc(c.update), c.upsert, "owner")
		if got.All != c.all || !slices.Equal(got.Users, c.users) || len(got.Docs) != 0 {
			t.Errorf("updateOwners(%s, %s, upsert %v) = %+v, want users %v, all %v", c.filter, c.update, c.upsert, got, c.users, c.all)
		}
	}
}
