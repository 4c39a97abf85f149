package server_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// App Services MongoDB Data Access (realm-web's user.mongoClient(...)) on the custom data collection,
// over real HTTP against a whole Lanyard with the default configuration (owner rules, lanyard.custom_user_data,
// user_id).

// mongo sends one service call as realm-web's MongoDBCollection does and decodes the answer (a document,
// an array, null or an error object).
func (c *compat) mongo(access, service, db, coll, action string, args map[string]any) mres {
	c.t.Helper()
	a := map[string]any{"database": db, "collection": coll}
	for k, v := range args {
		a[k] = v
	}
	r := c.do("POST", c.appPath("/functions/call"), map[string]any{"name": action, "service": service, "arguments": []any{a}}, auth(access)...)
	var v any
	if err := json.Unmarshal(r.raw, &v); err != nil {
		c.t.Fatalf("%s: answer is not JSON: %s", action, r)
	}
	return mres{r, v}
}

// mres is a service call's answer: the reply and its decoded body.
type mres struct {
	r reply
	v any
}

// own is mongo on the custom data collection of the default configuration.
func (c *compat) own(access, action string, args map[string]any) mres {
	c.t.Helper()
	return c.mongo(access, "mongodb-atlas", "lanyard", "custom_user_data", action, args)
}

func mustOK(t *testing.T, what string, m mres) any {
	t.Helper()
	if m.r.status != 200 {
		t.Fatalf("%s: %s", what, m.r)
	}
	return m.v
}

func asJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

func TestAppServicesDataAccessOwnDocument(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	access, _, me := c.mustLogin("anon-user", nil)
	mine := map[string]any{"user_id": me}

	if v := mustOK(t, "findOne before any document", c.own(access, "findOne", map[string]any{"query": mine})); v != nil {
		t.Fatalf("findOne without a document: %v, want null", v)
	}
	if v := mustOK(t, "count", c.own(access, "count", map[string]any{"query": mine})); v != float64(0) {
		t.Fatalf("count without a document: %v", v)
	}
	// No document yet: an update without upsert matches nothing and creates nothing.
	v := mustOK(t, "updateOne", c.own(access, "updateOne", map[string]any{"query": mine, "update": map[string]any{"$set": map[string]any{"x": 1}}}))
	if asJSON(v) != `{"matchedCount":0,"modifiedCount":0}` {
		t.Fatalf("updateOne without a document: %s", asJSON(v))
	}

	v = mustOK(t, "insertOne", c.own(access, "insertOne", map[string]any{"document": map[string]any{"user_id": me, "color": "red"}}))
	inserted, _ := v.(map[string]any)["insertedId"].(map[string]any)
	if oid, _ := inserted["$oid"].(string); len(oid) != 24 {
		t.Fatalf("insertOne answered %s, want an insertedId ObjectId", asJSON(v))
	}
	r := c.own(access, "insertOne", map[string]any{"document": map[string]any{"user_id": me, "color": "green"}}).r
	wantErr(t, r, 409, "Conflict")

	doc := mustOK(t, "findOne", c.own(access, "findOne", map[string]any{"query": mine})).(map[string]any)
	if doc["color"] != "red" || doc["user_id"] != me || !reflect.DeepEqual(doc["_id"], any(inserted)) {
		t.Fatalf("findOne: %s", asJSON(doc))
	}

	// realm-web sends numbers in canonical Extended JSON.
	v = mustOK(t, "updateOne", c.own(access, "updateOne", map[string]any{"query": mine, "update": map[string]any{
		"$set":  map[string]any{"color": "blue", "profile.age": map[string]any{"$numberInt": "30"}},
		"$inc":  map[string]any{"visits": map[string]any{"$numberInt": "2"}},
		"$push": map[string]any{"tags": map[string]any{"$each": []any{"a", "b"}}},
	}}))
	if asJSON(v) != `{"matchedCount":1,"modifiedCount":1}` {
		t.Fatalf("updateOne: %s", asJSON(v))
	}
	// The write went to the one custom data document: gRPC reads it.
	got, err := ts.data.GetCustomData(bearer(access), &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	m := got.GetData().AsMap()
	if m["color"] != "blue" || m["visits"] != float64(2) || asJSON(m["tags"]) != `["a","b"]` || asJSON(m["profile"]) != `{"age":30}` {
		t.Fatalf("the document after updateOne: %s", asJSON(m))
	}
	v = mustOK(t, "updateMany", c.own(access, "updateMany", map[string]any{"query": mine, "update": map[string]any{"$unset": map[string]any{"profile": ""}, "$push": map[string]any{"tags": "c"}}}))
	if asJSON(v) != `{"matchedCount":1,"modifiedCount":1}` {
		t.Fatalf("updateMany: %s", asJSON(v))
	}

	doc = mustOK(t, "findOne with a projection", c.own(access, "findOne", map[string]any{"query": map[string]any{"color": "blue"}, "project": map[string]any{"color": 1, "tags": 1}})).(map[string]any)
	if len(doc) != 3 || doc["_id"] == nil || asJSON(doc["tags"]) != `["a","b","c"]` {
		t.Fatalf("projected findOne: %s", asJSON(doc))
	}
	if v := mustOK(t, "count by a field", c.own(access, "count", map[string]any{"query": map[string]any{"visits": map[string]any{"$gte": 2}}})); v != float64(1) {
		t.Fatalf("count {visits >= 2}: %v", v)
	}
	if v := mustOK(t, "count, no match", c.own(access, "count", map[string]any{"query": map[string]any{"color": "red"}})); v != float64(0) {
		t.Fatalf("count {color: red}: %v", v)
	}
	if v := mustOK(t, "find", c.own(access, "find", map[string]any{"query": map[string]any{}, "limit": 5, "sort": map[string]any{"color": 1}})); len(v.([]any)) != 1 {
		t.Fatalf("find: %s", asJSON(v))
	}
	v = mustOK(t, "aggregate", c.own(access, "aggregate", map[string]any{"pipeline": []any{
		map[string]any{"$match": mine}, map[string]any{"$project": map[string]any{"color": 1, "_id": 0}},
	}}))
	if asJSON(v) != `[{"color":"blue"}]` {
		t.Fatalf("aggregate: %s", asJSON(v))
	}

	if v := mustOK(t, "deleteOne, no match", c.own(access, "deleteOne", map[string]any{"query": map[string]any{"color": "red"}})); asJSON(v) != `{"deletedCount":0}` {
		t.Fatalf("deleteOne of no document: %s", asJSON(v))
	}
	if v := mustOK(t, "deleteOne", c.own(access, "deleteOne", map[string]any{"query": mine})); asJSON(v) != `{"deletedCount":1}` {
		t.Fatalf("deleteOne: %s", asJSON(v))
	}
	if v := mustOK(t, "findOne after the delete", c.own(access, "findOne", map[string]any{"query": mine})); v != nil {
		t.Fatalf("findOne after deleteOne: %v", v)
	}
}

func TestAppServicesDataAccessUpsert(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	access, _, me := c.mustLogin("anon-user", nil)
	v := mustOK(t, "upsert", c.own(access, "updateOne", map[string]any{
		"query":  map[string]any{"user_id": me, "plan": "free"},
		"update": map[string]any{"$set": map[string]any{"color": "red"}, "$inc": map[string]any{"logins": 1}},
		"upsert": true,
	}))
	res := v.(map[string]any)
	if res["matchedCount"] != float64(0) || res["modifiedCount"] != float64(0) || res["upsertedId"] == nil {
		t.Fatalf("upsert: %s", asJSON(v))
	}
	got, err := ts.data.GetCustomData(bearer(access), &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	m := got.GetData().AsMap()
	if m["user_id"] != me || m["plan"] != "free" || m["color"] != "red" || m["logins"] != float64(1) || !reflect.DeepEqual(m["_id"], res["upsertedId"]) {
		t.Fatalf("upserted document: %s (upsertedId %s)", asJSON(m), asJSON(res["upsertedId"]))
	}
	// Matching now: an update, not a second document.
	v = mustOK(t, "upsert again", c.own(access, "updateOne", map[string]any{
		"query": map[string]any{"user_id": me}, "update": map[string]any{"$inc": map[string]any{"logins": 1}}, "upsert": true,
	}))
	if asJSON(v) != `{"matchedCount":1,"modifiedCount":1}` {
		t.Fatalf("second upsert: %s", asJSON(v))
	}
	// Not matching the user's document: it would be a second one, which Lanyard never creates.
	r := c.own(access, "updateOne", map[string]any{
		"query": map[string]any{"user_id": me, "plan": "pro"}, "update": map[string]any{"$set": map[string]any{"color": "blue"}}, "upsert": true,
	}).r
	wantErr(t, r, 400, "BadRequest")
	if !strings.Contains(r.str("error"), "one document per user") {
		t.Errorf("refused upsert: %s", r)
	}
	doc := mustOK(t, "findOne", c.own(access, "findOne", map[string]any{"query": map[string]any{"user_id": me}})).(map[string]any)
	if doc["color"] != "red" || doc["logins"] != float64(2) {
		t.Fatalf("document after the upserts: %s", asJSON(doc))
	}
}

func TestAppServicesDataAccessRefusals(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	access, _, me := c.mustLogin("anon-user", nil)
	other, _, otherID := c.mustLogin("anon-user", nil)
	mustOK(t, "other's insertOne", c.own(other, "insertOne", map[string]any{"document": map[string]any{"user_id": otherID, "secret": "s"}}))
	theirs := map[string]any{"user_id": otherID}

	// Another user's document, by every method: the owner rules refuse.
	for _, tc := range []struct {
		action string
		args   map[string]any
	}{
		{"findOne", map[string]any{"query": theirs}},
		{"find", map[string]any{"query": theirs}},
		{"count", map[string]any{"query": theirs}},
		{"aggregate", map[string]any{"pipeline": []any{map[string]any{"$match": theirs}}}},
		{"updateOne", map[string]any{"query": theirs, "update": map[string]any{"$set": map[string]any{"secret": "mine"}}}},
		{"updateMany", map[string]any{"query": theirs, "update": map[string]any{"$set": map[string]any{"secret": "mine"}}, "upsert": true}},
		{"deleteOne", map[string]any{"query": theirs}},
		{"deleteMany", map[string]any{"query": map[string]any{"user_id": map[string]any{"$oid": otherID}}}},
		{"insertOne", map[string]any{"document": map[string]any{"user_id": otherID, "secret": "mine"}}},
	} {
		r := c.own(access, tc.action, tc.args).r
		if r.status != 403 || r.str("error_code") != "PermissionDenied" {
			t.Errorf("%s of another user's document: %s, want 403 PermissionDenied", tc.action, r)
		}
	}
	// A user without a document is refused alike: the answer does not tell whether one exists.
	_, _, third := c.mustLogin("anon-user", nil)
	r := c.own(access, "findOne", map[string]any{"query": map[string]any{"user_id": third}}).r
	wantErr(t, r, 403, "PermissionDenied")
	got, err := ts.data.GetCustomData(bearer(other), &lanyardv1.GetCustomDataRequest{})
	if err != nil || got.GetData().AsMap()["secret"] != "s" {
		t.Fatalf("the other user's document after the refusals: %v %v", got, err)
	}

	// Other namespaces, services and functions.
	r = c.mongo(access, "mongodb-atlas", "lanyard", "other", "findOne", map[string]any{"query": map[string]any{}}).r
	wantErr(t, r, 403, "PermissionDenied")
	if !strings.Contains(r.str("error"), "lanyard.other") {
		t.Errorf("another collection: %s", r)
	}
	r = c.mongo(access, "mongodb-atlas", "lanyard_auth", "users", "find", map[string]any{"query": map[string]any{}}).r
	wantErr(t, r, 403, "PermissionDenied")
	r = c.mongo(access, "mongodb-other", "lanyard", "custom_user_data", "findOne", map[string]any{"query": map[string]any{}}).r
	wantErr(t, r, 404, "ServiceNotFound")
	r = c.own(access, "findOneAndUpdate", map[string]any{"filter": map[string]any{}}).r
	wantErr(t, r, 501, "NotImplemented")
	r = c.do("POST", c.appPath("/functions/call"), map[string]any{"name": "sum", "arguments": []any{1, 2}}, auth(access)...)
	wantErr(t, r, 501, "FunctionNotFound")

	// Bad input is a 400 that names it.
	mustOK(t, "insertOne", c.own(access, "insertOne", map[string]any{"document": map[string]any{"user_id": me, "n": 1}}))
	for _, tc := range []struct {
		action string
		args   map[string]any
		want   string
	}{
		{"findOne", map[string]any{"query": map[string]any{"n": map[string]any{"$regex": "x"}}}, "$regex"},
		{"updateOne", map[string]any{"query": map[string]any{}, "update": map[string]any{"n": 2}}, "replacement"},
		{"updateOne", map[string]any{"query": map[string]any{}, "update": map[string]any{"$rename": map[string]any{"n": "m"}}}, "$rename"},
		{"updateOne", map[string]any{"query": map[string]any{}, "update": map[string]any{"$set": map[string]any{"_id": 1}}}, "_id"},
		{"updateOne", map[string]any{"query": map[string]any{}, "update": map[string]any{"$push": map[string]any{"n": 2}}}, "not an array"},
		{"insertOne", map[string]any{"document": map[string]any{"n": 1}}, "user_id"},
		{"findOne", map[string]any{"project": map[string]any{"a.b": 1}}, "top-level"},
		{"aggregate", map[string]any{"pipeline": []any{map[string]any{"$out": "x"}}}, "$out"},
	} {
		r := c.own(access, tc.action, tc.args).r
		if r.status != 400 || r.str("error_code") != "BadRequest" || !strings.Contains(r.str("error"), tc.want) {
			t.Errorf("%s %s: %s, want 400 BadRequest naming %s", tc.action, asJSON(tc.args), r, tc.want)
		}
	}
	r = c.own("not-a-token", "findOne", map[string]any{"query": map[string]any{}}).r
	wantErr(t, r, 401, "InvalidSession")
}

// TestAppServicesDataAccessWatch: collection.watch() as realm-web opens it (GET with the call in
// baas_request, Server-Sent Events) delivers the changes of the caller's document, a gRPC write among
// them; a watch of another namespace is refused as a JSON error before any stream opens.
func TestAppServicesDataAccessWatch(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	access, _, me := c.mustLogin("anon-user", nil)
	watchURL := func(coll string) string {
		call, _ := json.Marshal(map[string]any{"name": "watch", "service": "mongodb-atlas",
			"arguments": []any{map[string]any{"database": "lanyard", "collection": coll}}})
		return c.base + c.appPath("/functions/call") + "?baas_request=" + url.QueryEscape(base64.StdEncoding.EncodeToString(call))
	}

	r := c.do("GET", strings.TrimPrefix(watchURL("other"), c.base), nil, auth(access)...)
	wantErr(t, r, 403, "PermissionDenied")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", watchURL("custom_user_data"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("watch: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	lines := bufio.NewScanner(resp.Body)
	next := func() map[string]any {
		t.Helper()
		for lines.Scan() {
			data, ok := strings.CutPrefix(lines.Text(), "data: ")
			if !ok {
				continue
			}
			var ev map[string]any
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				t.Fatalf("event %q: %v", data, err)
			}
			return ev
		}
		t.Fatalf("the stream ended: %v", lines.Err())
		return nil
	}

	// Through data access: the document appears.
	mustOK(t, "insertOne", c.own(access, "insertOne", map[string]any{"document": map[string]any{"user_id": me, "n": 1}}))
	ev := next()
	doc, _ := ev["fullDocument"].(map[string]any)
	if ev["operationType"] != "insert" || doc["n"] != float64(1) || doc["user_id"] != me {
		t.Fatalf("first event: %s", asJSON(ev))
	}
	// Through gRPC: an update.
	set, _ := structpb.NewStruct(map[string]any{"color": "red"})
	if _, err := ts.data.UpdateCustomData(bearer(access), &lanyardv1.UpdateCustomDataRequest{Set: set}); err != nil {
		t.Fatal(err)
	}
	ev = next()
	upd, _ := ev["updateDescription"].(map[string]any)
	if ev["operationType"] != "update" || asJSON(upd["updatedFields"]) != `{"color":"red"}` || ev["fullDocument"].(map[string]any)["n"] != float64(1) {
		t.Fatalf("event of the gRPC write: %s", asJSON(ev))
	}
	mustOK(t, "deleteOne", c.own(access, "deleteOne", map[string]any{"query": map[string]any{"user_id": me}}))
	if ev = next(); ev["operationType"] != "delete" || ev["documentKey"] == nil {
		t.Fatalf("event of the delete: %s", asJSON(ev))
	}
}

// TestAppServicesDataAccessFieldRules: the rules of a rules.json apply as on gRPC: a field the user may
// not read is left out of answers and cannot be probed by a query, a field the user may not write is
// refused, so is a delete the role does not allow; a server principal (the App Services system user) is
// allowed everything, another user's document included.
func TestAppServicesDataAccessFieldRules(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataRules = filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(cfg.CustomDataRules, []byte(`{"roles": [{"name": "owner", "apply_when": {"user_id": "%%user.id"},
		"read": false, "write": false, "insert": true, "delete": false,
		"fields": {"secret": {"read": false, "write": false}, "plan": {"read": true, "write": false}},
		"additional_fields": {"read": true, "write": true}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, cfg)
	c := newCompat(t, ts)
	access, _, me := c.mustLogin("anon-user", nil)
	system := serverKey(t, ts)
	mine := map[string]any{"user_id": me}

	// The server principal writes the user's document, fields the user may not touch included.
	mustOK(t, "insertOne by the server", c.own(system, "insertOne", map[string]any{"document": map[string]any{"user_id": me, "secret": "s", "plan": "free", "color": "red"}}))
	doc := mustOK(t, "findOne by the server", c.own(system, "findOne", map[string]any{"query": mine})).(map[string]any)
	if doc["secret"] != "s" {
		t.Fatalf("the server principal's findOne: %s", asJSON(doc))
	}

	doc = mustOK(t, "findOne", c.own(access, "findOne", map[string]any{"query": mine})).(map[string]any)
	if _, leaked := doc["secret"]; leaked || doc["plan"] != "free" || doc["color"] != "red" {
		t.Fatalf("the user's findOne: %s", asJSON(doc))
	}
	if v := mustOK(t, "findOne by a hidden field", c.own(access, "findOne", map[string]any{"query": map[string]any{"secret": "s"}})); v != nil {
		t.Fatalf("a query on a field the user cannot read matched: %s", asJSON(v))
	}
	if v := mustOK(t, "count by a hidden field", c.own(access, "count", map[string]any{"query": map[string]any{"secret": map[string]any{"$exists": true}}})); v != float64(0) {
		t.Fatalf("count on a hidden field: %v", v)
	}
	r := c.own(access, "updateOne", map[string]any{"query": mine, "update": map[string]any{"$set": map[string]any{"plan": "pro"}}}).r
	wantErr(t, r, 403, "PermissionDenied")
	if !strings.Contains(r.str("error"), `"plan"`) {
		t.Errorf("refusal of a read-only field: %s", r)
	}
	if v := mustOK(t, "updateOne", c.own(access, "updateOne", map[string]any{"query": mine, "update": map[string]any{"$set": map[string]any{"color": "blue"}}})); asJSON(v) != `{"matchedCount":1,"modifiedCount":1}` {
		t.Fatalf("updateOne of a writable field: %s", asJSON(v))
	}
	wantErr(t, c.own(access, "deleteOne", map[string]any{"query": mine}).r, 403, "PermissionDenied")

	// The system user reaches any user's document by naming it.
	v := mustOK(t, "updateOne by the server", c.own(system, "updateOne", map[string]any{"query": mine, "update": map[string]any{"$set": map[string]any{"plan": "pro"}}}))
	if asJSON(v) != `{"matchedCount":1,"modifiedCount":1}` {
		t.Fatalf("the server principal's updateOne: %s", asJSON(v))
	}
	doc = mustOK(t, "findOne", c.own(access, "findOne", map[string]any{"query": mine})).(map[string]any)
	if doc["plan"] != "pro" || doc["color"] != "blue" {
		t.Fatalf("the document after both writes: %s", asJSON(doc))
	}
}

// TestAppServicesDataAccessConcurrentPush: $push is a read-modify-write at one version; writers racing on
// one document retry on the new state and none of their values is lost.
func TestAppServicesDataAccessConcurrentPush(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	access, _, me := c.mustLogin("anon-user", nil)
	mine := map[string]any{"user_id": me}
	mustOK(t, "insertOne", c.own(access, "insertOne", map[string]any{"document": map[string]any{"user_id": me, "list": []any{}}}))
	const writers = 8
	var wg sync.WaitGroup
	answers := make([]mres, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = c.own(access, "updateOne", map[string]any{"query": mine, "update": map[string]any{"$push": map[string]any{"list": i}}})
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.r.status != 200 || asJSON(a.v) != `{"matchedCount":1,"modifiedCount":1}` {
			t.Errorf("writer %d: %s", i, a.r)
		}
	}
	doc := mustOK(t, "findOne", c.own(access, "findOne", map[string]any{"query": mine})).(map[string]any)
	list, _ := doc["list"].([]any)
	seen := map[float64]bool{}
	for _, v := range list {
		seen[v.(float64)] = true
	}
	if len(list) != writers || len(seen) != writers {
		t.Fatalf("after %d concurrent pushes: %s", writers, asJSON(doc["list"]))
	}
}
