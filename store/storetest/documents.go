package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lanyardhq/lanyard/store"
)

// DocumentsOpener returns a store on the named database whose custom data collection (custom_user_data,
// field user_id) lives in the database customDataDatabase, as in production, where it is outside
// Lanyard's own database (which Documents refuses). Two calls with the same names give two stores on
// the same data, as two replicas of Lanyard would have.
type DocumentsOpener func(t *testing.T, database, customDataDatabase string) store.Store

// RunDocuments runs the behaviours of store.Documents on the named engine. They are apart from Run's
// because they need stores whose custom data is in another database, and because the queries they send
// are the operator's, which no index of Lanyard's serves.
func RunDocuments(t *testing.T, engine string, open DocumentsOpener) {
	for _, b := range documentsBehaviours {
		t.Run(b.name, func(t *testing.T) { b.run(t, docHarness{engine: engine, openDB: open}) })
	}
}

type docHarness struct {
	engine string
	openDB DocumentsOpener
}

// docEnv is a store, its own database, and a namespace of the operator's to work in.
type docEnv struct {
	s          store.Store
	lanyardDB  string
	customDB   string
	ns         store.Namespace
	customData store.Namespace
}

func (h docHarness) open(t *testing.T) docEnv {
	db, cdb := DatabaseName(t), DatabaseName(t)
	return docEnv{
		s: h.openDB(t, db, cdb), lanyardDB: db, customDB: cdb,
		ns:         store.Namespace{Database: cdb, Collection: "items"},
		customData: store.Namespace{Database: cdb, Collection: "custom_user_data"},
	}
}

var documentsBehaviours = []struct {
	name string
	run  func(t *testing.T, h docHarness)
}{
	{"Documents/InsertAndFind", documentsInsertAndFind},
	{"Documents/Update", documentsUpdate},
	{"Documents/Delete", documentsDelete},
	{"Documents/Aggregate", documentsAggregate},
	{"Documents/TypesRoundTrip", documentsTypesRoundTrip},
	{"Documents/RefusedNamespaces", documentsRefusedNamespaces},
	{"Documents/RefusedOperators", documentsRefusedOperators},
	{"Documents/DepthLimit", documentsDepthLimit},
	{"Documents/CustomDataBookkeeping", documentsCustomDataBookkeeping},
	{"Documents/DuplicateID", documentsDuplicateID},
}

func raws(docs ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(docs))
	for i, d := range docs {
		out[i] = json.RawMessage(d)
	}
	return out
}

// decoded decodes documents for comparison.
func decoded(t *testing.T, docs []json.RawMessage) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(docs))
	for i, d := range docs {
		if err := json.Unmarshal(d, &out[i]); err != nil {
			t.Fatalf("document %s is not a JSON object: %v", d, err)
		}
	}
	return out
}

// intJSON is an int32 in Canonical Extended JSON, decoded.
func intJSON(n int) any { return map[string]any{"$numberInt": fmt.Sprint(n)} }

// field returns one field of each document.
func fieldOf(docs []map[string]any, name string) []any {
	out := make([]any, len(docs))
	for i, d := range docs {
		out[i] = d[name]
	}
	return out
}

func ints(ns ...int) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = intJSON(n)
	}
	return out
}

// seed inserts the documents every read behaviour works on.
func seed(t *testing.T, e docEnv) []json.RawMessage {
	t.Helper()
	ids, err := e.s.InsertDocuments(testContext(t), e.ns, raws(
		`{"_id": "a", "n": 1, "tag": "x"}`,
		`{"n": 2, "tag": "y"}`,
		`{"n": {"$numberInt": "3"}, "tag": "x"}`,
	))
	must(t, err, "InsertDocuments")
	return ids
}

func documentsInsertAndFind(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	ids := seed(t, e)
	if len(ids) != 3 || string(ids[0]) != `"a"` {
		t.Fatalf("ids = %s, want \"a\" first and three of them", ids)
	}
	for _, id := range ids[1:] {
		var oid struct {
			OID string `json:"$oid"`
		}
		if err := json.Unmarshal(id, &oid); err != nil || len(oid.OID) != 24 {
			t.Errorf("generated id %s is not a canonical ObjectId", id)
		}
	}

	docs, err := e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"tag": "x"}`), Sort: json.RawMessage(`{"n": -1}`)})
	must(t, err, "find by tag")
	sameValue(t, fieldOf(decoded(t, docs), "n"), ints(3, 1), "n of tag x, by n descending")

	docs, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": "a"}`), Projection: json.RawMessage(`{"n": 1, "_id": 0}`)})
	must(t, err, "find with projection")
	sameValue(t, decoded(t, docs), []map[string]any{{"n": intJSON(1)}}, "projected document")

	docs, err = e.s.FindDocuments(ctx, e.ns, store.Query{Sort: json.RawMessage(`{"n": 1}`), Skip: 1, Limit: 1})
	must(t, err, "find with skip and limit")
	sameValue(t, fieldOf(decoded(t, docs), "n"), ints(2), "n after skip 1, limit 1")

	// The second id, as returned, finds its document.
	docs, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": ` + string(ids[1]) + `}`)})
	must(t, err, "find by generated id")
	sameValue(t, fieldOf(decoded(t, docs), "n"), ints(2), "n of the document found by its generated id")

	docs, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"tag": "none"}`)})
	must(t, err, "find nothing")
	if docs == nil || len(docs) != 0 {
		t.Errorf("find of nothing = %#v, want an empty, non-nil slice", docs)
	}

	n, err := e.s.CountDocuments(ctx, e.ns, json.RawMessage(`{"tag": "x"}`))
	must(t, err, "count tag x")
	sameValue(t, n, int64(2), "count of tag x")
	n, err = e.s.CountDocuments(ctx, e.ns, nil)
	must(t, err, "count all")
	sameValue(t, n, int64(3), "count of all")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = e.s.FindDocuments(canceled, e.ns, store.Query{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("find with a canceled context: %v, want context.Canceled alone", err)
	}

	_, err = e.s.FindDocuments(ctx, e.ns, store.Query{Skip: -1})
	wantErr(t, err, store.ErrInvalidDocument, "find with a negative skip")
	_, err = e.s.InsertDocuments(ctx, e.ns, nil)
	wantErr(t, err, store.ErrInvalidDocument, "insert of no documents")
}

func documentsUpdate(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	seed(t, e)

	res, err := e.s.UpdateDocuments(ctx, e.ns, json.RawMessage(`{"_id": "a"}`),
		json.RawMessage(`{"$set": {"tag": "z"}, "$inc": {"n": 10}, "$push": {"list": "p"}}`), false, false)
	must(t, err, "updateOne")
	sameValue(t, *res, store.UpdateResult{Matched: 1, Modified: 1}, "updateOne result")
	docs, err := e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": "a"}`)})
	must(t, err, "find updated")
	sameValue(t, decoded(t, docs), []map[string]any{{"_id": "a", "n": intJSON(11), "tag": "z", "list": []any{"p"}}}, "updated document")

	res, err = e.s.UpdateDocuments(ctx, e.ns, json.RawMessage(`{"n": {"$lt": 5}}`), json.RawMessage(`{"$unset": {"tag": ""}}`), true, false)
	must(t, err, "updateMany")
	sameValue(t, *res, store.UpdateResult{Matched: 2, Modified: 2}, "updateMany result")
	n, err := e.s.CountDocuments(ctx, e.ns, json.RawMessage(`{"tag": {"$exists": true}}`))
	must(t, err, "count tagged")
	sameValue(t, n, int64(1), "documents still tagged")

	res, err = e.s.UpdateDocuments(ctx, e.ns, json.RawMessage(`{"_id": "none"}`), json.RawMessage(`{"$set": {"v": 1}}`), false, false)
	must(t, err, "update of nothing")
	sameValue(t, *res, store.UpdateResult{}, "result of an update of nothing")

	res, err = e.s.UpdateDocuments(ctx, e.ns, json.RawMessage(`{"_id": "u1"}`), json.RawMessage(`{"$set": {"v": 1}}`), false, true)
	must(t, err, "upsert by _id")
	if res.Matched != 0 || string(res.UpsertedID) != `"u1"` {
		t.Errorf("upsert by _id = %+v (id %s), want none matched and id \"u1\"", res, res.UpsertedID)
	}
	res, err = e.s.UpdateDocuments(ctx, e.ns, json.RawMessage(`{"k": "new"}`), json.RawMessage(`{"$set": {"v": 2}}`), true, true)
	must(t, err, "upsert by another field")
	if !strings.HasPrefix(string(res.UpsertedID), `{"$oid":`) {
		t.Errorf("upsert by another field: id %s, want a generated ObjectId", res.UpsertedID)
	}
	docs, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": ` + string(res.UpsertedID) + `}`)})
	must(t, err, "find the upserted document")
	sameValue(t, decoded(t, docs), []map[string]any{{"_id": decoded(t, raws(`{"v":`+string(res.UpsertedID)+`}`))[0]["v"], "k": "new", "v": intJSON(2)}}, "upserted document")
}

func documentsDelete(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	seed(t, e)
	n, err := e.s.DeleteDocuments(ctx, e.ns, json.RawMessage(`{"tag": "x"}`), false)
	must(t, err, "deleteOne")
	sameValue(t, n, int64(1), "deleteOne count")
	n, err = e.s.CountDocuments(ctx, e.ns, json.RawMessage(`{"tag": "x"}`))
	must(t, err, "count")
	sameValue(t, n, int64(1), "documents of tag x left")
	n, err = e.s.DeleteDocuments(ctx, e.ns, nil, true)
	must(t, err, "deleteMany")
	sameValue(t, n, int64(2), "deleteMany count")
	n, err = e.s.CountDocuments(ctx, e.ns, nil)
	must(t, err, "count")
	sameValue(t, n, int64(0), "documents left")
}

func documentsAggregate(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	seed(t, e)
	docs, err := e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[
		{"$match": {"n": {"$gte": 1}}},
		{"$group": {"_id": "$tag", "total": {"$sum": "$n"}}},
		{"$sort": {"_id": 1}},
		{"$project": {"_id": 1, "total": 1}},
		{"$limit": 5}
	]`))
	must(t, err, "aggregate")
	sameValue(t, decoded(t, docs), []map[string]any{{"_id": "x", "total": intJSON(4)}, {"_id": "y", "total": intJSON(2)}}, "aggregate result")

	// FerretDB v1 answers a field path in a projection with the path's text: refused there.
	docs, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[{"$match": {"_id": "a"}}, {"$project": {"_id": 0, "m": "$n"}}]`))
	docs2, err2 := e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": "a"}`), Projection: json.RawMessage(`{"_id": 0, "m": "$n"}`)})
	if h.engine == "mongodb" {
		must(t, err, "aggregate with a field path")
		sameValue(t, decoded(t, docs), []map[string]any{{"m": intJSON(1)}}, "$project of a field path")
		must(t, err2, "find with a field path")
		sameValue(t, decoded(t, docs2), []map[string]any{{"m": intJSON(1)}}, "projection of a field path")
	} else {
		wantErr(t, err, store.ErrInvalidDocument, "$project of a field path on %s", h.engine)
		wantErr(t, err2, store.ErrInvalidDocument, "find projection of a field path on %s", h.engine)
	}

	// FerretDB v1 answers a $group of several accumulators with zeros past the first: refused there.
	docs, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[{"$group": {"_id": null, "total": {"$sum": "$n"}, "count": {"$sum": 1}}}]`))
	if h.engine == "mongodb" {
		must(t, err, "aggregate with two accumulators")
		sameValue(t, decoded(t, docs), []map[string]any{{"_id": nil, "total": intJSON(6), "count": intJSON(3)}}, "two accumulators")
	} else {
		wantErr(t, err, store.ErrInvalidDocument, "aggregate with two accumulators on %s", h.engine)
	}
}

func documentsTypesRoundTrip(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	doc := `{"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"},
		"date": {"$date": {"$numberLong": "1700000000123"}},
		"i32": {"$numberInt": "7"}, "i64": {"$numberLong": "9007199254740993"}, "dbl": {"$numberDouble": "1.5"},
		"str": "s", "yes": true, "none": null,
		"arr": [{"$numberInt": "1"}, "two", {"k": "v"}],
		"doc": {"p": {"q": "r"}},
		"bin": {"$binary": {"base64": "AQID", "subType": "00"}}}`
	ids, err := e.s.InsertDocuments(ctx, e.ns, raws(doc))
	must(t, err, "insert")
	sameValue(t, string(ids[0]), `{"$oid":"65a1b2c3d4e5f60718293a4b"}`, "returned id")
	docs, err := e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}}`)})
	must(t, err, "find")
	sameValue(t, decoded(t, docs), decoded(t, raws(doc)), "document read back")

	// Relaxed input is accepted; output is canonical.
	_, err = e.s.InsertDocuments(ctx, e.ns, raws(`{"_id": "relaxed", "n": 5, "f": 2.5, "d": {"$date": "2024-01-02T03:04:05.006Z"}}`))
	must(t, err, "insert relaxed")
	docs, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": "relaxed"}`)})
	must(t, err, "find relaxed")
	sameValue(t, decoded(t, docs), decoded(t, raws(`{"_id": "relaxed", "n": {"$numberInt": "5"}, "f": {"$numberDouble": "2.5"}, "d": {"$date": {"$numberLong": "1704164645006"}}}`)), "relaxed document read back")

	// FerretDB v1 drops the connection on a Decimal128: refused there.
	_, err = e.s.InsertDocuments(ctx, e.ns, raws(`{"_id": "dec", "d": {"$numberDecimal": "1.10"}}`))
	if h.engine == "mongodb" {
		must(t, err, "insert a Decimal128")
	} else {
		wantErr(t, err, store.ErrInvalidDocument, "insert a Decimal128 on %s", h.engine)
		if !e.s.Healthy() {
			t.Error("the store is unhealthy after a refused Decimal128")
		}
	}
}

func documentsRefusedNamespaces(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	for _, ns := range []store.Namespace{
		{Database: e.lanyardDB, Collection: "users"},
		{Database: strings.ToUpper(e.lanyardDB), Collection: "users"},
		{Database: e.lanyardDB, Collection: "custom_user_data"},
		{Database: "admin", Collection: "x"},
		{Database: "Local", Collection: "x"},
		{Database: "config", Collection: "x"},
		{Database: "", Collection: "x"},
		{Database: "a.b", Collection: "x"},
		{Database: "a$b", Collection: "x"},
		{Database: "a/b", Collection: "x"},
		{Database: "a b", Collection: "x"},
		{Database: "a\x00b", Collection: "x"},
		{Database: e.customDB, Collection: ""},
		{Database: e.customDB, Collection: "a$b"},
		{Database: e.customDB, Collection: "a\x00b"},
		{Database: e.customDB, Collection: "system.users"},
	} {
		name := fmt.Sprintf("%q.%q", ns.Database, ns.Collection)
		check := func(op string, err error) {
			t.Helper()
			if !errors.Is(err, store.ErrNamespaceRefused) {
				t.Errorf("%s in %s: %v, want ErrNamespaceRefused", op, name, err)
			} else if ns.Database != "" && !strings.Contains(err.Error(), fmt.Sprintf("%q", ns.Database+"."+ns.Collection)) {
				t.Errorf("%s in %s: %q does not name the namespace", op, name, err)
			}
		}
		_, err := e.s.InsertDocuments(ctx, ns, raws(`{"x": 1}`))
		check("insert", err)
		_, err = e.s.FindDocuments(ctx, ns, store.Query{})
		check("find", err)
		_, err = e.s.CountDocuments(ctx, ns, nil)
		check("count", err)
		_, err = e.s.UpdateDocuments(ctx, ns, nil, json.RawMessage(`{"$set": {"x": 1}}`), true, true)
		check("update", err)
		_, err = e.s.DeleteDocuments(ctx, ns, nil, true)
		check("delete", err)
		_, err = e.s.AggregateDocuments(ctx, ns, json.RawMessage(`[]`))
		check("aggregate", err)
	}
	// Nothing reached Lanyard's database.
	users, err := e.s.ListUsers(ctx, "", 0)
	must(t, err, "ListUsers")
	sameValue(t, len(users), 0, "users after the refused writes")

	// A pipeline may read another collection of its own database only.
	for _, p := range []string{
		`[{"$lookup": {"from": {"db": "` + e.lanyardDB + `", "coll": "users"}, "localField": "a", "foreignField": "b", "as": "c"}}]`,
		`[{"$unionWith": {"coll": "system.users"}}]`,
		`[{"$facet": {"f": [{"$graphLookup": {"from": "system.views", "startWith": "$a", "connectFromField": "a", "connectToField": "b", "as": "c"}}]}}]`,
	} {
		_, err := e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(p))
		if !errors.Is(err, store.ErrNamespaceRefused) && !errors.Is(err, store.ErrInvalidDocument) {
			t.Errorf("aggregate %s: %v, want a refusal", p, err)
		}
	}
}

func documentsRefusedOperators(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	seed(t, e)
	refused := func(what, name string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrInvalidDocument) {
			t.Errorf("%s: %v, want ErrInvalidDocument", what, err)
		} else if name != "" && !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %q does not name %s", what, err, name)
		}
	}
	fn := `{"$function": {"body": "function() { return true }", "args": [], "lang": "js"}}`
	_, err := e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"$where": "true"}`)})
	refused("find with $where", "$where", err)
	_, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"$expr": ` + fn + `}`)})
	refused("find with $function", "$function", err)
	_, err = e.s.FindDocuments(ctx, e.ns, store.Query{Projection: json.RawMessage(`{"x": ` + fn + `}`)})
	refused("projection with $function", "$function", err)
	_, err = e.s.CountDocuments(ctx, e.ns, json.RawMessage(`{"$and": [{"$where": "true"}]}`))
	refused("count with $where", "$where", err)
	_, err = e.s.DeleteDocuments(ctx, e.ns, json.RawMessage(`{"$where": "true"}`), true)
	refused("delete with $where", "$where", err)
	_, err = e.s.UpdateDocuments(ctx, e.ns, json.RawMessage(`{"$where": "true"}`), json.RawMessage(`{"$set": {"x": 1}}`), true, false)
	refused("update with $where", "$where", err)
	_, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[{"$group": {"_id": null, "a": {"$accumulator": {}}}}]`))
	refused("aggregate with $accumulator", "$accumulator", err)
	_, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[{"$match": {}}, {"$out": "copy"}]`))
	refused("aggregate with $out", "$out", err)
	_, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[{"$merge": {"into": "copy"}}]`))
	refused("aggregate with $merge", "$merge", err)
	_, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[{"$facet": {"f": [{"$out": "copy"}]}}]`))
	refused("aggregate with a nested $out", "$out", err)
	_, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`[{"$currentOp": {}}]`))
	refused("aggregate with $currentOp", "$currentOp", err)
	_, err = e.s.UpdateDocuments(ctx, e.ns, nil, json.RawMessage(`{"x": 1}`), false, false)
	refused("replacement as update", "x", err)
	_, err = e.s.UpdateDocuments(ctx, e.ns, nil, json.RawMessage(`{}`), false, false)
	refused("empty update", "", err)
	_, err = e.s.UpdateDocuments(ctx, e.ns, nil, json.RawMessage(`[{"$set": {"x": 1}}]`), false, false)
	refused("pipeline update", "", err)
	_, err = e.s.UpdateDocuments(ctx, e.ns, nil, json.RawMessage(`{"$foo": {"x": 1}}`), false, false)
	refused("unknown update operator", "$foo", err)

	for what, bad := range map[string]string{
		"invalid JSON":     `{"x": `,
		"an array":         `[1]`,
		"a bad ObjectId":   `{"_id": {"$oid": "zz"}}`,
		"a bad date":       `{"d": {"$date": {"$numberLong": "soon"}}}`,
		"a string":         `"x"`,
		"nesting past 200": strings.Repeat(`{"a":`, 201) + "1" + strings.Repeat("}", 201),
	} {
		_, err := e.s.InsertDocuments(ctx, e.ns, raws(bad))
		refused("insert of "+what, "", err)
		_, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(bad)})
		refused("find with "+what, "", err)
		if err != nil && strings.Contains(strings.ToLower(err.Error()), "bson") {
			t.Errorf("find with %s: %q shows the driver's text", what, err)
		}
	}
	_, err = e.s.AggregateDocuments(ctx, e.ns, json.RawMessage(`{"$match": {}}`))
	refused("aggregate of an object", "", err)

	// Nothing above wrote anything.
	n, err := e.s.CountDocuments(ctx, e.ns, nil)
	must(t, err, "count")
	sameValue(t, n, int64(3), "documents after the refused operations")
}

func documentsDepthLimit(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	limit := store.MaxCustomDataDepth
	_, err := e.s.InsertDocuments(ctx, e.ns, raws(`{"_id": "deep", "f": `+NestedJSON(limit, "1")+`}`))
	must(t, err, "insert at the limit")
	_, err = e.s.InsertDocuments(ctx, e.ns, raws(`{"_id": "deeper", "f": `+NestedJSON(limit+1, "1")+`}`))
	wantErr(t, err, store.ErrInvalidDocument, "insert beyond the limit")
	_, err = e.s.InsertDocuments(ctx, e.customData, raws(`{"user_id": "u", "f": `+NestedJSON(limit+1, "1")+`}`))
	wantErr(t, err, store.ErrInvalidDocument, "insert beyond the limit into the custom data collection")

	docs, err := e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": "deep"}`)})
	must(t, err, "read the deepest document")
	if len(docs) != 1 {
		t.Fatalf("found %d documents, want 1", len(docs))
	}

	update := func(u string, upsert bool, filter string) error {
		_, err := e.s.UpdateDocuments(ctx, e.ns, json.RawMessage(filter), json.RawMessage(u), false, upsert)
		return err
	}
	// A value set at a.b sits at level 2.
	must(t, update(`{"$set": {"a.b": `+NestedJSON(limit-1, "1")+`}}`, false, `{"_id": "deep"}`), "$set at the limit")
	wantErr(t, update(`{"$set": {"a.b": `+NestedJSON(limit, "1")+`}}`, false, `{"_id": "deep"}`), store.ErrInvalidDocument, "$set beyond the limit")
	// A pushed value is an element of the array at level 1: level 2, its field w level 3 (a document:
	// FerretDB v1 cannot store an array directly in an array).
	must(t, update(`{"$push": {"list": {"w": `+NestedJSON(limit-2, "1")+`}}}`, false, `{"_id": "deep"}`), "$push at the limit")
	wantErr(t, update(`{"$push": {"list": {"w": `+NestedJSON(limit-1, "1")+`}}}`, false, `{"_id": "deep"}`), store.ErrInvalidDocument, "$push beyond the limit")
	wantErr(t, update(`{"$push": {"list": {"$each": [{"w": `+NestedJSON(limit-1, "1")+`}]}}}`, false, `{"_id": "deep"}`), store.ErrInvalidDocument, "$push $each beyond the limit")
	path := strings.Repeat("p.", limit) + "p"
	wantErr(t, update(`{"$inc": {"`+path+`": 1}}`, false, `{"_id": "deep"}`), store.ErrInvalidDocument, "$inc of a path beyond the limit")
	// An upsert stores the filter's equality conditions.
	wantErr(t, update(`{"$set": {"x": 1}}`, true, `{"_id": "new", "g": `+NestedJSON(limit+1, "1")+`}`), store.ErrInvalidDocument, "upsert of a filter beyond the limit")
	wantErr(t, update(`{"$rename": {"f": "g.h"}}`, false, `{"_id": "deep"}`), store.ErrInvalidDocument, "$rename into a deeper path")

	docs, err = e.s.FindDocuments(ctx, e.ns, store.Query{Filter: json.RawMessage(`{"_id": "new"}`)})
	must(t, err, "find")
	sameValue(t, len(docs), 0, "documents upserted by a refused update")
}

func documentsDuplicateID(t *testing.T, h docHarness) {
	e := h.open(t)
	ctx := testContext(t)
	seed(t, e)
	_, err := e.s.InsertDocuments(ctx, e.ns, raws(`{"_id": "a", "secret": "s3cr3t"}`))
	wantErr(t, err, store.ErrAlreadyExists, "insert of a taken _id")
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), `"a"`) {
		t.Errorf("the duplicate key error %q quotes the document", err)
	}
}

// documentsCustomDataBookkeeping writes the custom data collection through Documents, with one store,
// and reads it through CustomData, with another on the same data (on the embedded engines, each keeps
// an owner index fed by the other's writes).
func documentsCustomDataBookkeeping(t *testing.T, h docHarness) {
	db, cdb := DatabaseName(t), DatabaseName(t)
	writer, reader := h.openDB(t, db, cdb), h.openDB(t, db, cdb)
	ns := store.Namespace{Database: cdb, Collection: "custom_user_data"}
	ctx := testContext(t)
	u, u2, u3 := store.NewID(), store.NewID(), store.NewID()

	version := func(user string) string {
		t.Helper()
		v, err := reader.CustomDataVersions(ctx, []string{user})
		must(t, err, "CustomDataVersions")
		return v[user]
	}
	x := func(user string) string {
		t.Helper()
		d, err := reader.GetCustomData(ctx, user)
		must(t, err, "GetCustomData")
		if d.JSON == nil {
			return ""
		}
		var m map[string]json.RawMessage
		must(t, json.Unmarshal(d.JSON, &m), "decode %s", d.JSON)
		return string(m["x"])
	}
	// Read first, so that the reader's index (if any) holds the users without documents.
	sameValue(t, x(u), "", "x before any write")
	sameValue(t, x(u2), "", "x of u2 before any write")
	sameValue(t, x(u3), "", "x of u3 before any write")
	v0 := version(u)

	_, err := writer.InsertDocuments(ctx, ns, raws(`{"user_id": "`+u+`", "x": 1}`))
	must(t, err, "insert")
	sameValue(t, x(u), "1", "x after the insert")
	v1 := version(u)
	if v1 == v0 {
		t.Error("CustomDataVersions did not change with the insert")
	}

	_, err = writer.UpdateDocuments(ctx, ns, json.RawMessage(`{"user_id": "`+u+`"}`), json.RawMessage(`{"$set": {"x": 2}}`), false, false)
	must(t, err, "update")
	sameValue(t, x(u), "2", "x after the update")
	if version(u) == v1 {
		t.Error("CustomDataVersions did not change with the update")
	}

	// An upsert found by the user id field, and a document given to another user.
	_, err = writer.UpdateDocuments(ctx, ns, json.RawMessage(`{"user_id": "`+u2+`"}`), json.RawMessage(`{"$set": {"x": 5}}`), false, true)
	must(t, err, "upsert")
	sameValue(t, x(u2), "5", "x of u2 after the upsert")
	_, err = writer.InsertDocuments(ctx, ns, raws(`{"_id": "d3", "user_id": "nobody", "x": 7}`))
	must(t, err, "insert d3")
	_, err = writer.UpdateDocuments(ctx, ns, json.RawMessage(`{"_id": "d3"}`), json.RawMessage(`{"$set": {"user_id": "`+u3+`"}}`), false, false)
	must(t, err, "give d3 to u3")
	sameValue(t, x(u3), "7", "x of u3 after its document was given to it")

	n, err := writer.DeleteDocuments(ctx, ns, json.RawMessage(`{"user_id": "`+u+`"}`), true)
	must(t, err, "delete")
	sameValue(t, n, int64(1), "deleted")
	sameValue(t, x(u), "", "x after the delete")
	sameValue(t, version(u), "", "version after the delete")

	// Lanyard's version field is not the operator's to write.
	_, err = writer.InsertDocuments(ctx, ns, raws(`{"user_id": "`+u+`", "_lanyard_version": {"$numberLong": "5"}}`))
	wantErr(t, err, store.ErrInvalidDocument, "insert of the version field")
	for _, u := range []string{`{"$set": {"_lanyard_version": 5}}`, `{"$inc": {"_lanyard_version": 1}}`, `{"$unset": {"_lanyard_version": ""}}`, `{"$rename": {"x": "_lanyard_version"}}`} {
		_, err = writer.UpdateDocuments(ctx, ns, json.RawMessage(`{"user_id": "`+u2+`"}`), json.RawMessage(u), false, false)
		wantErr(t, err, store.ErrInvalidDocument, "update %s", u)
	}

	// The document written here is what CustomData's readers see, field for field.
	d, err := reader.GetCustomData(ctx, u2)
	must(t, err, "GetCustomData")
	if !reflect.DeepEqual(fields(t, d.JSON)["user_id"], `"`+u2+`"`) {
		t.Errorf("custom data of u2 = %s, want its user id", d.JSON)
	}
}
