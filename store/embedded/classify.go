package embedded

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/lanyardhq/lanyard/store/feed"
)

// The wire protocol, as far as the operator port reads it
// (https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/).
const (
	// headerLen is the length of a message header: int32 messageLength
	// (header included), requestID, responseTo, opCode.
	headerLen = 16
	// maxMessageLen is FerretDB's (and MongoDB's) maxMessageSizeBytes, which
	// drivers respect; the operator port refuses longer messages.
	maxMessageLen = 48_000_000

	opQuery      = 2004
	opCompressed = 2012
	opMsg        = 2013

	// msgChecksumPresent is the OP_MSG flag bit of a trailing CRC-32C.
	msgChecksumPresent = 1 << 0

	// maxDepth is how deep the documents of a message may nest, objects
	// and arrays alike, each document of the message being level 1: the
	// depth to which MongoDB validates BSON, refusing deeper. FerretDB v1
	// decodes documents recursively and sets no limit, so a message of a few
	// MB nested millions of levels deep overflows the stack of its
	// goroutine: a fatal error, which no recover stops, that ends the
	// process. The operator port does not pass such a message on.
	maxDepth = 200

	// maxReadings bounds the values of one key that a command is read
	// with: a key is repeated only in a hand-built message, and its readings
	// multiply with those of the keys read along with it (each $db with
	// each collection name, each q of an update statement with each u), so
	// that a message of a few hundred KB made the proxy allocate gigabytes.
	// Past it, the write is taken as All.
	maxReadings = 4

	// maxNamed bounds the documents and users one message's change names
	// for one watched field; past it the change becomes All. It is
	// maxWriteBatchSize, which drivers respect: only a hand-built message
	// goes beyond it, and this keeps its cost to the proxy bounded.
	maxNamed = 100_000
)

// publication is one feed.Publish call.
type publication struct {
	DB, Coll, Field string
	Change          feed.Change
}

// classify returns what the client message msg (header included) may have
// done to the owners of watched collections, as the publications to make
// before the message is passed on. watches lists what is watched; it is
// called at most once, and only for messages that may write.
//
// classify reads OP_MSG and OP_QUERY commands. OP_COMPRESSED may hide any
// write (FerretDB v1 refuses it, but the port does not rely on that), so it
// counts as All for every watched collection. A message that does not parse
// (framing, or BSON that bson.Raw.Validate refuses) yields nothing: FerretDB
// decodes every document of a message in full before it runs any of it
// (github.com/FerretDB/wire's ReadMessage, with CheckNaNs set by its handler)
// and refuses the whole message when one is malformed, and what
// bson.Raw.Validate refuses, FerretDB's decoder refuses too. Where the two
// parsers may differ (duplicate keys, a kind-1 section named like a key of
// the body), classify takes every reading: it may report more than a write
// did, never less.
//
// The result depends on msg and the watches only; it does not retain msg.
// It never panics.
func classify(msg []byte, watches func() []feed.Watch) []publication {
	if len(msg) < headerLen {
		return nil
	}
	c := classifier{watchesFn: watches}
	body := msg[headerLen:]
	switch int32(binary.LittleEndian.Uint32(msg[12:16])) {
	case opMsg:
		if r, ok := parseOpMsg(body); ok {
			c.command(&r)
		}
	case opQuery:
		if r, ok := parseOpQuery(body); ok {
			c.command(&r)
			// Legacy servers unwrap {$query: {<command>}, ...}; FerretDB
			// does not, but reading both costs nothing.
			if k, v, ok := first(r.body); ok && (k == "$query" || k == "query") {
				if inner, ok := document(v); ok {
					r.body = inner
					c.command(&r)
				}
			}
		}
	case opCompressed:
		c.everywhere()
	}
	return c.result()
}

// request is a command read from a message.
type request struct {
	body     bson.Raw // the command document, validated
	sections []byte   // OP_MSG: the sections, for the kind-1 ones; nil for OP_QUERY
	dbs      []string // the database(s) the command names (OP_QUERY: from its collection)
	dbsRead  bool     // dbs is set (OP_MSG: read from $db only for writes)
}

// databases returns the database(s) the command names: every string $db
// of an OP_MSG (with duplicate keys, FerretDB's reading is not guessed).
func (r *request) databases() []string {
	if !r.dbsRead {
		r.dbsRead = true
		for _, v := range values(r.body, "$db") {
			if s, ok := v.StringValueOK(); ok {
				r.dbs = append(r.dbs, s)
			}
		}
	}
	return r.dbs
}

// parseOpMsg reads an OP_MSG body (after the header): uint32 flagBits,
// sections (kind 0: one BSON document; kind 1: int32 size, cstring
// identifier, BSON documents), then a CRC-32C if flag bit 0 is set. The
// checksum is not verified: FerretDB verifies it, and a message it refuses
// writes nothing.
func parseOpMsg(b []byte) (request, bool) {
	if len(b) < 5 {
		return request{}, false
	}
	end := len(b)
	if binary.LittleEndian.Uint32(b)&msgChecksumPresent != 0 {
		end -= 4
	}
	if end < 5 {
		return request{}, false
	}
	r := request{sections: b[4:end]}
	var found int
	ok := walkSections(r.sections, func(kind byte, _ string, payload []byte) {
		if kind == 0 {
			found++
			r.body = payload
		}
	})
	if !ok || found != 1 || r.body.Validate() != nil {
		return request{}, false
	}
	return r, true
}

// walkSections calls fn for each section of an OP_MSG: kind 0 with its
// document, kind 1 with its identifier and its documents (concatenated,
// each framed). It reports whether the sections fill b exactly.
func walkSections(b []byte, fn func(kind byte, id string, payload []byte)) bool {
	for len(b) > 0 {
		kind := b[0]
		b = b[1:]
		switch kind {
		case 0:
			doc, ok := frame(b)
			if !ok {
				return false
			}
			fn(0, "", doc)
			b = b[len(doc):]
		case 1:
			if len(b) < 4 {
				return false
			}
			size := uint64(binary.LittleEndian.Uint32(b))
			if size < 5 || size > uint64(len(b)) {
				return false
			}
			sec := b[4:size]
			b = b[size:]
			i := bytes.IndexByte(sec, 0)
			if i < 0 {
				return false
			}
			docs := sec[i+1:]
			for rest := docs; len(rest) > 0; {
				doc, ok := frame(rest)
				if !ok {
					return false
				}
				rest = rest[len(doc):]
			}
			fn(1, string(sec[:i]), docs)
		default:
			return false
		}
	}
	return true
}

// frame returns the BSON document at the start of b, by its length prefix
// and trailing NUL only (not validated).
func frame(b []byte) (bson.Raw, bool) {
	if len(b) < 5 {
		return nil, false
	}
	n := uint64(binary.LittleEndian.Uint32(b))
	if n < 5 || n > uint64(len(b)) || b[n-1] != 0 {
		return nil, false
	}
	return bson.Raw(b[:n]), true
}

// parseOpQuery reads an OP_QUERY body: int32 flags, cstring
// fullCollectionName, int32 numberToSkip, int32 numberToReturn, the query
// document, an optional selector. A query on "<db>.$cmd" carries a command.
func parseOpQuery(b []byte) (request, bool) {
	if len(b) < 4 {
		return request{}, false
	}
	i := bytes.IndexByte(b[4:], 0)
	if i < 0 {
		return request{}, false
	}
	coll := string(b[4 : 4+i])
	rest := b[4+i+1:]
	db, isCmd := strings.CutSuffix(coll, ".$cmd")
	if !isCmd || len(rest) < 8 {
		return request{}, false
	}
	doc, ok := frame(rest[8:])
	if !ok || doc.Validate() != nil {
		return request{}, false
	}
	return request{body: doc, dbs: []string{db}, dbsRead: true}, true
}

// tooDeep reports whether a document that FerretDB would decode from the
// client message msg (header included) nests deeper than maxDepth: those of
// an OP_MSG's sections, an OP_QUERY's query and selector. It reads the
// framing as FerretDB does (github.com/FerretDB/wire's UnmarshalBinaryNocopy)
// and stops where that fails, since FerretDB then refuses the message
// before decoding any document of it. It never panics.
func tooDeep(msg []byte) bool {
	if len(msg) < headerLen {
		return false
	}
	body := msg[headerLen:]
	deep := false
	check := func(docs []byte) {
		for !deep && len(docs) > 0 {
			d, ok := frame(docs)
			if !ok {
				return
			}
			deep = nestsDeeper(d, maxDepth)
			docs = docs[len(d):]
		}
	}
	switch int32(binary.LittleEndian.Uint32(msg[12:16])) {
	case opMsg:
		if len(body) < 4 {
			return false
		}
		end := len(body)
		if binary.LittleEndian.Uint32(body)&msgChecksumPresent != 0 {
			end -= 4
		}
		if end < 4 {
			return false
		}
		walkSections(body[4:end], func(_ byte, _ string, docs []byte) { check(docs) })
	case opQuery:
		if len(body) < 4 {
			return false
		}
		i := bytes.IndexByte(body[4:], 0)
		if i < 0 || len(body[4+i+1:]) < 8 {
			return false
		}
		check(body[4+i+1+8:]) // the query, then the selector if any
	}
	return deep
}

// nestsDeeper reports whether the framed document doc holds documents or
// arrays nested more than max levels deep, doc being level 1. It keeps its
// own stack, so that the depth it can read does not depend on the
// goroutine's, and stops at what does not parse.
func nestsDeeper(doc bson.Raw, max int) bool {
	open := [][]byte{doc[4 : len(doc)-1]} // the elements left to read in each open document
	for len(open) > 0 {
		top := len(open) - 1
		if len(open[top]) == 0 {
			open = open[:top]
			continue
		}
		e, rest, ok := bsoncore.ReadElement(open[top])
		if !ok {
			return false
		}
		open[top] = rest
		if t := bsoncore.Type(e[0]); t != bsoncore.TypeEmbeddedDocument && t != bsoncore.TypeArray {
			continue
		}
		if len(open) == max {
			return true
		}
		v, err := e.ValueErr()
		if err != nil {
			return false
		}
		inner, ok := frame(v.Data)
		if !ok || len(inner) != len(v.Data) {
			return false
		}
		open = append(open, inner[4:len(inner)-1])
	}
	return false
}

// classifier gathers the changes of one message, by watch.
type classifier struct {
	watchesFn func() []feed.Watch
	ws        []feed.Watch // watchesFn(), once called
	called    bool
	changes   map[feed.Watch]*feed.Change
}

func (c *classifier) watches() []feed.Watch {
	if !c.called {
		c.called = true
		if c.watchesFn != nil {
			c.ws = c.watchesFn()
		}
	}
	return c.ws
}

// watchesOf returns the watches on db.coll. Database names match
// regardless of case: FerretDB's SQLite backend keeps database <name> in
// the file <name>.sqlite, which on a case-insensitive file system (macOS,
// Windows) is one file for "Lanyard" and "lanyard". Collection names match
// exactly.
func (c *classifier) watchesOf(db, coll string) []feed.Watch {
	var out []feed.Watch
	for _, w := range c.watches() {
		if w.Coll == coll && strings.EqualFold(w.DB, db) {
			out = append(out, w)
		}
	}
	return out
}

// everywhere reports All to every watch: a write nobody can place.
func (c *classifier) everywhere() {
	for _, w := range c.watches() {
		c.add(w, feed.Change{All: true})
	}
}

func (c *classifier) add(w feed.Watch, ch feed.Change) {
	if ch.Empty() {
		return
	}
	if c.changes == nil {
		c.changes = map[feed.Watch]*feed.Change{}
	}
	acc := c.changes[w]
	if acc == nil {
		acc = &feed.Change{}
		c.changes[w] = acc
	}
	if acc.All {
		return
	}
	if ch.All || len(acc.Docs)+len(ch.Docs) > maxNamed || len(acc.Users)+len(ch.Users) > maxNamed {
		*acc = feed.Change{All: true}
		return
	}
	acc.Docs = append(acc.Docs, ch.Docs...)
	acc.Users = append(acc.Users, ch.Users...)
}

// result returns the publications in the order of the watches.
func (c *classifier) result() []publication {
	var out []publication
	for _, w := range c.ws {
		acc := c.changes[w]
		if acc == nil {
			continue
		}
		delete(c.changes, w) // a watch listed twice publishes once
		slices.Sort(acc.Users)
		acc.Users = slices.Compact(acc.Users)
		out = append(out, publication{DB: w.DB, Coll: w.Coll, Field: w.Field, Change: *acc})
	}
	return out
}

// command applies the rules to one command. The command is the first key
// of its document; its collection is that key's value, in the database $db.
//
// Each rule reports, for one watched field, a superset of what the command
// can do to owners: Docs (these documents now hold this owner), Users (this
// user may now own documents the command does not name: the subscriber looks
// for them) or All (read everything again). Losing ownership needs no report
// for correctness: readers read the document their index names and check
// its owner. A report may also be false: it is made before the write runs,
// and the write may fail (a duplicate _id, a conflict, an operator on a
// value of the wrong type) or match nothing. So a subscriber takes Docs as
// "may now hold", adding the document to Owner's entries without dropping
// it from another owner's on this news alone (see feed.Change).
func (c *classifier) command(r *request) {
	name, _, ok := first(r.body)
	if !ok {
		return
	}
	switch name {
	case "insert":
		// Each inserted document is new: its _id and its owner say it all.
		// A document without _id gets an ObjectId from FerretDB that nobody
		// can know beforehand, so its owner is reported as a user to look up.
		for _, w := range c.targets(r, name) {
			r.eachDoc("documents", func(d bson.Raw) { c.add(w, insertChange(d, w.Field)) })
		}
	case "update":
		// Each statement {q, u, upsert, multi} by updateChange.
		for _, w := range c.targets(r, name) {
			r.eachDoc("updates", func(s bson.Raw) {
				c.update(w, filters(s, "q"), orAbsent(values(s, "u")), truthy(s, "upsert"))
			})
		}
	case "findAndModify", "findandmodify":
		// {query, update, upsert, remove, new}: an update like a statement
		// of update. remove is a delete (nothing to report); with an update
		// as well FerretDB refuses it, so the update is read regardless.
		for _, w := range c.targets(r, name) {
			c.update(w, filters(r.body, "query"), values(r.body, "update"), truthy(r.body, "upsert"))
		}
	case "aggregate":
		// $out and $merge write documents computed by the pipeline: All for
		// the collection they name. FerretDB v1 refuses both stages; this
		// holds if it ever runs them. A target that cannot be read is All
		// everywhere.
		r.eachDoc("pipeline", func(stage bson.Raw) {
			elems(stage, func(k string, v bson.RawValue) {
				if k != "$out" && k != "$merge" {
					return
				}
				if len(r.databases()) > maxReadings {
					c.everywhere()
					return
				}
				for _, db := range r.databases() {
					tdb, tcoll, ok := stageTarget(k, v, db)
					if !ok {
						c.everywhere()
						continue
					}
					for _, w := range c.watchesOf(tdb, tcoll) {
						c.add(w, feed.Change{All: true})
					}
				}
			})
		})
	case "renameCollection":
		// {renameCollection: "db.src", to: "db.dst"} replaces dst's
		// documents with src's, whoever owns them: All for dst. The source
		// losing its documents needs no report.
		for _, v := range values(r.body, "to") {
			to, ok := v.StringValueOK()
			if !ok {
				continue
			}
			if db, coll, ok := strings.Cut(to, "."); ok {
				for _, w := range c.watchesOf(db, coll) {
					c.add(w, feed.Change{All: true})
				}
			}
		}
	default:
		// delete: documents only lose owners (readers verify). Everything
		// else FerretDB v1 runs (find, count, drop, create, createIndexes,
		// ...) writes no owner; a command it does not know, it refuses.
	}
}

// targets returns the watches on the collection(s) a command names in its
// database(s), each once.
func (c *classifier) targets(r *request, name string) []feed.Watch {
	colls := values(r.body, name)
	if len(colls) > maxReadings || len(r.databases()) > maxReadings {
		c.everywhere()
		return nil
	}
	var out []feed.Watch
	for _, v := range colls {
		coll, ok := v.StringValueOK()
		if !ok {
			continue
		}
		for _, db := range r.databases() {
			for _, w := range c.watchesOf(db, coll) {
				if !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// update adds to w what an update may do, read with each filter of qs and
// each update of us.
func (c *classifier) update(w feed.Watch, qs []bson.Raw, us []bson.RawValue, upsert bool) {
	if len(qs) > maxReadings || len(us) > maxReadings {
		c.add(w, feed.Change{All: true})
		return
	}
	for _, u := range us {
		for _, q := range qs {
			c.add(w, updateChange(q, u, upsert, w.Field))
		}
	}
}

// stageTarget returns the namespace a $out or $merge stage writes: $out:
// "coll" | {db, coll}; $merge: "coll" | {into: "coll" | {db, coll}}.
func stageTarget(stage string, v bson.RawValue, db string) (string, string, bool) {
	if s, ok := v.StringValueOK(); ok {
		return db, s, true
	}
	d, ok := document(v)
	if !ok {
		return "", "", false
	}
	if stage == "$merge" {
		into := d.Lookup("into")
		if s, ok := into.StringValueOK(); ok {
			return db, s, true
		}
		if d, ok = document(into); !ok {
			return "", "", false
		}
	}
	coll, ok := d.Lookup("coll").StringValueOK()
	if !ok {
		return "", "", false
	}
	if s, ok := d.Lookup("db").StringValueOK(); ok {
		db = s
	}
	return db, coll, true
}

// insertChange: an inserted document d holds its owner under its _id.
func insertChange(d bson.Raw, field string) feed.Change {
	owner := lookupPath(d, field)
	if id, err := d.LookupErr("_id"); err == nil {
		return feed.Change{Docs: []feed.DocOwner{{ID: clone(id), Owner: owner}}}
	}
	if user, ok := userOf(owner); ok {
		return feed.Change{Users: []string{user}}
	}
	return feed.Change{}
}

// updateChange is the rule table of one update: filter q (nil: absent or
// not a document), update u (Type 0 when absent), upsert. The same rules
// serve update statements and findAndModify.
func updateChange(q bson.Raw, u bson.RawValue, upsert bool, field string) feed.Change {
	all := feed.Change{All: true}
	id, byID := exactID(q)
	var doc bson.Raw
	switch u.Type {
	case 0, bson.TypeNull:
		// No update document: at most a replacement by nothing.
		doc = emptyDoc
	case bson.TypeArray:
		// A pipeline computes the new owner from the document itself (and
		// FerretDB v1 refuses pipelines anyway): nobody can tell.
		return all
	case bson.TypeEmbeddedDocument:
		d, ok := document(u)
		if !ok {
			return feed.Change{} // malformed: FerretDB refuses the message
		}
		doc = d
	default:
		// FerretDB refuses any other type; if it ever did not, what it
		// would write is unknown.
		return all
	}

	var ops, plain int
	elems(doc, func(k string, _ bson.RawValue) {
		if strings.HasPrefix(k, "$") {
			ops++
		} else {
			plain++
		}
	})
	switch {
	case ops == 0:
		// A replacement: the document's new owner is the replacement's
		// field (maybe absent). By _id, that document is known; otherwise
		// the matched (or upserted: the filter's fields are not kept) one
		// is unknown, but its owner is a user to look up.
		owner := lookupPath(doc, field)
		if byID {
			return feed.Change{Docs: []feed.DocOwner{{ID: id, Owner: owner}}}
		}
		if user, ok := userOf(owner); ok {
			return feed.Change{Users: []string{user}}
		}
		return feed.Change{}
	case plain > 0:
		// Operators mixed with fields: FerretDB refuses it. Be safe.
		return all
	}

	var ch feed.Change
	var touched bool // some operator writes the field without naming a user
	if upsert {
		// An upserted document starts from the filter's equality conditions
		// (field: v, field: {$eq: v}) before the operators apply, and $min,
		// $max or an operator on another field may leave that value. Reported
		// whatever the operators do: at worst a needless lookup.
		for _, v := range filterSeeds(q, field) {
			if user, ok := userOf(v); ok {
				ch.Users = append(ch.Users, user)
			}
		}
	}
	unknown := false
	elems(doc, func(op string, v bson.RawValue) {
		spec, ok := document(v)
		if !ok {
			unknown = true // FerretDB refuses a non-document operand
			return
		}
		switch op {
		case "$set", "$setOnInsert":
			// The field takes the value set (or, for a path above it, the
			// value's part at the field). $set by _id: that document holds
			// it. Otherwise, and for $setOnInsert (it applies only if the
			// upsert inserts, which the statement does not tell), a user to
			// look up.
			elems(spec, func(path string, val bson.RawValue) {
				switch relation(path, field) {
				case unrelated:
				case below:
					touched = true // the field becomes a document or array
				default:
					owner := valueAt(val, path, field)
					if op == "$set" && byID {
						ch.Docs = append(ch.Docs, feed.DocOwner{ID: id, Owner: owner})
					} else if user, ok := userOf(owner); ok {
						ch.Users = append(ch.Users, user)
					}
				}
			})
		case "$min", "$max":
			// The field keeps its value or takes this one; which, only the
			// document knows: the value is a user to look up.
			elems(spec, func(path string, val bson.RawValue) {
				switch relation(path, field) {
				case unrelated:
				case below:
					touched = true
				default:
					if user, ok := userOf(valueAt(val, path, field)); ok {
						ch.Users = append(ch.Users, user)
					}
				}
			})
		case "$rename":
			// {from: to}: renaming another field into the field (or above
			// it) gives it a value nobody can see from here: All. Renaming
			// the field away (or into a path below it) leaves no user.
			elems(spec, func(from string, to bson.RawValue) {
				dst, ok := to.StringValueOK()
				if !ok {
					unknown = true
					return
				}
				switch relation(dst, field) {
				case same, above:
					unknown = true
				case below:
					touched = true
				}
				if relation(from, field) != unrelated {
					touched = true
				}
			})
		case "$unset", "$inc", "$mul", "$currentDate", "$push", "$addToSet",
			"$pop", "$pull", "$pullAll", "$bit":
			// These leave the field absent, a number, a date or an array:
			// never a user id.
			elems(spec, func(path string, _ bson.RawValue) {
				if relation(path, field) != unrelated {
					touched = true
				}
			})
		default:
			// An operator FerretDB does not know (it refuses the update):
			// be safe.
			unknown = true
		}
	})
	if unknown {
		return all
	}
	if touched && byID {
		// By _id, that document's owner is gone (or the write fails).
		ch.Docs = append(ch.Docs, feed.DocOwner{ID: id})
	}
	return ch
}

// The relation of an update path to the watched field.
const (
	unrelated = iota
	same      // the path is the field
	above     // the path holds the field (field = path + "." + ...)
	below     // the path is inside the field (path = field + "." + ...)
)

func relation(path, field string) int {
	switch {
	case path == field:
		return same
	case strings.HasPrefix(field, path+"."):
		return above
	case strings.HasPrefix(path, field+"."):
		return below
	default:
		return unrelated
	}
}

// valueAt returns what writing v at path puts at field (path is the field
// or above it), copied.
func valueAt(v bson.RawValue, path, field string) bson.RawValue {
	if path == field {
		return clone(v)
	}
	d, ok := document(v)
	if !ok {
		return bson.RawValue{}
	}
	return lookupPath(d, strings.TrimPrefix(field, path+"."))
}

// filterSeeds returns the values an upsert copies from filter q into the
// document it inserts, at field: FerretDB's processFilterEqualityCondition
// copies each top-level condition whose key does not start with "$": a
// plain value, a document without operators, or the operand of a lone $eq.
func filterSeeds(q bson.Raw, field string) []bson.RawValue {
	var out []bson.RawValue
	elems(q, func(k string, v bson.RawValue) {
		if k == "" || k[0] == '$' {
			return
		}
		rel := relation(k, field)
		if rel != same && rel != above {
			return
		}
		if d, ok := document(v); ok && v.Type == bson.TypeEmbeddedDocument && count(d) == 1 {
			if ik, iv, _ := first(d); strings.HasPrefix(ik, "$") {
				if ik != "$eq" {
					return // $lt, $in, $exists...: nothing copied
				}
				v = iv
			}
		}
		out = append(out, valueAt(v, k, field))
	})
	return out
}

// exactID returns v when q is exactly {_id: v} with v a plain value, which
// matches at most the one document with that _id (a document, array or
// regex is a condition or matches otherwise).
func exactID(q bson.Raw) (bson.RawValue, bool) {
	k, v, ok := first(q)
	if !ok || k != "_id" || count(q) != 1 {
		return bson.RawValue{}, false
	}
	switch v.Type {
	case bson.TypeDouble, bson.TypeString, bson.TypeBinary, bson.TypeObjectID, bson.TypeBoolean,
		bson.TypeDateTime, bson.TypeNull, bson.TypeInt32, bson.TypeTimestamp, bson.TypeInt64, bson.TypeDecimal128:
		return clone(v), true
	}
	return bson.RawValue{}, false
}

// userOf returns the user id a field value names: a string, or an
// ObjectId's hex.
func userOf(v bson.RawValue) (string, bool) {
	if s, ok := v.StringValueOK(); ok {
		return s, true
	}
	if oid, ok := v.ObjectIDOK(); ok {
		return oid.Hex(), true
	}
	return "", false
}

// lookupPath returns the value at a dotted path of d (descending into
// documents), copied; the zero RawValue when there is none.
func lookupPath(d bson.Raw, path string) bson.RawValue {
	for {
		key, rest, more := strings.Cut(path, ".")
		v, err := d.LookupErr(key)
		if err != nil {
			return bson.RawValue{}
		}
		if !more {
			return clone(v)
		}
		if d, err = validDoc(v); err != nil {
			return bson.RawValue{}
		}
		path = rest
	}
}

// emptyDoc is {}.
var emptyDoc = bson.Raw{5, 0, 0, 0, 0}

// document returns v as a validated document (an array counts: its keys
// are not checked).
func document(v bson.RawValue) (bson.Raw, bool) {
	d, err := validDoc(v)
	return d, err == nil
}

type invalid struct{}

func (invalid) Error() string { return "not a valid document" }

func validDoc(v bson.RawValue) (bson.Raw, error) {
	if v.Type != bson.TypeEmbeddedDocument && v.Type != bson.TypeArray {
		return nil, invalid{}
	}
	d, ok := frame(v.Value)
	if !ok || len(d) != len(v.Value) || d.Validate() != nil {
		return nil, invalid{}
	}
	return d, nil
}

// elems calls fn with each element of the validated document d (nil: none).
func elems(d bson.Raw, fn func(key string, v bson.RawValue)) {
	if d == nil {
		return
	}
	es, err := d.Elements()
	if err != nil {
		return
	}
	for _, e := range es {
		k, err := e.KeyErr()
		if err != nil {
			return
		}
		v, err := e.ValueErr()
		if err != nil {
			return
		}
		fn(k, v)
	}
}

// first returns the first element of the validated document d.
func first(d bson.Raw) (string, bson.RawValue, bool) {
	var (
		key string
		val bson.RawValue
		ok  bool
	)
	if d == nil {
		return "", bson.RawValue{}, false
	}
	if e, err := d.IndexErr(0); err == nil {
		if k, err := e.KeyErr(); err == nil {
			if v, err := e.ValueErr(); err == nil {
				key, val, ok = k, v, true
			}
		}
	}
	return key, val, ok
}

func count(d bson.Raw) int {
	n := 0
	elems(d, func(string, bson.RawValue) { n++ })
	return n
}

// values returns every value of key in the validated document d: with
// duplicate keys, FerretDB's reading is not guessed.
func values(d bson.Raw, key string) []bson.RawValue {
	var out []bson.RawValue
	elems(d, func(k string, v bson.RawValue) {
		if k == key {
			out = append(out, v)
		}
	})
	return out
}

// orAbsent returns vs, or one absent value if vs is empty.
func orAbsent(vs []bson.RawValue) []bson.RawValue {
	if len(vs) == 0 {
		return []bson.RawValue{{}}
	}
	return vs
}

// filters returns the documents under key in d, or a nil filter (every
// document) when there is none.
func filters(d bson.Raw, key string) []bson.Raw {
	var out []bson.Raw
	found := false
	for _, v := range values(d, key) {
		found = true
		if q, ok := document(v); ok && v.Type == bson.TypeEmbeddedDocument {
			out = append(out, q)
		} else {
			out = append(out, nil)
		}
	}
	if !found {
		return []bson.Raw{nil}
	}
	return out
}

// truthy reports whether any value of key in d may be true: FerretDB takes
// a boolean or a number; anything but false, 0 or null is read as true.
func truthy(d bson.Raw, key string) bool {
	for _, v := range values(d, key) {
		switch v.Type {
		case bson.TypeBoolean:
			if b, ok := v.BooleanOK(); ok && !b {
				continue
			}
		case bson.TypeNull:
			continue
		case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
			if f, ok := v.AsFloat64OK(); ok && f == 0 {
				continue
			}
		}
		return true
	}
	return false
}

// eachDoc calls fn with each document under key: the elements of the
// body's arrays of that name, then the documents of the kind-1 sections of
// that identifier (FerretDB sets the key to the section, replacing the
// body's; both are read). Elements that are not valid documents are skipped
// (FerretDB refuses them).
func (r *request) eachDoc(key string, fn func(bson.Raw)) {
	for _, v := range values(r.body, key) {
		if v.Type != bson.TypeArray {
			continue
		}
		arr, ok := document(v)
		if !ok {
			continue
		}
		elems(arr, func(_ string, e bson.RawValue) {
			if e.Type != bson.TypeEmbeddedDocument {
				return
			}
			if d, ok := document(e); ok {
				fn(d)
			}
		})
	}
	if r.sections == nil {
		return
	}
	walkSections(r.sections, func(kind byte, id string, docs []byte) {
		if kind != 1 || id != key {
			return
		}
		for len(docs) > 0 {
			d, ok := frame(docs)
			if !ok {
				return
			}
			docs = docs[len(d):]
			if d.Validate() == nil {
				fn(d)
			}
		}
	})
}

// clone copies v out of the message buffer, which is reused.
func clone(v bson.RawValue) bson.RawValue {
	if v.Type == 0 {
		return bson.RawValue{}
	}
	return bson.RawValue{Type: v.Type, Value: bytes.Clone(v.Value)}
}
