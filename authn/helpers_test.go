package authn

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
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock for Issuer.Now. Tests move it only while no
// other goroutine reads it.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

var (
	keyCacheMu sync.Mutex
	keyCache   = map[string]*SigningKey{}
)

// sharedKey returns one key per algorithm for the whole test binary: RSA
// generation is slow, and most tests only need some key.
func sharedKey(tb testing.TB, alg string) *SigningKey {
	tb.Helper()
	keyCacheMu.Lock()
	defer keyCacheMu.Unlock()
	if k, ok := keyCache[alg]; ok {
		return k
	}
	k, err := GenerateKey(alg)
	if err != nil {
		tb.Fatal(err)
	}
	keyCache[alg] = k
	return k
}

func newKey(tb testing.TB, alg string) *SigningKey {
	tb.Helper()
	k, err := GenerateKey(alg)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// newIssuer returns an Issuer on a fresh keyring holding k, with a clock
// set to t0.
func newIssuer(tb testing.TB, k *SigningKey) (*Issuer, *testClock) {
	tb.Helper()
	ring, err := NewKeyring(k)
	if err != nil {
		tb.Fatal(err)
	}
	clock := &testClock{t: t0}
	return &Issuer{
		Keyring:    ring,
		Issuer:     "https://auth.example.com",
		Audience:   "app-1",
		Now:        clock.Now,
		RefreshKey: testRefreshKey,
	}, clock
}

func testClaims() *AccessClaims {
	return &AccessClaims{
		Subject:   "6543210fedcba98765432100",
		SessionID: "sess-1",
		UserType:  UserTypeNormal,
		UserData:  json.RawMessage(`{"name":"Ada","n":{"$numberLong":"9007199254740993"}}`),
		DeviceID:  "000000000000000000000000",
	}
}

func mintAccess(tb testing.TB, iss *Issuer, c *AccessClaims) string {
	tb.Helper()
	tok, err := iss.MintAccess(c)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// bigUserData returns a JSON object of about n bytes.
func bigUserData(n int) json.RawMessage {
	var b strings.Builder
	b.WriteString(`{"profile":{"name":"Ada Lovelace","lang":"en"},"items":[`)
	for i := 0; b.Len() < n-40; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"label":"item number %d","on":true}`, i, i)
	}
	b.WriteString(`]}`)
	return json.RawMessage(b.String())
}

// forge builds a compact JWS from any header and claims, signed with alg
// and key by hand, so that tests can produce tokens go-jose would never
// write. alg "none" gives an empty signature.
func forge(tb testing.TB, header, claims any, alg string, key any) string {
	tb.Helper()
	enc := func(v any) string {
		b, ok := v.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(v); err != nil {
				tb.Fatal(err)
			}
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch alg {
	case "none":
	case "HS256":
		m := hmac.New(sha256.New, key.([]byte))
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case AlgES256:
		r, s, err := ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), digest[:])
		if err != nil {
			tb.Fatal(err)
		}
		// Low-S, as Lanyard signs: the high-S twin is refused, and tests make it on purpose (highS).
		if n := elliptic.P256().Params().N; s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
			s.Sub(n, s)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	case AlgEdDSA:
		sig = ed25519.Sign(key.(ed25519.PrivateKey), []byte(input))
	case AlgRS256:
		var err error
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, digest[:])
		if err != nil {
			tb.Fatal(err)
		}
	default:
		tb.Fatalf("forge: unknown alg %s", alg)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// validClaims is the claim set MintAccess would write for iss at t0.
func validClaims(iss *Issuer) map[string]any {
	return map[string]any{
		"iss": iss.Issuer, "aud": iss.Audience, "sub": "u1",
		"iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(30 * time.Minute).Unix(),
		"jti": "j1", "sid": "s1", "user_type": UserTypeNormal, "user_data": map[string]any{},
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func header(alg, kid, typ string) map[string]any {
	h := map[string]any{"alg": alg}
	if kid != "" {
		h["kid"] = kid
	}
	if typ != "" {
		h["typ"] = typ
	}
	return h
}

// testRefreshKey signs the refresh tokens of test issuers.
var testRefreshKey = bytes.Repeat([]byte{7}, 32)
