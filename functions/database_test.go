package functions

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/mongo"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// forEachStore runs fn against a real store on every available engine, with its database name (which
// functions must not reach).
func forEachStore(t *testing.T, fn func(t *testing.T, docs store.Documents, ownDatabase string)) {
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		database := storetest.DatabaseName(t)
		ctx, cancel := context.WithTimeout(t.Context(), backstop)
		defer cancel()
		s, err := mongo.Open(ctx, mongo.Config{URI: e.URI, Database: database, Feed: e.Feed, Logger: storetest.Logger(t)})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		docs, ok := any(s).(store.Documents)
		if !ok {
			t.Fatal("the store does not implement store.Documents")
		}
		fn(t, docs, database)
	})
}

// seedFunction is the seed's user creation function, unchanged, as examples/functions-app carries it.
func seedFunction(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../examples/functions-app/functions/onUserCreation.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestSeedFunctionInserts(t *testing.T) {
	forEachStore(t, func(t *testing.T, docs store.Documents, _ string) {
		e, _ := newEngine(t, Config{Data: docs, ServiceName: "mongodb-atlas", Timeout: backstop},
			src("onUserCreation", seedFunction(t)))
		if _, err := e.Call(context.Background(), Call{Name: "onUserCreation", Args: []any{map[string]any{"id": "user-1"}}}); err != nil {
			t.Fatalf("Call: %v", err)
		}
		found, err := docs.FindDocuments(context.Background(), store.Namespace{Database: "myapp", Collection: "users"},
			store.Query{Filter: json.RawMessage(`{"user_account_id": "user-1"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 {
			t.Fatalf("found %d documents", len(found))
		}
		var doc map[string]any
		if err := json.Unmarshal(found[0], &doc); err != nil {
			t.Fatal(err)
		}
		if doc["favorite_color"] != "blue" {
			t.Errorf("document = %s", found[0])
		}
		if _, ok := doc["_id"].(map[string]any)["$oid"]; !ok {
			t.Errorf("_id is not an ObjectId: %s", found[0])
		}
	})
}

func TestDatabaseMethods(t *testing.T) {
	forEachStore(t, func(t *testing.T, docs store.Documents, own string) {
		e, logs := newEngine(t, Config{Data: docs, Timeout: backstop},
			src("crud", `exports = async function () {
	const c = context.services.get("mongodb-atlas").db("shop").collection("items");
	const out = {};
	const one = await c.insertOne({name: "a", n: 1, at: new Date(1000), tags: ["x"]});
	out.insertedIsObjectId = one.insertedId instanceof BSON.ObjectId;
	const many = await c.insertMany([{name: "b", n: 2}, {name: "c", n: 3}, {_id: "custom", name: "d", n: 4}]);
	out.insertedIds = many.insertedIds.length;
	out.customId = many.insertedIds[2];
	const byId = await c.findOne({_id: one.insertedId});
	out.byIdName = byId.name;
	out.dateBack = byId.at instanceof Date && byId.at.getTime() === 1000;
	out.idBack = byId._id.equals(one.insertedId);
	out.projected = Object.keys(await c.findOne({name: "b"}, {name: 1, _id: 0}));
	out.missing = await c.findOne({name: "zzz"});
	out.sorted = (await c.find({}, {name: 1}).sort({n: -1}).limit(2).toArray()).map((d) => d.name);
	out.skipped = (await c.find({}, undefined, {sort: {n: 1}, skip: 1, limit: 1}).toArray()).map((d) => d.name);
	out.count = await c.count({n: {$gte: 2}});
	out.countAll = await c.countDocuments();
	out.updOne = await c.updateOne({name: "a"}, {$set: {n: 10}});
	out.updMany = await c.updateMany({n: {$lt: 4}}, {$inc: {n: 100}});
	const up = await c.updateOne({name: "new"}, {$set: {n: 5}}, {upsert: true});
	out.upserted = up.upsertedId instanceof BSON.ObjectId && up.matchedCount === 0;
	out.agg = (await c.aggregate([{$match: {n: {$gte: 100}}}, {$sort: {n: 1}}, {$project: {_id: 0, name: 1}}]).toArray()).map((d) => d.name);
	out.delOne = (await c.deleteOne({name: "a"})).deletedCount;
	out.delMany = (await c.deleteMany({})).deletedCount;
	return out;
};`),
			src("fail", `exports = async function (expr) {
	const c = context.services.get("mongodb-atlas").db(expr.db).collection("items");
	try { await eval(expr.code); return "no error"; } catch (e) { return e.message; }
};`),
		)
		got := call(t, e, "crud").(map[string]any)
		want := map[string]any{
			"insertedIsObjectId": true, "insertedIds": 3.0, "customId": "custom", "byIdName": "a", "dateBack": true,
			"idBack": true, "projected": []any{"name"}, "missing": nil, "sorted": []any{"d", "c"}, "skipped": []any{"b"},
			"count": 3.0, "countAll": 4.0,
			"updOne":   map[string]any{"matchedCount": 1.0, "modifiedCount": 1.0},
			"updMany":  map[string]any{"matchedCount": 2.0, "modifiedCount": 2.0},
			"upserted": true, "agg": []any{"b", "c"}, "delOne": 1.0, "delMany": 4.0,
		}
		for k, w := range want {
			if !reflect.DeepEqual(got[k], w) {
				t.Errorf("%s = %#v, want %#v", k, got[k], w)
			}
		}

		msg := call(t, e, "fail", map[string]any{"db": own, "code": `c.insertOne({a: 1})`}).(string)
		t.Logf("own database: %q", msg)
		if !strings.Contains(msg, own) || strings.Contains(msg, "store:") {
			t.Errorf("Lanyard's own database: %q", msg)
		}
		msg = call(t, e, "fail", map[string]any{"db": "shop", "code": `c.updateOne({}, {$where: "1"})`}).(string)
		t.Logf("invalid update: %q", msg)
		if !strings.HasPrefix(msg, "updateOne: ") {
			t.Errorf("invalid update: %q", msg)
		}
		msg = call(t, e, "fail", map[string]any{"db": "shop", "code": `c.insertOne("text")`}).(string)
		if msg != "insertOne: the document must be an object" {
			t.Errorf("bad document: %q", msg)
		}
		msg = call(t, e, "fail", map[string]any{"db": "shop", "code": `c.insertOne({_id: "dup"}).then(() => c.insertOne({_id: "dup"}))`}).(string)
		if msg != "insertOne on shop.items: duplicate key: a document with the same unique key already exists" {
			t.Errorf("duplicate key: %q", msg)
		}
		msg = call(t, e, "fail", map[string]any{"db": "shop", "code": `c.watch()`}).(string)
		if msg != "collection.watch is not supported by Lanyard's functions" {
			t.Errorf("watch: %q", msg)
		}
		for _, r := range logs.all() {
			if strings.Contains(r.Msg, "internal error") {
				t.Errorf("internal error logged: %+v", r)
			}
		}
	})
}

func TestDatabaseCallHonoursTheDeadline(t *testing.T) {
	forEachStore(t, func(t *testing.T, docs store.Documents, _ string) {
		e, logs := newEngine(t, Config{Data: docs, Timeout: backstop}, src("spin", `exports = async function () {
	const c = context.services.get("mongodb-atlas").db("shop").collection("spin");
	await c.insertOne({a: 1});
	for (;;) await c.findOne({a: 1});
};`))
		start := time.Now()
		fe := callErr(t, e, Call{Name: "spin", Timeout: 300 * time.Millisecond})
		if !fe.Timeout {
			t.Errorf("error = %+v; log: %+v", fe, logs.all())
		}
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("took %s", took)
		}
	})
}
