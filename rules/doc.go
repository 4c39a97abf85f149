// Package rules evaluates Atlas App Services data access rules for the custom user data collection:
// the role JSON of an exported app's data_sources/<service>/<db>/<coll>/rules.json, or one of two
// presets, against one user's custom data document.
//
// # What it reads
//
// [Parse] accepts the rules.json shape:
//
//	{
//	  "database": "...", "collection": "...",
//	  "roles": [{
//	    "name": "...",
//	    "apply_when": <expression>,
//	    "document_filters": {"read": <expression>, "write": <expression>},
//	    "read": <expression>, "write": <expression>,
//	    "insert": <expression>, "delete": <expression>, "search": <expression>,
//	    "fields": {"<field>": {"read": <expression>, "write": <expression>}},
//	    "additional_fields": {"read": <expression>, "write": <expression>}
//	  }],
//	  "filters": [{"name": "...", "apply_when": <expression>, "query": <expression>, "projection": {"<field>": 0}}]
//	}
//
// An <expression> is a boolean or a JSON match expression. Keys of an expression object are document
// field paths (dotted, reaching into embedded documents and arrays as MongoDB queries do), expansions
// (%%user.id, %%user.type, %%user.custom_data, %%user.custom_data.<field>, %%true, %%false, %%root,
// %%root.<field>), or the logical operators $and and $or
// (%and and %or are accepted as spellings of the same). The value of a key is a literal (the field
// equals it, or, for an array field, contains it), an expansion (the field equals its value), or an
// operator document using $eq, $ne, $in, $nin, $exists, $gt, $gte, $lt, $lte (and %and / %or to
// combine several). Expansions are allowed inside literals and $in / $nin lists. An empty expression
// ({}) is true; a missing permission is false; a missing apply_when applies always. "%%user.id%%", the
// spelling some App Services material uses, is read as %%user.id.
//
// Anything else is refused at parse time with the JSON path of the offending value, rather than
// ignored: an ignored clause could grant more than the author meant. In particular:
//
//   - %function (and %stringToOid, %oidToString): Lanyard does not run App Services functions.
//   - %%user.data (provider metadata): see below.
//   - a rule trusting a custom data field that users can change: see below.
//   - %%user.identities and the other %%user fields; %%values, %%environment, %%request, %%prevRoot,
//     %%prev, %%partition and any other expansion; query operators beyond the list above.
//   - field-level permissions for embedded documents (a "fields" inside a field's permission).
//   - unknown keys anywhere in the file. The "schema" key of old exports is accepted and ignored: it is
//     validation, not access control.
//
// # Rules never read provider metadata
//
// In App Services, %%user.data is the user's provider metadata: the name, email, picture and so on taken
// from the identity provider at login. Lanyard refuses it in rules, always (there is no opt-in). That
// metadata comes from outside: a custom JWT's claims, a social profile the user edits, an email address a
// provider may not have verified. Granting access on it lets whoever controls those values choose their
// own permissions. What a rule needs to know about a user belongs in the custom data document, written by
// a server principal or by the user creation hook, where the rules themselves decide who may change it.
//
// # Rules may read the caller's custom data
//
// %%user.custom_data is the caller's own custom data document, and %%user.custom_data.<field> (a dotted
// path, read as a document field is) one of its values, allowed in every expression as in App Services:
// apply_when, document_filters, the permissions, and filters' apply_when and query. The caller supplies
// it in [Caller].CustomData: the document that wins under the first-inserted-wins rule, the same document
// the access token carries. App Services read the token's copy; Lanyard's CustomDataService passes the
// stored document it is judging (for a user, that is the caller's own), so a server principal's change
// counts from the next call, and nil for a user inserting its first document, which is judged without
// custom data rather than by the document it would create. A nil CustomData is a user without custom
// data: a test of one of its fields sees the field absent, and an expansion of it inside a literal makes
// the comparison false.
//
// These rules guard that very document, so a rule reading %%user.custom_data.<f> is only as strong as
// their guard on <f>. [Parse] refuses a file in which a role a non-server user can hold may change a
// field some expression reads that way: a role-level "write", the field's "fields.<f>.write", or
// "additional_fields.write" when <f> is not listed (a write of a dotted path is governed by its
// top-level field, so a permission on "profile" covers reading "profile.role" and "profile.role.x"); an
// "insert" when a rule reads the whole %%user.custom_data; a "delete" when losing the field could grant
// more (the test may pass on an absent field, it is in a filter's apply_when, or it is in the deleting
// role's own apply_when and a later role may apply). Every permission is taken as possibly true unless it
// is false or a test of %%user.type (with constant operands) that only "server" passes; a role is one a
// user can hold unless its apply_when is such a test or an earlier role applies to everyone. The error
// names the expression (its JSON path and role or filter) and the role and permission that let users
// write. The check relies on [Rules.Allow] being told every field a Write or Insert changes.
//
// # How a decision is made
//
// A [Caller] with Server set is the App Services "system user": every operation is allowed and
// [Rules.FilterRead] removes nothing; filters do not apply either. For anyone else:
//
//  1. Filters: every filter whose apply_when is true (evaluated without a document: only expansions are
//     meaningful there) must have its query match the document, for every operation but Insert; its
//     projection is applied by FilterRead.
//  2. Role selection: the first role, in file order, whose apply_when matches the document and the caller
//     applies. No role: denied.
//  3. Document filters: for Write, Insert and Delete the role's document_filters.write must match (when
//     present); for Read and Search document_filters.read or document_filters.write must match (write
//     implies read).
//  4. Document-level permissions: Insert needs "insert", Delete needs "delete", Search needs "search".
//  5. Field-level permissions: when the role's "read" (or "write") is true, every field is readable (or
//     writable) and "fields" cannot take that away, as in App Services; otherwise a field listed in
//     "fields" uses its own read/write and any other field uses "additional_fields". Write permission
//     implies read permission. Read and Search are allowed when the role grants read on at least one
//     field; Write and Insert when every written field can be written (a dotted path is governed by its
//     top-level field), or, when no field is named, when the role grants write on at least one field.
//
// Permissions that are expressions are evaluated against the same document and caller as apply_when.
//
// # Which document
//
// Every expression sees one document: the one passed to [Rules.Allow]. Plain field names and %%root refer
// to it alike; %%user.custom_data refers to the caller's, which for a user is the same document as stored
// before the operation (none for Insert). For Read, Write, Delete and Search that is the stored document; for Insert (a user who has
// no document yet) it is the document as it would be after the write.
//
// # Values
//
// Documents are map[string]any as decoded from JSON (numbers as json.Number or float64, ObjectIds as
// Extended JSON {"$oid": ...}) or from BSON (bson.M, bson.D, bson.A, bson.ObjectID). Numbers compare by
// value whatever their Go type. One deliberate difference from App Services: an ObjectId equals its
// 24-digit hex string, because Lanyard maps a document whose user id field holds the user's id in either
// form to that user, and {"user_id": "%%user.id"} must then match it (App Services needed %stringToOid).
// An expansion with no value (an absent %%root field, an empty user id) makes the comparison that uses it
// false, whatever the operator: rules fail closed.
//
// # Client queries
//
// [ParseQuery] compiles a client's query filter (App Services data access) with the same grammar, minus
// expansions and the %-spellings: a string beginning with %% is data there. Operators beyond the list
// above are refused, so that a query never matches more loosely than MongoDB would match it.
//
// A [Rules] is immutable once built and safe for concurrent use.
package rules
