package rules

import (
	"cmp"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// number is any numeric value, compared by value whatever its Go or BSON type.
type number struct {
	i     int64
	f     float64
	isInt bool
}

func (n number) float() float64 {
	if n.isInt {
		return float64(n.i)
	}
	return n.f
}

// objectID is an ObjectId as lower-case hex.
type objectID string

// scalar normalizes a value for comparison: numbers become number, ObjectIds objectID, documents
// map[string]any, arrays []any; Extended JSON wrappers for ObjectIds and numbers are unwrapped.
func scalar(v any) any {
	switch t := v.(type) {
	case nil, string, bool:
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return number{i: i, isInt: true}
		}
		if f, err := t.Float64(); err == nil {
			return number{f: f}
		}
		return string(t)
	case int:
		return number{i: int64(t), isInt: true}
	case int8:
		return number{i: int64(t), isInt: true}
	case int16:
		return number{i: int64(t), isInt: true}
	case int32:
		return number{i: int64(t), isInt: true}
	case int64:
		return number{i: t, isInt: true}
	case uint8:
		return number{i: int64(t), isInt: true}
	case uint16:
		return number{i: int64(t), isInt: true}
	case uint32:
		return number{i: int64(t), isInt: true}
	case uint:
		return unsigned(uint64(t))
	case uint64:
		return unsigned(t)
	case float32:
		return number{f: float64(t)}
	case float64:
		return number{f: t}
	case bson.ObjectID:
		return objectID(t.Hex())
	}
	if m, ok := asDoc(v); ok {
		if w, ok := wrapper(m); ok {
			return w
		}
		return m
	}
	if a, ok := asArray(v); ok {
		return a
	}
	return v
}

func unsigned(u uint64) number {
	if u <= math.MaxInt64 {
		return number{i: int64(u), isInt: true}
	}
	return number{f: float64(u)}
}

// wrapper unwraps the Extended JSON forms of ObjectIds and numbers.
func wrapper(m map[string]any) (any, bool) {
	if len(m) != 1 {
		return nil, false
	}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		switch k {
		case "$oid":
			if len(s) == 24 {
				if _, err := bson.ObjectIDFromHex(s); err == nil {
					return objectID(strings.ToLower(s)), true
				}
			}
		case "$numberLong", "$numberInt":
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return number{i: i, isInt: true}, true
			}
		case "$numberDouble":
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return number{f: f}, true
			}
		}
	}
	return nil, false
}

// asDoc returns v as a document, if it is one.
func asDoc(v any) (map[string]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		return t, true
	case bson.M:
		return map[string]any(t), true
	case bson.D:
		m := make(map[string]any, len(t))
		for _, el := range t {
			if _, dup := m[el.Key]; !dup {
				m[el.Key] = el.Value
			}
		}
		return m, true
	}
	return nil, false
}

// asArray returns v as an array, if it is one.
func asArray(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case bson.A:
		return []any(t), true
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// lookup returns the values a dotted path reaches in v, as a MongoDB query would: a segment that is an
// index reaches into an array, and a path continues into each embedded document of an array.
func lookup(v any, path []string) []any {
	if len(path) == 0 {
		return []any{v}
	}
	if m, ok := asDoc(v); ok {
		next, ok := m[path[0]]
		if !ok {
			return nil
		}
		return lookup(next, path[1:])
	}
	if arr, ok := asArray(v); ok {
		var out []any
		if i, err := strconv.Atoi(path[0]); err == nil && i >= 0 && i < len(arr) {
			out = append(out, lookup(arr[i], path[1:])...)
		}
		for _, el := range arr {
			if _, ok := asDoc(el); ok {
				out = append(out, lookup(el, path)...)
			}
		}
		return out
	}
	return nil
}

// candidates are the values a comparison looks at: each value, and the elements of each array value.
func candidates(vals []any) []any {
	out := vals
	for _, v := range vals {
		if arr, ok := asArray(v); ok {
			if len(out) == len(vals) {
				out = append([]any(nil), vals...)
			}
			out = append(out, arr...)
		}
	}
	return out
}

// equal compares two values by BSON value. An ObjectId equals its hex string (see the package doc).
func equal(a, b any) bool {
	a, b = scalar(a), scalar(b)
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		switch y := b.(type) {
		case string:
			return x == y
		case objectID:
			return strings.EqualFold(x, string(y))
		}
		return false
	case objectID:
		switch y := b.(type) {
		case objectID:
			return x == y
		case string:
			return strings.EqualFold(string(x), y)
		}
		return false
	case number:
		y, ok := b.(number)
		if !ok {
			return false
		}
		if x.isInt && y.isInt {
			return x.i == y.i
		}
		return x.float() == y.float()
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// order compares numbers with numbers and strings with strings; other pairs are not ordered.
func order(a, b any) (int, bool) {
	a, b = scalar(a), scalar(b)
	switch x := a.(type) {
	case number:
		y, ok := b.(number)
		if !ok {
			return 0, false
		}
		if x.isInt && y.isInt {
			return cmp.Compare(x.i, y.i), true
		}
		xf, yf := x.float(), y.float()
		if math.IsNaN(xf) || math.IsNaN(yf) {
			return 0, false
		}
		return cmp.Compare(xf, yf), true
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	}
	return 0, false
}
