package mongo

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
)

// driverEncode is the rendering encodeDoc replaced, through the driver's relaxed Extended JSON writer:
// the reference its output must equal.
func driverEncode(raw bson.Raw, hide string) (out []byte, err error) {
	defer func() {
		if recover() != nil {
			out, err = nil, errMalformed
		}
	}()
	d, err := driverDoc(raw, hide)
	if err != nil {
		return nil, err
	}
	return bson.MarshalExtJSON(d, false, false)
}

func driverDoc(raw bson.Raw, hide string) (bson.D, error) {
	elems, err := raw.Elements()
	if err != nil {
		return nil, err
	}
	d := make(bson.D, 0, len(elems))
	for _, e := range elems {
		if hide != "" && e.Key() == hide {
			continue
		}
		d = append(d, bson.E{Key: e.Key(), Value: driverValue(e.Value())})
	}
	return d, nil
}

func driverValue(v bson.RawValue) any {
	switch v.Type {
	case bson.TypeInt64:
		if n := v.Int64(); n > maxExactInt || n < -maxExactInt {
			return bson.D{{Key: "$numberLong", Value: strconv.FormatInt(n, 10)}}
		}
	case bson.TypeEmbeddedDocument:
		if d, err := driverDoc(v.Document(), ""); err == nil {
			return d
		}
	case bson.TypeArray:
		if vals, err := v.Array().Values(); err == nil {
			a := make(bson.A, len(vals))
			for i, x := range vals {
				a[i] = driverValue(x)
			}
			return a
		}
	}
	return v
}

// renderCorpus holds every BSON type, at the edges where renderings differ.
func renderCorpus(t testing.TB) []bson.Raw {
	oid, _ := bson.ObjectIDFromHex("65f0a1b2c3d4e5f601234567")
	dec, _ := bson.ParseDecimal128("-1.50E+3")
	docs := []bson.D{
		{},
		{{Key: "a", Value: bson.D{}}, {Key: "b", Value: bson.A{}}},
		{{Key: "doubles", Value: bson.A{0.0, math.Copysign(0, -1), 1.0, -2.5, 123.456, 1e20, 1e21, 1e-6, 1e-7, 1.5e300,
			math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(), 1 << 53, 0.1 + 0.2}}},
		{{Key: "ints", Value: bson.A{int32(0), int32(math.MinInt32), int32(math.MaxInt32), int64(0), int64(1 << 53),
			int64(-(1 << 53)), int64(1<<53 + 1), int64(-(1 << 53) - 1), int64(math.MaxInt64), int64(math.MinInt64)}}},
		{{Key: "strings", Value: bson.A{"", "plain", `quote " backslash \ slash /`, "\n\r\t\b\f\x00\x01\x1f\x7f",
			"<html> & 'x'", "é 漢字 🎉", "\u2028 \u2029", "bad \xff\xfe utf-8 \xc3", strings.Repeat("x", 5000)}}},
		{{Key: "key \"with\" \\ escapes\n", Value: true}, {Key: "é", Value: false}, {Key: "", Value: nil}},
		{{Key: "bin", Value: bson.A{bson.Binary{Data: []byte{}}, bson.Binary{Subtype: 4, Data: []byte{1, 2, 3}},
			bson.Binary{Subtype: 0x80, Data: []byte("user defined")}}}},
		{{Key: "oid", Value: oid}, {Key: "undef", Value: bson.Undefined{}}, {Key: "null", Value: bson.Null{}},
			{Key: "min", Value: bson.MinKey{}}, {Key: "max", Value: bson.MaxKey{}}},
		{{Key: "dates", Value: bson.A{bson.DateTime(0), bson.DateTime(-1), bson.DateTime(1714979289123), bson.DateTime(1714979289000),
			bson.NewDateTimeFromTime(time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)),
			bson.NewDateTimeFromTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), bson.DateTime(math.MinInt64), bson.DateTime(math.MaxInt64)}}},
		{{Key: "regex", Value: bson.Regex{Pattern: `^a"b\\d+$`, Options: "xsmi"}}, {Key: "ts", Value: bson.Timestamp{T: 4294967295, I: 7}},
			{Key: "js", Value: bson.JavaScript(`function() { return "x"; }`)}, {Key: "sym", Value: bson.Symbol("sym\tbol")},
			{Key: "cws", Value: bson.CodeWithScope{Code: "f(x)", Scope: bson.D{{Key: "x", Value: int32(1)}}}},
			{Key: "ptr", Value: bson.DBPointer{DB: "db.coll", Pointer: oid}}, {Key: "dec", Value: dec}},
		{{Key: "_id", Value: oid}, {Key: "user_id", Value: "u1"}, {Key: versionField, Value: int64(4)},
			{Key: "nested", Value: bson.D{{Key: "deep", Value: bson.A{bson.D{{Key: "x", Value: int64(1 << 60)}}, bson.A{int32(1)}}}}}},
	}
	out := make([]bson.Raw, len(docs))
	for i, d := range docs {
		raw, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = raw
	}
	return out
}

func TestEncodeDocMatchesDriver(t *testing.T) {
	for _, raw := range renderCorpus(t) {
		for _, hide := range []string{"", versionField} {
			got, err := encodeDoc(raw, hide)
			if err != nil {
				t.Fatalf("%v: %v", raw, err)
			}
			want, err := driverEncode(raw, hide)
			if err != nil {
				t.Fatalf("driver on %v: %v", raw, err)
			}
			if string(got) != string(want) {
				t.Errorf("encodeDoc(%v, %q)\n got %s\nwant %s", raw, hide, got, want)
			}
			if !json.Valid(got) {
				t.Errorf("encodeDoc(%v) is not valid JSON: %s", raw, got)
			}
		}
	}
}

// TestEncodeDocEscapesWhereTheDriverDoesNot: the driver writes a DBPointer's namespace unescaped, so a
// quote in it ends the string and lets the document add keys of its choosing, in valid JSON.
func TestEncodeDocEscapesWhereTheDriverDoesNot(t *testing.T) {
	const ns = `x","sub":"admin`
	raw, _ := bson.Marshal(bson.D{{Key: "p", Value: bson.DBPointer{DB: ns, Pointer: bson.NewObjectID()}}})
	refOf := func(j []byte) (string, map[string]any) {
		var back struct {
			P struct {
				DBPointer map[string]any `json:"$dbPointer"`
			}
		}
		if err := json.Unmarshal(j, &back); err != nil {
			t.Fatalf("%s: %v", j, err)
		}
		ref, _ := back.P.DBPointer["$ref"].(string)
		return ref, back.P.DBPointer
	}
	driver, _ := driverEncode(raw, "")
	if ref, _ := refOf(driver); ref == ns {
		t.Fatalf("the driver now escapes the namespace (%s): this test no longer shows a difference", driver)
	}
	got, err := encodeDoc(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	if ref, keys := refOf(got); ref != ns || len(keys) != 2 {
		t.Errorf("encodeDoc = %s: $dbPointer holds %v, want only $ref %q and $id", got, keys, ns)
	}
}

func TestEncodeDocRefusesMalformedBSON(t *testing.T) {
	raw, _ := bson.Marshal(bson.D{{Key: "s", Value: "text"}, {Key: "d", Value: bson.D{{Key: "x", Value: int32(1)}}}})
	for i := range len(raw) - 1 {
		if _, err := encodeDoc(raw[:i], ""); err == nil {
			t.Errorf("a document cut to %d of %d bytes rendered", i, len(raw))
		}
	}
	// A string whose length runs past its document.
	bad := append([]byte(nil), raw...)
	bad[4+1+2] = 0x7f
	if _, err := encodeDoc(bad, ""); err == nil {
		t.Error("a string longer than its document rendered")
	}
}

// nested returns a document whose deepest value, innermost, is at the given level (its own fields are
// level 1), reached through documents and arrays in turn.
func nested(level int, innermost any) bson.D {
	v := innermost
	for l := level; l > 1; l-- {
		if l%2 == 0 {
			v = bson.A{v}
		} else {
			v = bson.D{{Key: "a", Value: v}}
		}
	}
	return bson.D{{Key: "deep", Value: v}}
}

// TestEncodeDocDepthBoundary: rendering follows store.MaxCustomDataDepth as MongoDB counts it: a value
// at level 100 renders (an empty document or array there too), one at level 101 is
// ErrCustomDataUnreadable naming its top-level field; the _id is held to the same limit.
func TestEncodeDocDepthBoundary(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  bson.D
		ok   bool
	}{
		{"a number at the limit", nested(store.MaxCustomDataDepth, int32(1)), true},
		{"a date at the limit", nested(store.MaxCustomDataDepth, bson.DateTime(0)), true},
		{"an empty document at the limit", nested(store.MaxCustomDataDepth, bson.D{}), true},
		{"an empty array at the limit", nested(store.MaxCustomDataDepth, bson.A{}), true},
		{"a number past the limit", nested(store.MaxCustomDataDepth+1, int32(1)), false},
		{"an empty document past the limit", nested(store.MaxCustomDataDepth+1, bson.D{}), false},
		{"far past the limit", nested(10*store.MaxCustomDataDepth, "x"), false},
		{"an _id past the limit", bson.D{{Key: "_id", Value: nested(store.MaxCustomDataDepth, int32(1))}}, false},
	} {
		raw, err := bson.Marshal(tc.doc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeDoc(raw, "")
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.ok:
			if want, err := driverEncode(raw, ""); err != nil || string(got) != string(want) {
				t.Errorf("%s: rendered %.80s…, the driver %.80s… (%v)", tc.name, got, want, err)
			}
		case !errors.Is(err, store.ErrCustomDataUnreadable) || !strings.Contains(err.Error(), `"deep"`) && !strings.Contains(err.Error(), `"_id"`):
			t.Errorf("%s: %v, want ErrCustomDataUnreadable naming the top-level field", tc.name, err)
		}
	}
	id := nested(store.MaxCustomDataDepth, int32(1))
	raw, _ := bson.Marshal(bson.D{{Key: "_id", Value: id}})
	if _, err := encodeValue(bson.Raw(raw).Lookup("_id")); !errors.Is(err, store.ErrCustomDataUnreadable) || !strings.Contains(err.Error(), `"_id"`) {
		t.Errorf("encodeValue of an _id nesting past the limit: %v", err)
	}
}

// TestAppendStringEscapesAtEveryOffset: each byte or sequence that must be escaped, and some that must
// not, placed at every offset of plain text on both sides of the 8-byte words jsonscan.PlainPrefix skips, renders
// as encoding/json renders the same string (without its HTML escaping).
func TestAppendStringEscapesAtEveryOffset(t *testing.T) {
	specials := []string{"\"", "\\", "\n", "\x00", "\x1f", "\x7f", " ", "~", "é", "\u2028", "\u2029", "\xff", "\xe2\x80", "😀"}
	for _, sp := range specials {
		for before := range 20 {
			for _, after := range []int{0, 1, 7, 8, 9} {
				s := strings.Repeat("a", before) + sp + strings.Repeat("b", after)
				var want bytes.Buffer
				enc := json.NewEncoder(&want)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(s); err != nil {
					t.Fatal(err)
				}
				if got := appendString(nil, []byte(s)); string(got) != strings.TrimSuffix(want.String(), "\n") {
					t.Errorf("appendString(%q) = %s, want %s", s, got, want.String())
				}
			}
		}
	}
}

// FuzzEncodeDoc: on any bytes, encodeDoc does not panic, whatever it renders is valid JSON in UTF-8, and
// it is what the driver renders whenever the driver renders valid JSON in UTF-8. (The driver copies an
// invalid byte of some strings, a $dbPointer's $ref for one, into its output, which JSON text may not
// hold: there encodeDoc writes U+FFFD, as it does in every other string.)
func FuzzEncodeDoc(f *testing.F) {
	for _, raw := range renderCorpus(f) {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := encodeDoc(data, "")
		if err != nil {
			return
		}
		if !json.Valid(got) || !utf8.Valid(got) {
			t.Fatalf("invalid JSON %s from %x", got, data)
		}
		if bson.Raw(data).Validate() != nil {
			return
		}
		if want, err := driverEncode(data, ""); err == nil && json.Valid(want) && utf8.Valid(want) && string(got) != string(want) {
			t.Fatalf("from %x\n got %s\nwant %s", data, got, want)
		}
	})
}

func BenchmarkEncodeDoc(b *testing.B) {
	raw, _ := bson.Marshal(bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "user_id", Value: "u1"},
		{Key: "blob", Value: strings.Repeat("x", 4000)}})
	b.Run("lanyard", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeDoc(raw, versionField); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver_MarshalExtJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := driverEncode(raw, versionField); err != nil {
				b.Fatal(err)
			}
		}
	})
}
