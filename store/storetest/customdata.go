package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// CustomDataHooks gives the suite the driver's handle on the custom data
// collection of a store opened with the default custom data configuration
// (collection custom_user_data, field user_id), to write documents as an
// operator would and to look at the stored BSON types. No production store
// offers it: an Opener returns its store wrapped in a type that does, with
// the collection reached as the test sees fit (as another tool would, for
// one).
type CustomDataHooks interface {
	CustomDataTestCollection() *mongodriver.Collection
}

// userIDField is the default user id field.
const userIDField = "user_id"

func customColl(t *testing.T, s store.Store) *mongodriver.Collection {
	t.Helper()
	h, ok := s.(CustomDataHooks)
	if !ok {
		t.Fatalf("%T does not implement storetest.CustomDataHooks", s)
	}
	return h.CustomDataTestCollection()
}

// fields decodes a document's JSON into its fields, each compacted.
func fields(t *testing.T, doc json.RawMessage) map[string]string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("document %s is not a JSON object: %v", doc, err)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		var b bytes.Buffer
		must(t, json.Compact(&b, v), "compact %s", k)
		out[k] = b.String()
	}
	return out
}

// bsonType returns the stored BSON type of a top-level field of the
// user's only document.
func bsonType(t *testing.T, c *mongodriver.Collection, userID, field string) bson.Type {
	t.Helper()
	var raw bson.Raw
	must(t, c.FindOne(testContext(t), bson.D{{Key: userIDField, Value: userID}}).Decode(&raw), "find the document of %s", userID)
	return raw.Lookup(field).Type
}

func countDocs(t *testing.T, c *mongodriver.Collection, userID string) int64 {
	t.Helper()
	n, err := c.CountDocuments(testContext(t), bson.D{{Key: userIDField, Value: userID}})
	must(t, err, "count documents")
	return n
}

func set(js string) store.CustomDataUpdate { return store.CustomDataUpdate{Set: json.RawMessage(js)} }

// NestedJSON is the JSON value of a top-level field (level 1) that reaches innermost at the given
// level, through arrays and documents in turn (never an array directly in an array, which FerretDB v1
// cannot store).
func NestedJSON(level int, innermost string) string {
	v := innermost
	for l := level; l > 1; l-- {
		if l%2 == 0 {
			v = "[" + v + "]"
		} else {
			v = `{"a":` + v + "}"
		}
	}
	return v
}

// NestedBSON is NestedJSON(level, "1") as BSON, as an operator's driver writes it.
func NestedBSON(level int) any {
	var v any = int32(1)
	for l := level; l > 1; l-- {
		if l%2 == 0 {
			v = bson.A{v}
		} else {
			v = bson.D{{Key: "a", Value: v}}
		}
	}
	return v
}

var customDataBehaviours = []behaviour{
	{name: "CustomData/NoDocument", run: customDataNoDocument},
	{name: "CustomData/OperatorDocumentRendersAsValidJSON", run: customDataOperatorDocumentRendersAsValidJSON},
	{name: "CustomData/FirstInsertedWins", run: customDataFirstInsertedWins},
	{name: "CustomData/OperatorWritesAfterTheFirstRead", run: customDataOperatorWritesAfterTheFirstRead},
	{name: "CustomData/DocumentsWrittenBeforeOpen", run: customDataDocumentsWrittenBeforeOpen},
	{name: "CustomData/RacingFirstWritesMakeOneDocument", run: customDataRacingFirstWritesMakeOneDocument},
	{name: "CustomData/RacingIncrementsAreNotLost", run: customDataRacingIncrementsAreNotLost},
	{name: "CustomData/RoundTrip", run: customDataRoundTrip},
	{name: "CustomData/ExpectedVersion", run: customDataExpectedVersion},
	{name: "CustomData/SizeLimit", run: customDataSizeLimit},
	{name: "CustomData/InvalidUpdates", run: customDataInvalidUpdates},
	{name: "CustomData/NestedPaths", run: customDataNestedPaths},
	{name: "CustomData/DeleteThenUpdate", run: customDataDeleteThenUpdate},
	{name: "CustomData/RewriteOfNestedArrays", run: customDataRewriteOfNestedArrays},
	{name: "CustomData/NegativeZero", run: customDataNegativeZero},
	{name: "CustomData/DepthLimit", run: customDataDepthLimit, exceptOn: map[string]string{
		"mongodb": "MongoDB refuses a document nested deeper than the limit, so no other tool can store one there",
	}},
	{name: "CustomData/Versions", run: customDataVersions},
	{name: "CustomData/ReplaceAndStamp", run: customDataReplaceAndStamp},
}

// replicas opens five stores on one new database, for racing writers: a Store may queue its own writes
// of one user, but the replicas still race one another for every version.
func (h harness) replicas(t *testing.T) []store.Store {
	db := DatabaseName(t)
	stores := make([]store.Store, 5)
	for i := range stores {
		stores[i] = h.openDB(t, db)
	}
	return stores
}

func customDataNoDocument(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	doc, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	if doc.JSON != nil || doc.Version != 0 {
		t.Errorf("GetCustomData of a user without document = %s (version %d), want none", doc.JSON, doc.Version)
	}
	must(t, s.StampLastLogin(ctx, u, now()), "StampLastLogin")
	if n := countDocs(t, customColl(t, s), u); n != 0 {
		t.Errorf("StampLastLogin created %d documents for a user without one", n)
	}
	deleted, err := s.DeleteCustomData(ctx, u)
	must(t, err, "DeleteCustomData")
	if deleted {
		t.Error("DeleteCustomData of a user without document reported a deletion")
	}
}

// Tokens embed the rendering without checking it again, so it must be valid JSON whatever an
// operator's application stored: quotes, escapes and Extended JSON types included.
func customDataOperatorDocumentRendersAsValidJSON(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	oid := bson.NewObjectID()
	_, err := customColl(t, s).InsertOne(ctx, bson.D{{Key: "_id", Value: oid}, {Key: userIDField, Value: u},
		{Key: "text", Value: "a \"b\" \\ \n \t \u2028 </script> é"},
		{Key: "nested", Value: bson.D{{Key: "list", Value: bson.A{int32(1), 2.5, bson.D{{Key: "x", Value: nil}}, "}"}}}},
		{Key: "big", Value: int64(1<<53 + 1)}, {Key: "whole", Value: 3.0}, {Key: "at", Value: bson.DateTime(1714979289123)},
		{Key: "bin", Value: bson.Binary{Subtype: 4, Data: []byte{1, 2}}}, {Key: "ok", Value: true}})
	must(t, err, "insert the document")
	doc, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	if !json.Valid(doc.JSON) {
		t.Fatalf("GetCustomData rendered invalid JSON: %s", doc.JSON)
	}
	want := map[string]string{"_id": `{"$oid":"` + oid.Hex() + `"}`, userIDField: strconv.Quote(u),
		"text": `"a \"b\" \\ \n \t \u2028 </script> é"`, "nested": `{"list":[1,2.5,{"x":null},"}"]}`,
		"big": `{"$numberLong":"9007199254740993"}`, "whole": `3.0`, "at": `{"$date":"2024-05-06T07:08:09.123Z"}`,
		"bin": `{"$binary":{"base64":"AQI=","subType":"04"}}`, "ok": `true`}
	if got := fields(t, doc.JSON); !maps.Equal(got, want) {
		t.Errorf("GetCustomData = %s\nfields %v\nwant   %v", doc.JSON, got, want)
	}
}

func customDataFirstInsertedWins(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	c := customColl(t, s)
	insert := func(doc bson.D) {
		t.Helper()
		_, err := c.InsertOne(ctx, doc)
		must(t, err, "insert %v", doc)
	}

	// Two string-form documents: the smaller ObjectId (inserted first) wins.
	u1 := store.NewID()
	first, second := bson.NewObjectID(), bson.NewObjectID()
	insert(bson.D{{Key: "_id", Value: first}, {Key: userIDField, Value: u1}, {Key: "which", Value: "first"}})
	insert(bson.D{{Key: "_id", Value: second}, {Key: userIDField, Value: u1}, {Key: "which", Value: "second"}})
	doc, err := s.GetCustomData(ctx, u1)
	must(t, err, "GetCustomData")
	if got := fields(t, doc.JSON)["which"]; got != `"first"` {
		t.Errorf("winner of two documents: which = %s, want \"first\"", got)
	}
	// Writes go to the winner too.
	_, err = s.UpdateCustomData(ctx, u1, set(`{"x": 1}`))
	must(t, err, "UpdateCustomData")
	var shadowed bson.Raw
	must(t, c.FindOne(ctx, bson.D{{Key: "_id", Value: second}}).Decode(&shadowed), "find the shadowed document")
	if _, err := shadowed.LookupErr("x"); err == nil {
		t.Error("UpdateCustomData wrote to the shadowed document")
	}

	// An ObjectId-form document inserted first loses to a string-form one.
	u2 := store.NewID()
	u2oid, _ := bson.ObjectIDFromHex(u2)
	byOID, byString := bson.NewObjectID(), bson.NewObjectID()
	insert(bson.D{{Key: "_id", Value: byOID}, {Key: userIDField, Value: u2oid}, {Key: "form", Value: "objectid"}})
	insert(bson.D{{Key: "_id", Value: byString}, {Key: userIDField, Value: u2}, {Key: "form", Value: "string"}})
	doc, err = s.GetCustomData(ctx, u2)
	must(t, err, "GetCustomData")
	if got := fields(t, doc.JSON)["form"]; got != `"string"` {
		t.Errorf("winner of an ObjectId-form and a string-form document: form = %s, want \"string\"", got)
	}

	// _ids of mixed types: numbers sort before strings, strings before ObjectIds.
	u3 := store.NewID()
	oid3 := bson.NewObjectID()
	insert(bson.D{{Key: "_id", Value: oid3}, {Key: userIDField, Value: u3}})
	insert(bson.D{{Key: "_id", Value: "b"}, {Key: userIDField, Value: u3}})
	insert(bson.D{{Key: "_id", Value: int32(7)}, {Key: userIDField, Value: u3}})
	insert(bson.D{{Key: "_id", Value: "a"}, {Key: userIDField, Value: u3}})
	doc, err = s.GetCustomData(ctx, u3)
	must(t, err, "GetCustomData")
	if got := fields(t, doc.JSON)["_id"]; got != "7" {
		t.Errorf("winner among _ids 7, \"a\", \"b\" and an ObjectId: _id = %s, want 7", got)
	}

	// A user with one document is not shadowed.
	insert(bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: userIDField, Value: store.NewID()}})

	oidJSON := func(o bson.ObjectID) string { return `{"$oid":"` + o.Hex() + `"}` }
	want := []store.ShadowedUser{
		{UserID: u1, DocumentIDs: []string{oidJSON(first), oidJSON(second)}},
		{UserID: u2, DocumentIDs: []string{oidJSON(byString), oidJSON(byOID)}},
		{UserID: u3, DocumentIDs: []string{"7", `"a"`, `"b"`, oidJSON(oid3)}},
	}
	slices.SortFunc(want, func(a, b store.ShadowedUser) int { return strings.Compare(a.UserID, b.UserID) })
	got, err := s.ListShadowedCustomData(ctx, "", 0)
	must(t, err, "ListShadowedCustomData")
	sameValue(t, got, want, "ListShadowedCustomData")
	got, err = s.ListShadowedCustomData(ctx, want[0].UserID, 1)
	must(t, err, "ListShadowedCustomData after the first")
	sameValue(t, got, want[1:2], "ListShadowedCustomData page 2")
}

// Another tool's writes after the store has read the user: a store that keeps the owners of documents
// (an index, a locator) must see each of them at the next read, as a store that queries does.
func customDataOperatorWritesAfterTheFirstRead(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	c := customColl(t, s)
	which := func(u string) string {
		t.Helper()
		doc, err := s.GetCustomData(ctx, u)
		must(t, err, "GetCustomData")
		if doc.JSON == nil {
			return "none"
		}
		return fields(t, doc.JSON)["which"]
	}
	expect := func(u, want, after string) {
		t.Helper()
		if got := which(u); got != want {
			t.Errorf("after %s: winner %s, want %s", after, got, want)
		}
	}
	past := func(d time.Duration) bson.ObjectID { return bson.NewObjectIDFromTimestamp(time.Now().Add(-d)) }

	// The first document of a user who had none.
	u := store.NewID()
	expect(u, "none", "no write")
	lanyardDoc, err := s.UpdateCustomData(ctx, u, set(`{"which": "lanyard"}`))
	must(t, err, "UpdateCustomData")
	expect(u, `"lanyard"`, "a write through the store")

	// An insert with a smaller _id wins at once; deleting it gives the win back.
	earlier := past(time.Hour)
	_, err = c.InsertOne(ctx, bson.D{{Key: "_id", Value: earlier}, {Key: userIDField, Value: u}, {Key: "which", Value: "earlier"}})
	must(t, err, "insert an earlier document")
	expect(u, `"earlier"`, "an insert with a smaller _id")
	_, err = c.InsertOne(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: userIDField, Value: u}, {Key: "which", Value: "later"}})
	must(t, err, "insert a later document")
	expect(u, `"earlier"`, "an insert with a larger _id")
	_, err = c.DeleteOne(ctx, bson.D{{Key: "_id", Value: earlier}})
	must(t, err, "delete the earlier document")
	expect(u, `"lanyard"`, "deleting the winner")

	// The winner given to another user by _id, and back by another filter.
	v := store.NewID()
	expect(v, "none", "no write")
	idJSON := fields(t, lanyardDoc.JSON)["_id"]
	lanyardID, err := bson.ObjectIDFromHex(strings.TrimSuffix(strings.TrimPrefix(idJSON, `{"$oid":"`), `"}`))
	must(t, err, "the _id of the document the store made, %s", idJSON)
	_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: lanyardID}}, bson.D{{Key: "$set", Value: bson.D{{Key: userIDField, Value: v}}}})
	must(t, err, "give the winner to another user")
	expect(u, `"later"`, "the winner going to another user")
	expect(v, `"lanyard"`, "receiving a document by _id")
	_, err = c.UpdateOne(ctx, bson.D{{Key: "which", Value: "lanyard"}}, bson.D{{Key: "$set", Value: bson.D{{Key: userIDField, Value: u}}}})
	must(t, err, "give it back by another filter")
	expect(v, "none", "losing the document by another filter")
	expect(u, `"lanyard"`, "receiving a document by another filter")

	// An ObjectId-form document with a smaller _id loses until it is turned into the string form.
	uoid, _ := bson.ObjectIDFromHex(u)
	oldest := past(2 * time.Hour)
	_, err = c.InsertOne(ctx, bson.D{{Key: "_id", Value: oldest}, {Key: userIDField, Value: uoid}, {Key: "which", Value: "objectid"}})
	must(t, err, "insert an ObjectId-form document")
	expect(u, `"lanyard"`, "an ObjectId-form insert")
	_, err = c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: oldest}}, bson.D{{Key: userIDField, Value: u}, {Key: "which", Value: "converted"}})
	must(t, err, "replace it in the string form")
	expect(u, `"converted"`, "a replacement in the string form")

	// An upsert found by the user id field makes a document whose _id the writer never names.
	w := store.NewID()
	expect(w, "none", "no write")
	x := store.NewID()
	_, err = c.UpdateOne(ctx, bson.D{{Key: userIDField, Value: w}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "which", Value: "upserted"}, {Key: "next", Value: x}}}}, options.UpdateOne().SetUpsert(true))
	must(t, err, "upsert")
	expect(w, `"upserted"`, "an upsert by the user id field")

	// Renaming another field into the user id field gives the document to whoever that field named:
	// only a read of the documents tells who.
	expect(x, "none", "no write")
	_, err = c.UpdateOne(ctx, bson.D{{Key: "which", Value: "upserted"}}, bson.D{{Key: "$rename", Value: bson.D{{Key: "next", Value: userIDField}}}})
	must(t, err, "rename a field into the user id field")
	expect(x, `"upserted"`, "a rename giving x the document")
	expect(w, "none", "a rename taking the document")
}

// Documents another tool wrote before the store opened, and a store that opens beside one in use.
func customDataDocumentsWrittenBeforeOpen(t *testing.T, h harness) {
	db := DatabaseName(t)
	first := h.openDB(t, db)
	ctx := testContext(t)
	c := customColl(t, first)
	u := store.NewID()
	uoid, _ := bson.ObjectIDFromHex(u)
	_, err := c.InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: userIDField, Value: u}, {Key: "which", Value: "string"}},
		bson.D{{Key: "_id", Value: bson.NewObjectIDFromTimestamp(time.Now().Add(-time.Hour))}, {Key: userIDField, Value: uoid}, {Key: "which", Value: "objectid"}},
	})
	must(t, err, "insert documents")
	v := store.NewID()
	_, err = first.UpdateCustomData(ctx, v, set(`{"which": "lanyard"}`))
	must(t, err, "UpdateCustomData")
	second := h.openDB(t, db)
	for _, tc := range []struct{ user, want string }{{u, `"string"`}, {v, `"lanyard"`}} {
		doc, err := second.GetCustomData(ctx, tc.user)
		must(t, err, "GetCustomData")
		if got := fields(t, doc.JSON)["which"]; got != tc.want {
			t.Errorf("a store opened after the writes: winner %s, want %s", got, tc.want)
		}
	}
	// A write through one store is seen by the other at once.
	_, err = second.UpdateCustomData(ctx, u, set(`{"seen": true}`))
	must(t, err, "UpdateCustomData through the second store")
	doc, err := first.GetCustomData(ctx, u)
	must(t, err, "GetCustomData through the first store")
	if got := fields(t, doc.JSON)["seen"]; got != "true" {
		t.Errorf("the first store reads %s, want the second store's write", doc.JSON)
	}
	w := store.NewID()
	_, err = second.UpdateCustomData(ctx, w, set(`{"which": "made by the second"}`))
	must(t, err, "UpdateCustomData of a new user through the second store")
	doc, err = first.GetCustomData(ctx, w)
	must(t, err, "GetCustomData through the first store")
	if got := fields(t, doc.JSON)["which"]; got != `"made by the second"` {
		t.Errorf("the first store reads %s for a document the second made", doc.JSON)
	}
}

func customDataRacingFirstWritesMakeOneDocument(t *testing.T, h harness) {
	stores := h.replicas(t)
	ctx := testContext(t)
	u := store.NewID()
	const n = 50
	versions := make([]int64, n)
	errs := race(n, func(i int) error {
		doc, err := stores[i%len(stores)].UpdateCustomData(ctx, u, set(fmt.Sprintf(`{"f%d": %d}`, i, i)))
		if err == nil {
			versions[i] = doc.Version
		}
		return err
	})
	for i, err := range errs {
		must(t, err, "UpdateCustomData %d", i)
	}
	if c := countDocs(t, customColl(t, stores[0]), u); c != 1 {
		t.Fatalf("%d racing first writes made %d documents, want 1", n, c)
	}
	doc, err := stores[1].GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	f := fields(t, doc.JSON)
	for i := range n {
		if got := f["f"+strconv.Itoa(i)]; got != strconv.Itoa(i) {
			t.Errorf("field f%d = %q, want %d (an update was lost)", i, got, i)
		}
	}
	if doc.Version != n {
		t.Errorf("version after %d writes = %d", n, doc.Version)
	}
	slices.Sort(versions)
	for i, v := range versions {
		if v != int64(i+1) {
			t.Fatalf("versions returned by the racing writes = %v, want 1..%d once each", versions, n)
		}
	}
}

func customDataRacingIncrementsAreNotLost(t *testing.T, h harness) {
	stores := h.replicas(t)
	ctx := testContext(t)
	u := store.NewID()
	const n = 50
	errs := race(n, func(i int) error {
		_, err := stores[i%len(stores)].UpdateCustomData(ctx, u, store.CustomDataUpdate{Inc: json.RawMessage(`{"counter": 1}`)})
		return err
	})
	for i, err := range errs {
		must(t, err, "UpdateCustomData %d", i)
	}
	doc, err := stores[0].GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	if got := fields(t, doc.JSON)["counter"]; got != strconv.Itoa(n) {
		t.Errorf("counter after %d racing increments = %s", n, got)
	}
	if c := countDocs(t, customColl(t, stores[0]), u); c != 1 {
		t.Errorf("%d racing increments made %d documents, want 1", n, c)
	}
}

func customDataRoundTrip(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	c := customColl(t, s)
	u := store.NewID()
	want := map[string]string{
		"big":    `{"$numberLong":"9007199254740993"}`,
		"neg":    `{"$numberLong":"-9007199254740993"}`,
		"edge":   `9007199254740992`,
		"long":   `4294967296`,
		"small":  `5`,
		"ratio":  `1.5`,
		"whole":  `2.0`,
		"when":   `{"$date":"2024-05-06T07:08:09.123Z"}`,
		"ref":    `{"$oid":"65f1a2b3c4d5e6f708091a2b"}`,
		"bin":    `{"$binary":{"base64":"AQIDBA==","subType":"00"}}`,
		"uuid":   `{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}}`,
		"nested": `[1,{"inner":[2,{"x":"y"}]},{"deep":{"$numberLong":"12345678901234567"}},{"$oid":"65f1a2b3c4d5e6f708091a2c"}]`,
		"obj":    `{"a":{"b":[true,null]},"c":"héllo"}`,
		"flag":   `true`,
		"none":   `null`,
	}
	var in []string
	for k, v := range want {
		in = append(in, strconv.Quote(k)+":"+v)
	}
	slices.Sort(in)
	doc, err := s.UpdateCustomData(ctx, u, set("{"+strings.Join(in, ",")+"}"))
	must(t, err, "UpdateCustomData")
	check := func(doc *store.CustomDoc, what string) {
		t.Helper()
		got := fields(t, doc.JSON)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %s, want %s", what, k, got[k], v)
			}
		}
		if got[userIDField] != strconv.Quote(u) {
			t.Errorf("%s: %s = %s, want %q", what, userIDField, got[userIDField], u)
		}
		if !strings.HasPrefix(got["_id"], `{"$oid":`) {
			t.Errorf("%s: _id = %s, want an ObjectId", what, got["_id"])
		}
		if len(got) != len(want)+2 {
			t.Errorf("%s: fields %v, want those set plus _id and %s only", what, doc.JSON, userIDField)
		}
	}
	check(doc, "UpdateCustomData's result")
	got, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	check(got, "GetCustomData")
	if got.Size != doc.Size || got.Version != 1 {
		t.Errorf("GetCustomData: size %d, version %d; the write returned size %d, version 1", got.Size, got.Version, doc.Size)
	}
	for field, typ := range map[string]bson.Type{"big": bson.TypeInt64, "long": bson.TypeInt64, "small": bson.TypeInt32,
		"whole": bson.TypeDouble, "when": bson.TypeDateTime, "ref": bson.TypeObjectID, "bin": bson.TypeBinary} {
		if got := bsonType(t, c, u, field); got != typ {
			t.Errorf("stored %s is a %s, want %s", field, got, typ)
		}
	}

	// What Get returns, written back, is stored unchanged.
	f := map[string]json.RawMessage{}
	for k, v := range fields(t, got.JSON) {
		f[k] = json.RawMessage(v)
	}
	delete(f, "_id")
	delete(f, userIDField)
	back, err := json.Marshal(f)
	must(t, err, "marshal")
	again, err := s.UpdateCustomData(ctx, u, store.CustomDataUpdate{Set: back})
	must(t, err, "UpdateCustomData with the document read")
	check(again, "after writing back what was read")

	// Types of fields an update does not name stay as stored.
	u2 := store.NewID()
	_, err = c.InsertOne(ctx, bson.D{{Key: userIDField, Value: u2}, {Key: "n32", Value: int32(7)}, {Key: "n64", Value: int64(7)},
		{Key: "d", Value: 7.0}, {Key: "inc32", Value: int32(1)}})
	must(t, err, "insert")
	_, err = s.UpdateCustomData(ctx, u2, store.CustomDataUpdate{Set: json.RawMessage(`{"other": "x"}`), Inc: json.RawMessage(`{"inc32": 1}`)})
	must(t, err, "UpdateCustomData")
	for field, typ := range map[string]bson.Type{"n32": bson.TypeInt32, "n64": bson.TypeInt64, "d": bson.TypeDouble, "inc32": bson.TypeInt32} {
		if got := bsonType(t, c, u2, field); got != typ {
			t.Errorf("after an update of other fields, %s is a %s, want %s", field, got, typ)
		}
	}
	got, err = s.GetCustomData(ctx, u2)
	must(t, err, "GetCustomData")
	if f := fields(t, got.JSON); f["n32"] != "7" || f["d"] != "7.0" || f["inc32"] != "2" {
		t.Errorf("document after the update: %s", got.JSON)
	}
}

func customDataExpectedVersion(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	at := func(v int64, js string) store.CustomDataUpdate {
		up := set(js)
		up.ExpectedVersion = &v
		return up
	}
	_, err := s.UpdateCustomData(ctx, u, at(3, `{"a": 1}`))
	wantErr(t, err, store.ErrVersionMismatch, "expected version 3 with no document")
	doc, err := s.UpdateCustomData(ctx, u, at(0, `{"a": 1}`))
	must(t, err, "UpdateCustomData at version 0")
	if doc.Version != 1 {
		t.Fatalf("version after the first write = %d, want 1", doc.Version)
	}
	_, err = s.UpdateCustomData(ctx, u, at(0, `{"a": 2}`))
	wantErr(t, err, store.ErrVersionMismatch, "expected version 0 at version 1")
	if !strings.Contains(err.Error(), "current version 1") {
		t.Errorf("error %q should name the current version", err)
	}
	doc, err = s.UpdateCustomData(ctx, u, at(1, `{"a": 2}`))
	must(t, err, "UpdateCustomData at version 1")
	if doc.Version != 2 || fields(t, doc.JSON)["a"] != "2" {
		t.Errorf("after the second write: version %d, %s", doc.Version, doc.JSON)
	}
}

func customDataSizeLimit(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	_, err := s.UpdateCustomData(ctx, u, set(`{"a": 1}`))
	must(t, err, "UpdateCustomData")
	_, err = s.UpdateCustomData(ctx, u, set(`{"big": "`+strings.Repeat("x", 20000)+`"}`))
	wantErr(t, err, store.ErrDocumentTooLarge, "a 20 kB string")
	m := regexp.MustCompile(`document would be (\d+) bytes; the limit is 16384 bytes`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("error %q should give the size and the limit", err)
	}
	if size, _ := strconv.Atoi(m[1]); size <= 20000 {
		t.Errorf("reported size %d, want more than 20000", size)
	}
	doc, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	if doc.Version != 1 {
		t.Errorf("a refused write changed the document: version %d", doc.Version)
	}

	// A document over the limit written by another tool still reads.
	u2 := store.NewID()
	_, err = customColl(t, s).InsertOne(ctx, bson.D{{Key: userIDField, Value: u2}, {Key: "big", Value: strings.Repeat("y", 20000)}})
	must(t, err, "insert")
	doc, err = s.GetCustomData(ctx, u2)
	must(t, err, "GetCustomData of a large document")
	if doc.Size <= 20000 || doc.JSON == nil {
		t.Errorf("large document: size %d", doc.Size)
	}
	_, err = s.UpdateCustomData(ctx, u2, set(`{"a": 1}`))
	wantErr(t, err, store.ErrDocumentTooLarge, "an update of a document over the limit")
}

func customDataInvalidUpdates(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	_, err := customColl(t, s).InsertOne(ctx, bson.D{{Key: userIDField, Value: u}, {Key: "name", Value: "x"}})
	must(t, err, "insert")
	for _, tc := range []struct {
		name string
		up   store.CustomDataUpdate
		want string // in the error
	}{
		{"dollar key", set(`{"$set": {"a": 1}}`), "$set"},
		{"nested dollar key", set(`{"a": {"b": {"$where": 1}}}`), "a.b.$where"},
		{"dollar key in an array", set(`{"a": [{"$x": 1}]}`), "a.0.$x"},
		{"empty key", set(`{"": 1}`), "empty key"},
		{"array in an array", set(`{"a": [1, [2]]}`), "a.1"},
		{"dotted key", set(`{"a.b": 1}`), "a.b"},
		{"quote in a key", set(`{"a\"b": 1}`), "quote"},
		{"backslash in a nested key", set(`{"a": {"b\\c": 1}}`), "backslash"},
		{"control character in a key", set(`{"a\u0001": 1}`), "control"},
		{"backslash in an unset path", store.CustomDataUpdate{Unset: []string{`a.b\c`}}, "backslash"},
		{"quote in an inc path", store.CustomDataUpdate{Inc: json.RawMessage(`{"a.b\"": 1}`)}, "quote"},
		{"set _id", set(`{"_id": 1}`), "_id"},
		{"set the user id field", set(`{"user_id": "someone"}`), userIDField},
		{"set the version field", set(`{"_lanyard_version": 9}`), "_lanyard_version"},
		{"decimal", set(`{"price": {"$numberDecimal": "1.5"}}`), "Decimal128"},
		{"NaN", set(`{"x": {"$numberDouble": "NaN"}}`), "NaN"},
		{"NaN spelled otherwise", set(`{"x": {"$numberDouble": "nan"}}`), "NaN"},
		{"Infinity", set(`{"x": [{"$numberDouble": "Infinity"}]}`), "Infinity"},
		{"-Infinity", set(`{"x": {"$numberDouble": "-Infinity"}}`), "Infinity"},
		{"inc by NaN", store.CustomDataUpdate{Inc: json.RawMessage(`{"a.b": {"$numberDouble": "NaN"}}`)}, "NaN"},
		{"unknown wrapper", set(`{"x": {"$regularExpression": {"pattern": "a", "options": ""}}}`), "$regularExpression"},
		{"wrapper with extra key", set(`{"x": {"$oid": "65f1a2b3c4d5e6f708091a2b", "y": 1}}`), "$oid"},
		{"bad oid", set(`{"x": {"$oid": "nope"}}`), "$oid"},
		{"malformed JSON", set(`{"a": `), "JSON"},
		{"not an object", set(`[1]`), "object"},
		{"duplicate key", set(`{"a": 1, "a": 2}`), `"a"`},
		{"empty unset path", store.CustomDataUpdate{Unset: []string{""}}, "empty"},
		{"empty segment", store.CustomDataUpdate{Unset: []string{"a..b"}}, "a..b"},
		{"dollar segment", store.CustomDataUpdate{Unset: []string{"a.$b"}}, "a.$b"},
		{"unset _id", store.CustomDataUpdate{Unset: []string{"_id"}}, "_id"},
		{"inc inside the user id field", store.CustomDataUpdate{Inc: json.RawMessage(`{"user_id.x": 1}`)}, userIDField},
		{"inc a string", store.CustomDataUpdate{Inc: json.RawMessage(`{"a": "1"}`)}, "not a number"},
		{"inc a stored string", store.CustomDataUpdate{Inc: json.RawMessage(`{"name": 1}`)}, "name"},
		{"inc inside a string", store.CustomDataUpdate{Inc: json.RawMessage(`{"name.x": 1}`)}, "name"},
		{"set and unset", store.CustomDataUpdate{Set: json.RawMessage(`{"a": 1}`), Unset: []string{"a"}}, `"a"`},
		{"prefix overlap", store.CustomDataUpdate{Unset: []string{"a"}, Inc: json.RawMessage(`{"a.b": 1}`)}, "a.b"},
		{"set and inc", store.CustomDataUpdate{Set: json.RawMessage(`{"a": {"b": 1}}`), Inc: json.RawMessage(`{"a.b": 1}`)}, "a.b"},
		{"nothing", store.CustomDataUpdate{}, "nothing"},
	} {
		_, err := s.UpdateCustomData(ctx, u, tc.up)
		if !errors.Is(err, store.ErrInvalidUpdate) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrInvalidUpdate mentioning %q", tc.name, err, tc.want)
		}
	}
	// Refusals about one value name its field, in the list it came in.
	for _, tc := range []struct {
		up    store.CustomDataUpdate
		field string
	}{
		{set(`{"x": {"y": {"$numberDouble": "NaN"}}}`), "set.x.y"},
		{set(`{"x": [1, {"$numberDouble": "-Infinity"}]}`), "set.x.1"},
		{set(`{"x": 1e400}`), "set.x"},
		{store.CustomDataUpdate{Inc: json.RawMessage(`{"a.b": {"$numberDouble": "Infinity"}}`)}, "inc.a.b"},
	} {
		_, err := s.UpdateCustomData(ctx, u, tc.up)
		var fe *store.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, store.ErrInvalidUpdate) || fe.Field != tc.field {
			t.Errorf("%s %s: got %v, want a FieldError on %s", tc.up.Set, tc.up.Inc, err, tc.field)
		}
	}
	_, err = s.ReplaceCustomData(ctx, u, json.RawMessage(`{"ok": 1, "bad": {"$x": 1}}`))
	wantErr(t, err, store.ErrInvalidUpdate, "ReplaceCustomData with a $ key")
	doc, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	if doc.Version != 0 {
		t.Errorf("refused updates wrote the document: %s", doc.JSON)
	}
}

func customDataNestedPaths(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	inc := func(js string) *store.CustomDoc {
		t.Helper()
		doc, err := s.UpdateCustomData(ctx, u, store.CustomDataUpdate{Inc: json.RawMessage(js)})
		must(t, err, "inc %s", js)
		return doc
	}
	inc(`{"stats.logins": 2, "stats.score": 0.5}`)
	doc := inc(`{"stats.logins": 3, "big": {"$numberLong": "9007199254740993"}}`)
	if got := fields(t, doc.JSON)["stats"]; got != `{"logins":5,"score":0.5}` {
		t.Errorf("stats = %s", got)
	}
	doc, err := s.UpdateCustomData(ctx, u, store.CustomDataUpdate{Unset: []string{"stats.logins", "missing.path", "big.x"}})
	must(t, err, "unset")
	f := fields(t, doc.JSON)
	if f["stats"] != `{"score":0.5}` || f["big"] != `{"$numberLong":"9007199254740993"}` {
		t.Errorf("after unset: %s", doc.JSON)
	}
}

func customDataDeleteThenUpdate(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	c := customColl(t, s)
	u := store.NewID()
	first, err := s.UpdateCustomData(ctx, u, set(`{"a": 1}`))
	must(t, err, "UpdateCustomData")
	deleted, err := s.DeleteCustomData(ctx, u)
	must(t, err, "DeleteCustomData")
	if !deleted {
		t.Fatal("DeleteCustomData reported no deletion")
	}
	doc, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	if doc.JSON != nil {
		t.Fatalf("document after deletion: %s", doc.JSON)
	}
	deleted, err = s.DeleteCustomData(ctx, u)
	must(t, err, "DeleteCustomData again")
	if deleted {
		t.Error("second DeleteCustomData reported a deletion")
	}
	doc, err = s.UpdateCustomData(ctx, u, set(`{"b": 2}`))
	must(t, err, "UpdateCustomData after deletion")
	f := fields(t, doc.JSON)
	if _, ok := f["a"]; ok || f["b"] != "2" || doc.Version != 1 {
		t.Errorf("document made after deletion: %s (version %d), want a fresh one", doc.JSON, doc.Version)
	}
	if f["_id"] == fields(t, first.JSON)["_id"] {
		t.Error("the new document reuses the deleted one's _id")
	}
	if n := countDocs(t, c, u); n != 1 {
		t.Errorf("%d documents after delete and update, want 1", n)
	}

	// A document an operator deletes is created afresh too.
	_, err = c.DeleteMany(ctx, bson.D{{Key: userIDField, Value: u}})
	must(t, err, "delete directly")
	doc, err = s.UpdateCustomData(ctx, u, set(`{"c": 3}`))
	must(t, err, "UpdateCustomData after a direct deletion")
	if f := fields(t, doc.JSON); f["b"] != "" || f["c"] != "3" {
		t.Errorf("document made after a direct deletion: %s", doc.JSON)
	}
	if n := countDocs(t, c, u); n != 1 {
		t.Errorf("%d documents after a direct delete and update, want 1", n)
	}
}

// FerretDB v1 compares a replacement with the stored document before it writes it, in time
// exponential in how deeply arrays nest: a write over such a document must not set it off.
func customDataRewriteOfNestedArrays(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	nested := NestedJSON(60, `1`) // 30 arrays, one in each other document
	_, err := s.UpdateCustomData(ctx, u, set(`{"deep": `+nested+`}`))
	must(t, err, "UpdateCustomData creating")
	doc, err := s.UpdateCustomData(ctx, u, set(`{"other": 1}`))
	must(t, err, "UpdateCustomData over the nested arrays")
	if f := fields(t, doc.JSON); f["deep"] != nested || f["other"] != "1" {
		t.Errorf("after the second write: %.200s", doc.JSON)
	}
}

// FerretDB v1 drops the sign of -0: it is 0 on every engine, and the write returns what reads return.
func customDataNegativeZero(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	doc, err := s.UpdateCustomData(ctx, u, set(`{"z": -0, "zf": -0.0, "zw": {"$numberDouble": "-0.0"}}`))
	must(t, err, "UpdateCustomData")
	got, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	for _, d := range []*store.CustomDoc{doc, got} {
		if f := fields(t, d.JSON); f["z"] != "0" || f["zf"] != "0.0" || f["zw"] != "0.0" {
			t.Errorf("-0 written: %s, want 0, 0.0 and 0.0", d.JSON)
		}
	}
}

func customDataDepthLimit(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	c := customColl(t, s)
	limit := store.MaxCustomDataDepth
	u := store.NewID()

	// The deepest value a write accepts (a wrapper is a value, not a level) reads back as written.
	deepest := NestedJSON(limit, `{"$date":"2024-05-06T07:08:09.123Z"}`)
	doc, err := s.UpdateCustomData(ctx, u, set(`{"deep": `+deepest+`}`))
	must(t, err, "a write nested %d levels", limit)
	got, err := s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData of a document nested %d levels", limit)
	for _, d := range []*store.CustomDoc{doc, got} {
		if f := fields(t, d.JSON); f["deep"] != deepest {
			t.Errorf("a document nested %d levels reads back as %.200s", limit, d.JSON)
		}
	}
	segs := slices.Repeat([]string{"p"}, limit)
	_, err = s.UpdateCustomData(ctx, u, store.CustomDataUpdate{Inc: json.RawMessage(`{"` + strings.Join(segs, ".") + `": 1}`)})
	must(t, err, "an inc path of %d segments", limit)

	// One level more is refused, as the field it is in, naming the level and the limit; nothing is stored.
	tooDeep := []struct {
		up    store.CustomDataUpdate
		field string
	}{
		{set(`{"deeper": ` + NestedJSON(limit+1, `1`) + `}`), "set.deeper"},
		{set(`{"deeper": ` + NestedJSON(limit+1, `{}`) + `}`), "set.deeper"},
		{store.CustomDataUpdate{Inc: json.RawMessage(`{"` + strings.Join(append(segs, "q"), ".") + `": 1}`)}, "inc." + strings.Join(append(segs, "q"), ".")},
	}
	for _, tc := range tooDeep {
		_, err := s.UpdateCustomData(ctx, u, tc.up)
		var fe *store.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, store.ErrInvalidUpdate) || fe.Field != tc.field ||
			!strings.Contains(err.Error(), strconv.Itoa(limit+1)) || !strings.Contains(err.Error(), strconv.Itoa(limit)) {
			t.Errorf("a write nested %d levels: %v, want a FieldError on %.30s naming %d and %d", limit+1, err, tc.field, limit+1, limit)
		}
	}
	_, err = s.ReplaceCustomData(ctx, u, json.RawMessage(`{"deeper": `+NestedJSON(limit+1, `1`)+`}`))
	wantErr(t, err, store.ErrInvalidUpdate, "ReplaceCustomData nested %d levels", limit+1)
	if got, err := s.GetCustomData(ctx, u); err != nil || got.Version != 2 {
		t.Errorf("after refused writes: version %d (%v), want 2", got.Version, err)
	}

	// Another tool's document one level deeper: every read and write that would return it says so
	// (naming the field), stores nothing, and a write that replaces the field repairs it.
	u2 := store.NewID()
	_, err = c.InsertOne(ctx, bson.D{{Key: userIDField, Value: u2}, {Key: "ok", Value: int32(1)}, {Key: "deep", Value: NestedBSON(limit + 1)}})
	if h.except != "" {
		if err == nil {
			t.Fatalf("the engine stored a document nested %d levels, though the suite expects it to refuse one", limit+1)
		}
		t.Logf("insert of a document nested %d levels: %v", limit+1, err)
		h.skipException(t)
	}
	must(t, err, "insert a document nested %d levels", limit+1)
	_, err = s.GetCustomData(ctx, u2)
	if !errors.Is(err, store.ErrCustomDataUnreadable) || !strings.Contains(err.Error(), `"deep"`) || !strings.Contains(err.Error(), strconv.Itoa(limit)) {
		t.Errorf("GetCustomData of a document nested %d levels: %v, want ErrCustomDataUnreadable naming deep and %d", limit+1, err, limit)
	}
	_, err = s.UpdateCustomData(ctx, u2, set(`{"other": 1}`))
	wantErr(t, err, store.ErrCustomDataUnreadable, "a write that leaves the deep field")
	wantErr(t, s.StampLastLogin(ctx, u2, now()), store.ErrCustomDataUnreadable, "StampLastLogin")
	var raw bson.Raw
	must(t, c.FindOne(ctx, bson.D{{Key: userIDField, Value: u2}}).Decode(&raw), "find")
	if _, err := raw.LookupErr("other"); err == nil {
		t.Error("a refused write was stored")
	}
	v, err := s.CustomDataVersions(ctx, []string{u2})
	if err != nil || v[u2] == "" {
		t.Errorf("CustomDataVersions of an unreadable document: %v %v", v, err)
	}
	doc, err = s.UpdateCustomData(ctx, u2, store.CustomDataUpdate{Unset: []string{"deep"}})
	must(t, err, "unset the deep field")
	if f := fields(t, doc.JSON); f["ok"] != "1" || f["deep"] != "" {
		t.Errorf("after unsetting the deep field: %s", doc.JSON)
	}
}

func customDataVersions(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	c := customColl(t, s)
	with, without, operators := store.NewID(), store.NewID(), store.NewID()
	_, err := s.UpdateCustomData(ctx, with, set(`{"a": 1}`))
	must(t, err, "UpdateCustomData")
	oid, _ := bson.ObjectIDFromHex(operators)
	_, err = c.InsertOne(ctx, bson.D{{Key: userIDField, Value: oid}, {Key: "a", Value: 1}})
	must(t, err, "insert")

	v1, err := s.CustomDataVersions(ctx, []string{with, without, operators})
	must(t, err, "CustomDataVersions")
	if len(v1) != 3 || v1[with] == "" || v1[without] != "" || v1[operators] == "" {
		t.Fatalf("CustomDataVersions = %v", v1)
	}
	_, err = c.UpdateOne(ctx, bson.D{{Key: userIDField, Value: with}}, bson.D{{Key: "$set", Value: bson.D{{Key: "a", Value: 2}}}})
	must(t, err, "update directly")
	_, err = s.UpdateCustomData(ctx, operators, set(`{"b": 1}`))
	must(t, err, "UpdateCustomData")
	v2, err := s.CustomDataVersions(ctx, []string{with, without, operators})
	must(t, err, "CustomDataVersions")
	if v2[with] == v1[with] {
		t.Error("a direct update did not change the fingerprint")
	}
	if v2[operators] == v1[operators] || v2[without] != "" {
		t.Errorf("after a write through Lanyard: %v, before: %v", v2, v1)
	}
	v3, err := s.CustomDataVersions(ctx, []string{with})
	must(t, err, "CustomDataVersions")
	if v3[with] != v2[with] {
		t.Error("the fingerprint changed without a write")
	}
}

func customDataReplaceAndStamp(t *testing.T, h harness) {
	s := h.open(t)
	ctx := testContext(t)
	u := store.NewID()
	doc, err := s.ReplaceCustomData(ctx, u, json.RawMessage(`{"plan": "free", "user_id": "`+u+`"}`))
	must(t, err, "ReplaceCustomData creating")
	id := fields(t, doc.JSON)["_id"]
	doc, err = s.ReplaceCustomData(ctx, u, json.RawMessage(`{"_id": `+id+`, "tier": 2}`))
	must(t, err, "ReplaceCustomData replacing")
	f := fields(t, doc.JSON)
	if f["_id"] != id || f["plan"] != "" || f["tier"] != "2" || f[userIDField] != strconv.Quote(u) || doc.Version != 2 {
		t.Errorf("replaced document: %s (version %d)", doc.JSON, doc.Version)
	}
	_, err = s.ReplaceCustomData(ctx, u, json.RawMessage(`{"_id": 5}`))
	wantErr(t, err, store.ErrInvalidUpdate, "ReplaceCustomData changing _id")
	_, err = s.ReplaceCustomData(ctx, u, json.RawMessage(`{"user_id": "someone else"}`))
	wantErr(t, err, store.ErrInvalidUpdate, "ReplaceCustomData changing the user id")

	at := time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	must(t, s.StampLastLogin(ctx, u, at), "StampLastLogin")
	doc, err = s.GetCustomData(ctx, u)
	must(t, err, "GetCustomData")
	if got := fields(t, doc.JSON)["last_login"]; got != `{"$date":"2025-03-04T05:06:07.89Z"}` {
		t.Errorf("last_login = %s", got)
	}
	if got := bsonType(t, customColl(t, s), u, "last_login"); got != bson.TypeDateTime {
		t.Errorf("last_login is a %s, want a date", got)
	}
}
