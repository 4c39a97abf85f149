package authn

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Helpers for the external provider tests. Names start with ext so that
// they stay clear of the other tests in this package.

var extT0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// extClock is a settable clock; tests move it between calls only.
type extClock struct{ t time.Time }

func (c *extClock) now() time.Time          { return c.t }
func (c *extClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newExtClock() *extClock                { return &extClock{t: extT0} }
func extSecret(n byte) string               { return strings.Repeat(string('a'+n), 40) }
func extB64(b []byte) string                { return base64.RawURLEncoding.EncodeToString(b) }
func extJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	extNoErr(t, err)
	return b
}
func extNoErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var (
	extKeyMu   sync.Mutex
	extKeyPool = map[string]crypto.Signer{}
)

// extKey returns a private key per (alg, name) for the whole test binary:
// RSA generation is slow.
func extKey(t testing.TB, alg jose.SignatureAlgorithm, name string) crypto.Signer {
	t.Helper()
	extKeyMu.Lock()
	defer extKeyMu.Unlock()
	id := string(alg) + "/" + name
	if k, ok := extKeyPool[id]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	switch alg {
	case jose.RS256:
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no key type for %s", alg)
	}
	extNoErr(t, err)
	extKeyPool[id] = k
	return k
}

func extPEM(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	extNoErr(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// extSign signs claims with go-jose, as a well-behaved issuer would. key is
// a crypto.Signer or an HS256 secret ([]byte).
func extSign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	extNoErr(t, err)
	obj, err := s.Sign(extJSON(t, claims))
	extNoErr(t, err)
	tok, err := obj.CompactSerialize()
	extNoErr(t, err)
	return tok
}

// extHS256 builds an HS256 token by hand, with any header and payload
// (claims as JSON, or []byte taken as is): for tokens no honest library
// would make.
func extHS256(t testing.TB, header map[string]any, claims any, secret []byte) string {
	t.Helper()
	payload, raw := claims.([]byte)
	if !raw {
		payload = extJSON(t, claims)
	}
	input := extB64(extJSON(t, header)) + "." + extB64(payload)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + extB64(m.Sum(nil))
}

// extClaims are valid claims at extT0.
func extClaims(kv ...any) map[string]any {
	c := map[string]any{
		"sub": "user-42",
		"iat": extT0.Unix(),
		"exp": extT0.Add(10 * time.Minute).Unix(),
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

// extJWKSServer serves a JWKS that tests can change, and counts fetches.
type extJWKSServer struct {
	*httptest.Server
	hits atomic.Int32
	mu   sync.Mutex
	body []byte
	code int
}

func newExtJWKSServer(t testing.TB) *extJWKSServer {
	s := &extJWKSServer{code: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		code, body := s.code, s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// set publishes the public halves of keys, named by kid.
func (s *extJWKSServer) set(t testing.TB, keys map[string]crypto.Signer, extra ...jose.JSONWebKey) {
	t.Helper()
	var set jose.JSONWebKeySet
	for kid, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public(), KeyID: kid, Use: "sig"})
	}
	set.Keys = append(set.Keys, extra...)
	s.setRaw(http.StatusOK, extJSON(t, set))
}

func (s *extJWKSServer) setRaw(code int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.code, s.body = code, body
}

// extWantErr fails unless err wraps want and its text shows no part of
// the token.
func extWantErr(t testing.TB, err, want error, token string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	for _, part := range strings.Split(token, ".") {
		if len(part) > 8 && strings.Contains(err.Error(), part) {
			t.Fatalf("error text %q echoes the token", err)
		}
	}
}
