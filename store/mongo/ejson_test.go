package mongo

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

func TestParseDocNumbersAndWrappers(t *testing.T) {
	_, err := parseDoc([]byte(`{"i": 5, "neg": -2147483648, "l": 2147483648, "huge": 1e400, "big": 99999999999999999999,
		"f": 2.0, "e": 1e3, "nl": {"$numberLong": "7"}, "ni": {"$numberInt": "7"}, "nd": {"$numberDouble": "7"},
		"date": {"$date": "2024-05-06T07:08:09.123Z"}, "date2": {"$date": {"$numberLong": "1000"}},
		"bin": {"$binary": {"subType": "4", "base64": "AAE="}}, "arr": [1, {"x": null}], "empty": {}}`), "set")
	if err == nil || !errors.Is(err, store.ErrInvalidUpdate) || !strings.Contains(err.Error(), "huge") {
		t.Fatalf("1e400: %v, want an out-of-range error", err)
	}
	d, err := parseDoc([]byte(`{"i": 5, "neg": -2147483648, "l": 2147483648, "big": 99999999999999999999,
		"f": 2.0, "e": 1e3, "nl": {"$numberLong": "7"}, "ni": {"$numberInt": "7"}, "nd": {"$numberDouble": "7"},
		"date": {"$date": "2024-05-06T07:08:09.123Z"}, "date2": {"$date": {"$numberLong": "1000"}},
		"bin": {"$binary": {"subType": "4", "base64": "AAE="}}, "arr": [1, {"x": null}], "empty": {}}`), "set")
	if err != nil {
		t.Fatal(err)
	}
	want := bson.D{
		{Key: "i", Value: int32(5)}, {Key: "neg", Value: int32(-2147483648)}, {Key: "l", Value: int64(2147483648)},
		{Key: "big", Value: 99999999999999999999.0}, {Key: "f", Value: 2.0}, {Key: "e", Value: 1000.0},
		{Key: "nl", Value: int64(7)}, {Key: "ni", Value: int32(7)}, {Key: "nd", Value: 7.0},
		{Key: "date", Value: bson.DateTime(1714979289123)}, {Key: "date2", Value: bson.DateTime(1000)},
		{Key: "bin", Value: bson.Binary{Subtype: 4, Data: []byte{0, 1}}},
		{Key: "arr", Value: bson.A{int32(1), bson.D{{Key: "x", Value: nil}}}}, {Key: "empty", Value: bson.D{}},
	}
	got, _ := bson.Marshal(d)
	exp, _ := bson.Marshal(want)
	if !slices.Equal(got, exp) {
		t.Errorf("parsed\n%v\nwant\n%v", bson.Raw(got), bson.Raw(exp))
	}
}

func TestEncodeDocKeepsBigIntegersExact(t *testing.T) {
	raw, _ := bson.Marshal(bson.D{
		{Key: "max", Value: int64(1 << 53)}, {Key: "over", Value: int64(1<<53 + 1)}, {Key: "under", Value: int64(-(1 << 53) - 1)},
		{Key: "in", Value: bson.A{bson.D{{Key: "x", Value: int64(1 << 60)}}}}, {Key: versionField, Value: int64(3)},
		{Key: "d", Value: 1.0}, {Key: "i", Value: int32(1)},
	})
	j, err := encodeDoc(raw, versionField)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"max":9007199254740992,"over":{"$numberLong":"9007199254740993"},"under":{"$numberLong":"-9007199254740993"},` +
		`"in":[{"x":{"$numberLong":"1152921504606846976"}}],"d":1.0,"i":1}`
	if string(j) != want {
		t.Errorf("encodeDoc = %s\nwant        %s", j, want)
	}
	// And they read back as the same BSON.
	d, err := parseDoc(j, "set")
	if err != nil {
		t.Fatal(err)
	}
	back, _ := bson.Marshal(d)
	j2, _ := encodeDoc(back, "")
	if string(j2) != want {
		t.Errorf("round trip = %s", j2)
	}
}

func TestCompareValuesIsBSONOrder(t *testing.T) {
	oid1, oid2 := bson.NewObjectID(), bson.NewObjectID()
	ordered := []any{
		bson.MinKey{}, bson.Null{}, -1.5, int32(1), int64(2), 2.5, int64(1 << 60),
		"", "a", "b", bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "a", Value: 1}, {Key: "b", Value: 1}}, bson.D{{Key: "b", Value: 0}},
		bson.A{1}, bson.Binary{Data: []byte{9}}, bson.Binary{Data: []byte{1, 1}}, oid1, oid2, false, true,
		bson.DateTime(-1), bson.DateTime(5), bson.Timestamp{T: 1}, bson.Regex{Pattern: "a"}, bson.MaxKey{},
	}
	vals := make([]bson.RawValue, len(ordered))
	for i, v := range ordered {
		typ, b, err := bson.MarshalValue(v)
		if err != nil {
			t.Fatal(err)
		}
		vals[i] = bson.RawValue{Type: typ, Value: b}
	}
	for i := range vals {
		for j := range vals {
			got, want := compareValues(vals[i], vals[j]), 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("compare(%v, %v) = %d, want %d", vals[i], vals[j], got, want)
			}
		}
	}
	t32, b32, _ := bson.MarshalValue(int32(1))
	td, bd, _ := bson.MarshalValue(1.0)
	if compareValues(bson.RawValue{Type: t32, Value: b32}, bson.RawValue{Type: td, Value: bd}) != 0 {
		t.Error("int32 1 and double 1.0 should compare equal")
	}
}

func TestIncKeepsTypes(t *testing.T) {
	rv := func(v any) bson.RawValue {
		typ, b, _ := bson.MarshalValue(v)
		return bson.RawValue{Type: typ, Value: b}
	}
	for _, tc := range []struct {
		stored, delta, want any
	}{
		{rv(int32(1)), int32(2), int32(3)},
		{rv(int32(2147483647)), int32(1), int64(2147483648)},
		{rv(int32(1)), int64(2), int64(3)},
		{rv(int64(1)), int32(2), int64(3)},
		{rv(1.5), int32(1), 2.5},
		{rv(int32(1)), 0.5, 1.5},
	} {
		got, err := add(tc.stored, tc.delta)
		if err != nil || got != tc.want {
			t.Errorf("add(%v, %v) = %#v, %v; want %#v", tc.stored, tc.delta, got, err, tc.want)
		}
	}
	if _, err := add(rv(int64(1<<63-1)), int32(1)); err == nil {
		t.Error("int64 overflow not refused")
	}
	if _, err := add(rv("x"), int32(1)); err == nil {
		t.Error("increment of a string not refused")
	}
}

// nestedJSON is a document whose field "deep" reaches innermost at the given level.
func nestedJSON(level int, innermost string) string {
	return `{"deep":` + storetest.NestedJSON(level, innermost) + "}"
}

// TestParseAndRenderShareTheDepthLimit: what writes accept, reads render, and both stop at the same
// level: a value at level 100 (a wrapper or an empty document too) is accepted and renders back as
// written; one at level 101 is refused as the field "deep", naming its level and the limit.
func TestParseAndRenderShareTheDepthLimit(t *testing.T) {
	for _, in := range []string{`1`, `{"$date":"2024-05-06T07:08:09.123Z"}`, `{}`, `{"$numberLong":"9007199254740993"}`} {
		js := nestedJSON(store.MaxCustomDataDepth, in)
		d, err := parseDoc([]byte(js), "set")
		if err != nil {
			t.Errorf("level %d, %s: %v", store.MaxCustomDataDepth, in, err)
			continue
		}
		raw, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := encodeDoc(raw, ""); err != nil || string(back) != js {
			t.Errorf("level %d, %s: rendered back as %.60s… (%v)", store.MaxCustomDataDepth, in, back, err)
		}
	}
	for _, in := range []string{`1`, `{"a":1}`, `[1]`, `{"$numberDouble":"1.5"}`} {
		_, err := parseDoc([]byte(nestedJSON(store.MaxCustomDataDepth+1, in)), "set")
		var fe *store.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, store.ErrInvalidUpdate) || fe.Field != "deep" ||
			!strings.Contains(err.Error(), "101") || !strings.Contains(err.Error(), "100") {
			t.Errorf("level %d, %s: %v, want a FieldError on deep naming 101 and 100", store.MaxCustomDataDepth+1, in, err)
		}
	}
}

// TestParseNumbersNeitherNaNNorInfinity: every spelling of NaN and the infinities is refused as the
// field that holds it; -0 is 0, in every form.
func TestParseNumbersNeitherNaNNorInfinity(t *testing.T) {
	for _, s := range []string{"NaN", "nan", "Infinity", "-Infinity", "inf", "+Inf", "1e400"} {
		_, err := parseDoc([]byte(`{"x": {"y": {"$numberDouble": "`+s+`"}}}`), "set")
		var fe *store.FieldError
		if !errors.As(err, &fe) || fe.Field != "x.y" {
			t.Errorf("$numberDouble %q: %v, want a FieldError on x.y", s, err)
		}
	}
	d, err := parseDoc([]byte(`{"z": -0, "zf": -0.0, "ze": -0e5, "zw": {"$numberDouble": "-0.0"}}`), "set")
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int32(0), 0.0, 0.0, 0.0}
	for i, e := range d {
		if f, isFloat := e.Value.(float64); e.Value != want[i] || isFloat && math.Signbit(f) {
			t.Errorf("%s = %#v, want %#v", e.Key, e.Value, want[i])
		}
	}
}
