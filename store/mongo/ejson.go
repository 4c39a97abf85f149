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
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/lanyardhq/lanyard/internal/jsonscan"
	"github.com/lanyardhq/lanyard/store"
)

// Custom data crosses the API as Relaxed Extended JSON v2, with one
// exception: an int64 outside ±2^53 keeps its {"$numberLong": "…"} wrapper,
// because JavaScript (and protobuf's Struct, whose numbers are doubles)
// would round it.
//
// Reading, the stored BSON is rendered here, as the driver's relaxed writer
// would render it but for those int64s (see encodeDoc), so what the API
// shows is exactly what is stored.
//
// Writing, JSON is parsed here rather than by the driver, because the rules
// differ from its relaxed parser: a whole number becomes int32 when it
// fits, else int64, else double; only the wrappers Lanyard can store on
// every engine are accepted ($numberDecimal is refused: FerretDB v1 panics
// on Decimal128, and so it does on NaN, which is refused with ±Infinity,
// which it rejects); keys that are empty, start with `$` or contain a dot
// are refused (FerretDB v1 refuses the last two, MongoDB reads dotted keys
// as paths), and so are keys holding a quote, a backslash or a control
// character and arrays directly inside arrays (FerretDB v1 fails on them).
// Refusing everywhere what one engine cannot store keeps the data
// movable between engines.

// maxExactInt is 2^53: every integer of smaller magnitude is a double too.
const maxExactInt = 1 << 53

// errMalformed is what rendering says of bytes that are not BSON.
var errMalformed = errors.New("store: malformed custom data document")

// tooDeepError is what rendering says of a document holding a value beyond store.MaxCustomDataDepth,
// which writes through Lanyard never store. field is the top-level field it is in, filled in as the
// recursion unwinds.
type tooDeepError struct{ field string }

func (e *tooDeepError) Error() string {
	return fmt.Sprintf("%v: it nests deeper than %d levels (MongoDB's limit) in the field %q",
		store.ErrCustomDataUnreadable, store.MaxCustomDataDepth, e.field)
}

func (e *tooDeepError) Unwrap() error { return store.ErrCustomDataUnreadable }

// encodeDoc renders a stored document as the API shows it, leaving out the top-level field hide
// (Lanyard's version field).
//
// It writes the JSON itself rather than through the driver's Extended JSON writer, which renders a
// document by marshalling it to BSON again and copies every string twice on the way: for a 4 KB
// document that was most of what reading custom data cost a refresh (BenchmarkEncodeDoc). The output is
// the driver's relaxed rendering byte for byte (TestEncodeDocMatchesDriver, FuzzEncodeDoc), except where
// the driver writes invalid JSON (it does not escape a DBPointer's namespace): this output is always
// valid JSON, whatever the document holds.
func encodeDoc(raw bson.Raw, hide string) (json.RawMessage, error) {
	out, err := appendDoc(make([]byte, 0, len(raw)+len(raw)/4+16), raw, hide, 1)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// encodeValue renders one value the same way (a document _id, as claim keys and
// ShadowedUser.DocumentIDs carry it).
func encodeValue(v bson.RawValue) (string, error) {
	out, err := appendValue(nil, bsoncore.Value{Type: bsoncore.Type(v.Type), Data: v.Value}, 1)
	if td, ok := err.(*tooDeepError); ok {
		td.field = "_id"
	}
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// appendDoc appends the document raw, whose fields are at the given level (see
// store.MaxCustomDataDepth), as a JSON object, without its top-level field hide.
func appendDoc(dst, raw []byte, hide string, level int) ([]byte, error) {
	n, _, ok := bsoncore.ReadLength(raw)
	if !ok || n < 5 || int(n) > len(raw) || raw[n-1] != 0 {
		return nil, errMalformed
	}
	if n > 5 && level > store.MaxCustomDataDepth {
		return nil, &tooDeepError{}
	}
	dst = append(dst, '{')
	first := true
	for rest := raw[4 : n-1]; len(rest) > 0; {
		var e bsoncore.Element
		if e, rest, ok = bsoncore.ReadElement(rest); !ok {
			return nil, errMalformed
		}
		key, err := e.KeyBytesErr()
		if err != nil {
			return nil, errMalformed
		}
		if hide != "" && string(key) == hide {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, key)
		dst = append(dst, ':')
		if dst, err = appendValue(dst, e.Value(), level); err != nil {
			if td, ok := err.(*tooDeepError); ok && level == 1 {
				td.field = string(key)
			}
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// appendArray appends the array raw (a document keyed "0", "1", …), whose elements are at the given
// level, as a JSON array.
func appendArray(dst, raw []byte, level int) ([]byte, error) {
	n, _, ok := bsoncore.ReadLength(raw)
	if !ok || n < 5 || int(n) > len(raw) || raw[n-1] != 0 {
		return nil, errMalformed
	}
	if n > 5 && level > store.MaxCustomDataDepth {
		return nil, &tooDeepError{}
	}
	dst = append(dst, '[')
	for rest, i := raw[4:n-1], 0; len(rest) > 0; i++ {
		var e bsoncore.Element
		if e, rest, ok = bsoncore.ReadElement(rest); !ok {
			return nil, errMalformed
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendValue(dst, e.Value(), level); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

// appendValue appends one value, held at the given level, in relaxed Extended JSON v2, an int64
// outside ±2^53 keeping its $numberLong wrapper.
func appendValue(dst []byte, v bsoncore.Value, level int) ([]byte, error) {
	ok := true
	switch v.Type {
	case bsoncore.TypeDouble:
		var f float64
		if f, ok = v.DoubleOK(); ok {
			dst = appendDouble(dst, f)
		}
	case bsoncore.TypeString:
		var s []byte
		if s, ok = stringData(v.Data); ok {
			dst = appendString(dst, s)
		}
	case bsoncore.TypeEmbeddedDocument:
		return appendDoc(dst, v.Data, "", level+1)
	case bsoncore.TypeArray:
		return appendArray(dst, v.Data, level+1)
	case bsoncore.TypeBinary:
		var sub byte
		var data []byte
		if sub, data, ok = v.BinaryOK(); ok {
			dst = append(dst, `{"$binary":{"base64":"`...)
			dst = base64.StdEncoding.AppendEncode(dst, data)
			dst = append(dst, `","subType":"`...)
			dst = hex.AppendEncode(dst, []byte{sub})
			dst = append(dst, `"}}`...)
		}
	case bsoncore.TypeUndefined:
		dst = append(dst, `{"$undefined":true}`...)
	case bsoncore.TypeObjectID:
		var oid bson.ObjectID
		if oid, ok = v.ObjectIDOK(); ok {
			dst = appendOID(dst, oid)
		}
	case bsoncore.TypeBoolean:
		var b bool
		if b, ok = v.BooleanOK(); ok {
			dst = strconv.AppendBool(dst, b)
		}
	case bsoncore.TypeDateTime:
		var ms int64
		if ms, ok = v.DateTimeOK(); ok {
			dst = appendDate(dst, ms)
		}
	case bsoncore.TypeNull:
		dst = append(dst, "null"...)
	case bsoncore.TypeRegex:
		var pattern, options string
		if pattern, options, ok = v.RegexOK(); ok {
			opts := []byte(options)
			slices.Sort(opts)
			dst = append(dst, `{"$regularExpression":{"pattern":`...)
			dst = appendString(dst, []byte(pattern))
			dst = append(dst, `,"options":`...)
			dst = appendString(dst, opts)
			dst = append(dst, `}}`...)
		}
	case bsoncore.TypeDBPointer:
		var ns string
		var oid bson.ObjectID
		if ns, oid, ok = v.DBPointerOK(); ok {
			dst = append(dst, `{"$dbPointer":{"$ref":`...)
			dst = appendString(dst, []byte(ns))
			dst = append(dst, `,"$id":`...)
			dst = appendOID(dst, oid)
			dst = append(dst, `}}`...)
		}
	case bsoncore.TypeJavaScript:
		var code []byte
		if code, ok = stringData(v.Data); ok {
			dst = append(dst, `{"$code":`...)
			dst = append(appendString(dst, code), '}')
		}
	case bsoncore.TypeSymbol:
		var sym []byte
		if sym, ok = stringData(v.Data); ok {
			dst = append(dst, `{"$symbol":`...)
			dst = append(appendString(dst, sym), '}')
		}
	case bsoncore.TypeCodeWithScope:
		var code string
		var scope bsoncore.Document
		if code, scope, ok = v.CodeWithScopeOK(); ok {
			dst = append(dst, `{"$code":`...)
			dst = appendString(dst, []byte(code))
			dst = append(dst, `,"$scope":`...)
			// MongoDB does not look into a scope when it counts levels; counting it as a document
			// still bounds the recursion.
			var err error
			if dst, err = appendDoc(dst, scope, "", level+1); err != nil {
				return nil, err
			}
			dst = append(dst, '}')
		}
	case bsoncore.TypeInt32:
		var i int32
		if i, ok = v.Int32OK(); ok {
			dst = strconv.AppendInt(dst, int64(i), 10)
		}
	case bsoncore.TypeTimestamp:
		var t, i uint32
		if t, i, ok = v.TimestampOK(); ok {
			dst = append(dst, `{"$timestamp":{"t":`...)
			dst = strconv.AppendUint(dst, uint64(t), 10)
			dst = append(dst, `,"i":`...)
			dst = strconv.AppendUint(dst, uint64(i), 10)
			dst = append(dst, `}}`...)
		}
	case bsoncore.TypeInt64:
		var n int64
		if n, ok = v.Int64OK(); ok {
			if n > maxExactInt || n < -maxExactInt {
				dst = append(dst, `{"$numberLong":"`...)
				dst = append(strconv.AppendInt(dst, n, 10), `"}`...)
			} else {
				dst = strconv.AppendInt(dst, n, 10)
			}
		}
	case bsoncore.TypeDecimal128:
		var h, l uint64
		if h, l, ok = v.Decimal128OK(); ok {
			dst = append(dst, `{"$numberDecimal":"`...)
			dst = append(append(dst, bson.NewDecimal128(h, l).String()...), `"}`...)
		}
	case bsoncore.TypeMinKey:
		dst = append(dst, `{"$minKey":1}`...)
	case bsoncore.TypeMaxKey:
		dst = append(dst, `{"$maxKey":1}`...)
	default:
		ok = false
	}
	if !ok {
		return nil, errMalformed
	}
	return dst, nil
}

// stringData is the bytes of a BSON string (length, bytes, NUL).
func stringData(data []byte) ([]byte, bool) {
	n, rest, ok := bsoncore.ReadLength(data)
	if !ok || n < 1 || int(n) > len(rest) || rest[n-1] != 0 {
		return nil, false
	}
	return rest[:n-1], true
}

// appendDouble writes a finite double as the shortest decimal that reads back the same, with ".0" on a
// whole number so that it reads back as a double; the others as $numberDouble wrappers.
func appendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, `{"$numberDouble":"Infinity"}`...)
	case math.IsInf(f, -1):
		return append(dst, `{"$numberDouble":"-Infinity"}`...)
	case math.IsNaN(f):
		return append(dst, `{"$numberDouble":"NaN"}`...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'G', -1, 64)
	if !bytes.ContainsAny(dst[start:], ".E") {
		dst = append(dst, ".0"...)
	}
	return dst
}

// appendDate writes a date between the years 1970 and 9999 as an ISO-8601 string, others as
// milliseconds.
func appendDate(dst []byte, ms int64) []byte {
	t := time.UnixMilli(ms).UTC()
	if t.Year() < 1970 || t.Year() > 9999 {
		dst = append(dst, `{"$date":{"$numberLong":"`...)
		return append(strconv.AppendInt(dst, ms, 10), `"}}`...)
	}
	dst = append(dst, `{"$date":"`...)
	return append(t.AppendFormat(dst, "2006-01-02T15:04:05.999Z07:00"), `"}`...)
}

func appendOID(dst []byte, oid bson.ObjectID) []byte {
	dst = append(dst, `{"$oid":"`...)
	return append(hex.AppendEncode(dst, oid[:]), `"}`...)
}

// appendString writes s as a JSON string, escaping as the driver does: quote, backslash and control
// characters, U+2028 and U+2029 (for JSONP), and each byte of invalid UTF-8 as U+FFFD. HTML characters
// are left as they are.
func appendString(dst, s []byte) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i += jsonscan.PlainPrefix(s[i:]); i == len(s) {
			break
		}
		b := s[i]
		if b >= 0x20 && b != '"' && b != '\\' && b < utf8.RuneSelf {
			i++
			continue
		}
		var esc string
		size := 1
		if b < utf8.RuneSelf {
			switch b {
			case '"':
				esc = `\"`
			case '\\':
				esc = `\\`
			case '\n':
				esc = `\n`
			case '\r':
				esc = `\r`
			case '\t':
				esc = `\t`
			case '\b':
				esc = `\b`
			case '\f':
				esc = `\f`
			default:
				esc = `\u00` + hexDigits[b>>4:b>>4+1] + hexDigits[b&0xF:b&0xF+1]
			}
		} else {
			var r rune
			r, size = utf8.DecodeRune(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				esc = `\ufffd`
			case r == '\u2028':
				esc = `\u2028`
			case r == '\u2029':
				esc = `\u2029`
			default:
				i += size
				continue
			}
		}
		dst = append(append(dst, s[start:i]...), esc...)
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// invalid wraps store.ErrInvalidUpdate with what is wrong.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalidUpdate, fmt.Sprintf(format, args...))
}

// invalidAt is invalid about the field at path (within its list; see inList).
func invalidAt(path, format string, args ...any) error {
	return &store.FieldError{Field: path, Err: invalid(format, args...)}
}

// inList puts the field of a FieldError under the list of the update it came in ("set", "inc").
func inList(list string, err error) error {
	var fe *store.FieldError
	if errors.As(err, &fe) {
		fe.Field = joinPath(list, fe.Field)
	}
	return err
}

// tooDeep refuses a value at path held at level, beyond store.MaxCustomDataDepth. It names the
// top-level field: the path itself is over a hundred segments long.
func tooDeep(path string, level int) error {
	top, _, _ := strings.Cut(path, ".")
	return invalidAt(top, "field %q holds a value %d levels deep; MongoDB, and so Lanyard, stores at most %d (the document's own fields are level 1)",
		top, level, store.MaxCustomDataDepth)
}

// parseDoc parses a JSON object (Set, or a whole replacement document)
// into a document whose values are ready to store. what names it in
// errors.
func parseDoc(data []byte, what string) (bson.D, error) {
	obj, err := parseObject(data, what)
	if err != nil {
		return nil, err
	}
	return docFromJSON(obj, "", 1)
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

// docFromJSON converts an object whose keys are field names, at the given
// level (see store.MaxCustomDataDepth). path locates it in errors.
func docFromJSON(obj jsonObject, path string, level int) (bson.D, error) {
	if len(obj) > 0 && level > store.MaxCustomDataDepth {
		return nil, tooDeep(joinPath(path, obj[0].key), level)
	}
	d := make(bson.D, 0, len(obj))
	for _, m := range obj {
		p := joinPath(path, m.key)
		if err := checkKey(m.key, p); err != nil {
			return nil, err
		}
		v, err := valueFromJSON(m.val, p, level)
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
	return checkKeyChars("key", key, path)
}

// checkKeyChars refuses a quote, a backslash or a control character in a field name: FerretDB v1
// fails on them with an internal error (its SQL engines keep documents as JSON and do not escape keys).
func checkKeyChars(what, key, path string) error {
	for _, r := range key {
		var name string
		switch {
		case r == '"':
			name = "a quote"
		case r == '\\':
			name = "a backslash"
		case r < 0x20:
			name = "a control character"
		default:
			continue
		}
		return invalid("%s %q contains %s: not supported (FerretDB v1 cannot store it)", what, path, name)
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// valueFromJSON converts one value, held at the given level; objects whose
// first key starts with `$` are Extended JSON wrappers.
func valueFromJSON(v any, path string, level int) (any, error) {
	switch v := v.(type) {
	case jsonObject:
		if len(v) > 0 && strings.HasPrefix(v[0].key, "$") {
			return wrapperFromJSON(v, path)
		}
		return docFromJSON(v, path, level+1)
	case []any:
		if len(v) > 0 && level+1 > store.MaxCustomDataDepth {
			return nil, tooDeep(joinPath(path, "0"), level+1)
		}
		a := make(bson.A, len(v))
		for i, x := range v {
			p := joinPath(path, strconv.Itoa(i))
			if _, nested := x.([]any); nested {
				return nil, invalid("array at %q directly inside an array: not supported (FerretDB v1 cannot store it)", p)
			}
			var err error
			if a[i], err = valueFromJSON(x, p, level+1); err != nil {
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
		return nil, invalidAt(path, "number at %q is out of range", path)
	}
	return unsignedZero(f), nil
}

// unsignedZero turns -0 into 0 (as a whole number's "-0" becomes the
// int32 0): FerretDB v1 drops the sign, so -0 is 0 on every engine, and a
// write returns what later reads return.
func unsignedZero(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// wrapperFromJSON parses the Extended JSON wrappers Lanyard stores.
func wrapperFromJSON(obj jsonObject, path string) (any, error) {
	name, val := obj[0].key, obj[0].val
	if len(obj) != 1 {
		return nil, invalid("%s at %q must be the only key of its object", name, path)
	}
	str, isString := val.(string)
	bad := func(want string) error { return invalidAt(path, "%s at %q must be %s", name, path, want) }
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
		if !isString || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			// NaN (in any of the spellings ParseFloat reads) panics
			// FerretDB v1 and it refuses infinities: refused everywhere,
			// so that data moves between engines.
			return nil, bad("a finite number in a string (NaN and Infinity are not supported)")
		}
		return unsignedZero(f), nil

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
