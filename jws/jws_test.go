package jws

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
)

var allAlgs = []string{ES256, EdDSA, RS256, HS256}

var (
	keysOnce sync.Once
	privKeys map[string]any
)

// testKeys returns one signing key per algorithm, made once per process.
func testKeys(tb testing.TB) map[string]any {
	keysOnce.Do(func() {
		ec, err1 := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		_, ed, err2 := ed25519.GenerateKey(rand.Reader)
		rs, err3 := rsa.GenerateKey(rand.Reader, 2048)
		if err := errors.Join(err1, err2, err3); err != nil {
			panic(err)
		}
		privKeys = map[string]any{ES256: ec, EdDSA: ed, RS256: rs, HS256: bytes.Repeat([]byte{7}, 32)}
	})
	return privKeys
}

func publicKey(k any) any {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	case ed25519.PrivateKey:
		return k.Public()
	case *rsa.PrivateKey:
		return &k.PublicKey
	}
	return k
}

var enc = base64.RawURLEncoding

// sign makes a compact JWS of any header and payload bytes.
func sign(tb testing.TB, alg string, header, payload []byte) string {
	tb.Helper()
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sig, err := Sign(alg, testKeys(tb)[alg], []byte(input))
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

func ownHeader(alg string) []byte { return Header{Alg: alg, Kid: "k1", Typ: "at+jwt"}.json() }

var own = Policy{Algs: allAlgs, Own: true, MaxSize: 32 << 10}
var foreign = Policy{Algs: allAlgs, MaxSize: 1 << 20}

const claims = `{"iss":"https://auth.example.com","aud":"app-1","sub":"u1","exp":1900000000,"user_data":{"a":[1,{"b":null}]}}`

func TestRoundTrip(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			tok := sign(t, alg, ownHeader(alg), []byte(claims))
			for _, p := range []Policy{own, foreign} {
				parsed, err := Parse(tok, p)
				if err != nil {
					t.Fatalf("own=%v: %v", p.Own, err)
				}
				if parsed.Header != (Header{Alg: alg, Kid: "k1", Typ: "at+jwt"}) || string(parsed.Payload) != claims {
					t.Fatalf("parsed %+v %s", parsed.Header, parsed.Payload)
				}
				if err := parsed.Verify(publicKey(testKeys(t)[alg])); err != nil {
					t.Fatalf("own=%v: %v", p.Own, err)
				}
			}
			// Any JOSE library verifies what Sign makes.
			obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := obj.Verify(publicKey(testKeys(t)[alg])); err != nil {
				t.Fatalf("go-jose: %v", err)
			}
		})
	}
}

// highS returns the twin of an ES256 token: the same r with n−s, which ECDSA verifies as well.
func highS(tok string) (string, bool) {
	dot := strings.LastIndexByte(tok, '.')
	sig, _ := enc.DecodeString(tok[dot+1:])
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(n, s)
	twin := bytes.Clone(sig)
	s.FillBytes(twin[32:])
	return tok[:dot+1] + enc.EncodeToString(twin), s.Cmp(new(big.Int).Rsh(n, 1)) > 0
}

// TestES256LowS: every ES256 signature Sign makes is low-S, and the high-S twin of a token, which ECDSA
// and go-jose accept, is refused as one of Lanyard's own but accepted from other issuers, whose
// libraries make such signatures half of the time.
func TestES256LowS(t *testing.T) {
	key := testKeys(t)[ES256].(*ecdsa.PrivateKey)
	for i := range 64 {
		tok := sign(t, ES256, ownHeader(ES256), []byte(claims))
		twin, twinHigh := highS(tok)
		if !twinHigh {
			t.Fatalf("signature %d is high-S", i)
		}
		if i > 0 {
			continue
		}
		obj, err := jose.ParseSignedCompact(twin, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := obj.Verify(&key.PublicKey); err != nil {
			t.Fatalf("go-jose refuses the high-S twin (%v): the test no longer shows a second spelling", err)
		}
		if _, err := Parse(twin, own); !errors.Is(err, ErrHighS) {
			t.Fatalf("own high-S: %v", err)
		}
		parsed, err := Parse(twin, foreign)
		if err != nil {
			t.Fatal(err)
		}
		if err := parsed.Verify(&key.PublicKey); err != nil {
			t.Fatalf("foreign high-S: %v", err)
		}
	}
}

// TestOwnHeaderByteForByte: a token of Lanyard's verifies only with the header Lanyard writes; every
// other spelling of the same parameters, and any other parameter, is refused before any key is looked
// up.
func TestOwnHeaderByteForByte(t *testing.T) {
	for name, hdr := range map[string]string{
		"reordered":        `{"kid":"k1","alg":"ES256","typ":"at+jwt"}`,
		"spaces":           `{"alg": "ES256","kid":"k1","typ":"at+jwt"}`,
		"trailing newline": "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}\n",
		"escaped":          `{"alg":"ES256","kid":"\u006b1","typ":"at+jwt"}`,
		"escaped slash":    `{"alg":"ES256","kid":"k1","typ":"at+jwt","x":"\/"}`,
		"duplicate alg":    `{"alg":"HS256","alg":"ES256","kid":"k1","typ":"at+jwt"}`,
		"duplicate kid":    `{"alg":"ES256","kid":"k1","kid":"k1","typ":"at+jwt"}`,
		"upper-case name":  `{"ALG":"ES256","alg":"ES256","kid":"k1","typ":"at+jwt"}`,
		"crit":             `{"alg":"ES256","crit":["b64"],"kid":"k1","typ":"at+jwt"}`,
		"jwk":              `{"alg":"ES256","jwk":{"kty":"oct","k":"AAAA"},"kid":"k1","typ":"at+jwt"}`,
		"x5u":              `{"alg":"ES256","kid":"k1","typ":"at+jwt","x5u":"https://evil.example.com"}`,
		"kid a number":     `{"alg":"ES256","kid":1,"typ":"at+jwt"}`,
		"array":            `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			tok := sign(t, ES256, []byte(hdr), []byte(claims))
			if _, err := Parse(tok, own); !errors.Is(err, ErrHeader) {
				t.Fatalf("err = %v, want ErrHeader", err)
			}
		})
	}
}

func TestForeignHeader(t *testing.T) {
	for _, tc := range []struct {
		hdr  string
		want error
	}{
		{`{"alg":"ES256"}`, nil},
		{`{"typ":"JWT","alg":"ES256","kid":"k1","x5t":"abc"}`, nil},
		{` { "alg" : "ES256" } `, nil},
		{`{"alg":"ES256","alg":"ES256"}`, ErrHeader},
		{`{"alg":"ES256","a":{"b":1,"b":2}}`, ErrHeader},
		{`{"alg":"ES256","\u0061lg":"HS256"}`, ErrHeader},
		{`{"alg":"ES256","crit":[]}`, ErrHeader},
		{`{"alg":"ES256","b64":true}`, ErrHeader},
		{`{"alg":"ES256","kid":7}`, ErrHeader},
		{`{"alg":"ES256","typ":null}`, nil}, // null leaves a string as it is: no typ
		{`{"alg":["ES256"]}`, ErrHeader},
		{`{"alg":"ES256"} {}`, ErrHeader},
		{`"ES256"`, ErrHeader},
		{`{"alg":"none"}`, ErrAlg},
		{`{"alg":"ES384"}`, ErrAlg},
		{`{"ALG":"ES256"}`, ErrAlg},
	} {
		tok := sign(t, ES256, []byte(tc.hdr), []byte(claims))
		if _, err := Parse(tok, foreign); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", tc.hdr, err, tc.want)
		}
	}
}

func TestParseRefusals(t *testing.T) {
	good := sign(t, ES256, ownHeader(ES256), []byte(claims))
	parts := strings.Split(good, ".")
	hs := sign(t, HS256, ownHeader(HS256), []byte(claims))
	for _, tc := range []struct {
		name  string
		token string
		p     Policy
		want  error
	}{
		{"empty", "", own, ErrMalformed},
		{"two segments", parts[0] + "." + parts[1], own, ErrMalformed},
		{"four segments", good + "." + parts[2], own, ErrMalformed},
		{"empty signature", parts[0] + "." + parts[1] + ".", own, ErrMalformed},
		{"empty payload", parts[0] + ".." + parts[2], own, ErrMalformed},
		{"padding", good + "==", own, ErrMalformed},
		{"standard alphabet", parts[0] + "." + parts[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[2]) + "+", own, ErrMalformed},
		{"newline", parts[0] + "." + parts[1][:4] + "\n" + parts[1][4:] + "." + parts[2], own, ErrMalformed},
		{"too large", good, Policy{Algs: allAlgs, Own: true, MaxSize: len(good) - 1}, ErrTooLarge},
		{"alg not listed", good, Policy{Algs: []string{EdDSA}, Own: true}, ErrAlg},
		{"none listed", sign(t, HS256, Header{Alg: "none"}.json(), []byte(claims)), Policy{Algs: []string{"none"}, Own: true}, ErrAlg},
		{"ES256 signature of 65 bytes", parts[0] + "." + parts[1] + "." + enc.EncodeToString(make([]byte, 65)), own, ErrSignature},
		{"ES256 signature as ASN.1", parts[0] + "." + parts[1] + "." + enc.EncodeToString(asn1Sig(t, parts[0]+"."+parts[1])), own, ErrSignature},
		{"HS256 MAC truncated", hs[:strings.LastIndexByte(hs, '.')+1] + enc.EncodeToString(make([]byte, 16)), own, ErrSignature},
		{"claims duplicate", sign(t, ES256, ownHeader(ES256), []byte(`{"sub":"a","sub":"b"}`)), own, ErrClaims},
		{"claims escaped duplicate", sign(t, ES256, ownHeader(ES256), []byte(`{"sub":"a","s\u0075b":"b"}`)), foreign, ErrClaims},
		{"claims nested duplicate", sign(t, ES256, ownHeader(ES256), []byte(`{"user_data":{"role":"user","role":"admin"}}`)), own, ErrClaims},
		{"claims not an object", sign(t, ES256, ownHeader(ES256), []byte(`["a"]`)), own, ErrClaims},
		{"claims with trailing data", sign(t, ES256, ownHeader(ES256), []byte(`{"a":1}{"b":2}`)), foreign, ErrClaims},
		{"claims not UTF-8", sign(t, ES256, ownHeader(ES256), []byte("{\"a\":\"\xff\"}")), foreign, ErrClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.token, tc.p); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func asn1Sig(t *testing.T, input string) []byte {
	digest := sha256.Sum256([]byte(input))
	sig, err := ecdsa.SignASN1(rand.Reader, testKeys(t)[ES256].(*ecdsa.PrivateKey), digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// TestVerifyRefusesOtherKeys: the classic confusions (HS256 keyed with the public key, a key of another
// algorithm, a key too weak) fail on the key's type before any signature is computed.
func TestVerifyRefusesOtherKeys(t *testing.T) {
	keys := testKeys(t)
	pub := publicKey(keys[ES256])
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	input := Header{Alg: HS256, Kid: "k1", Typ: "at+jwt"}.Encode() + "." + enc.EncodeToString([]byte(claims))
	mac, _ := Sign(HS256, der, []byte(input))
	confused, err := Parse(input+"."+enc.EncodeToString(mac), own)
	if err != nil {
		t.Fatal(err)
	}
	if err := confused.Verify(pub); !errors.Is(err, ErrKeyUnfit) {
		t.Fatalf("HS256 with an ECDSA public key: %v", err)
	}
	tok, err := Parse(sign(t, ES256, ownHeader(ES256), []byte(claims)), own)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]any{"EdDSA key": publicKey(keys[EdDSA]), "RSA key": publicKey(keys[RS256]),
		"secret": keys[HS256], "P-384 key": &p384.PublicKey, "private key": keys[ES256], "nil": nil} {
		if err := tok.Verify(k); !errors.Is(err, ErrKeyUnfit) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Sign(RS256, weak, []byte("x")); !errors.Is(err, ErrKeyUnfit) {
		t.Errorf("signing with RSA-1024: %v", err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err := tok.Verify(&other.PublicKey); !errors.Is(err, ErrSignature) {
		t.Errorf("another P-256 key: %v", err)
	}
	hs, err := Parse(sign(t, HS256, ownHeader(HS256), []byte(claims)), own)
	if err != nil {
		t.Fatal(err)
	}
	if err := hs.Verify(bytes.Repeat([]byte{8}, 32)); !errors.Is(err, ErrSignature) {
		t.Errorf("another HS256 secret: %v", err)
	}
}

// TestCanonical compares Canonical with its definition: decoding and re-encoding gives the same string
// back.
func TestCanonical(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	check := func(s string) {
		if got, want := Canonical(s), refCanonical(s); got != want {
			t.Fatalf("Canonical(%q) = %v, want %v", s, got, want)
		}
	}
	for _, a := range alphabet {
		check(string(a))
		for _, b := range alphabet {
			check(string(a) + string(b))
			for _, c := range alphabet {
				check("AAAA" + string(a) + string(b) + string(c))
			}
		}
	}
	for _, s := range []string{"", "AA==", "AA=", "A\nA", "AB\r\nCD", "+/", "AAAA AAAA", "é"} {
		check(s)
	}
}

func refCanonical(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return s != "" && err == nil && base64.RawURLEncoding.EncodeToString(b) == s
}

func TestCheckObject(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{}`, true},
		{` {"a":1} `, true},
		{`{"a":[1,-0.5e+3,true,false,null,"x",{},[]],"b":{"a":1}}`, true},
		{`{"a":{"c":1},"b":{"c":1}}`, true}, // the same name in sibling objects
		{`{"a":[{"c":1},{"c":2}]}`, true},
		{`{"é":1,"\u00e9\u00e8":2,"e\u0301":3}`, true}, // names are compared as decoded, not normalised
		{`{"a":1,"a":1}`, false},
		{`{"a":1,"\u0061":2}`, false},
		{`{"\ud800":1,"\ufffd":2}`, false}, // a lone surrogate decodes to U+FFFD, as encoding/json reads it
		{`{"x":{"a":1,"b":{"c":[{"d":1,"d":2}]}}}`, false},
		{`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"r":18,"a":19}`, false},
		{`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"r":18,"s":19}`, true},
		{``, false},
		{`[]`, false},
		{`"a"`, false},
		{`{"a":1}x`, false},
		{`{"a":1,}`, false},
		{`{"a" 1}`, false},
		{`{"a":01}`, false},
		{`{"a":1.}`, false},
		{`{"a":.5}`, false},
		{`{"a":1e}`, false},
		{`{"a":+1}`, false},
		{`{"a":tru}`, false},
		{`{"a":"\x"}`, false},
		{`{"a":"\u12"}`, false},
		{"{\"a\":\"\t\"}", false},
		{"{\"a\":\"\xc3\"}", false},
		{"{\"a\":\"\xed\xa0\x80\"}", false}, // a surrogate in UTF-8
		{`{"a":"`, false},
		{`{"a"`, false},
		{`{`, false},
	} {
		if err := CheckObject([]byte(tc.in)); (err == nil) != tc.ok || refCheckObject([]byte(tc.in)) != tc.ok {
			t.Errorf("%s: err = %v, reference %v; want ok=%v", tc.in, err, refCheckObject([]byte(tc.in)), tc.ok)
		}
	}
}

// TestCheckObjectDepth: the nesting limit is encoding/json's.
func TestCheckObjectDepth(t *testing.T) {
	for _, depth := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		doc := []byte(`{"a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`)
		if got, want := CheckObject(doc) == nil, json.Valid(doc); got != want {
			t.Errorf("depth %d: accepted %v, encoding/json %v", depth, got, want)
		}
	}
}

// refCheckObject is CheckObject's definition in encoding/json's terms.
func refCheckObject(b []byte) bool {
	if !json.Valid(b) || !utf8.Valid(b) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers out of float64's range are valid JSON
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	var walk func(open json.Delim) bool
	walk = func(open json.Delim) bool {
		names := map[string]bool{}
		for dec.More() {
			if open == '{' {
				name, err := dec.Token()
				if err != nil || names[name.(string)] {
					return false
				}
				names[name.(string)] = true
			}
			tok, err := dec.Token()
			if err != nil {
				return false
			}
			if d, ok := tok.(json.Delim); ok && !walk(d) {
				return false
			}
		}
		_, err := dec.Token()
		return err == nil
	}
	if !walk('{') {
		return false
	}
	_, err := dec.Token()
	return err == io.EOF
}

// FuzzParse: no input panics Parse or CheckObject; whatever Parse accepts is the serialization of what
// it decoded (one spelling), with canonical segments and claims that encoding/json reads as one object
// without duplicate names; CheckObject agrees with encoding/json on any bytes. The input is tried both
// as a token and as JSON.
func FuzzParse(f *testing.F) {
	for _, alg := range allAlgs {
		tok := sign(f, alg, ownHeader(alg), []byte(claims))
		f.Add(tok)
		if alg == ES256 {
			twin, _ := highS(tok)
			f.Add(twin)
		}
	}
	f.Add(sign(f, RS256, []byte(`{"alg":"RS256","kid":"g1","typ":"JWT","x5t":"abc"}`), []byte(claims)))
	f.Add(claims)
	f.Add(`{"a":1,"\u0061":2}`)
	f.Add(`{"a":[{"b":1,"c":[true,false,null,-1.5e-3]}],"d":"\ud800\n"}`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := CheckObject([]byte(s)) == nil, refCheckObject([]byte(s)); got != want {
			t.Fatalf("CheckObject accepted=%v, encoding/json %v", got, want)
		}
		for _, p := range []Policy{own, foreign} {
			tok, err := Parse(s, p)
			if err != nil {
				continue
			}
			segs := strings.Split(s, ".")
			for _, seg := range segs {
				if !refCanonical(seg) {
					t.Fatalf("own=%v: accepted a segment that is not canonical", p.Own)
				}
			}
			header := tok.rawHeader
			if p.Own {
				header = tok.Header.json()
			}
			if enc.EncodeToString(header)+"."+enc.EncodeToString(tok.Payload)+"."+enc.EncodeToString(tok.signature) != s {
				t.Fatalf("own=%v: accepted token is not the serialization of what it decoded", p.Own)
			}
			if !refCheckObject(tok.Payload) || !refCheckObject(tok.rawHeader) {
				t.Fatalf("own=%v: accepted a header or claims encoding/json reads otherwise", p.Own)
			}
			if p.Own && tok.Header.Alg == ES256 {
				if _, twinHigh := highS(s); !twinHigh {
					t.Fatal("accepted a high-S signature as Lanyard's")
				}
			}
		}
	})
}

// BenchmarkCheckObject: what the claims check costs a token carrying a 4 KB custom data document.
func BenchmarkCheckObject(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`{"iss":"https://auth.example.com","aud":"app-1","sub":"u1","user_data":{"items":[`)
	for i := 0; doc.Len() < 4<<10; i++ {
		if i > 0 {
			doc.WriteByte(',')
		}
		doc.WriteString(`{"id":` + strings.Repeat("7", i%5+1) + `,"label":"item number ` + strings.Repeat("x", i%7) + `","on":true}`)
	}
	doc.WriteString(`]}}`)
	data := []byte(doc.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckObject(data); err != nil {
			b.Fatal(err)
		}
	}
}
