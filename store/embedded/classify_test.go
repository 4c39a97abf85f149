package embedded

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store/feed"
)

// testWatches is what the classifier tests watch: the user id field of
// app.custom, and a nested field of app.profiles.
var testWatches = []feed.Watch{
	{DB: "app", Coll: "custom", Field: "user_id"},
	{DB: "app", Coll: "profiles", Field: "owner.id"},
}

func fixedWatches() []feed.Watch { return testWatches }

var (
	oidA = bson.ObjectID{0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	oidB = bson.ObjectID{0x66, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
)

type D = bson.D
type A = bson.A
type E = bson.E

func TestClassify(t *testing.T) {
	for _, tc := range classifyCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := describe(classify(tc.msg, fixedWatches))
			if got != tc.want {
				t.Fatalf("classify:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

type classifyCase struct {
	name string
	msg  []byte
	want string // describe's form; "" for nothing
}

// cmd builds an OP_MSG whose body is the command doc.
func cmd(doc D, seqs ...[]byte) []byte {
	return opMsgBytes(0, append([][]byte{kind0(doc)}, seqs...)...)
}

func update(q any, u any, extra ...E) []byte {
	stmt := D{{Key: "q", Value: q}, {Key: "u", Value: u}}
	stmt = append(stmt, extra...)
	return cmd(D{{Key: "update", Value: "custom"}, {Key: "updates", Value: A{stmt}}, {Key: "$db", Value: "app"}})
}

func byID(id any) D { return D{{Key: "_id", Value: id}} }

func set(kv ...E) D { return D{{Key: "$set", Value: D(kv)}} }

func kv(k string, v any) E { return E{Key: k, Value: v} }

func classifyCases() []classifyCase {
	upsert := kv("upsert", true)
	insertDocs := D{kv("insert", "custom"), kv("documents", A{
		D{kv("_id", "d1"), kv("user_id", "alice")},
		D{kv("_id", int32(2)), kv("other", 1)},
		D{kv("_id", oidA), kv("user_id", oidB)},
	}), kv("$db", "app")}
	many := make([]any, maxNamed+1)
	for i := range many {
		many[i] = D{kv("_id", int32(i))}
	}
	withCRC := cmd(insertDocs)
	binary.LittleEndian.PutUint32(withCRC[16:], msgChecksumPresent)
	withCRC = appendCRC(withCRC)

	return []classifyCase{
		// insert
		{"insert in the body", cmd(insertDocs),
			`app.custom user_id: docs=["d1"→"alice" {"$numberInt":"2"}→∅ {"$oid":"650102030405060708090a0b"}→{"$oid":"660102030405060708090a0b"}]`},
		{"insert in a kind-1 section",
			cmd(D{kv("insert", "custom"), kv("$db", "app")}, kind1("documents", D{kv("_id", "d1"), kv("user_id", "alice")}, D{kv("_id", "d2"), kv("user_id", "bob")})),
			`app.custom user_id: docs=["d1"→"alice" "d2"→"bob"]`},
		{"insert without _id", cmd(D{kv("insert", "custom"), kv("documents", A{
			D{kv("user_id", "carol")}, D{kv("user_id", oidA)}, D{kv("user_id", int32(5))}, D{kv("x", 1)},
		}), kv("$db", "app")}),
			`app.custom user_id: users=[650102030405060708090a0b carol]`},
		{"insert with a checksum", withCRC,
			`app.custom user_id: docs=["d1"→"alice" {"$numberInt":"2"}→∅ {"$oid":"650102030405060708090a0b"}→{"$oid":"660102030405060708090a0b"}]`},
		{"insert into another collection", cmd(D{kv("insert", "other"), kv("documents", A{D{kv("_id", 1), kv("user_id", "x")}}), kv("$db", "app")}), ""},
		{"insert into another database", cmd(D{kv("insert", "custom"), kv("documents", A{D{kv("_id", 1), kv("user_id", "x")}}), kv("$db", "other")}), ""},
		{"database names match regardless of case", cmd(D{kv("insert", "custom"), kv("documents", A{D{kv("_id", "d1"), kv("user_id", "x")}}), kv("$db", "APP")}),
			`app.custom user_id: docs=["d1"→"x"]`},
		{"collection names match exactly", cmd(D{kv("insert", "Custom"), kv("documents", A{D{kv("_id", "d1"), kv("user_id", "x")}}), kv("$db", "app")}), ""},
		{"every $db is read", cmd(D{kv("insert", "custom"), kv("documents", A{D{kv("_id", "d1"), kv("user_id", "x")}}), kv("$db", "other"), kv("$db", "app")}),
			`app.custom user_id: docs=["d1"→"x"]`},
		{"body and section are both read",
			cmd(D{kv("insert", "custom"), kv("documents", A{D{kv("_id", "d1"), kv("user_id", "x")}}), kv("$db", "app")}, kind1("documents", D{kv("_id", "d2"), kv("user_id", "y")})),
			`app.custom user_id: docs=["d1"→"x" "d2"→"y"]`},
		{"nested field", cmd(D{kv("insert", "profiles"), kv("documents", A{
			D{kv("_id", "p1"), kv("owner", D{kv("id", "alice")})}, D{kv("owner", D{kv("id", "bob")})}, D{kv("_id", "p3"), kv("owner", "flat")},
		}), kv("$db", "app")}),
			`app.profiles owner.id: docs=["p1"→"alice" "p3"→∅] users=[bob]`},
		{"too many documents", cmd(D{kv("insert", "custom"), kv("$db", "app")}, kind1("documents", many...)), `app.custom user_id: all`},

		// update: replacements
		{"replacement by _id", update(byID("d2"), D{kv("user_id", "erin"), kv("x", 1)}), `app.custom user_id: docs=["d2"→"erin"]`},
		{"replacement by _id without owner", update(byID("d2"), D{kv("x", 1)}), `app.custom user_id: docs=["d2"→∅]`},
		{"replacement by filter", update(D{kv("user_id", "erin")}, D{kv("user_id", "frank")}), `app.custom user_id: users=[frank]`},
		{"replacement upsert by filter", update(D{kv("name", "n")}, D{kv("user_id", oidA)}, upsert), `app.custom user_id: users=[650102030405060708090a0b]`},
		{"replacement by filter without owner", update(D{kv("user_id", "erin")}, D{kv("x", 1)}, upsert), ""},
		{"replacement by _id condition", update(D{kv("_id", D{kv("$in", A{"a", "b"})})}, D{kv("user_id", "g")}), `app.custom user_id: users=[g]`},
		{"replacement by _id and more", update(D{kv("_id", "a"), kv("x", 1)}, D{kv("user_id", "g")}), `app.custom user_id: users=[g]`},
		{"replacement by regex _id", update(D{kv("_id", bson.Regex{Pattern: "^a"})}, D{kv("user_id", "g")}), `app.custom user_id: users=[g]`},
		{"missing u", cmd(D{kv("update", "custom"), kv("updates", A{D{kv("q", byID("d1"))}}), kv("$db", "app")}), `app.custom user_id: docs=["d1"→∅]`},

		// update: operators
		{"$set by _id", update(byID("d1"), set(kv("user_id", "bob"))), `app.custom user_id: docs=["d1"→"bob"]`},
		{"$set by _id to a number", update(byID("d1"), set(kv("user_id", int32(3)))), `app.custom user_id: docs=["d1"→{"$numberInt":"3"}]`},
		{"$set by filter", update(D{kv("name", "x")}, set(kv("user_id", "bob"))), `app.custom user_id: users=[bob]`},
		{"$set by filter to a number", update(D{kv("name", "x")}, set(kv("user_id", 3))), ""},
		{"$set of another field", update(byID("d1"), set(kv("name", "x"))), ""},
		{"$set of a field with the same prefix", update(byID("d1"), set(kv("user_idx", "x"))), ""},
		{"$set below the field by _id", update(byID("d1"), set(kv("user_id.x", "bob"))), `app.custom user_id: docs=["d1"→∅]`},
		{"$setOnInsert by _id", update(byID("d1"), D{kv("$setOnInsert", D{kv("user_id", "ivy")})}, upsert), `app.custom user_id: users=[ivy]`},
		{"$unset by _id", update(byID("d1"), D{kv("$unset", D{kv("user_id", "")})}), `app.custom user_id: docs=["d1"→∅]`},
		{"$unset by filter", update(D{kv("user_id", "a")}, D{kv("$unset", D{kv("user_id", "")})}), ""},
		{"$inc by filter", update(D{kv("x", 1)}, D{kv("$inc", D{kv("user_id", 1)})}), ""},
		{"$push by _id", update(byID(int64(7)), D{kv("$push", D{kv("user_id", "z")})}), `app.custom user_id: docs=[{"$numberLong":"7"}→∅]`},
		{"$max by filter", update(D{kv("x", 1)}, D{kv("$max", D{kv("user_id", "zed")})}), `app.custom user_id: users=[zed]`},
		{"$min by _id", update(byID("d1"), D{kv("$min", D{kv("user_id", "abe")})}), `app.custom user_id: users=[abe]`},
		{"$rename into the field", update(byID("d1"), D{kv("$rename", D{kv("other", "user_id")})}), `app.custom user_id: all`},
		{"$rename away by _id", update(byID("d1"), D{kv("$rename", D{kv("user_id", "old")})}), `app.custom user_id: docs=["d1"→∅]`},
		{"$rename away by filter", update(D{kv("x", 1)}, D{kv("$rename", D{kv("user_id", "old")})}), ""},
		{"$rename elsewhere", update(byID("d1"), D{kv("$rename", D{kv("a", "b")})}), ""},
		{"unknown operator", update(byID("d1"), D{kv("$frob", D{kv("x", 1)})}), `app.custom user_id: all`},
		{"operators mixed with fields", update(byID("d1"), D{kv("$set", D{kv("x", 1)}), kv("y", 2)}), `app.custom user_id: all`},
		{"operator without a document", update(byID("d1"), D{kv("$set", 5)}), `app.custom user_id: all`},
		{"pipeline", update(D{}, A{D{kv("$set", D{kv("user_id", "x")})}}, kv("multi", true)), `app.custom user_id: all`},

		// update: upserts
		{"upsert by owner", update(D{kv("user_id", "gina")}, set(kv("x", 1)), upsert), `app.custom user_id: users=[gina]`},
		{"upsert by owner with numeric upsert", update(D{kv("user_id", "gina")}, set(kv("x", 1)), kv("upsert", int32(1))), `app.custom user_id: users=[gina]`},
		{"upsert by $eq", update(D{kv("user_id", D{kv("$eq", "gina")})}, set(kv("x", 1)), upsert), `app.custom user_id: users=[gina]`},
		{"upsert by $in", update(D{kv("user_id", D{kv("$in", A{"gina"})})}, set(kv("x", 1)), upsert), ""},
		{"upsert by owner and $max", update(D{kv("user_id", "gina")}, D{kv("$max", D{kv("user_id", "abe")})}, upsert), `app.custom user_id: users=[abe gina]`},
		{"update by owner without upsert", update(D{kv("user_id", "gina")}, set(kv("x", 1))), ""},
		{"upsert false", update(D{kv("user_id", "gina")}, set(kv("x", 1)), kv("upsert", false)), ""},
		{"upsert by nested owner", cmd(D{kv("update", "profiles"), kv("updates", A{
			D{kv("q", D{kv("owner", D{kv("id", "pat")})}), kv("u", set(kv("x", 1))), upsert},
			D{kv("q", D{kv("owner.id", "quinn")}), kv("u", set(kv("x", 1))), upsert},
		}), kv("$db", "app")}), `app.profiles owner.id: users=[pat quinn]`},
		{"$set above a nested field by _id", cmd(D{kv("update", "profiles"), kv("updates", A{
			D{kv("q", byID("p1")), kv("u", set(kv("owner", D{kv("id", "zed")})))},
			D{kv("q", byID("p2")), kv("u", set(kv("owner", "flat")))},
		}), kv("$db", "app")}), `app.profiles owner.id: docs=["p1"→"zed" "p2"→∅]`},
		{"updates in a kind-1 section",
			cmd(D{kv("update", "custom"), kv("$db", "app")}, kind1("updates",
				D{kv("q", byID("d1")), kv("u", set(kv("user_id", "a")))},
				D{kv("q", D{}), kv("u", set(kv("user_id", "b"))), kv("multi", true)},
			)),
			`app.custom user_id: docs=["d1"→"a"] users=[b]`},

		// findAndModify
		{"findAndModify", cmd(D{kv("findAndModify", "custom"), kv("query", byID("d1")), kv("update", set(kv("user_id", "hank"))), kv("new", true), kv("$db", "app")}),
			`app.custom user_id: docs=["d1"→"hank"]`},
		{"findandmodify", cmd(D{kv("findandmodify", "custom"), kv("query", D{kv("user_id", "ida")}), kv("update", set(kv("n", 1))), kv("upsert", true), kv("$db", "app")}),
			`app.custom user_id: users=[ida]`},
		{"findAndModify without query", cmd(D{kv("findAndModify", "custom"), kv("update", D{kv("user_id", "jo")}), kv("$db", "app")}),
			`app.custom user_id: users=[jo]`},
		{"findAndModify remove", cmd(D{kv("findAndModify", "custom"), kv("query", byID("d1")), kv("remove", true), kv("$db", "app")}), ""},
		{"findAndModify pipeline", cmd(D{kv("findAndModify", "custom"), kv("update", A{}), kv("$db", "app")}), `app.custom user_id: all`},

		// delete and others
		{"delete", cmd(D{kv("delete", "custom"), kv("deletes", A{D{kv("q", D{}), kv("limit", 0)}}), kv("$db", "app")}), ""},
		{"find", cmd(D{kv("find", "custom"), kv("filter", D{kv("user_id", "x")}), kv("$db", "app")}), ""},
		{"drop", cmd(D{kv("drop", "custom"), kv("$db", "app")}), ""},

		// aggregate
		{"$out", cmd(D{kv("aggregate", "src"), kv("pipeline", A{D{kv("$match", D{})}, D{kv("$out", "custom")}}), kv("$db", "app")}), `app.custom user_id: all`},
		{"$out to a namespace", cmd(D{kv("aggregate", "src"), kv("pipeline", A{D{kv("$out", D{kv("db", "app"), kv("coll", "profiles")})}}), kv("$db", "other")}), `app.profiles owner.id: all`},
		{"$merge", cmd(D{kv("aggregate", 1), kv("pipeline", A{D{kv("$merge", "custom")}}), kv("$db", "app")}), `app.custom user_id: all`},
		{"$merge into", cmd(D{kv("aggregate", "src"), kv("pipeline", A{D{kv("$merge", D{kv("into", "custom")})}}), kv("$db", "app")}), `app.custom user_id: all`},
		{"$merge into a namespace", cmd(D{kv("aggregate", "src"), kv("pipeline", A{D{kv("$merge", D{kv("into", D{kv("db", "app"), kv("coll", "custom")})})}}), kv("$db", "x")}), `app.custom user_id: all`},
		{"$out elsewhere", cmd(D{kv("aggregate", "custom"), kv("pipeline", A{D{kv("$out", "other")}}), kv("$db", "app")}), ""},
		{"$out unreadable", cmd(D{kv("aggregate", "src"), kv("pipeline", A{D{kv("$out", int32(5))}}), kv("$db", "zzz")}), `app.custom user_id: all; app.profiles owner.id: all`},
		{"aggregate without a write", cmd(D{kv("aggregate", "custom"), kv("pipeline", A{D{kv("$match", D{kv("user_id", "x")})}}), kv("$db", "app")}), ""},

		// renameCollection
		{"rename onto the collection", cmd(D{kv("renameCollection", "app.tmp"), kv("to", "app.custom"), kv("$db", "admin")}), `app.custom user_id: all`},
		{"rename the collection away", cmd(D{kv("renameCollection", "app.custom"), kv("to", "app.old"), kv("$db", "admin")}), ""},

		// OP_QUERY
		{"OP_QUERY command", opQueryBytes("app.$cmd", D{kv("insert", "custom"), kv("documents", A{D{kv("_id", "q1"), kv("user_id", "kim")}})}),
			`app.custom user_id: docs=["q1"→"kim"]`},
		{"OP_QUERY wrapped command", opQueryBytes("app.$cmd", D{kv("$query", D{kv("update", "custom"), kv("updates", A{D{kv("q", byID("q1")), kv("u", set(kv("user_id", "lee")))}})})}),
			`app.custom user_id: docs=["q1"→"lee"]`},
		{"OP_QUERY on a collection", opQueryBytes("app.custom", D{kv("insert", "custom"), kv("documents", A{D{kv("_id", "q1"), kv("user_id", "kim")}})}), ""},

		// OP_COMPRESSED and garbage
		{"OP_COMPRESSED", message(opCompressed, []byte{0xd5, 0x07, 0, 0, 9, 0, 0, 0, 1, 'x'}), `app.custom user_id: all; app.profiles owner.id: all`},
		{"short", []byte{1, 2, 3}, ""},
		{"header only", message(opMsg, nil), ""},
		{"unknown opcode", message(2010, kind0(insertDocs)), ""},
		{"unknown section kind", opMsgBytes(0, kind0(insertDocs), []byte{2, 0, 0, 0}), ""},
		{"two bodies", opMsgBytes(0, kind0(insertDocs), kind0(insertDocs)), ""},
		{"no body", opMsgBytes(0, kind1("documents", D{kv("_id", 1)})), ""},
		{"truncated", cmd(insertDocs)[:40], ""},
		{"checksum flag without checksum", func() []byte {
			m := cmd(insertDocs)
			binary.LittleEndian.PutUint32(m[16:], msgChecksumPresent)
			return m
		}(), ""},
		{"invalid body", func() []byte {
			m := cmd(insertDocs)
			m[21+4] = 0x20 // the type byte of the body's first element
			return m
		}(), ""},
		{"invalid document in a section is skipped", cmd(D{kv("insert", "custom"), kv("$db", "app")}, kind1raw("documents",
			mustMarshal(D{kv("_id", "ok"), kv("user_id", "a")}), []byte{12, 0, 0, 0, 0x20, 'x', 0, 1, 2, 3, 4, 0})),
			`app.custom user_id: docs=["ok"→"a"]`},
	}
}

// TestClassifyUnwatched checks that nothing is published, and the watches
// are not even asked for, when the message cannot write.
func TestClassifyUnwatched(t *testing.T) {
	asked := 0
	ws := func() []feed.Watch { asked++; return testWatches }
	classify(cmd(D{kv("find", "custom"), kv("filter", D{}), kv("$db", "app")}), ws)
	classify(cmd(D{kv("ping", 1), kv("$db", "admin")}), ws)
	if asked != 0 {
		t.Fatalf("watches asked for %d times for reads", asked)
	}
	if got := classify(cmd(D{kv("insert", "custom"), kv("documents", A{D{kv("_id", 1), kv("user_id", "a")}}), kv("$db", "app")}),
		func() []feed.Watch { return nil }); got != nil {
		t.Fatalf("with nothing watched: %s", describe(got))
	}
}

// TestClassifyCopies checks that the changes do not point into the message
// (the proxy reuses its buffer).
func TestClassifyCopies(t *testing.T) {
	msg := cmd(D{kv("insert", "custom"), kv("documents", A{D{kv("_id", "d1"), kv("user_id", "alice")}}), kv("$db", "app")})
	got := classify(msg, fixedWatches)
	want := describe(got)
	for i := range msg {
		msg[i] = 0xee
	}
	if after := describe(got); after != want {
		t.Fatalf("changes changed with the message: %s, then %s", want, after)
	}
}

func FuzzClassify(f *testing.F) {
	for _, tc := range classifyCases() {
		if len(tc.msg) < 1<<16 {
			f.Add(tc.msg)
		}
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		tooDeep(msg) // must not panic either
		ws := func() []feed.Watch { return testWatches }
		first := classify(msg, ws)
		cp := bytes.Clone(msg)
		second := classify(cp, ws)
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("not deterministic: %s, then %s", describe(first), describe(second))
		}
		for i := range cp {
			cp[i] ^= 0xff
		}
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("the changes point into the message")
		}
		for _, p := range first {
			if p.Change.Empty() {
				t.Fatalf("empty change published: %s", describe(first))
			}
			found := false
			for _, w := range testWatches {
				found = found || (w == feed.Watch{DB: p.DB, Coll: p.Coll, Field: p.Field})
			}
			if !found {
				t.Fatalf("published to an unwatched %s.%s %s", p.DB, p.Coll, p.Field)
			}
		}
	})
}

// describe renders publications for comparison: "db.coll field: docs=[id→owner ...] users=[...]" or "...: all", joined by "; ".
func describe(pubs []publication) string {
	var out []string
	for _, p := range pubs {
		var b strings.Builder
		fmt.Fprintf(&b, "%s.%s %s:", p.DB, p.Coll, p.Field)
		if p.Change.All {
			b.WriteString(" all")
		}
		if len(p.Change.Docs) > 0 {
			var docs []string
			for _, d := range p.Change.Docs {
				docs = append(docs, rawString(d.ID)+"→"+rawString(d.Owner))
			}
			fmt.Fprintf(&b, " docs=[%s]", strings.Join(docs, " "))
		}
		if len(p.Change.Users) > 0 {
			fmt.Fprintf(&b, " users=[%s]", strings.Join(p.Change.Users, " "))
		}
		out = append(out, b.String())
	}
	return strings.Join(out, "; ")
}

func rawString(v bson.RawValue) string {
	if v.Type == 0 {
		return "∅"
	}
	return v.String()
}

// Message builders.

func mustMarshal(doc any) []byte {
	b, err := bson.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

func message(opCode int32, body []byte) []byte {
	m := make([]byte, headerLen, headerLen+len(body))
	binary.LittleEndian.PutUint32(m[0:], uint32(headerLen+len(body)))
	binary.LittleEndian.PutUint32(m[4:], 1) // requestID
	binary.LittleEndian.PutUint32(m[12:], uint32(opCode))
	return append(m, body...)
}

func opMsgBytes(flags uint32, sections ...[]byte) []byte {
	body := binary.LittleEndian.AppendUint32(nil, flags)
	for _, s := range sections {
		body = append(body, s...)
	}
	return message(opMsg, body)
}

func kind0(doc any) []byte { return append([]byte{0}, mustMarshal(doc)...) }

func kind1(id string, docs ...any) []byte {
	var raw [][]byte
	for _, d := range docs {
		raw = append(raw, mustMarshal(d))
	}
	return kind1raw(id, raw...)
}

func kind1raw(id string, docs ...[]byte) []byte {
	payload := append([]byte(id), 0)
	for _, d := range docs {
		payload = append(payload, d...)
	}
	s := []byte{1}
	s = binary.LittleEndian.AppendUint32(s, uint32(4+len(payload)))
	return append(s, payload...)
}

// appendCRC appends the CRC-32C of m and fixes its length.
func appendCRC(m []byte) []byte {
	binary.LittleEndian.PutUint32(m, uint32(len(m)+4))
	sum := crc32.Checksum(m, crc32.MakeTable(crc32.Castagnoli))
	return binary.LittleEndian.AppendUint32(m, sum)
}

func opQueryBytes(coll string, doc any) []byte {
	body := binary.LittleEndian.AppendUint32(nil, 0) // flags
	body = append(body, coll...)
	body = append(body, 0)
	body = binary.LittleEndian.AppendUint32(body, 0)          // numberToSkip
	body = binary.LittleEndian.AppendUint32(body, 0xffffffff) // numberToReturn -1
	body = append(body, mustMarshal(doc)...)
	return message(opQuery, body)
}

// nested returns the document {"a": {"a": ... {}}} of depth levels (itself
// being level 1), with arrays at every other level, built without recursion.
func nested(depth int) []byte {
	n := 5 + 8*(depth-1)
	b := make([]byte, n)
	pos := 0
	for i := 0; i < depth-1; i++ {
		binary.LittleEndian.PutUint32(b[pos:], uint32(n-8*i))
		b[pos+4] = byte(bson.TypeEmbeddedDocument)
		if i%2 == 1 {
			b[pos+4] = byte(bson.TypeArray)
		}
		b[pos+5], b[pos+6] = '0', 0
		pos += 7
	}
	binary.LittleEndian.PutUint32(b[pos:], 5)
	// The trailing NULs of the inner documents are already there: b is zeroed.
	return b
}

func TestNested(t *testing.T) {
	for _, depth := range []int{1, 2, 3, 10} {
		d := bson.Raw(nested(depth))
		if err := d.Validate(); err != nil {
			t.Fatalf("nested(%d): %v", depth, err)
		}
		got := 1
		for len(d) > 5 {
			d = d.Index(0).Value().Value
			got++
		}
		if got != depth {
			t.Fatalf("nested(%d) has depth %d", depth, got)
		}
	}
}

func TestTooDeep(t *testing.T) {
	withX := func(depth int) bson.Raw { // {insert: "custom", x: nested(depth-1)}: depth levels
		return mustMarshal(D{kv("insert", "custom"), kv("x", bson.Raw(nested(depth-1))), kv("$db", "app")})
	}
	section := func(doc []byte) []byte { return append([]byte{0}, doc...) }
	checksummed := func(m []byte) []byte {
		binary.LittleEndian.PutUint32(m[16:], msgChecksumPresent)
		return appendCRC(m)
	}
	for _, tc := range []struct {
		name string
		msg  []byte
		want bool
	}{
		{"body at the limit", opMsgBytes(0, section(withX(maxDepth))), false},
		{"body over it", opMsgBytes(0, section(withX(maxDepth+1))), true},
		{"body far over it", opMsgBytes(0, section(withX(1_000_000))), true},
		{"checksummed body over it", checksummed(opMsgBytes(0, section(withX(maxDepth+1)))), true},
		{"section document at the limit",
			opMsgBytes(0, section(withX(2)), kind1raw("documents", mustMarshal(D{kv("_id", 1)}), nested(maxDepth))), false},
		{"section document over it",
			opMsgBytes(0, section(withX(2)), kind1raw("documents", mustMarshal(D{kv("_id", 1)}), nested(maxDepth+1))), true},
		{"query over it", opQueryBytes("app.$cmd", withX(maxDepth+1)), true},
		{"query on a collection over it", opQueryBytes("app.custom", withX(maxDepth+1)), true},
		{"selector over it", func() []byte {
			m := append(opQueryBytes("app.custom", D{}), nested(maxDepth+1)...)
			binary.LittleEndian.PutUint32(m, uint32(len(m)))
			return m
		}(), true},
		{"truncated", opMsgBytes(0, section(withX(maxDepth+1)))[:100], false},
		{"unknown opcode", message(2010, section(withX(maxDepth+1))), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tooDeep(tc.msg); got != tc.want {
				t.Fatalf("tooDeep = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestClassifyRepeatedKeys classifies hand-built messages that repeat the
// keys whose readings multiply, and checks that each is taken as All at a
// cost in memory bounded by the message's size.
func TestClassifyRepeatedKeys(t *testing.T) {
	const n = 1000
	repeat := func(k string, v any) D {
		d := make(D, n)
		for i := range d {
			d[i] = kv(k, v)
		}
		return d
	}
	join := func(ds ...D) D {
		var out D
		for _, d := range ds {
			out = append(out, d...)
		}
		return out
	}
	stages := make(A, n)
	for i := range stages {
		stages[i] = D{kv("$out", "custom")}
	}
	doc := D{kv("_id", "d1"), kv("user_id", "alice")}
	for _, tc := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"insert into many collections of many databases",
			cmd(join(repeat("insert", "custom"), D{kv("documents", A{doc})}, repeat("$db", "app"))),
			`app.custom user_id: all; app.profiles owner.id: all`},
		{"update statement of many filters and updates",
			cmd(D{kv("update", "custom"), kv("updates", A{join(repeat("q", byID("d1")), repeat("u", set(kv("user_id", "bob"))))}), kv("$db", "app")}),
			`app.custom user_id: all`},
		{"findAndModify of many queries and updates",
			cmd(join(D{kv("findAndModify", "custom")}, repeat("query", byID("d1")), repeat("update", set(kv("user_id", "bob"))), D{kv("$db", "app")})),
			`app.custom user_id: all`},
		{"aggregate with many $out stages in many databases",
			cmd(join(D{kv("aggregate", "src"), kv("pipeline", stages)}, repeat("$db", "app"))),
			`app.custom user_id: all; app.profiles owner.id: all`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got := classify(tc.msg, fixedWatches)
			runtime.ReadMemStats(&after)
			if d := describe(got); d != tc.want {
				t.Errorf("classify: %s, want %s", d, tc.want)
			}
			if alloc, limit := after.TotalAlloc-before.TotalAlloc, uint64(32*len(tc.msg)); alloc > limit {
				t.Errorf("classify allocated %d bytes for a message of %d, more than %d", alloc, len(tc.msg), limit)
			}
		})
	}
}
