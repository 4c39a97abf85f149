package functions

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dop251/goja"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ObjectID is a BSON ObjectId crossing between Go and JavaScript: a BSON.ObjectId a function returns
// comes back to Go as an ObjectID, and an ObjectID given as an argument reaches the function as a
// BSON.ObjectId.
type ObjectID [12]byte

// Hex is the ObjectId's 24 lowercase hexadecimal digits, as toHexString() gives them.
func (id ObjectID) Hex() string { return hex.EncodeToString(id[:]) }

// String is Hex.
func (id ObjectID) String() string { return id.Hex() }

// MarshalJSON renders the ObjectId as Extended JSON ({"$oid": "..."}).
func (id ObjectID) MarshalJSON() ([]byte, error) {
	return []byte(`{"$oid":"` + id.Hex() + `"}`), nil
}

// ObjectIDFromHex parses 24 hexadecimal digits.
func ObjectIDFromHex(s string) (ObjectID, error) {
	var id ObjectID
	if len(s) != 24 {
		return id, fmt.Errorf("functions: %q is not a 24-digit hexadecimal ObjectId", s)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("functions: %q is not a 24-digit hexadecimal ObjectId", s)
	}
	return id, nil
}

// maxDepth bounds the nesting of values crossing between Go and JavaScript, which also stops cycles.
const maxDepth = 100

var errTooDeep = errors.New("the value is nested too deeply (or refers to itself)")

// toJS converts a Go value (JSON-like, plus time.Time and ObjectID, and what the bson package decodes)
// to JavaScript.
func (r *runner) toJS(v any, depth int) (goja.Value, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	rt := r.rt
	switch x := v.(type) {
	case nil:
		return goja.Null(), nil
	case string, bool, float64, float32, int, int8, int16, int32, int64, uint8, uint16, uint32:
		return rt.ToValue(x), nil
	case uint64:
		return rt.ToValue(float64(x)), nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", string(x))
		}
		return rt.ToValue(f), nil
	case time.Time:
		return rt.New(r.dateCtor, rt.ToValue(x.UnixMilli()))
	case bson.DateTime:
		return rt.New(r.dateCtor, rt.ToValue(int64(x)))
	case ObjectID:
		return rt.New(r.oidCtor, rt.ToValue(x.Hex()))
	case bson.ObjectID:
		return rt.New(r.oidCtor, rt.ToValue(x.Hex()))
	case map[string]any:
		o := rt.NewObject()
		for _, k := range sortedKeys(x) {
			e, err := r.toJS(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			_ = o.Set(k, e)
		}
		return o, nil
	case bson.M:
		return r.toJS(map[string]any(x), depth)
	case bson.D:
		o := rt.NewObject()
		for _, e := range x {
			j, err := r.toJS(e.Value, depth+1)
			if err != nil {
				return nil, err
			}
			_ = o.Set(e.Key, j)
		}
		return o, nil
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			j, err := r.toJS(e, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = j
		}
		return rt.NewArray(items...), nil
	case bson.A:
		return r.toJS([]any(x), depth)
	case []string:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return r.toJS(items, depth)
	case []map[string]any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return r.toJS(items, depth)
	case bson.Decimal128:
		return rt.ToValue(x.String()), nil
	case bson.Null, bson.Undefined:
		return goja.Null(), nil
	}
	switch v.(type) {
	case bson.Binary, bson.Regex, bson.Timestamp, bson.JavaScript, bson.Symbol, bson.CodeWithScope,
		bson.DBPointer, bson.MinKey, bson.MaxKey:
		// Other BSON types reach JavaScript as their Canonical Extended JSON, which a function can
		// read and EJSON.parse can turn back.
		if raw, err := extJSON(v, true); err == nil {
			var out any
			if err := json.Unmarshal(raw, &out); err == nil {
				return r.toJS(out, depth)
			}
		}
	}
	return nil, fmt.Errorf("a value of Go type %T cannot be given to a function", v)
}

// objectID returns the ObjectId o holds, if o is a BSON.ObjectId.
func (r *runner) objectID(o *goja.Object) (ObjectID, bool) {
	h := o.GetSymbol(r.oidSym)
	if h == nil || goja.IsUndefined(h) {
		return ObjectID{}, false
	}
	id, err := ObjectIDFromHex(h.String())
	return id, err == nil
}

// toGo converts a JavaScript value to plain Go values (see the package documentation).
func (r *runner) toGo(v goja.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		switch x := v.Export().(type) {
		case int64:
			return float64(x), nil
		case float64, string, bool:
			return x, nil
		}
		return v.String(), nil
	}
	if id, ok := r.objectID(o); ok {
		return id, nil
	}
	if _, fn := goja.AssertFunction(o); fn {
		return nil, nil
	}
	switch o.ClassName() {
	case "Date":
		t, ok := o.Export().(time.Time)
		if !ok {
			return nil, errors.New("an invalid Date")
		}
		return t.UTC(), nil
	case "Array":
		n := int(o.Get("length").ToInteger())
		out := make([]any, n)
		for i := range n {
			e, err := r.toGo(o.Get(fmt.Sprint(i)), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case "Error":
		return o.String(), nil
	}
	if _, isPromise := o.Export().(*goja.Promise); isPromise {
		return nil, errors.New("a Promise (missing await?)")
	}
	out := make(map[string]any)
	for _, k := range o.Keys() {
		e := o.Get(k)
		if e != nil && goja.IsUndefined(e) {
			continue
		}
		g, err := r.toGo(e, depth+1)
		if err != nil {
			return nil, err
		}
		out[k] = g
	}
	return out, nil
}

// toBSON converts a JavaScript value to BSON values for the database, keeping the order of keys.
// Integral numbers that fit are int32, as the Node.js driver stores them; other numbers are doubles.
func (r *runner) toBSON(v goja.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		switch x := v.Export().(type) {
		case int64:
			return number(float64(x)), nil
		case float64:
			return number(x), nil
		case string, bool:
			return x, nil
		}
		if s, ok := v.(*goja.Symbol); ok {
			return nil, fmt.Errorf("a symbol (%s) cannot be stored", s.String())
		}
		return v.String(), nil
	}
	if id, ok := r.objectID(o); ok {
		return bson.ObjectID(id), nil
	}
	if _, fn := goja.AssertFunction(o); fn {
		return nil, errors.New("a function cannot be stored")
	}
	switch o.ClassName() {
	case "Date":
		t, ok := o.Export().(time.Time)
		if !ok {
			return nil, errors.New("an invalid Date cannot be stored")
		}
		return bson.NewDateTimeFromTime(t), nil
	case "Array":
		n := int(o.Get("length").ToInteger())
		out := make(bson.A, n)
		for i := range n {
			e, err := r.toBSON(o.Get(fmt.Sprint(i)), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	if _, isPromise := o.Export().(*goja.Promise); isPromise {
		return nil, errors.New("a Promise cannot be stored (missing await?)")
	}
	keys := o.Keys()
	out := make(bson.D, 0, len(keys))
	for _, k := range keys {
		e := o.Get(k)
		if e != nil && goja.IsUndefined(e) {
			continue
		}
		b, err := r.toBSON(e, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, bson.E{Key: k, Value: b})
	}
	return out, nil
}

func number(f float64) any {
	if f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32 && !(f == 0 && math.Signbit(f)) {
		return int32(f)
	}
	return f
}

// extJSON renders any BSON value (a document or not) as Extended JSON.
func extJSON(v any, canonical bool) (json.RawMessage, error) {
	b, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: v}}, canonical, false)
	if err != nil {
		return nil, err
	}
	var w struct {
		V json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	return w.V, nil
}

// fromExtJSON parses any Extended JSON value (canonical or relaxed) into BSON values.
func fromExtJSON(raw []byte) (any, error) {
	if !json.Valid(raw) {
		return nil, errors.New("not valid JSON")
	}
	var w bson.D
	doc := append(append([]byte(`{"v":`), bytes.TrimSpace(raw)...), '}')
	if err := bson.UnmarshalExtJSON(doc, false, &w); err != nil {
		return nil, errors.New("not valid Extended JSON")
	}
	if len(w) != 1 {
		return nil, errors.New("not valid Extended JSON")
	}
	return w[0].Value, nil
}

// jsToExtJSON converts a JavaScript value to Canonical Extended JSON for the store.
func (r *runner) jsToExtJSON(v goja.Value) (json.RawMessage, error) {
	b, err := r.toBSON(v, 0)
	if err != nil {
		return nil, err
	}
	return extJSON(b, true)
}

// ejsonStringify is EJSON.stringify(value[, options]) and EJSON.stringify(value, replacer, space,
// options); the replacer is not supported.
func (r *runner) ejsonStringify(c goja.FunctionCall) goja.Value {
	opts := c.Argument(1)
	if len(c.Arguments) > 3 {
		opts = c.Argument(3)
	}
	canonical := false
	if o, ok := opts.(*goja.Object); ok {
		if _, fn := goja.AssertFunction(o); !fn && o.ClassName() != "Array" {
			if rel := o.Get("relaxed"); rel != nil && !goja.IsUndefined(rel) {
				canonical = !rel.ToBoolean()
			}
		}
	}
	b, err := r.toBSON(c.Argument(0), 0)
	if err != nil {
		r.throw("EJSON.stringify: %v", err)
	}
	raw, err := extJSON(b, canonical)
	if err != nil {
		r.throw("EJSON.stringify: the value cannot be rendered as Extended JSON")
	}
	if len(c.Arguments) > 2 {
		indent := ""
		switch s := c.Argument(2).Export().(type) {
		case int64:
			indent = fmt.Sprintf("%*s", min(max(int(s), 0), 10), "")
		case string:
			indent = s
		}
		if indent != "" {
			var buf bytes.Buffer
			if json.Indent(&buf, raw, "", indent) == nil {
				raw = buf.Bytes()
			}
		}
	}
	return r.rt.ToValue(string(raw))
}

// ejsonParse is EJSON.parse(text[, options]). Numbers come back as JavaScript numbers either way.
func (r *runner) ejsonParse(c goja.FunctionCall) goja.Value {
	s, ok := c.Argument(0).Export().(string)
	if !ok {
		r.throw("EJSON.parse: the argument must be a string")
	}
	v, err := fromExtJSON([]byte(s))
	if err != nil {
		panic(r.rt.NewTypeError("EJSON.parse: " + err.Error()))
	}
	j, err := r.toJS(v, 0)
	if err != nil {
		r.throw("EJSON.parse: %v", err)
	}
	return j
}
