package structwire

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// reference is the Struct encoding/json and structpb make of obj: what WhoAmI answered before this
// package, and what its output must decode to.
func reference(obj []byte) (*structpb.Struct, error) {
	var m map[string]any
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	return structpb.NewStruct(m)
}

// decode reads the one field num that AppendField wrote, checking on the way that every length in it
// is written in as few bytes as it takes: protobuf's own encoders do so, and some decoders expect it.
func decode(t *testing.T, b []byte, num protowire.Number) *structpb.Struct {
	t.Helper()
	n, typ, l := protowire.ConsumeTag(b)
	if l < 0 || n != num || typ != protowire.BytesType {
		t.Fatalf("the output does not start with field %d of length-delimited type", num)
	}
	contents := minimalBytes(t, b[l:], len(b)-l)
	if err := minimalLengths(contents, messageStruct); err != nil {
		t.Fatalf("%v in %x", err, b)
	}
	// Each level of JSON is up to three levels of messages (a Struct, its map entry, a Value), beyond
	// what decoders allow by default; the documents tokens carry nest 100 levels at most.
	st := &structpb.Struct{}
	if err := (proto.UnmarshalOptions{RecursionLimit: math.MaxInt32}).Unmarshal(contents, st); err != nil {
		t.Fatalf("the output does not decode as a Struct: %v", err)
	}
	return st
}

// minimalBytes reads a length-delimited value that must fill the rest of b (rest bytes).
func minimalBytes(t *testing.T, b []byte, rest int) []byte {
	t.Helper()
	n, l := protowire.ConsumeVarint(b)
	if l < 0 || l != protowire.SizeVarint(n) || uint64(len(b)-l) != n || len(b) != rest {
		t.Fatalf("a length that is not minimal or not the rest of the output: %x", b)
	}
	return b[l:]
}

type message int

const (
	messageStruct message = iota
	messageEntry
	messageValue
	messageList
)

// minimalLengths walks b as a message of kind m, recursing into the nested messages of Struct.
func minimalLengths(b []byte, m message) error {
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return fmt.Errorf("a bad tag")
		}
		b = b[l:]
		if typ != protowire.BytesType {
			l = protowire.ConsumeFieldValue(num, typ, b)
			if l < 0 {
				return fmt.Errorf("a bad field %d", num)
			}
			b = b[l:]
			continue
		}
		n, l := protowire.ConsumeVarint(b)
		if l < 0 || l != protowire.SizeVarint(n) || uint64(len(b)-l) < n {
			return fmt.Errorf("a length of %d in %d bytes", n, l)
		}
		inner := b[l : l+int(n)]
		b = b[l+int(n):]
		next := map[message]map[protowire.Number]message{
			messageStruct: {1: messageEntry},
			messageEntry:  {2: messageValue},
			messageValue:  {5: messageStruct, 6: messageList},
			messageList:   {1: messageValue},
		}[m]
		if kind, ok := next[num]; ok {
			if err := minimalLengths(inner, kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// check requires AppendField to write what reference makes of obj, or to refuse what it refuses.
func check(t *testing.T, obj []byte) {
	t.Helper()
	const num = 8
	want, wantErr := reference(obj)
	prefix := []byte("kept")
	got, err := AppendField(prefix, num, obj)
	if wantErr != nil {
		if err == nil {
			t.Fatalf("accepted what encoding/json refuses (%v): %q", wantErr, obj)
		}
		if string(got) != "kept" {
			t.Fatalf("refused %q but changed dst", obj)
		}
		return
	}
	if err != nil {
		t.Fatalf("refused what encoding/json reads (%v): %q", err, obj)
	}
	if string(got[:len(prefix)]) != "kept" {
		t.Fatal("dst was not kept")
	}
	if st := decode(t, got[len(prefix):], num); !proto.Equal(st, want) {
		t.Fatalf("%q decodes to\n%v\nwant\n%v", obj, st, want)
	}
}

func nested(open, close string, depth int, inner string) string {
	return strings.Repeat(open, depth) + inner + strings.Repeat(close, depth)
}

// TestAppendFieldMatchesEncodingJSON: documents of every kind of value, the lengths at which a
// length takes another byte, the escapes and invalid text encoding/json decodes in its own way, and what
// it refuses.
func TestAppendFieldMatchesEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`, ` { } `, `null`, `{"a":null,"b":true,"c":false,"d":0,"e":-0,"f":1.5e3,"g":-12.25E-2,"h":"x","i":[],"j":{}}`,
		`{"items":[{"sku":"A-1","qty":3,"tags":["red","large"],"gift":true},{"sku":"A-2","qty":0,"price":10.5}]}`,
		`{"n":123456789012345678901234567890,"m":1e308,"u":1e-400,"p":4.9e-324}`,
		`{"a":1,"a":{"b":2},"\u0061":[3]}`, `{"a":{"x":1},"a":{"y":2}}`,
		`{"esc":"\"\\\/\b\f\n\r\t\u0000\u001f\u00e9\u20ac\ud83d\ude00"}`,
		`{"lone":"\ud800","low":"\udc00x","pair-reversed":"\ude00\ud83d","then":"\ud800\u0041","bad-next":"\ud800\\u12"}`,
		"{\"raw\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", "{\"invalid\":\"a\xffb\xc3\",\"\xfe\":1}",
		"{\"surrogate-bytes\":\"\xed\xa0\x80\",\"fffd\":\"\xef\xbf\xbd\"}", "{\"del\":\"\x7f\"}",
		"\t{\r\n\"a\" : [ 1 , 2 ] }\n",
		// Refused.
		``, ` `, `[]`, `"s"`, `1`, `true`, `nul`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":[1,]}`, `{a:1}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":1e999}`, `{"a":-1e999}`,
		`{"a":tru}`, `{"a":truex}`, `{"a":NaN}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12g4"}`, "{\"a\":\"\x01\"}",
		`{"a":"unterminated`, `{"a":"x\`, `{} {}`, `{}x`, `null x`, `{"a":1}}`, `{"a":[}`,
	}
	for _, size := range []int{126, 127, 128, 129, 16382, 16383, 16384, 16385} {
		s := strings.Repeat("x", size)
		cases = append(cases, `{"s":"`+s+`"}`, `{"`+s+`":1}`, `{"l":["`+s+`"]}`, `{"o":{"p":"`+s+`"}}`,
			`{"e":"`+strings.Repeat(`\u00e9`, size/2)+`"}`)
	}
	for _, depth := range []int{1, 2, 99, 100} {
		cases = append(cases, `{"d":`+nested(`{"d":`, `}`, depth, `"deep"`)+`}`, `{"l":`+nested(`[`, `]`, depth, `1`)+`}`)
	}
	// encoding/json's nesting limit: the top object is level 1.
	cases = append(cases, nested(`{"a":`, `}`, maxDepth-1, `{}`), nested(`{"a":`, `}`, maxDepth, `{}`),
		`{"a":`+nested(`[`, `]`, maxDepth-1, ``)+`}`, `{"a":`+nested(`[`, `]`, maxDepth, ``)+`}`)
	for _, c := range cases {
		check(t, []byte(c))
	}
}

// TestAppendFieldCanRefuse: the cases above must hold refusals, or check would have nothing to compare.
func TestAppendFieldCanRefuse(t *testing.T) {
	for _, c := range []string{`[]`, `{"a":1e999}`, nested(`{"a":`, `}`, maxDepth, `{}`), `{"a":1}x`} {
		if _, err := AppendField(nil, 1, []byte(c)); err == nil {
			t.Errorf("accepted %.40q", c)
		}
	}
}

func FuzzAppendField(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `{"a":[1,-2.5e-3,true,false,null,"x",{"b":{}}],"c":"\u00e9\ud83d\ude00\ud800"}`,
		`{"a":1,"a":2}`, "{\"a\":\"\xff\"}", `{"plan":"team","seats":12,"items":[{"sku":"SKU-00001","qty":3}]}`,
		`{"s":"` + strings.Repeat("y", 130) + `"}`, `{"a":1e400}`, `[1]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		check(t, obj)
	})
}

// appDocument is a JSON object of about size bytes shaped like an application's: a few settings and a
// list of items, each a small object.
func appDocument(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"plan":"team","seats":12,"theme":"dark","locale":"en-GB","items":[`)
	for i := 0; b.Len() < size-120; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku":"SKU-%05d","name":"item number %d","qty":%d,"price":%d.5,"tags":["red","large"],"gift":%t}`, i, i, i%7, 10+i, i%2 == 0)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkAppendField writes a 4 KB document, against what WhoAmI did before: encoding/json into a map,
// structpb, proto.Marshal.
func BenchmarkAppendField(b *testing.B) {
	for _, doc := range []struct {
		name string
		json []byte
	}{
		{"app_4KB", appDocument(4096)},
		{"one_string_4KB", []byte(`{"blob":"` + strings.Repeat("x", 4080) + `"}`)},
		{"app_100B", []byte(`{"plan":"pro","seats":3,"theme":"dark","locale":"en-GB","beta":true,"tags":["a","b"]}`)},
	} {
		b.Run(doc.name+"/structwire", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := AppendField(nil, 8, doc.json); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(doc.name+"/encoding_json_structpb", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				st, err := reference(doc.json)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := proto.Marshal(st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
