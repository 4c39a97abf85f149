package rules

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// twoRoles lets an editor (custom data role "editor", set by a server principal) write bio; everyone
// else reads their own document. Users cannot change role: its field-level write is false in both roles.
const twoRoles = `{"roles": [
	{"name": "editor", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.role": "editor"},
	 "read": true, "fields": {"role": {"write": false}, "bio": {"write": true}}},
	{"name": "owner", "apply_when": {"user_id": "%%user.id"},
	 "read": true, "insert": true, "delete": true, "fields": {"role": {"read": true}, "nickname": {"write": true}}}
]}`

func withCustomData(c Caller, cd map[string]any) Caller {
	c.CustomData = cd
	return c
}

func TestUserCustomDataChoosesRole(t *testing.T) {
	r := mustParse(t, twoRoles)
	editor := withCustomData(aliceC, doc("user_id", alice, "role", "editor"))
	member := withCustomData(aliceC, doc("user_id", alice, "role", "member"))
	own := doc("user_id", alice, "role", "member", "bio", "b", "nickname", "n")
	runChecks(t, r, []check{
		{name: "editor writes bio", op: Write, caller: editor, doc: own, fields: []string{"bio"}},
		{name: "editor cannot write nickname", op: Write, caller: editor, doc: own, fields: []string{"nickname"}, want: `field "nickname"`},
		{name: "editor cannot write role", op: Write, caller: editor, doc: own, fields: []string{"role"}, want: `field "role"`},
		{name: "member cannot write bio", op: Write, caller: member, doc: own, fields: []string{"bio"}, want: `field "bio"`},
		{name: "member writes nickname", op: Write, caller: member, doc: own, fields: []string{"nickname"}},
		// The rule reads the caller's custom data, not the document under judgement.
		{name: "the document's role does not count", op: Write, caller: withCustomData(aliceC, nil),
			doc: with(own, "role", "editor"), fields: []string{"bio"}, want: `field "bio"`},
		{name: "no custom data fails closed", op: Write, caller: aliceC, doc: own, fields: []string{"bio"}, want: `field "bio"`},
		{name: "editor of another document", op: Write, caller: withCustomData(bobC, doc("user_id", bob, "role", "editor")),
			doc: own, fields: []string{"bio"}, want: "no role applies"},
	})
	keys := func(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
	if got, want := keys(r.FilterRead(editor, own)), keys(own); !slices.Equal(got, want) {
		t.Errorf("editor sees %v, want %v", got, want)
	}
}

func TestUserCustomDataExpansionForms(t *testing.T) {
	cd := doc("user_id", alice, "team", "red", "profile", map[string]any{"level": 3}, "groups", []any{"a", "b"})
	cases := []struct {
		name, applyWhen string
		cd              map[string]any
		want            bool
	}{
		{"nested path", `{"%%user.custom_data.profile.level": {"$gte": 2}}`, cd, true},
		{"nested path misses", `{"%%user.custom_data.profile.level": {"$gt": 3}}`, cd, false},
		{"array contains", `{"%%user.custom_data.groups": "b"}`, cd, true},
		{"in a literal", `{"team": "%%user.custom_data.team"}`, cd, true},
		{"in a literal, absent fails closed", `{"team": {"$ne": "%%user.custom_data.nothing"}}`, cd, false},
		{"in an $in list", `{"team": {"$in": ["blue", "%%user.custom_data.team"]}}`, cd, true},
		{"whole document exists", `{"%%user.custom_data": {"$exists": true}}`, cd, true},
		{"whole document, none", `{"%%user.custom_data": {"$exists": true}}`, nil, false},
		{"trailing %% spelling", `{"%%user.custom_data.team%%": "red"}`, cd, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mustParse(t, `{"roles": [{"name": "r", "apply_when": `+tc.applyWhen+`, "read": true}]}`)
			err := r.Allow(Read, withCustomData(aliceC, tc.cd), doc("team", "red"), nil)
			if got := err == nil; got != tc.want {
				t.Fatalf("applied = %v (%v), want %v", got, err, tc.want)
			}
		})
	}

	// A filter's apply_when sees no document, but it sees the caller's custom data.
	r := mustParse(t, `{"roles": [{"name": "r", "read": true}],
		"filters": [{"name": "trial", "apply_when": {"%%user.custom_data.plan": "trial"}, "query": {"public": true}}]}`)
	runChecks(t, r, []check{
		{name: "filter applies", op: Read, caller: withCustomData(aliceC, doc("plan", "trial")), doc: doc("public", false), want: "outside the rules' filters"},
		{name: "filter does not apply", op: Read, caller: withCustomData(aliceC, doc("plan", "pro")), doc: doc("public", false)},
	})
}

func TestUserCustomDataTrustRefused(t *testing.T) {
	const admin = `{"name": "admin", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.role": "admin"}, "read": true,
		"fields": {"role": {"write": false}}, "additional_fields": {"write": true}}`
	rules := func(roles ...string) string { return `{"roles": [` + strings.Join(roles, ",") + `]}` }
	cases := []struct {
		name string
		raw  string
		want []string
	}{
		{"field-level write of the field",
			rules(admin, `{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "fields": {"role": {"write": true}}}`),
			[]string{`rules.json: roles[0].apply_when.%%user.custom_data.role: role "admin" (roles[0]) reads %%user.custom_data.role`,
				`change "role" in its own custom data document: role "owner" (roles[1]) allows it through roles[1].fields.role.write`}},
		{"additional_fields.write",
			rules(admin, `{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "fields": {"plan": {"write": false}}, "additional_fields": {"write": true}}`),
			[]string{`roles[0].apply_when.%%user.custom_data.role: role "admin" (roles[0])`, `role "owner" (roles[1]) allows it through roles[1].additional_fields.write`}},
		{"write of a parent path",
			rules(`{"name": "mod", "apply_when": {"%%user.custom_data.profile.role": "mod"}, "read": true}`,
				`{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "fields": {"profile": {"write": true}}}`),
			[]string{`roles[0].apply_when.%%user.custom_data.profile.role: role "mod" (roles[0]) reads %%user.custom_data.profile.role`,
				`change "profile.role" in its own custom data document: role "owner" (roles[1]) allows it through roles[1].fields.profile.write`}},
		{"role-level write",
			rules(admin, `{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "write": true}`),
			[]string{`role "admin" (roles[0])`, `role "owner" (roles[1]) allows it through roles[1].write`}},
		{"the reading role writes the field itself",
			rules(`{"name": "admin", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.role": "admin"}, "write": true}`),
			[]string{`role "admin" (roles[0]) reads %%user.custom_data.role`, `role "admin" (roles[0]) allows it through roles[0].write`,
				`keep the role-level "write" false`}},
		{"a write that is only conditionally true",
			rules(admin, `{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "fields": {"role": {"write": {"%%user.type": "normal", "verified": true}}}}`),
			[]string{`roles[1].fields.role.write`}},
		{"read in a field permission",
			rules(`{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true,
				"fields": {"plan": {"write": {"%%user.custom_data.verified": true}}}, "additional_fields": {"write": true}}`),
			[]string{`roles[0].fields.plan.write.%%user.custom_data.verified: role "owner" (roles[0]) reads %%user.custom_data.verified`,
				`roles[0].additional_fields.write`}},
		{"read in a literal of a document filter",
			rules(`{"name": "team", "apply_when": {"public": true}, "document_filters": {"read": {"team": "%%user.custom_data.team"}}, "read": true}`,
				`{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "fields": {"team": {"write": true}}}`),
			[]string{`roles[0].document_filters.read.team: role "team" (roles[0]) reads %%user.custom_data.team`}},
		{"delete makes a $ne test pass",
			rules(`{"name": "owner", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.banned": {"$ne": true}}, "read": true, "delete": true}`),
			[]string{`reads %%user.custom_data.banned`, `delete its custom data document`, `roles[0].delete`, `"delete": false`}},
		{"delete lets a user fall from its role to the next",
			rules(`{"name": "restricted", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.restricted": true}, "read": true, "delete": true}`,
				`{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "fields": {"nickname": {"write": true}}}`),
			[]string{`role "restricted" (roles[0]) reads %%user.custom_data.restricted`, `role "restricted" (roles[0]) allows it through roles[0].delete`}},
		{"delete lifts a filter",
			`{"roles": [{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "delete": true}],
			  "filters": [{"name": "limited", "apply_when": {"%%user.custom_data.limited": true}, "query": {"public": true}}]}`,
			[]string{`filters[0].apply_when.%%user.custom_data.limited: filter "limited" (filters[0]) reads`, `roles[0].delete`}},
		{"insert creates the document a rule tests",
			rules(`{"name": "member", "apply_when": {"%%user.custom_data": {"$exists": true}}, "read": true}`,
				`{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "insert": true}`),
			[]string{`reads %%user.custom_data,`, `create its custom data document: role "owner" (roles[1]) allows it through roles[1].insert`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.raw))
			if err == nil {
				t.Fatalf("Parse succeeded (%v), want a refusal", r)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse error = %q\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestUserCustomDataTrustAccepted(t *testing.T) {
	const admin = `{"name": "admin", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.role": "admin"}, "read": true, "fields": {"role": {"write": false}}, "additional_fields": {"write": true}}`
	for _, tc := range []struct{ name, raw string }{
		{"two roles, role read-only for users", twoRoles},
		{"read-only by field-level write false, everything else writable",
			`{"roles": [` + admin + `, {"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "insert": true, "delete": true,
				"fields": {"role": {"read": true, "write": false}}, "additional_fields": {"write": true}}]}`},
		{"writable only by a role server principals hold",
			`{"roles": [{"name": "backend", "apply_when": {"%%user.type": "server"}, "read": true, "write": true}, ` + admin + `,
				{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "fields": {"nickname": {"write": true}}}]}`},
		{"a field write granted to server-type callers only",
			`{"roles": [` + admin + `, {"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true,
				"fields": {"role": {"write": {"%%user.type": "server"}}, "nickname": {"write": true}}}]}`},
		{"a writer that no user reaches, after a role that applies to everyone",
			`{"roles": [` + admin + `, {"name": "everyone", "read": true, "fields": {"nickname": {"write": true}}},
				{"name": "never", "apply_when": {"user_id": "%%user.id"}, "write": true}]}`},
		{"a writer after an empty apply_when",
			`{"roles": [` + admin + `, {"name": "everyone", "apply_when": {}, "read": true},
				{"name": "never", "apply_when": {"user_id": "%%user.id"}, "write": true}]}`},
		{"a read in a role only server principals hold",
			`{"roles": [{"name": "backend", "apply_when": {"%%user.type": "server"}, "read": {"%%user.custom_data.x": 1}},
				{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "write": true, "delete": true}]}`},
		{"a writer whose document filter is false",
			`{"roles": [` + admin + `, {"name": "frozen", "apply_when": {"user_id": "%%user.id"}, "document_filters": {"write": false, "read": true}, "read": true, "write": true, "delete": true}]}`},
		{"a sibling path is not the trusted field",
			`{"roles": [{"name": "mod", "apply_when": {"%%user.custom_data.profile.role": "mod"}, "read": true},
				{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "delete": true, "fields": {"profile_role": {"write": true}, "prefs": {"write": true}}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.raw)); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}
