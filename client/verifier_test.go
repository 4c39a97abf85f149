package client_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lanyardhq/lanyard/client"
)

// TestVerifierOneSpelling: the Verifier applies the server's rules, so that a token the server refuses
// does not verify at a service either. Each case carries a valid signature by the published key over
// bytes Lanyard never writes, or (high-S) a signature Lanyard never makes.
func TestVerifierOneSpelling(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(jwks) }))
	t.Cleanup(srv.Close)
	v, err := client.NewVerifier(srv.URL, "https://auth.example.com", "app-1")
	if err != nil {
		t.Fatal(err)
	}

	now := time.Now().Unix()
	claims := func(aud, extra string) string {
		return `{"iss":"https://auth.example.com","aud":` + aud + `,"sub":"u1","iat":` + itoa(now) + `,"nbf":` + itoa(now) +
			`,"exp":` + itoa(now+600) + `,"jti":"j1","sid":"s1","user_type":"normal"` + extra + `,"user_data":{"role":"user"}}`
	}
	const hdr = `{"alg":"ES256","kid":"k1","typ":"at+jwt"}`
	good := esToken(t, key, hdr, claims(`"app-1"`, ""), false)
	if c, err := v.Verify(good); err != nil || c.Subject != "u1" || string(c.UserData) != `{"role":"user"}` {
		t.Fatalf("control: %+v, %v", c, err)
	}
	for name, tok := range map[string]string{
		"high-S twin":           esToken(t, key, hdr, claims(`"app-1"`, ""), true),
		"header reordered":      esToken(t, key, `{"kid":"k1","alg":"ES256","typ":"at+jwt"}`, claims(`"app-1"`, ""), false),
		"header with jwk":       esToken(t, key, `{"alg":"ES256","jwk":{"kty":"oct","k":"AAAA"},"kid":"k1","typ":"at+jwt"}`, claims(`"app-1"`, ""), false),
		"header with x5u":       esToken(t, key, `{"alg":"ES256","kid":"k1","typ":"at+jwt","x5u":"https://evil.example.com"}`, claims(`"app-1"`, ""), false),
		"header with crit":      esToken(t, key, `{"alg":"ES256","crit":["exp"],"kid":"k1","typ":"at+jwt"}`, claims(`"app-1"`, ""), false),
		"sub named twice":       esToken(t, key, hdr, claims(`"app-1"`, `,"sub":"admin"`), false),
		"user_data named twice": esToken(t, key, hdr, claims(`"app-1"`, `,"user_data":{"role":"admin"}`), false),
		"aud as an array":       esToken(t, key, hdr, claims(`["app-1"]`, ""), false),
	} {
		if c, err := v.Verify(tok); !errors.Is(err, client.ErrTokenInvalid) || c != nil {
			t.Errorf("%s: %+v, %v", name, c, err)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// esToken signs header and claims as they are written, with a low-S signature, or its high-S twin.
func esToken(t *testing.T, key *ecdsa.PrivateKey, header, claims string, high bool) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	n := elliptic.P256().Params().N
	if isHigh := s.Cmp(new(big.Int).Rsh(n, 1)) > 0; isHigh != high {
		s.Sub(n, s)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig)
}
