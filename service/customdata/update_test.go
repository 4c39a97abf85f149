package customdata

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUpdateApply: top-level $set, $unset and $inc pass to the store as they are; a dotted $set and $push
// rewrite their top-level field from the document; what cannot be done exactly is refused.
func TestUpdateApply(t *testing.T) {
	doc, err := decodeDoc(json.RawMessage(`{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"user_id":"u","tags":["a"],"profile":{"age":1,"name":"x"},"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	up, err := parseUpdate(json.RawMessage(`{"$set":{"color":"red","profile.age":{"$numberInt":"2"}},"$unset":{"old":""},"$inc":{"n":1},"$push":{"tags":{"$each":["b","c"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	w, after, err := up.apply(doc, "user_id")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(w.Set); got != `{"color":"red","profile":{"age":{"$numberInt":"2"},"name":"x"},"tags":["a","b","c"]}` {
		t.Errorf("set %s", got)
	}
	if string(w.Inc) != `{"n":1}` || strings.Join(w.Unset, ",") != "old" {
		t.Errorf("inc %s, unset %v", w.Inc, w.Unset)
	}
	if after["color"] != "red" || doc["color"] != nil {
		t.Errorf("after %v; the stored document must stay as read: %v", after, doc)
	}
	if got := strings.Join(up.fields(), ","); got != "color,n,old,profile.age,tags" {
		t.Errorf("fields %s", got)
	}

	for _, tc := range []struct{ update, want string }{
		{`{"color":"red"}`, "replacement"},
		{`{"$rename":{"a":"b"}}`, "$rename"},
		{`{"$set":{"_id":1}}`, "_id"},
		{`{"$set":{"a..b":1}}`, "not a valid field path"},
		{`{"$set":{"a.$":1}}`, "not a valid field path"},
		{`{"$push":{"tags":{"$each":[1],"$slice":2}}}`, "$each"},
		{`{"$push":{"tags":{"$each":1}}}`, "$each must be an array"},
		{`[{"$set":{"a":1}}]`, "update must be an object"},
		{`{}`, "empty"},
	} {
		if _, err := parseUpdate(json.RawMessage(tc.update)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("update %s: %v, want an error naming %s", tc.update, err, tc.want)
		}
	}
	for _, tc := range []struct{ update, want string }{
		{`{"$set":{"profile":{},"profile.age":3}}`, "conflict"},
		{`{"$set":{"profile.age":3},"$inc":{"profile.n":1}}`, "two operators"},
		{`{"$push":{"n":2}}`, "not an array"},
		{`{"$set":{"n.x":2}}`, "not a document"},
		{`{"$set":{"_id.x":2}}`, "_id"},
	} {
		up, err := parseUpdate(json.RawMessage(tc.update))
		if err == nil {
			_, _, err = up.apply(doc, "user_id")
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("update %s: %v, want an error naming %s", tc.update, err, tc.want)
		}
	}
}

// TestProjection: inclusion keeps _id unless excluded; exclusion removes; mixing and paths are refused.
func TestProjection(t *testing.T) {
	doc := map[string]any{"_id": 1, "a": 2, "b": 3}
	p, err := parseProjection(json.RawMessage(`{"a":{"$numberInt":"1"}}`), "project")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.apply(doc); len(got) != 2 || got["a"] != 2 || got["_id"] != 1 {
		t.Errorf("inclusion: %v", got)
	}
	if p, err = parseProjection(json.RawMessage(`{"a":0,"_id":false}`), "project"); err != nil {
		t.Fatal(err)
	}
	if got := p.apply(doc); len(got) != 1 || got["b"] != 3 {
		t.Errorf("exclusion: %v", got)
	}
	for _, bad := range []string{`{"a":1,"b":0}`, `{"a.b":1}`, `{"a":"x"}`, `[1]`} {
		if _, err := parseProjection(json.RawMessage(bad), "project"); err == nil {
			t.Errorf("projection %s accepted", bad)
		}
	}
}
