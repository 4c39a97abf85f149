// Package structwire writes a JSON object straight into protobuf's wire format as a
// google.protobuf.Struct, for the one response that carries an access token's custom data document
// (WhoAmI). Going through encoding/json, structpb and proto.Marshal built a map, a Value per member and
// a Struct per object, only to encode them at once: for a 4 KB document of a few dozen objects that was
// thousands of allocations and most of the call's CPU, on every call.
//
// What it writes decodes to the Struct that path builds, member for member (FuzzAppendField).
package structwire

import (
	"errors"
	"math"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/lanyardhq/lanyard/internal/jsonscan"
)

// maxDepth is encoding/json's nesting limit, so that the two refuse the same documents.
const maxDepth = 10000

var (
	errJSON    = errors.New("structwire: not a JSON object")
	errTooDeep = errors.New("structwire: nested too deeply")
	errNumber  = errors.New("structwire: a number a double cannot hold")
)

// Field numbers of google.protobuf.Struct, its map entries, Value and ListValue.
const (
	structFields protowire.Number = 1
	entryKey     protowire.Number = 1
	entryValue   protowire.Number = 2
	valueNull    protowire.Number = 1
	valueNumber  protowire.Number = 2
	valueString  protowire.Number = 3
	valueBool    protowire.Number = 4
	valueStruct  protowire.Number = 5
	valueList    protowire.Number = 6
	listValues   protowire.Number = 1
)

// AppendField appends to dst the message field num holding the Struct that encoding/json and structpb
// make of obj: a JSON object, or null for an empty Struct (as json.Unmarshal into a map reads it).
// Numbers become doubles, as encoding/json reads them, and strings are decoded as encoding/json decodes
// them (an invalid UTF-8 byte or a lone surrogate escape becomes U+FFFD). Anything encoding/json would
// refuse is an error, and dst is then returned unchanged.
func AppendField(dst []byte, num protowire.Number, obj []byte) ([]byte, error) {
	// A document's encoding is about 1.3 times as long as its JSON (more for one of many short numbers:
	// "a":1 is 16 bytes encoded); room for that up front spares the copies of a growing slice.
	out := dst
	if free := cap(dst) - len(dst); free < len(obj)+len(obj)/2+16 {
		out = make([]byte, len(dst), len(dst)+len(obj)+len(obj)/2+16)
		copy(out, dst)
	}
	w := writer{in: obj, out: out}
	field := w.open(num)
	w.space()
	switch w.peek() {
	case '{':
		if err := w.object(1); err != nil {
			return dst, err
		}
	case 'n':
		if !w.literal("null") {
			return dst, errJSON
		}
	default:
		return dst, errJSON
	}
	w.space()
	if w.i != len(w.in) {
		return dst, errJSON
	}
	w.close(field)
	return w.out, nil
}

// writer reads JSON from in, at i, and appends its encoding to out.
type writer struct {
	in  []byte
	i   int
	out []byte
}

// open starts a length-delimited field num: its tag, and one byte for its length, which close fixes
// once the contents are written. Most fields (map entries, short strings) are under 128 bytes, whose
// length is one byte, so that only the few larger ones are moved.
func (w *writer) open(num protowire.Number) (start int) {
	w.out = protowire.AppendTag(w.out, num, protowire.BytesType)
	w.out = append(w.out, 0)
	return len(w.out)
}

// close writes the length of the field whose contents start at start, moving them to make room when
// the length takes more than the byte open kept for it.
func (w *writer) close(start int) {
	n := len(w.out) - start
	if more := protowire.SizeVarint(uint64(n)) - 1; more > 0 {
		w.out = append(w.out, make([]byte, more)...)
		copy(w.out[start+more:], w.out[start:start+n])
	}
	// Appending to the prefix that ends at the length byte writes the length in place, over it and the
	// room just made.
	protowire.AppendVarint(w.out[:start-1], uint64(n))
}

func (w *writer) peek() byte {
	if w.i < len(w.in) {
		return w.in[w.i]
	}
	return 0
}

func (w *writer) space() {
	for w.i < len(w.in) {
		switch w.in[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

func (w *writer) literal(lit string) bool {
	if len(w.in)-w.i < len(lit) || string(w.in[w.i:w.i+len(lit)]) != lit {
		return false
	}
	w.i += len(lit)
	return true
}

// value reads one JSON value and writes it as the contents of a google.protobuf.Value.
func (w *writer) value(depth int) error {
	switch ch := w.peek(); {
	case ch == '{':
		field := w.open(valueStruct)
		if err := w.object(depth + 1); err != nil {
			return err
		}
		w.close(field)
	case ch == '[':
		field := w.open(valueList)
		if err := w.array(depth + 1); err != nil {
			return err
		}
		w.close(field)
	case ch == '"':
		field := w.open(valueString)
		if err := w.str(); err != nil {
			return err
		}
		w.close(field)
	case ch == 't' || ch == 'f':
		b := ch == 't'
		if !w.literal(strconv.FormatBool(b)) {
			return errJSON
		}
		w.out = protowire.AppendTag(w.out, valueBool, protowire.VarintType)
		w.out = protowire.AppendVarint(w.out, protowire.EncodeBool(b))
	case ch == 'n':
		if !w.literal("null") {
			return errJSON
		}
		// NullValue has one value, NULL_VALUE = 0.
		w.out = protowire.AppendTag(w.out, valueNull, protowire.VarintType)
		w.out = protowire.AppendVarint(w.out, 0)
	case ch == '-' || '0' <= ch && ch <= '9':
		f, err := w.number()
		if err != nil {
			return err
		}
		w.out = protowire.AppendTag(w.out, valueNumber, protowire.Fixed64Type)
		w.out = protowire.AppendFixed64(w.out, math.Float64bits(f))
	default:
		return errJSON
	}
	return nil
}

// object reads a JSON object, at '{', and writes its members as the contents of a Struct: one map
// entry each, in the order given. A name given twice is written twice, and the later one wins as the
// Struct is decoded, as it does in encoding/json's map.
func (w *writer) object(depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	w.i++ // '{'
	w.space()
	if w.peek() == '}' {
		w.i++
		return nil
	}
	for {
		w.space()
		if w.peek() != '"' {
			return errJSON
		}
		entry := w.open(structFields)
		key := w.open(entryKey)
		if err := w.str(); err != nil {
			return err
		}
		w.close(key)
		w.space()
		if w.peek() != ':' {
			return errJSON
		}
		w.i++
		w.space()
		value := w.open(entryValue)
		if err := w.value(depth); err != nil {
			return err
		}
		w.close(value)
		w.close(entry)
		w.space()
		switch w.peek() {
		case ',':
			w.i++
		case '}':
			w.i++
			return nil
		default:
			return errJSON
		}
	}
}

// array reads a JSON array, at '[', and writes its elements as the contents of a ListValue.
func (w *writer) array(depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	w.i++ // '['
	w.space()
	if w.peek() == ']' {
		w.i++
		return nil
	}
	for {
		w.space()
		value := w.open(listValues)
		if err := w.value(depth); err != nil {
			return err
		}
		w.close(value)
		w.space()
		switch w.peek() {
		case ',':
			w.i++
		case ']':
			w.i++
			return nil
		default:
			return errJSON
		}
	}
}

// plain marks the bytes a string holds as they are: printable ASCII but the quote and the backslash.
var plain = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// str reads a JSON string, at its opening quote, and appends its decoded bytes.
func (w *writer) str() error {
	w.i++ // '"'
	for {
		// Runs of plain text, most of a document, are copied as they are.
		start := w.i
		w.i += jsonscan.PlainPrefix(w.in[w.i:])
		for w.i < len(w.in) && plain[w.in[w.i]] {
			w.i++
		}
		w.out = append(w.out, w.in[start:w.i]...)
		if w.i == len(w.in) {
			return errJSON
		}
		switch ch := w.in[w.i]; {
		case ch == '"':
			w.i++
			return nil
		case ch == '\\':
			if err := w.escape(); err != nil {
				return err
			}
		case ch < 0x20:
			return errJSON
		default:
			// Not ASCII. encoding/json turns each byte that does not start a valid UTF-8 sequence
			// into U+FFFD.
			r, size := utf8.DecodeRune(w.in[w.i:])
			if r == utf8.RuneError && size == 1 {
				w.out = utf8.AppendRune(w.out, unicode.ReplacementChar)
			} else {
				w.out = append(w.out, w.in[w.i:w.i+size]...)
			}
			w.i += size
		}
	}
}

// escape reads one escape sequence, at its backslash, and appends what it stands for.
func (w *writer) escape() error {
	if w.i+1 >= len(w.in) {
		return errJSON
	}
	switch c := w.in[w.i+1]; c {
	case '"', '\\', '/':
		w.out = append(w.out, c)
	case 'b':
		w.out = append(w.out, '\b')
	case 'f':
		w.out = append(w.out, '\f')
	case 'n':
		w.out = append(w.out, '\n')
	case 'r':
		w.out = append(w.out, '\r')
	case 't':
		w.out = append(w.out, '\t')
	case 'u':
		r := hex4(w.in[w.i:])
		if r < 0 {
			return errJSON
		}
		w.i += 6
		if utf16.IsSurrogate(r) {
			// As encoding/json: a surrogate escape followed by its pair's escape is one character,
			// otherwise it is U+FFFD and what follows is read on its own.
			if dec := utf16.DecodeRune(r, hex4(w.in[w.i:])); dec != unicode.ReplacementChar {
				w.i += 6
				r = dec
			} else {
				r = unicode.ReplacementChar
			}
		}
		w.out = utf8.AppendRune(w.out, r)
		return nil
	default:
		return errJSON
	}
	w.i += 2
	return nil
}

// hex4 is the value of the escape \uXXXX that b starts with, or -1.
func hex4(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and returns it as the double
// encoding/json makes of it.
func (w *writer) number() (float64, error) {
	start := w.i
	if w.peek() == '-' {
		w.i++
	}
	switch ch := w.peek(); {
	case ch == '0':
		w.i++
	case '1' <= ch && ch <= '9':
		w.digits()
	default:
		return 0, errJSON
	}
	if w.peek() == '.' {
		w.i++
		if w.digits() == 0 {
			return 0, errJSON
		}
	}
	if ch := w.peek(); ch == 'e' || ch == 'E' {
		w.i++
		if ch := w.peek(); ch == '+' || ch == '-' {
			w.i++
		}
		if w.digits() == 0 {
			return 0, errJSON
		}
	}
	f, err := strconv.ParseFloat(string(w.in[start:w.i]), 64)
	if err != nil {
		return 0, errNumber
	}
	return f, nil
}

func (w *writer) digits() int {
	start := w.i
	for w.i < len(w.in) && '0' <= w.in[w.i] && w.in[w.i] <= '9' {
		w.i++
	}
	return w.i - start
}
