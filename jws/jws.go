// Package jws reads and writes compact JWS under the one set of rules every Lanyard verifier applies: the
// server to its access and refresh tokens, the external providers to custom and Google JWTs, and the
// client package's Verifier to access tokens.
//
// Verifiers that disagree on what a token says, or on which spellings of it are valid, can be played
// against each other, so Parse is strict wherever JSON and base64url leave room:
//
//   - each segment is canonical unpadded base64url: Go's decoder (and so go-jose) also accepts set unused
//     bits in the last character and skips CR and LF, which would give one token several spellings;
//   - the claims are one JSON object, UTF-8, in which no object at any depth names a member twice
//     (parsers disagree on which duplicate wins: the issuer may have checked one value and a verifier
//     read the other);
//   - the header of a token Lanyard signed (Policy.Own) is byte for byte the one Lanyard writes, and its
//     ES256 signatures are low-S, so that such a token has exactly one spelling; the header of another
//     issuer's token may carry other parameters, but none twice, and no crit or b64, which change what
//     is signed;
//   - the algorithm is on the caller's allowlist; none never is.
//
// The signature itself is checked by go-jose (Token.Verify), but for HS256, which is crypto/hmac's.
//
// The package depends on the standard library, go-jose and internal/jsonscan only, so that services
// importing the client package do not pull in the server.
package jws

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Algorithms, as the alg header names them.
const (
	ES256 = "ES256"
	EdDSA = "EdDSA"
	RS256 = "RS256"
	HS256 = "HS256"
)

// MinRSABits is the smallest RSA modulus Verify accepts.
const MinRSABits = 2048

// Errors. Their texts are fixed: a parser's error that quotes its input would quote the token, which is
// a credential, into logs.
var (
	ErrMalformed    = errors.New("jws: not a canonical compact JWS")
	ErrTooLarge     = errors.New("jws: token too long")
	ErrHeader       = errors.New("jws: header not accepted")
	ErrAlg          = errors.New("jws: algorithm not allowed")
	ErrClaims       = errors.New("jws: claims are not a JSON object with unique names")
	ErrSignature    = errors.New("jws: bad signature")
	ErrHighS        = errors.New("jws: ECDSA signature not in low-S form")
	ErrKeyUnfit     = errors.New("jws: key does not fit the algorithm")
	errCrit         = fmt.Errorf("%w: critical header parameters are not supported", ErrHeader)
	errB64          = fmt.Errorf("%w: b64 header not supported", ErrHeader)
	errDuplicate    = errors.New("jws: a JSON object names a member twice")
	errJSON         = errors.New("jws: invalid JSON")
	errNotAnObject  = errors.New("jws: JSON value is not an object")
	errTooDeep      = errors.New("jws: JSON nested too deeply")
	errInvalidUTF8  = errors.New("jws: JSON text is not UTF-8")
	errTrailingData = errors.New("jws: data after the JSON value")
)

// Header is the protected header Lanyard writes: alg, kid and typ, in this order (the sorted order
// go-jose writes too).
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
	Typ string `json:"typ,omitempty"`
}

// json returns the header's JSON, the only spelling of it Parse accepts for Lanyard's own tokens.
func (h Header) json() []byte {
	b, _ := json.Marshal(h) // three strings: cannot fail
	return b
}

// Encode returns the header's first segment of a compact JWS.
func (h Header) Encode() string { return base64.RawURLEncoding.EncodeToString(h.json()) }

// Policy says which tokens Parse accepts.
type Policy struct {
	// Algs is the allowlist of alg values. none is refused whatever it says.
	Algs []string
	// MaxSize caps the token's length before anything is decoded; 0 means no cap.
	MaxSize int
	// Own marks tokens Lanyard signed: the header must be Header{alg, kid, typ}.Encode() byte for byte,
	// and ES256 signatures must be low-S (s ≤ n/2), as Sign makes them. Other issuers' tokens need not
	// be low-S: common JOSE libraries (Go's, OpenSSL-based ones) leave half their ES256 signatures
	// high-S, and refusing those would refuse half of an operator's logins.
	Own bool
}

// Token is a compact JWS that Parse accepted. Its signature is not checked until Verify.
type Token struct {
	Header Header
	// Payload is the decoded claims: one JSON object, no name twice at any depth.
	Payload []byte

	raw       string
	rawHeader []byte
	signature []byte
}

// Parse splits token into its three segments and checks everything but the signature: the encoding,
// the header, the algorithm against the allowlist, the claims' JSON, and the signature's form.
func Parse(token string, p Policy) (*Token, error) {
	if p.MaxSize > 0 && len(token) > p.MaxSize {
		return nil, ErrTooLarge
	}
	h, rest, ok1 := strings.Cut(token, ".")
	pl, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(s, '.') >= 0 {
		return nil, ErrMalformed
	}
	t := &Token{raw: token}
	var ok [3]bool
	t.rawHeader, ok[0] = decodeSegment(h)
	t.Payload, ok[1] = decodeSegment(pl)
	t.signature, ok[2] = decodeSegment(s)
	if !ok[0] || !ok[1] || !ok[2] {
		return nil, ErrMalformed
	}

	if p.Own {
		// Whatever the bytes say, they are accepted only if they are what Lanyard would write for the
		// values they hold: no other member, order, escape or spacing passes the comparison.
		if json.Unmarshal(t.rawHeader, &t.Header) != nil || !bytes.Equal(t.Header.json(), t.rawHeader) {
			return nil, ErrHeader
		}
	} else if err := t.readForeignHeader(); err != nil {
		return nil, err
	}
	if t.Header.Alg == "none" || !slices.Contains(p.Algs, t.Header.Alg) {
		return nil, ErrAlg
	}
	if err := checkSignatureForm(t.Header.Alg, t.signature, p.Own); err != nil {
		return nil, err
	}
	if CheckObject(t.Payload) != nil {
		return nil, ErrClaims
	}
	return t, nil
}

// readForeignHeader reads the header of another issuer's token: any parameters, none twice; alg, kid
// and typ strings; no crit (no extension is understood here, so RFC 7515 §4.1.11 requires refusing
// it) and no b64 (RFC 7797: it would make the payload segment something else than base64url).
func (t *Token) readForeignHeader() error {
	if CheckObject(t.rawHeader) != nil {
		return ErrHeader
	}
	var hdr map[string]json.RawMessage
	if json.Unmarshal(t.rawHeader, &hdr) != nil {
		return ErrHeader
	}
	if _, ok := hdr["crit"]; ok {
		return errCrit
	}
	if _, ok := hdr["b64"]; ok {
		return errB64
	}
	for name, dst := range map[string]*string{"alg": &t.Header.Alg, "kid": &t.Header.Kid, "typ": &t.Header.Typ} {
		if v, ok := hdr[name]; ok && json.Unmarshal(v, dst) != nil {
			return ErrHeader
		}
	}
	return nil
}

// p256HalfOrder is ⌊n/2⌋ for the order n of P-256, big-endian: s is low when s ≤ it.
var p256HalfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1).FillBytes(make([]byte, 32))

// checkSignatureForm checks what can be checked of a signature without the key. An ECDSA signature
// (r, s) verifies as (r, n−s) too, so each ES256 token has a twin; Lanyard's own have s ≤ n/2 only.
func checkSignatureForm(alg string, sig []byte, own bool) error {
	switch alg {
	case ES256:
		if len(sig) != 64 {
			return ErrSignature
		}
		if own && bytes.Compare(sig[32:], p256HalfOrder) > 0 {
			return ErrHighS
		}
	case EdDSA:
		if len(sig) != ed25519.SignatureSize {
			return ErrSignature
		}
	case HS256:
		if len(sig) != sha256.Size {
			return ErrSignature
		}
	}
	return nil
}

// Verify checks the signature with key, which must fit the header's algorithm: a P-256
// *ecdsa.PublicKey for ES256, an ed25519.PublicKey for EdDSA, an *rsa.PublicKey of at least
// MinRSABits for RS256, a []byte secret for HS256.
func (t *Token) Verify(key any) error {
	if !KeyFits(t.Header.Alg, key) {
		return ErrKeyUnfit
	}
	if t.Header.Alg == HS256 {
		// The MAC is crypto/hmac's either way; through go-jose, which parses the token again, parsing a
		// refresh token and minting its successor cost 3.5 times as much and 155 allocations instead of
		// 67 (BenchmarkRefreshToken in authn).
		mac, err := Sign(HS256, key, []byte(t.raw[:strings.LastIndexByte(t.raw, '.')]))
		if err != nil || !hmac.Equal(mac, t.signature) {
			return ErrSignature
		}
		return nil
	}
	obj, err := jose.ParseSignedCompact(t.raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(t.Header.Alg)})
	if err != nil {
		return ErrMalformed
	}
	payload, err := obj.Verify(key)
	// go-jose decoded the same canonical segments: anything else would mean the two parsers read
	// different tokens.
	if err != nil || !bytes.Equal(payload, t.Payload) {
		return ErrSignature
	}
	return nil
}

// KeyFits reports whether key can verify alg and is strong enough, so that a key published for one
// algorithm is never used with another.
func KeyFits(alg string, key any) bool {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		return alg == ES256 && k.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == EdDSA && len(k) == ed25519.PublicKeySize
	case *rsa.PublicKey:
		return alg == RS256 && k.N.BitLen() >= MinRSABits
	case []byte:
		return alg == HS256 && len(k) > 0
	}
	return false
}

// publicOf returns the key that verifies what a signing key signs.
func publicOf(key any) any {
	if s, ok := key.(crypto.Signer); ok {
		return s.Public()
	}
	return key
}

// Sign returns the signature of a compact JWS signing input (header.payload) under alg: key is an
// *ecdsa.PrivateKey (ES256), an ed25519.PrivateKey (EdDSA), an *rsa.PrivateKey (RS256) or a []byte
// secret (HS256). ES256 signatures are low-S, the only form Parse accepts from Lanyard.
func Sign(alg string, key any, input []byte) ([]byte, error) {
	if _, isSecret := key.([]byte); isSecret != (alg == HS256) || !KeyFits(alg, publicOf(key)) {
		return nil, ErrKeyUnfit
	}
	switch alg {
	case HS256:
		m := hmac.New(sha256.New, key.([]byte))
		m.Write(input)
		return m.Sum(nil), nil
	case EdDSA:
		if priv, ok := key.(ed25519.PrivateKey); ok {
			return ed25519.Sign(priv, input), nil
		}
	case RS256:
		if priv, ok := key.(*rsa.PrivateKey); ok {
			digest := sha256.Sum256(input)
			return rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, digest[:])
		}
	case ES256:
		priv, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			break
		}
		digest := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
		if err != nil {
			return nil, err
		}
		// ECDSA signs as (r, s) or, equally valid, (r, n−s); only the lower one is Lanyard's.
		n := priv.Curve.Params().N
		if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
			s.Sub(n, s)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig, nil
	}
	return nil, ErrKeyUnfit
}

// Audiences reads an aud claim as encoding/json decodes it into an any: RFC 7519 allows a string or an
// array of strings, and so do the verifiers of other issuers' tokens. Lanyard writes a string, and its
// own verifiers decode aud into a string field, refusing an array: no token of Lanyard's has one.
func Audiences(aud any) ([]string, bool) {
	switch a := aud.(type) {
	case string:
		return []string{a}, true
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// decodeSegment decodes one unpadded base64url segment, accepting only its canonical spelling: the
// one that encoding what it decodes to gives back. Empty segments are refused (no token of Lanyard's
// or its providers has one; an empty signature is alg none's).
func decodeSegment(s string) ([]byte, bool) {
	if !Canonical(s) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}

// Canonical reports whether s is non-empty, unpadded base64url in the only spelling that decodes and
// re-encodes to itself. It checks the alphabet and the unused low bits of the last character, rather
// than comparing with a re-encoding, to spare a copy of a 22 KB token on every request.
func Canonical(s string) bool {
	if s == "" || len(s)%4 == 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b64Value(s[i]) < 0 {
			return false
		}
	}
	last := b64Value(s[len(s)-1])
	switch len(s) % 4 {
	case 2: // 12 bits carry one byte: 4 unused bits
		return last&0x0f == 0
	case 3: // 18 bits carry two bytes: 2 unused bits
		return last&0x03 == 0
	}
	return true
}

func b64Value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}
