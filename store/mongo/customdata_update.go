package mongo

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
)

// Updates are applied in Go to the stored document, held as a tree: nested
// documents are bson.D, every other value the stored bytes (bson.RawValue).
// A field the update does not name is written back byte for byte, so it
// keeps its BSON type (an int32 stays an int32).

// tree turns a stored document into an editable bson.D.
func tree(raw bson.Raw) (bson.D, error) {
	elems, err := raw.Elements()
	if err != nil {
		return nil, fmt.Errorf("store: malformed custom data document: %w", err)
	}
	d := make(bson.D, 0, len(elems))
	for _, e := range elems {
		v := e.Value()
		if v.Type == bson.TypeEmbeddedDocument {
			sub, err := tree(v.Document())
			if err != nil {
				return nil, err
			}
			d = append(d, bson.E{Key: e.Key(), Value: sub})
			continue
		}
		d = append(d, bson.E{Key: e.Key(), Value: v})
	}
	return d, nil
}

func indexOf(d bson.D, key string) int {
	for i := range d {
		if d[i].Key == key {
			return i
		}
	}
	return -1
}

// setField replaces the value of key in place, or appends it.
func setField(d bson.D, key string, v any) bson.D {
	if i := indexOf(d, key); i >= 0 {
		d[i].Value = v
		return d
	}
	return append(d, bson.E{Key: key, Value: v})
}

func removeField(d bson.D, key string) bson.D {
	if i := indexOf(d, key); i >= 0 {
		return append(d[:i], d[i+1:]...)
	}
	return d
}

// update is a validated store.CustomDataUpdate.
type update struct {
	set   bson.D
	unset [][]string
	inc   []incOp
}

type incOp struct {
	path  []string
	delta any // int32, int64 or float64
}

// parseUpdate validates u. reserved are the top-level fields an update may
// not touch: _id, the user id field and Lanyard's version field.
func parseUpdate(u store.CustomDataUpdate, reserved []string) (*update, error) {
	up := &update{}
	var err error
	if up.set, err = parseDoc(u.Set, "set"); err != nil {
		return nil, inList("set", err)
	}
	// Every path the update names, to refuse one named twice (or a
	// path and its prefix: "a" and "a.b").
	var paths []string
	claim := func(list, p string) error {
		for _, q := range paths {
			if p == q || strings.HasPrefix(p, q+".") || strings.HasPrefix(q, p+".") {
				return invalid("%s path %q overlaps %q named elsewhere in the update", list, p, q)
			}
		}
		paths = append(paths, p)
		return nil
	}
	for _, e := range up.set {
		if err := checkReserved("set", e.Key, reserved); err != nil {
			return nil, err
		}
		if err := claim("set", e.Key); err != nil {
			return nil, err
		}
	}
	for _, p := range u.Unset {
		segs, err := splitPath("unset", p, reserved)
		if err != nil {
			return nil, err
		}
		if err := claim("unset", p); err != nil {
			return nil, err
		}
		up.unset = append(up.unset, segs)
	}
	inc, err := parseObject(u.Inc, "inc")
	if err != nil {
		return nil, err
	}
	for _, m := range inc {
		segs, err := splitPath("inc", m.key, reserved)
		if err != nil {
			return nil, err
		}
		if len(segs) > store.MaxCustomDataDepth {
			// The number lands at the level of its last segment.
			return nil, inList("inc", invalidAt(m.key, "inc path %q is %d levels deep; MongoDB, and so Lanyard, stores at most %d",
				m.key, len(segs), store.MaxCustomDataDepth))
		}
		if err := claim("inc", m.key); err != nil {
			return nil, err
		}
		delta, err := incDelta(m)
		if err != nil {
			return nil, inList("inc", err)
		}
		up.inc = append(up.inc, incOp{path: segs, delta: delta})
	}
	if len(paths) == 0 {
		return nil, invalid("the update sets, unsets and increments nothing")
	}
	return up, nil
}

func checkReserved(list, key string, reserved []string) error {
	for _, r := range reserved {
		if key == r {
			return invalid("%s may not change %q", list, key)
		}
	}
	return nil
}

// splitPath validates a dotted path: no empty segment, none starting with
// `$` or holding a character FerretDB v1 cannot store, and not inside a
// reserved field.
func splitPath(list, p string, reserved []string) ([]string, error) {
	if p == "" {
		return nil, invalid("empty %s path", list)
	}
	segs := strings.Split(p, ".")
	for _, s := range segs {
		switch {
		case s == "":
			return nil, invalid("%s path %q has an empty segment", list, p)
		case strings.HasPrefix(s, "$"):
			return nil, invalid("%s path %q has a segment starting with '$'", list, p)
		}
		if err := checkKeyChars(list+" path", s, p); err != nil {
			return nil, err
		}
	}
	if err := checkReserved(list, segs[0], reserved); err != nil {
		return nil, err
	}
	return segs, nil
}

// incDelta reads an increment: a JSON number or a numeric wrapper.
func incDelta(m jsonMember) (any, error) {
	switch m.val.(type) {
	case json.Number, jsonObject:
		v, err := valueFromJSON(m.val, m.key, 1)
		if err != nil {
			return nil, err
		}
		switch v.(type) {
		case int32, int64, float64:
			return v, nil
		}
	}
	return nil, invalid("inc value of %q is not a number", m.key)
}

// apply changes doc (a tree, see tree) and returns it: set, then unset,
// then inc (they name disjoint paths, so the order does not matter).
func (up *update) apply(doc bson.D) (bson.D, error) {
	for _, e := range up.set {
		doc = setField(doc, e.Key, e.Value)
	}
	for _, p := range up.unset {
		doc = unsetPath(doc, p)
	}
	for _, op := range up.inc {
		var err error
		if doc, err = incPath(doc, op.path, op.delta); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// unsetPath removes the field at path; a path that leads nowhere (a
// missing field, or through a value that is not a document) changes
// nothing, as in MongoDB.
func unsetPath(d bson.D, path []string) bson.D {
	if len(path) == 1 {
		return removeField(d, path[0])
	}
	i := indexOf(d, path[0])
	if i < 0 {
		return d
	}
	if sub, ok := d[i].Value.(bson.D); ok {
		d[i].Value = unsetPath(sub, path[1:])
	}
	return d
}

// incPath adds delta to the number at path; missing fields (and missing
// intermediate documents) start at 0.
func incPath(d bson.D, path []string, delta any) (bson.D, error) {
	i := indexOf(d, path[0])
	if len(path) > 1 {
		var sub bson.D
		if i >= 0 {
			var ok bool
			if sub, ok = d[i].Value.(bson.D); !ok {
				return nil, invalid("cannot increment inside %q: it is not a document", path[0])
			}
		}
		sub, err := incPath(sub, path[1:], delta)
		if err != nil {
			return nil, err
		}
		return setField(d, path[0], sub), nil
	}
	if i < 0 {
		return append(d, bson.E{Key: path[0], Value: delta}), nil
	}
	sum, err := add(d[i].Value, delta)
	if err != nil {
		return nil, invalid("cannot increment %q: %v", path[0], err)
	}
	d[i].Value = sum
	return d, nil
}

// add adds like MongoDB's $inc: int32 stays int32 until it overflows into
// int64; int64 overflow is an error; a double on either side gives a
// double.
func add(stored, delta any) (any, error) {
	a, err := number(stored)
	if err != nil {
		return nil, err
	}
	b, _ := number(delta)
	ia, aInt := a.(int64)
	ib, bInt := b.(int64)
	if aInt && bInt {
		s := ia + ib
		if (ib > 0 && s < ia) || (ib < 0 && s > ia) {
			return nil, fmt.Errorf("the sum overflows a 64-bit integer")
		}
		if _, a32 := storedInt32(stored); a32 {
			if _, b32 := delta.(int32); b32 && s >= math.MinInt32 && s <= math.MaxInt32 {
				return int32(s), nil
			}
		}
		return s, nil
	}
	s := toFloat(a) + toFloat(b)
	if math.IsInf(s, 0) {
		return nil, fmt.Errorf("the sum overflows a double")
	}
	return s, nil
}

// number reads a stored or parsed number as int64 or float64.
func number(v any) (any, error) {
	switch v := v.(type) {
	case int32:
		return int64(v), nil
	case int64, float64:
		return v, nil
	case bson.RawValue:
		switch v.Type {
		case bson.TypeInt32:
			return int64(v.Int32()), nil
		case bson.TypeInt64:
			return v.Int64(), nil
		case bson.TypeDouble:
			return v.Double(), nil
		}
		return nil, fmt.Errorf("it holds a %s, not a number Lanyard can increment", v.Type)
	case bson.D:
		return nil, fmt.Errorf("it holds a document, not a number")
	}
	return nil, fmt.Errorf("it holds a %T, not a number", v)
}

func storedInt32(v any) (int32, bool) {
	switch v := v.(type) {
	case int32:
		return v, true
	case bson.RawValue:
		return v.Int32OK()
	}
	return 0, false
}

func toFloat(v any) float64 {
	if i, ok := v.(int64); ok {
		return float64(i)
	}
	return v.(float64)
}
