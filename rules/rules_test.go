package rules

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const (
	alice = "65a0c0ffee00000000000001"
	bob   = "65a0c0ffee00000000000002"
	admin = "65a0c0ffee0000000000a001"
)

var (
	aliceC  = Caller{UserID: alice, UserType: "normal"}
	bobC    = Caller{UserID: bob, UserType: "normal"}
	serverC = Caller{UserID: "65a0c0ffee00000000000099", UserType: "server", Server: true}
)

// check is one Allow decision and what it should be: want == "" means allowed; otherwise the refusal's
// text must contain want.
type check struct {
	name   string
	op     Op
	caller Caller
	doc    map[string]any
	fields []string
	want   string
}

func runChecks(t *testing.T, r *Rules, checks []check) {
	t.Helper()
	for _, tc := range checks {
		t.Run(tc.name, func(t *testing.T) {
			err := r.Allow(tc.op, tc.caller, tc.doc, tc.fields)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Allow(%s) = %v, want allowed", tc.op, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Allow(%s) allowed, want a refusal containing %q", tc.op, tc.want)
			}
			if !errors.Is(err, ErrDenied) {
				t.Fatalf("Allow(%s) = %v, which does not wrap ErrDenied", tc.op, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Allow(%s) = %q, want it to contain %q", tc.op, err, tc.want)
			}
		})
	}
}

func mustParse(t *testing.T, raw string) *Rules {
	t.Helper()
	r, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

func mustPreset(t *testing.T, name string) *Rules {
	t.Helper()
	r, err := Preset(name, "user_id")
	if err != nil {
		t.Fatalf("Preset(%q): %v", name, err)
	}
	return r
}

func doc(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestOwnerPreset(t *testing.T) {
	r := mustPreset(t, "owner")
	own := doc("user_id", alice, "plan", "free")
	other := doc("user_id", bob, "plan", "pro")
	runChecks(t, r, []check{
		{name: "read own", op: Read, caller: aliceC, doc: own},
		{name: "write own", op: Write, caller: aliceC, doc: own, fields: []string{"plan", "prefs.theme"}},
		{name: "insert own", op: Insert, caller: aliceC, doc: own, fields: []string{"plan"}},
		{name: "delete own", op: Delete, caller: aliceC, doc: own},
		{name: "read other", op: Read, caller: aliceC, doc: other, want: "deny read: no role applies"},
		{name: "write other", op: Write, caller: aliceC, doc: other, fields: []string{"plan"}, want: "deny write"},
		{name: "insert for other", op: Insert, caller: aliceC, doc: other, fields: []string{"plan"}, want: "deny insert"},
		{name: "delete other", op: Delete, caller: aliceC, doc: other, want: "deny delete"},
		{name: "search is off", op: Search, caller: aliceC, doc: own, want: "does not allow search"},
		{name: "doc without user id", op: Read, caller: aliceC, doc: doc("plan", "free"), want: "no role applies"},
		{name: "caller without id", op: Read, caller: Caller{UserType: "normal"}, doc: doc("plan", "x"), want: "no role applies"},
		{name: "own doc keyed by ObjectId (Extended JSON)", op: Read, caller: aliceC, doc: doc("user_id", map[string]any{"$oid": alice})},
		{name: "own doc keyed by ObjectId (BSON)", op: Write, caller: aliceC, doc: doc("user_id", mustOID(t, alice)), fields: []string{"plan"}},
		{name: "other doc keyed by ObjectId", op: Read, caller: aliceC, doc: doc("user_id", mustOID(t, bob)), want: "no role applies"},
		{name: "server reads other", op: Read, caller: serverC, doc: other},
		{name: "server deletes other", op: Delete, caller: serverC, doc: other},
	})
	if got := r.FilterRead(aliceC, other); len(got) != 0 {
		t.Errorf("FilterRead of another user's document = %v, want nothing", got)
	}
	if got := r.FilterRead(aliceC, own); !maps.Equal(got, own) {
		t.Errorf("FilterRead of own document = %v, want %v", got, own)
	}
}

func mustOID(t *testing.T, hex string) bson.ObjectID {
	t.Helper()
	id, err := bson.ObjectIDFromHex(hex)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSystemPreset(t *testing.T) {
	r := mustPreset(t, "system")
	own := doc("user_id", alice, "plan", "free")
	runChecks(t, r, []check{
		{name: "user reads own", op: Read, caller: aliceC, doc: own},
		{name: "user writes own", op: Write, caller: aliceC, doc: own, fields: []string{"plan"}, want: `deny write of field "plan"`},
		{name: "user writes own, no fields", op: Write, caller: aliceC, doc: own, want: "grants no write access"},
		{name: "user inserts own", op: Insert, caller: aliceC, doc: own, fields: []string{"plan"}, want: "does not allow inserting"},
		{name: "user deletes own", op: Delete, caller: aliceC, doc: own, want: "does not allow deleting"},
		{name: "user reads other", op: Read, caller: bobC, doc: own, want: "no role applies"},
		{name: "server writes", op: Write, caller: serverC, doc: own, fields: []string{"plan"}},
		{name: "server inserts", op: Insert, caller: serverC, doc: own, fields: []string{"plan"}},
		{name: "server deletes", op: Delete, caller: serverC, doc: own},
		// A server-type user without the Server flag is judged by the rules like anyone else.
		{name: "server type without flag", op: Write, caller: Caller{UserID: bob, UserType: "server"}, doc: own, fields: []string{"plan"}, want: "deny write"},
	})
}

func TestPresetErrors(t *testing.T) {
	for _, tc := range []struct{ name, field, want string }{
		{"nobody", "user_id", "unknown rules preset"},
		{"owner", "", "not a usable user id field"},
		{"owner", "$id", "not a usable user id field"},
		{"owner", "a..b", "not a valid field path"},
	} {
		if _, err := Preset(tc.name, tc.field); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Preset(%q, %q) = %v, want an error containing %q", tc.name, tc.field, err, tc.want)
		}
	}
	r, err := Preset("owner", "profile.uid")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Allow(Read, aliceC, doc("profile", map[string]any{"uid": alice}), nil); err != nil {
		t.Errorf("owner preset on a dotted user id field: %v", err)
	}
}

const fieldRules = `{
  "roles": [
    {
      "name": "owner",
      "apply_when": {"user_id": "%%user.id"},
      "fields": {
        "plan":     {"read": true, "write": false},
        "nickname": {"read": true, "write": true},
        "secret":   {"read": false, "write": false},
        "inbox":    {"write": true},
        "vip_note": {"read": {"vip": true}}
      },
      "additional_fields": {"read": true, "write": false},
      "insert": true
    },
    {
      "name": "everyone",
      "apply_when": {},
      "fields": {"nickname": {"read": true}},
      "additional_fields": {}
    }
  ]
}`

func TestFieldLevel(t *testing.T) {
	r := mustParse(t, fieldRules)
	own := doc("user_id", alice, "plan", "free", "nickname", "al", "secret", "s3", "inbox", 3, "vip_note", "hi", "other", 1)
	runChecks(t, r, []check{
		{name: "write a writable field", op: Write, caller: aliceC, doc: own, fields: []string{"nickname"}},
		{name: "write-only field", op: Write, caller: aliceC, doc: own, fields: []string{"inbox"}},
		{name: "write a read-only field", op: Write, caller: aliceC, doc: own, fields: []string{"nickname", "plan"}, want: `deny write of field "plan"`},
		{name: "write a hidden field", op: Write, caller: aliceC, doc: own, fields: []string{"secret"}, want: `field "secret"`},
		{name: "additional field is read-only", op: Write, caller: aliceC, doc: own, fields: []string{"brand_new"}, want: `field "brand_new"`},
		{name: "dotted path uses its top-level field", op: Write, caller: aliceC, doc: own, fields: []string{"plan.tier"}, want: `field "plan.tier"`},
		{name: "dotted path into a writable field", op: Write, caller: aliceC, doc: own, fields: []string{"nickname.first"}},
		{name: "insert checks fields too", op: Insert, caller: aliceC, doc: own, fields: []string{"plan"}, want: `deny insert of field "plan"`},
		{name: "insert of writable fields", op: Insert, caller: aliceC, doc: own, fields: []string{"nickname"}},
		{name: "read own", op: Read, caller: aliceC, doc: own},
		{name: "others read through the second role", op: Read, caller: bobC, doc: own},
		{name: "others cannot write", op: Write, caller: bobC, doc: own, fields: []string{"nickname"}, want: `field "nickname"`},
		{name: "others cannot delete", op: Delete, caller: bobC, doc: own, want: "does not allow deleting"},
	})

	for _, tc := range []struct {
		name   string
		caller Caller
		doc    map[string]any
		want   []string
	}{
		{"owner", aliceC, own, []string{"user_id", "plan", "nickname", "inbox", "other"}},
		{"owner, vip", aliceC, with(own, "vip", true), []string{"user_id", "plan", "nickname", "inbox", "vip_note", "other", "vip"}},
		{"someone else", bobC, own, []string{"nickname"}},
		{"server", serverC, own, slices.Collect(maps.Keys(own))},
	} {
		t.Run("FilterRead "+tc.name, func(t *testing.T) {
			got := r.FilterRead(tc.caller, tc.doc)
			keys := slices.Sorted(maps.Keys(got))
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(keys, want) {
				t.Fatalf("FilterRead kept %v, want %v", keys, want)
			}
			for k, v := range got {
				if !equal(v, tc.doc[k]) {
					t.Errorf("field %q = %v, want %v", k, v, tc.doc[k])
				}
			}
		})
	}
	// FilterRead returns a copy.
	got := r.FilterRead(aliceC, own)
	got["plan"] = "changed"
	if own["plan"] != "free" {
		t.Error("FilterRead's result shares its top level with the document")
	}
	if r.FilterRead(aliceC, nil) != nil {
		t.Error("FilterRead(nil) is not nil")
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := maps.Clone(m)
	out[k] = v
	return out
}

func TestRoleLevelOverridesFields(t *testing.T) {
	// As in App Services, a true document-level read/write applies to every field.
	r := mustParse(t, `{"roles": [{"name": "r", "apply_when": {}, "read": true, "write": {"owner": "%%user.id"},
		"fields": {"secret": {"read": false, "write": false}}}]}`)
	d := doc("owner", alice, "secret", 1)
	if got := r.FilterRead(bobC, d); got["secret"] != 1 {
		t.Errorf("role-level read true did not expose the field: %v", got)
	}
	runChecks(t, r, []check{
		{name: "role-level write", op: Write, caller: aliceC, doc: d, fields: []string{"secret"}},
		{name: "role-level write false for others", op: Write, caller: bobC, doc: d, fields: []string{"secret"}, want: `field "secret"`},
	})
}

func TestApplyWhen(t *testing.T) {
	cases := []struct {
		name      string
		applyWhen string
		caller    Caller
		doc       map[string]any
		want      bool
	}{
		{"empty", `{}`, aliceC, doc(), true},
		{"true", `true`, aliceC, doc(), true},
		{"%%true string", `"%%true"`, aliceC, doc(), true},
		{"%%true key", `{"%%true": true}`, aliceC, doc(), true},
		{"%%false key", `{"%%false": true}`, aliceC, doc(), false},
		{"user id literal", `{"%%user.id": "` + alice + `"}`, aliceC, doc(), true},
		{"user id literal, other", `{"%%user.id": "` + alice + `"}`, bobC, doc(), false},
		{"trailing %% spelling", `{"owner": "%%user.id%%"}`, aliceC, doc("owner", alice), true},
		{"user type", `{"%%user.type": "normal"}`, aliceC, doc(), true},
		{"user type server", `{"%%user.type": "server"}`, aliceC, doc(), false},
		{"$or first", `{"$or": [{"owner": "%%user.id"}, {"editors": "%%user.id"}]}`, aliceC, doc("owner", alice), true},
		{"$or array field contains", `{"$or": [{"owner": "%%user.id"}, {"editors": "%%user.id"}]}`, aliceC, doc("owner", bob, "editors", []any{"x", alice}), true},
		{"$or none", `{"$or": [{"owner": "%%user.id"}, {"editors": "%%user.id"}]}`, aliceC, doc("owner", bob, "editors", []any{"x"}), false},
		{"$and", `{"$and": [{"owner": "%%user.id"}, {"active": true}]}`, aliceC, doc("owner", alice, "active", false), false},
		{"implicit and", `{"owner": "%%user.id", "active": true}`, aliceC, doc("owner", alice, "active", true), true},
		{"$in literal list", `{"team": {"$in": ["red", "blue"]}}`, aliceC, doc("team", "blue"), true},
		{"$in misses", `{"team": {"$in": ["red", "blue"]}}`, aliceC, doc("team", "green"), false},
		{"$in with expansion", `{"%%user.id": {"$in": ["nobody", "%%root.owner"]}}`, aliceC, doc("owner", alice), true},
		{"$in against array field", `{"tags": {"$in": ["b"]}}`, aliceC, doc("tags", bson.A{"a", "b"}), true},
		{"$nin", `{"team": {"$nin": ["red"]}}`, aliceC, doc("team", "blue"), true},
		{"$nin on missing field", `{"team": {"$nin": ["red"]}}`, aliceC, doc(), true},
		{"$nin hit", `{"team": {"$nin": ["red"]}}`, aliceC, doc("team", "red"), false},
		{"$exists true", `{"plan": {"$exists": true}}`, aliceC, doc("plan", nil), true},
		{"$exists false", `{"plan": {"$exists": false}}`, aliceC, doc("plan", 1), false},
		{"$exists false on missing", `{"plan": {"$exists": false}}`, aliceC, doc(), true},
		{"$eq", `{"level": {"$eq": 3}}`, aliceC, doc("level", json.Number("3")), true},
		{"$ne", `{"owner": {"$ne": "%%user.id"}}`, aliceC, doc("owner", alice), false},
		{"$ne other", `{"owner": {"$ne": "%%user.id"}}`, aliceC, doc("owner", bob), true},
		{"$gte number kinds", `{"level": {"$gte": 2.5, "$lt": 10}}`, aliceC, doc("level", int32(3)), true},
		{"$gt fails", `{"level": {"$gt": 3}}`, aliceC, doc("level", int64(3)), false},
		{"%and range", `{"level": {"%and": [{"$gt": 0}, {"$lte": 42}]}}`, aliceC, doc("level", 42.0), true},
		{"%or", `{"level": {"%or": [{"$lt": 0}, {"$gt": 100}]}}`, aliceC, doc("level", 5), false},
		{"nested path", `{"profile.owner": "%%user.id"}`, aliceC, doc("profile", map[string]any{"owner": alice}), true},
		{"nested path in bson.D", `{"profile.owner": "%%user.id"}`, aliceC, doc("profile", bson.D{{Key: "owner", Value: alice}}), true},
		{"path through array of docs", `{"members.id": "%%user.id"}`, aliceC, doc("members", []any{map[string]any{"id": bob}, map[string]any{"id": alice}}), true},
		{"array index", `{"members.0.id": "%%user.id"}`, aliceC, doc("members", []any{map[string]any{"id": bob}, map[string]any{"id": alice}}), false},
		{"%%root field", `{"%%root.owner": "%%user.id"}`, aliceC, doc("owner", alice), true},
		{"missing root expansion fails closed", `{"owner": "%%root.creator"}`, aliceC, doc(), false},
		{"missing root expansion fails closed for $ne", `{"owner": {"$ne": "%%root.creator"}}`, aliceC, doc("owner", "x"), false},
		{"null matches missing", `{"deleted": null}`, aliceC, doc(), true},
		{"embedded document literal", `{"where": {"city": "Oslo", "zip": 150}}`, aliceC, doc("where", map[string]any{"zip": 150, "city": "Oslo"}), true},
		{"Extended JSON literal", `{"_id": {"$oid": "` + bob + `"}}`, aliceC, doc("_id", mustOID(t, bob)), true},
		{"number wrapper in document", `{"n": 5}`, aliceC, doc("n", map[string]any{"$numberLong": "5"}), true},
		{"string is not a number", `{"n": 5}`, aliceC, doc("n", "5"), false},
		{"integer literal equals a whole double", `{"n": 3}`, aliceC, doc("n", 3.0), true},
		{"double literal equals json.Number", `{"n": 2.5}`, aliceC, doc("n", json.Number("2.5")), true},
		{"ObjectId literal equals hex string field", `{"owner": {"$oid": "` + alice + `"}}`, aliceC, doc("owner", alice), true},
		{"empty user id never matches", `{"owner": "%%user.id"}`, Caller{UserType: "normal"}, doc("owner", ""), false},
		{"empty user id in $in", `{"%%user.id": {"$in": ["", "x"]}}`, Caller{UserType: "normal"}, doc(), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mustParse(t, `{"roles": [{"name": "r", "apply_when": `+tc.applyWhen+`, "read": true}]}`)
			err := r.Allow(Read, tc.caller, tc.doc, nil)
			if got := err == nil; got != tc.want {
				t.Fatalf("apply_when %s on %v: applied = %v (%v), want %v", tc.applyWhen, tc.doc, got, err, tc.want)
			}
		})
	}
}

func TestRoleOrder(t *testing.T) {
	// The first matching role wins, even when a later one would grant more.
	r := mustParse(t, `{"roles": [
		{"name": "readonly", "apply_when": {"locked": true}, "read": true},
		{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "write": true}
	]}`)
	runChecks(t, r, []check{
		{name: "locked document", op: Write, caller: aliceC, doc: doc("user_id", alice, "locked", true), fields: []string{"a"}, want: `field "a"`},
		{name: "unlocked document", op: Write, caller: aliceC, doc: doc("user_id", alice), fields: []string{"a"}},
	})
}

func TestDocumentFiltersAndPermissionExpressions(t *testing.T) {
	r := mustParse(t, `{"roles": [{
		"name": "member", "apply_when": {},
		"document_filters": {"read": {"visible": true}, "write": {"user_id": "%%user.id"}},
		"read": true, "write": true,
		"insert": {"plan": "free"},
		"delete": {"%%user.type": "normal", "closed": true}
	}]}`)
	runChecks(t, r, []check{
		{name: "read filter matches", op: Read, caller: bobC, doc: doc("user_id", alice, "visible", true)},
		{name: "read filter misses", op: Read, caller: bobC, doc: doc("user_id", alice), want: "document filter"},
		{name: "write filter grants reading", op: Read, caller: aliceC, doc: doc("user_id", alice)},
		{name: "write filter misses", op: Write, caller: bobC, doc: doc("user_id", alice, "visible", true), fields: []string{"x"}, want: "document filter"},
		{name: "insert judged on the new document", op: Insert, caller: aliceC, doc: doc("user_id", alice, "plan", "free"), fields: []string{"plan"}},
		{name: "insert refused by expression", op: Insert, caller: aliceC, doc: doc("user_id", alice, "plan", "pro"), fields: []string{"plan"}, want: "does not allow inserting"},
		{name: "delete allowed by expression", op: Delete, caller: aliceC, doc: doc("user_id", alice, "closed", true)},
		{name: "delete refused by expression", op: Delete, caller: aliceC, doc: doc("user_id", alice), want: "does not allow deleting"},
		{name: "search not granted", op: Search, caller: aliceC, doc: doc("user_id", alice), want: "search"},
	})
	if got := r.FilterRead(bobC, doc("user_id", alice)); len(got) != 0 {
		t.Errorf("FilterRead through a failing document filter = %v", got)
	}
}

func TestFilters(t *testing.T) {
	r := mustParse(t, `{
		"roles": [{"name": "all", "apply_when": {}, "read": true, "write": true}],
		"filters": [
			{"name": "normal users see active documents", "apply_when": {"%%user.type": "normal"}, "query": {"active": true}, "projection": {"internal": 0}},
			{"name": "never applies", "apply_when": {"%%false": true}, "query": {"nothing": true}, "projection": {"a": 1}}
		]
	}`)
	active := doc("active", true, "internal", "x", "a", 1)
	runChecks(t, r, []check{
		{name: "active read", op: Read, caller: aliceC, doc: active},
		{name: "inactive read", op: Read, caller: aliceC, doc: doc("active", false), want: "filters"},
		{name: "inactive write", op: Write, caller: aliceC, doc: doc("active", false), fields: []string{"a"}, want: "filters"},
		{name: "insert ignores filters", op: Insert, caller: aliceC, doc: doc("active", false), fields: []string{"a"}, want: "does not allow inserting"},
		{name: "other user type unfiltered", op: Read, caller: Caller{UserID: bob, UserType: "server"}, doc: doc("active", false)},
	})
	got := r.FilterRead(aliceC, active)
	if _, ok := got["internal"]; ok || got["a"] != 1 || got["active"] != true {
		t.Errorf("FilterRead with an exclusion projection = %v", got)
	}

	incl := mustParse(t, `{"roles": [{"name": "all", "apply_when": {}, "read": true}],
		"filters": [{"name": "f", "apply_when": {}, "query": {}, "projection": {"a": 1, "_id": 0}}]}`)
	got = incl.FilterRead(aliceC, doc("_id", 1, "a", 2, "b", 3))
	if !maps.Equal(got, map[string]any{"a": 2}) {
		t.Errorf("FilterRead with an inclusion projection = %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	role := func(applyWhen string) string {
		return `{"roles": [{"name": "r", "apply_when": ` + applyWhen + `, "read": true}]}`
	}
	cases := []struct {
		name string
		raw  string
		want string
	}{
		{"%function in apply_when", role(`{"%function": {"name": "isAllowed"}}`),
			"rules.json: roles[0].apply_when: %function is not supported: Lanyard does not run App Services functions"},
		{"%function under %%true", role(`{"%%true": {"%function": {"name": "isAllowed", "arguments": ["%%user.id"]}}}`),
			"rules.json: roles[0].apply_when.%%true: %function is not supported"},
		{"%function in a field permission", `{"roles": [{"name": "r", "fields": {"a": {"write": {"%%true": {"%function": {"name": "f"}}}}}}]}`,
			"rules.json: roles[0].fields.a.write.%%true: %function is not supported"},
		{"%%user.data key", role(`{"%%user.data.email": "a@b.example"}`),
			"rules.json: roles[0].apply_when: %%user.data.email is not supported: rules never read provider metadata"},
		{"%%user.data value", `{"roles": [{"name": "r", "read": {"email": "%%user.data.email"}}]}`,
			"rules.json: roles[0].read.email: %%user.data.email is not supported: rules never read provider metadata (%%user.data), which comes from the identity provider and may be influenced by the user"},
		{"%%user.data in $in", role(`{"team": {"$in": ["%%user.data.team"]}}`),
			"roles[0].apply_when.team.$in[0]: %%user.data.team is not supported"},
		{"%%user.data in $or", role(`{"$or": [{"a": 1}, {"%%user.data": {"$exists": true}}]}`),
			"roles[0].apply_when.$or[1]: %%user.data is not supported"},
		{"%%user.custom_data bad path", role(`{"%%user.custom_data.a..b": true}`), `roles[0].apply_when: "a..b" is not a valid field path`},
		{"%%user.custom_data operator path", role(`{"a": "%%user.custom_data.$x"}`), `roles[0].apply_when.a: "$x" is not a valid field path`},
		{"%%user.identities", role(`{"%%user.identities": {"$exists": true}}`), "%%user.identities is not supported: of the user, rules can read %%user.id, %%user.type and %%user.custom_data"},
		{"%%values", role(`{"%%user.id": {"$in": "%%values.admins"}}`), "roles[0].apply_when.%%user.id.$in: %%values.admins is not supported: App Services values"},
		{"%%request", role(`{"%%request.remoteIPAddress": "1.2.3.4"}`), "%%request.remoteIPAddress is not supported: request metadata"},
		{"%%prevRoot", `{"roles": [{"name": "r", "write": {"%%prevRoot.owner": "%%user.id"}}]}`, "roles[0].write: %%prevRoot.owner is not supported"},
		{"unknown expansion", role(`{"a": "%%partition"}`), "roles[0].apply_when.a: %%partition is not supported: Lanyard's rules know %%user.id, %%user.type"},
		{"%stringToOid", role(`{"owner": {"%stringToOid": "%%user.id"}}`), "roles[0].apply_when.owner: %stringToOid is not supported"},
		{"unknown % operator", role(`{"%nope": 1}`), "%nope is not a supported operator"},
		{"$regex", role(`{"email": {"$regex": "@x$"}}`), "roles[0].apply_when.email: $regex is not supported"},
		{"top-level $nor", role(`{"$nor": [{"a": 1}]}`), "$nor is not supported here"},
		{"$or not an array", role(`{"$or": {"a": 1}}`), "roles[0].apply_when.$or: must be a non-empty array"},
		{"mixed operators and fields", role(`{"a": {"$in": [1], "b": 2}}`), "roles[0].apply_when.a: mixes operators and field names"},
		{"$in not an array", role(`{"a": {"$in": 1}}`), "roles[0].apply_when.a.$in: must be an array"},
		{"bad field path", role(`{"a..b": 1}`), `"a..b" is not a valid field path`},
		{"string permission", `{"roles": [{"name": "r", "read": "yes"}]}`, "roles[0].read: must be a boolean or an expression object"},
		{"null permission", `{"roles": [{"name": "r", "write": null}]}`, "roles[0].write: must be a boolean or an expression object, not null"},
		{"unknown role key", `{"roles": [{"name": "r", "upsert": true}]}`, "roles[0].upsert: unknown role key"},
		{"unknown top-level key", `{"roles": [], "rules": {}}`, "rules.json: rules: unknown key"},
		{"nested field permissions", `{"roles": [{"name": "r", "fields": {"address": {"read": true, "fields": {"city": {"read": true}}}}}]}`,
			"roles[0].fields.address.fields: field-level permissions for the fields of an embedded document are not supported"},
		{"dotted field permission", `{"roles": [{"name": "r", "fields": {"a.b": {"read": true}}}]}`, `roles[0].fields: "a.b" is not a top-level field name`},
		{"unknown document_filters key", `{"roles": [{"name": "r", "document_filters": {"delete": true}}]}`, "roles[0].document_filters.delete: unknown key"},
		{"roles not an array", `{"roles": {}}`, "rules.json: roles: must be a JSON array"},
		{"role not an object", `{"roles": [true]}`, "rules.json: roles[0]: must be a JSON object"},
		{"filter %function", `{"roles": [], "filters": [{"name": "f", "apply_when": {"%function": {}}, "query": {}}]}`, "filters[0].apply_when: %function is not supported"},
		{"mixed projection", `{"roles": [], "filters": [{"name": "f", "query": {}, "projection": {"a": 1, "b": 0}}]}`, "filters[0].projection: mixes inclusions"},
		{"not JSON", `{"roles": [`, "rules.json: not valid JSON"},
		{"trailing data", `{"roles": []} {}`, "rules.json: unexpected data after the JSON object"},
		{"not an object", `[]`, "rules.json: the top level must be a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.raw))
			if err == nil {
				t.Fatalf("Parse succeeded (%v), want an error containing %q", r, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse error = %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, raw := range []string{
		`{}`,
		`{"roles": null, "filters": null}`,
		// The older export format, with a schema (ignored) next to the roles.
		`{"database": "d", "collection": "c", "_id": "x", "roles": [{"name": "r", "_id": "y", "apply_when": {}, "read": true}], "filters": [], "schema": {}}`,
		`{"roles": [{"name": "r", "apply_when": {"%%user.id": {"$exists": 1}}}]}`,
	} {
		if _, err := Parse([]byte(raw)); err != nil {
			t.Errorf("Parse(%s): %v", raw, err)
		}
	}
}

func TestNoRolesDeniesUsers(t *testing.T) {
	r := mustParse(t, `{"roles": []}`)
	runChecks(t, r, []check{
		{name: "user", op: Read, caller: aliceC, doc: doc("user_id", alice), want: "no role applies"},
		{name: "server", op: Write, caller: serverC, doc: doc("user_id", alice), fields: []string{"a"}},
	})
}

func TestDeniedError(t *testing.T) {
	r := mustPreset(t, "system")
	secret := "tok_live_very_secret_value"
	err := r.Allow(Write, aliceC, doc("user_id", alice, "stripe", secret), []string{"plan"})
	var de *DeniedError
	if !errors.As(err, &de) || de.Op != Write || de.Field != "plan" {
		t.Fatalf("Allow = %#v, want a *DeniedError for write of plan", err)
	}
	if !errors.Is(err, ErrDenied) {
		t.Error("the refusal does not wrap ErrDenied")
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), alice) {
		t.Errorf("the refusal shows document content: %q", err)
	}
	if err := r.Allow(Op(42), aliceC, doc("user_id", alice), nil); !errors.Is(err, ErrDenied) {
		t.Errorf("an unknown operation is not refused: %v", err)
	}
	for op, name := range map[Op]string{Read: "read", Write: "write", Insert: "insert", Delete: "delete", Search: "search"} {
		if op.String() != name {
			t.Errorf("%d.String() = %q, want %q", op, op, name)
		}
	}
}

func TestExportedRulesJSON(t *testing.T) {
	raw, err := os.ReadFile("testdata/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse(testdata/rules.json): %v", err)
	}
	if r.Database() != "tasktracker" || r.Collection() != "custom_user_data" {
		t.Errorf("namespace = %s.%s", r.Database(), r.Collection())
	}
	adminC := Caller{UserID: admin, UserType: "normal"}
	own := doc("_id", map[string]any{"$oid": "65b000000000000000000001"}, "user_id", alice,
		"plan", "pro", "stripe_customer", "cus_123", "nickname", "al", "avatar", "a.png", "public", false)
	public := with(with(own, "public", true), "user_id", bob)

	runChecks(t, r, []check{
		{name: "admin writes anyone", op: Write, caller: adminC, doc: own, fields: []string{"plan", "stripe_customer"}},
		{name: "admin deletes", op: Delete, caller: adminC, doc: own},
		{name: "admin searches", op: Search, caller: adminC, doc: own},
		{name: "owner reads", op: Read, caller: aliceC, doc: own},
		{name: "owner writes additional field", op: Write, caller: aliceC, doc: own, fields: []string{"nickname", "settings.theme"}},
		{name: "owner cannot change plan", op: Write, caller: aliceC, doc: own, fields: []string{"nickname", "plan"}, want: `deny write of field "plan"`},
		{name: "owner cannot touch stripe_customer", op: Write, caller: aliceC, doc: own, fields: []string{"stripe_customer"}, want: `field "stripe_customer"`},
		{name: "owner inserts", op: Insert, caller: aliceC, doc: doc("user_id", alice, "nickname", "al"), fields: []string{"nickname"}},
		{name: "owner cannot insert a plan", op: Insert, caller: aliceC, doc: doc("user_id", alice, "plan", "pro"), fields: []string{"plan"}, want: `field "plan"`},
		{name: "owner cannot delete", op: Delete, caller: aliceC, doc: own, want: "deny delete"},
		{name: "public profile readable", op: Read, caller: aliceC, doc: public},
		{name: "public profile not writable", op: Write, caller: aliceC, doc: public, fields: []string{"nickname"}, want: "document filter"},
		{name: "private profile of another", op: Read, caller: bobC, doc: own, want: "no role applies"},
		// A server-type user without the Server flag reaches the third role, whose read filter needs public.
		{name: "server type on a private document", op: Read, caller: Caller{UserID: bob, UserType: "server"}, doc: own, want: "document filter"},
	})

	keys := func(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
	if got, want := keys(r.FilterRead(aliceC, own)), []string{"_id", "avatar", "nickname", "plan", "public", "user_id"}; !slices.Equal(got, want) {
		t.Errorf("owner sees %v, want %v", got, want)
	}
	if got, want := keys(r.FilterRead(aliceC, public)), []string{"avatar", "nickname"}; !slices.Equal(got, want) {
		t.Errorf("another user sees %v of a public profile, want %v", got, want)
	}
	if got := r.FilterRead(bobC, own); len(got) != 0 {
		t.Errorf("another user sees %v of a private profile", got)
	}
	if got := keys(r.FilterRead(adminC, own)); len(got) != len(own) {
		t.Errorf("admin sees %v", got)
	}
}

// TestParseQuery: client queries are literals (a %% string is data, not an expansion), operators beyond
// the rules' are refused with their path, and top-level equalities are what an upsert copies.
func TestParseQuery(t *testing.T) {
	q, err := ParseQuery([]byte(`{"user_id": "%%user.id", "n": {"$gte": {"$numberInt": "2"}}, "$and": [{"plan": "free"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"user_id": "%%user.id", "n": json.Number("3"), "plan": "free"}
	if !q.Matches(doc) {
		t.Error("the query does not match a document with its literals")
	}
	doc["user_id"] = "65a1b2c3d4e5f60718293a4b"
	if q.Matches(doc) {
		t.Error("a %%user.id string in a query was expanded")
	}
	eq := q.Equalities()
	if len(eq) != 2 || eq["user_id"] != "%%user.id" || eq["plan"] != "free" {
		t.Errorf("equalities %v", eq)
	}
	for _, bad := range []string{`{"a": {"$regex": "x"}}`, `{"$where": "1"}`, `{"%and": []}`, `{"a": {"%or": [1]}}`, `{"a": {"$in": "%%user.id"}}`, `[1]`, `{"a.$b": 1}`} {
		if _, err := ParseQuery([]byte(bad)); err == nil {
			t.Errorf("query %s accepted", bad)
		}
	}
	if all, err := ParseQuery(nil); err != nil || !all.Matches(map[string]any{"x": 1}) {
		t.Errorf("an absent query does not match everything: %v", err)
	}
}
