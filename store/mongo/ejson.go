package mongo

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
)

// Custom data crosses the API as Relaxed Extended JSON v2, with one
// exception: an int64 outside ±2^53 keeps its {"$numberLong": "…"} wrapper,
// because JavaScript (and protobuf's Struct, whose numbers are doubles)
// would round it.
//
// Reading, the stored BSON is walked and every such int64 is swapped for
// the wrapper document before the driver renders the rest; every other
// value goes to the driver's relaxed writer as the stored bytes, so what
// the API shows is exactly what is stored.
//
// Writing, JSON is parsed here rather than by the driver, because the rules
// differ from its relaxed parser: a whole number becomes int32 when it
// fits, else int64, else double; only the wrappers Lanyard can store on
// every engine are accepted ($numberDecimal is refused: FerretDB v1 panics
// on Decimal128, and so it does on NaN, which is refused with ±Infinity,
// which it rejects); keys that are empty, start with `$` or contain a dot
// are refused (FerretDB v1 refuses the last two, MongoDB reads dotted keys
// as paths), and so are arrays directly inside arrays (FerretDB v1 refuses
// them). Refusing everywhere what one engine cannot store keeps the data
// movable between engines.

// maxExactInt is 2^53: every integer of smaller magnitude is a double too.
const maxExactInt = 1 << 53

// encodeDoc renders a stored document as the API shows it, leaving out the
// top-level field hide (Lanyard's version field).
func encodeDoc(raw bson.Raw, hide string) (json.RawMessage, error) {
	d, err := exactDoc(raw, hide)
	if err != nil {
		return nil, err
	}
	out, err := bson.MarshalExtJSON(d, false, false)
	if err != nil {
		return nil, fmt.Errorf("store: render custom data: %w", err)
	}
	return out, nil
}

// encodeValue renders one value the same way (a document _id, as claim
// keys and ShadowedUser.DocumentIDs carry it).
func encodeValue(v bson.RawValue) (string, error) {
	out, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: exactValue(v)}}, false, false)
	if err != nil {
		return "", fmt.Errorf("store: render a value: %w", err)
	}
	// {"v":<value>}
	return string(out[len(`{"v":`) : len(out)-1]), nil
}

// exactDoc rebuilds a document for rendering: nested documents and arrays
// are walked, big int64s become wrapper documents, everything else stays as
// stored.
func exactDoc(raw bson.Raw, hide string) (bson.D, error) {
	elems, err := raw.Elements()
	if err != nil {
		return nil, fmt.Errorf("store: malformed custom data document: %w", err)
	}
	d := make(bson.D, 0, len(elems))
	for _, e := range elems {
		if hide != "" && e.Key() == hide {
			continue
		}
		d = append(d, bson.E{Key: e.Key(), Value: exactValue(e.Value())})
	}
	return d, nil
}

func exactValue(v bson.RawValue) any {
	switch v.Type {
	case bson.TypeInt64:
		if n := v.Int64(); n > maxExactInt || n < -maxExactInt {
			return bson.D{{Key: "$numberLong", Value: strconv.FormatInt(n, 10)}}
		}
	case bson.TypeEmbeddedDocument:
		if d, err := exactDoc(v.Document(), ""); err == nil {
			return d
		}
	case bson.TypeArray:
		if vals, err := v.Array().Values(); err == nil {
			a := make(bson.A, len(vals))
			for i, x := range vals {
				a[i] = exactValue(x)
			}
			return a
		}
	}
	return v
}

// invalid wraps store.ErrInvalidUpdate with what is wrong.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalidUpdate, fmt.Sprintf(format, args...))
}

// parseDoc parses a JSON object (Set, or a whole replacement document)
// into a document whose values are ready to store. what names it in
// errors.
func parseDoc(data []byte, what string) (bson.D, error) {
	obj, err := parseObject(data, what)
	if err != nil {
		return nil, err
	}
	return docFromJSON(obj, "")
}

// parseObject reads a JSON object keeping the order of its keys. null or
// nothing reads as an empty object.
func parseObject(data []byte, what string) (jsonObject, error) {
	if t := bytes.TrimSpace(data); len(t) == 0 || string(t) == "null" {
		return jsonObject{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readJSON(dec)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("unexpected data after the object")
		}
	}
	if err != nil {
		return nil, invalid("%s is not valid JSON: %v", what, err)
	}
	obj, ok := v.(jsonObject)
	if !ok {
		return nil, invalid("%s is not a JSON object", what)
	}
	return obj, nil
}

// jsonObject is a JSON object in its key order. Other JSON values read as
// []any, string, json.Number, bool and nil.
type jsonObject []jsonMember

type jsonMember struct {
	key string
	val any
}

func readJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		obj := jsonObject{}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key := k.(string) // the decoder only yields string keys
			if seen[key] {
				return nil, fmt.Errorf("key %q appears twice", key)
			}
			seen[key] = true
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			obj = append(obj, jsonMember{key, v})
		}
		_, err := dec.Token() // '}'
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ']'
		return arr, err
	}
	return tok, nil // string, json.Number, bool or nil
}

// docFromJSON converts an object whose keys are field names. path locates
// it in errors.
func docFromJSON(obj jsonObject, path string) (bson.D, error) {
	d := make(bson.D, 0, len(obj))
	for _, m := range obj {
		p := joinPath(path, m.key)
		if err := checkKey(m.key, p); err != nil {
			return nil, err
		}
		v, err := valueFromJSON(m.val, p)
		if err != nil {
			return nil, err
		}
		d = append(d, bson.E{Key: m.key, Value: v})
	}
	return d, nil
}

// checkKey refuses field names no engine stores the same way.
func checkKey(key, path string) error {
	switch {
	case key == "":
		return invalid("empty key at %q", path)
	case strings.HasPrefix(key, "$"):
		return invalid("key %q starts with '$'", path)
	case strings.Contains(key, "."):
		return invalid("key %q contains '.'", path)
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// valueFromJSON converts one value; objects whose first key starts with
// `$` are Extended JSON wrappers.
func valueFromJSON(v any, path string) (any, error) {
	switch v := v.(type) {
	case jsonObject:
		if len(v) > 0 && strings.HasPrefix(v[0].key, "$") {
			return wrapperFromJSON(v, path)
		}
		return docFromJSON(v, path)
	case []any:
		a := make(bson.A, len(v))
		for i, x := range v {
			p := joinPath(path, strconv.Itoa(i))
			if _, nested := x.([]any); nested {
				return nil, invalid("array at %q directly inside an array: not supported (FerretDB v1 cannot store it)", p)
			}
			var err error
			if a[i], err = valueFromJSON(x, p); err != nil {
				return nil, err
			}
		}
		return a, nil
	case json.Number:
		return numberFromJSON(v, path)
	}
	return v, nil // string, bool, nil
}

// numberFromJSON applies the number rule: a whole number becomes int32
// when it fits, else int64, else double; any other number is a double.
func numberFromJSON(n json.Number, path string) (any, error) {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return int32(i), nil
			}
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, invalid("number at %q is out of range", path)
	}
	return f, nil
}

// wrapperFromJSON parses the Extended JSON wrappers Lanyard stores.
func wrapperFromJSON(obj jsonObject, path string) (any, error) {
	name, val := obj[0].key, obj[0].val
	if len(obj) != 1 {
		return nil, invalid("%s at %q must be the only key of its object", name, path)
	}
	str, isString := val.(string)
	bad := func(want string) error { return invalid("%s at %q must be %s", name, path, want) }
	switch name {
	case "$oid":
		oid, err := bson.ObjectIDFromHex(str)
		if !isString || err != nil {
			return nil, bad("24 hex characters")
		}
		return oid, nil

	case "$numberInt":
		i, err := strconv.ParseInt(str, 10, 32)
		if !isString || err != nil {
			return nil, bad("a 32-bit integer in a string")
		}
		return int32(i), nil

	case "$numberLong":
		i, err := strconv.ParseInt(str, 10, 64)
		if !isString || err != nil {
			return nil, bad("a 64-bit integer in a string")
		}
		return i, nil

	case "$numberDouble":
		f, err := strconv.ParseFloat(str, 64)
		if !isString || err != nil || str == "NaN" || math.IsInf(f, 0) {
			// NaN panics FerretDB v1 and it refuses infinities: refused
			// everywhere, so that data moves between engines.
			return nil, bad("a finite number in a string (NaN and Infinity are not supported)")
		}
		return f, nil

	case "$date":
		ms, ok := dateFromJSON(val)
		if !ok {
			return nil, bad(`an ISO-8601 date string or {"$numberLong": "<milliseconds>"}`)
		}
		return bson.DateTime(ms), nil

	case "$binary":
		b, ok := binaryFromJSON(val)
		if !ok {
			return nil, bad(`{"base64": "…", "subType": "<hex>"}`)
		}
		return b, nil

	case "$numberDecimal":
		return nil, invalid("$numberDecimal at %q: Decimal128 is not supported", path)
	}
	return nil, invalid("key %q starts with '$' (%s is not a supported Extended JSON wrapper)", joinPath(path, name), name)
}

// dateFromJSON reads the value of $date: relaxed (an RFC 3339 string),
// canonical ({"$numberLong": "…"}) or legacy (a whole number) milliseconds
// since the epoch.
func dateFromJSON(v any) (int64, bool) {
	switch v := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return 0, false
		}
		return t.UnixMilli(), true
	case json.Number:
		i, err := strconv.ParseInt(v.String(), 10, 64)
		return i, err == nil
	case jsonObject:
		if len(v) == 1 && v[0].key == "$numberLong" {
			if s, ok := v[0].val.(string); ok {
				i, err := strconv.ParseInt(s, 10, 64)
				return i, err == nil
			}
		}
	}
	return 0, false
}

// binaryFromJSON reads the value of $binary (Extended JSON v2).
func binaryFromJSON(v any) (bson.Binary, bool) {
	obj, ok := v.(jsonObject)
	if !ok || len(obj) != 2 {
		return bson.Binary{}, false
	}
	var b64, sub string
	for _, m := range obj {
		s, ok := m.val.(string)
		if !ok {
			return bson.Binary{}, false
		}
		switch m.key {
		case "base64":
			b64 = s
		case "subType":
			sub = s
		default:
			return bson.Binary{}, false
		}
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return bson.Binary{}, false
	}
	if len(sub) == 1 {
		sub = "0" + sub
	}
	st, err := hex.DecodeString(sub)
	if err != nil || len(st) != 1 {
		return bson.Binary{}, false
	}
	return bson.Binary{Subtype: st[0], Data: data}, true
}
