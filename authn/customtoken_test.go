package authn

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func newCustomToken(t testing.TB, cfg CustomTokenConfig) ExternalProvider {
	t.Helper()
	p, err := NewCustomTokenProvider(cfg)
	extNoErr(t, err)
	return p
}

// hsProvider is an HS256 provider on extT0 with the given tweaks.
func hsProvider(t testing.TB, clock *extClock, tweak func(*CustomTokenConfig)) ExternalProvider {
	cfg := CustomTokenConfig{SigningAlgorithm: "HS256", SigningKeys: []string{extSecret(0)}, Now: clock.now}
	if tweak != nil {
		tweak(&cfg)
	}
	return newCustomToken(t, cfg)
}

func TestCustomTokenAlgorithms(t *testing.T) {
	clock := newExtClock()
	for _, alg := range []jose.SignatureAlgorithm{jose.HS256, jose.RS256, jose.ES256, jose.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			var signKey, otherKey any
			var cfgKey string
			if alg == jose.HS256 {
				signKey, otherKey, cfgKey = []byte(extSecret(1)), []byte(extSecret(2)), extSecret(1)
			} else {
				k := extKey(t, alg, "a")
				signKey, otherKey, cfgKey = k, extKey(t, alg, "b"), extPEM(t, k.Public())
			}
			// Other keys configured before the signing one show that every
			// key is tried; a PEM entry may hold several keys.
			keys := []string{extSecret(3), cfgKey}
			if alg != jose.HS256 {
				keys = []string{extPEM(t, extKey(t, alg, "c").Public()), extPEM(t, extKey(t, alg, "d").Public()) + cfgKey}
			}
			p := newCustomToken(t, CustomTokenConfig{SigningAlgorithm: string(alg), SigningKeys: keys, Now: clock.now})

			tok := extSign(t, alg, signKey, "any-kid", extClaims())
			c, err := p.Verify(context.Background(), tok)
			extNoErr(t, err)
			if c.ProviderType != ProviderCustomToken || c.ProviderID != "user-42" || len(c.Data) != 0 {
				t.Fatalf("claim = %+v", c)
			}

			bad := extSign(t, alg, otherKey, "", extClaims())
			_, err = p.Verify(context.Background(), bad)
			extWantErr(t, err, ErrInvalidCredentials, bad)
		})
	}
}

func TestCustomTokenRefusals(t *testing.T) {
	clock := newExtClock()
	rsaKey := extKey(t, jose.RS256, "a")
	rsaPEM := extPEM(t, rsaKey.Public())
	rs := newCustomToken(t, CustomTokenConfig{SigningAlgorithm: "RS256", SigningKeys: []string{rsaPEM}, Now: clock.now})
	hs := hsProvider(t, clock, nil)
	secret := []byte(extSecret(0))

	cases := []struct {
		name string
		p    ExternalProvider
		tok  string
		why  string // in the error text; "" for any
	}{
		{"expired beyond leeway", hs, extSign(t, jose.HS256, secret, "", extClaims("exp", extT0.Add(-31*time.Second).Unix())), "expired"},
		{"exp missing", hs, extSign(t, jose.HS256, secret, "", extClaims("exp", nil)), "exp missing"},
		{"exp a string", hs, extSign(t, jose.HS256, secret, "", extClaims("exp", "2100-01-01")), "exp missing"},
		{"nbf in the future", hs, extSign(t, jose.HS256, secret, "", extClaims("nbf", extT0.Add(time.Minute).Unix())), "not yet valid"},
		{"sub missing", hs, extSign(t, jose.HS256, secret, "", extClaims("sub", nil)), "sub missing"},
		{"sub empty", hs, extSign(t, jose.HS256, secret, "", extClaims("sub", "")), "sub missing"},
		{"sub a number", hs, extSign(t, jose.HS256, secret, "", extClaims("sub", 42)), "sub missing"},
		{"claims not an object", hs, extHS256(t, map[string]any{"alg": "HS256"}, []any{1}, secret), "not a JSON object"},
		{"claims followed by more JSON", hs, extHS256(t, map[string]any{"alg": "HS256"}, []byte(`{"sub":"a","exp":9999999999} {}`), secret), "not a JSON object"},
		{"alg none", hs, extB64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + extB64(extJSON(t, extClaims())) + ".", ""},
		{"alg none with a signature", hs, extB64([]byte(`{"alg":"none"}`)) + "." + extB64(extJSON(t, extClaims())) + ".AAAA", "algorithm not allowed"},
		// The classic confusion: the RSA public key, as PEM text, used as
		// an HMAC secret.
		{"HS256 with the RS256 public key", rs, extHS256(t, map[string]any{"alg": "HS256", "typ": "JWT"}, extClaims(), []byte(rsaPEM)), "algorithm not allowed"},
		{"HS384 on an HS256 provider", hs, func() string {
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS384, Key: []byte(strings.Repeat(extSecret(0), 2))}, nil)
			extNoErr(t, err)
			o, err := s.Sign(extJSON(t, extClaims()))
			extNoErr(t, err)
			tok, _ := o.CompactSerialize()
			return tok
		}(), "algorithm not allowed"},
		// Parsers disagree on which of two members of one name wins: the issuer may have checked one and
		// Lanyard would read the other.
		{"sub named twice", hs, extHS256(t, map[string]any{"alg": "HS256"}, []byte(`{"sub":"user-42","exp":9999999999,"sub":"admin"}`), secret), "unique names"},
		{"nested claim named twice", hs, extHS256(t, map[string]any{"alg": "HS256"}, []byte(`{"sub":"user-42","exp":9999999999,"app":{"role":"user","role":"admin"}}`), secret), "unique names"},
		{"header naming alg twice", hs, extRawHS256(`{"alg":"none","alg":"HS256"}`, extJSON(t, extClaims()), secret), "header"},
		{"crit header", hs, extHS256(t, map[string]any{"alg": "HS256", "crit": []string{"exp"}, "exp": 1}, extClaims(), secret), "critical header"},
		{"b64 header", hs, extHS256(t, map[string]any{"alg": "HS256", "b64": true}, extClaims(), secret), "b64 header"},
		{"two segments", hs, "abc.def", "compact JWS"},
		{"four segments", hs, "abc.def.ghi.jkl", "compact JWS"},
		{"whitespace inside", hs, func() string {
			tok := extSign(t, jose.HS256, secret, "", extClaims())
			return tok[:10] + "\n" + tok[10:]
		}(), "canonical"},
		{"empty", hs, "", "compact JWS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.p.Verify(context.Background(), c.tok)
			extWantErr(t, err, ErrInvalidCredentials, c.tok)
			if !strings.Contains(err.Error(), c.why) {
				t.Fatalf("refused for another reason: %v", err)
			}
		})
	}

	// The controls: inside the leeway, and a past nbf, are fine.
	for _, tok := range []string{
		extSign(t, jose.HS256, secret, "", extClaims("exp", extT0.Add(-29*time.Second).Unix())),
		extSign(t, jose.HS256, secret, "", extClaims("nbf", extT0.Add(29*time.Second).Unix())),
		extSign(t, jose.HS256, secret, "", extClaims("exp", float64(extT0.Unix())+0.5, "nbf", 1)),
	} {
		if _, err := hs.Verify(context.Background(), tok); err != nil {
			t.Errorf("control token refused: %v", err)
		}
	}
}

// extRawHS256 is extHS256 with the header as it is written.
func extRawHS256(header string, payload, secret []byte) string {
	input := extB64([]byte(header)) + "." + extB64(payload)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + extB64(m.Sum(nil))
}

// TestCustomTokenHighS: an operator's ES256 tokens are accepted whether their signature is low-S or
// high-S: common JOSE libraries (go-jose, OpenSSL-based ones) make either, and refusing high-S would
// refuse half of the operator's logins. Only Lanyard's own tokens must be low-S.
func TestCustomTokenHighS(t *testing.T) {
	clock := newExtClock()
	k := extKey(t, jose.ES256, "a")
	p := newCustomToken(t, CustomTokenConfig{SigningAlgorithm: "ES256", SigningKeys: []string{extPEM(t, k.Public())}, Now: clock.now})
	tok := extSign(t, jose.ES256, k, "", extClaims())
	twin, _ := highS(tok)
	for _, tok := range []string{tok, twin} {
		if _, err := p.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCustomTokenNonCanonicalBase64(t *testing.T) {
	clock := newExtClock()
	k := extKey(t, jose.RS256, "a")
	p := newCustomToken(t, CustomTokenConfig{SigningAlgorithm: "RS256", SigningKeys: []string{extPEM(t, k.Public())}, Now: clock.now})
	tok := extSign(t, jose.RS256, k, "", extClaims())
	if _, err := p.Verify(context.Background(), tok); err != nil {
		t.Fatalf("control: %v", err)
	}

	// An RS256 signature is 256 bytes: 342 characters, whose last one
	// carries 4 unused bits. Setting one spells the same bytes differently.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	if len(tok[strings.LastIndexByte(tok, '.')+1:])%4 != 2 || last&0x0f != 0 {
		t.Fatalf("unexpected signature shape")
	}
	mutated := tok[:len(tok)-1] + string(alphabet[last|0x01])

	jws, err := jose.ParseSignedCompact(mutated, []jose.SignatureAlgorithm{jose.RS256})
	if err == nil {
		_, err = jws.Verify(k.Public())
	}
	t.Logf("go-jose alone on the non-canonical token: err = %v", err)

	_, err = p.Verify(context.Background(), mutated)
	extWantErr(t, err, ErrInvalidCredentials, mutated)
}

func TestCustomTokenSizeLimit(t *testing.T) {
	clock := newExtClock()
	p := hsProvider(t, clock, nil)
	secret := []byte(extSecret(0))

	// Valid tokens of an exact length: the padding claim sets the payload
	// length, and the kid fixes the lengths base64 cannot reach.
	b64Len := func(n int) int { return (4*n + 2) / 3 }
	tokenOfLen := func(n int) string {
		for kidLen := 0; kidLen < 4; kidLen++ {
			hdr := map[string]any{"alg": "HS256", "kid": strings.Repeat("k", kidLen)}
			base := len(extJSON(t, extClaims("pad", "")))
			rest := n - len(extB64(extJSON(t, hdr))) - 2 - 43 // 43: an HS256 signature
			for pad := rest*3/4 - base - 3; pad <= rest*3/4-base+3; pad++ {
				if b64Len(base+pad) == rest {
					return extHS256(t, hdr, extClaims("pad", strings.Repeat("x", pad)), secret)
				}
			}
		}
		t.Fatalf("no token of length %d", n)
		return ""
	}

	ok := tokenOfLen(MaxExternalTokenLen)
	if len(ok) != MaxExternalTokenLen {
		t.Fatalf("len = %d", len(ok))
	}
	if _, err := p.Verify(context.Background(), ok); err != nil {
		t.Fatalf("token of exactly the limit refused: %v", err)
	}
	tooLong := tokenOfLen(MaxExternalTokenLen + 1)
	if len(tooLong) != 1_000_001 {
		t.Fatalf("len = %d", len(tooLong))
	}
	_, err := p.Verify(context.Background(), tooLong)
	extWantErr(t, err, ErrInvalidCredentials, tooLong)
	if !strings.Contains(err.Error(), "too long") {
		t.Fatalf("refused for another reason: %v", err)
	}
}

func TestCustomTokenAudience(t *testing.T) {
	clock := newExtClock()
	secret := []byte(extSecret(0))
	for _, c := range []struct {
		all  bool
		aud  any // nil: no aud claim
		want bool
	}{
		{true, []string{"a", "b"}, true},
		{true, []string{"b", "x", "a"}, true},
		{true, []string{"a"}, false},
		{true, "a", false},
		{true, nil, false},
		{false, []string{"a"}, true},
		{false, "b", true},
		{false, []string{"x", "b"}, true},
		{false, []string{"x"}, false},
		{false, "", false},
		{false, nil, false},
		{false, []any{"a", 1}, false},
	} {
		p := hsProvider(t, clock, func(cfg *CustomTokenConfig) {
			cfg.Audience, cfg.RequireAllAudiences = []string{"a", "b"}, c.all
		})
		tok := extSign(t, jose.HS256, secret, "", extClaims("aud", c.aud))
		_, err := p.Verify(context.Background(), tok)
		if got := err == nil; got != c.want {
			t.Errorf("all=%v aud=%v: accepted=%v (%v), want %v", c.all, c.aud, got, err, c.want)
		}
		if err != nil && !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("all=%v aud=%v: %v", c.all, c.aud, err)
		}
	}

	// Without a configured audience, aud is not checked.
	p := hsProvider(t, clock, nil)
	if _, err := p.Verify(context.Background(), extSign(t, jose.HS256, secret, "", extClaims("aud", "whatever"))); err != nil {
		t.Fatal(err)
	}
}

func TestCustomTokenMetadata(t *testing.T) {
	clock := newExtClock()
	secret := []byte(extSecret(0))
	p := hsProvider(t, clock, func(cfg *CustomTokenConfig) {
		cfg.MetadataFields = []MetadataField{
			{Name: "user.profile.name", Required: true},
			{Name: `http://example\.com/id`, FieldName: "example_id", Required: true},
			{Name: "age"},
			{Name: "score"},
			{Name: "tags"},
			{Name: "absent"},
			{Name: "nulled"},
		}
	})
	claims := extClaims(
		"user", map[string]any{"profile": map[string]any{"name": "Ada", "secret": "s"}},
		"http://example.com/id", "ex-7",
		"age", 36,
		"score", 1.5,
		"tags", []any{"a", map[string]any{"n": 9007199254740993}},
		"email", "not-configured@example.com",
	)
	claims["nulled"] = nil // a null optional field is left out
	tok := extSign(t, jose.HS256, secret, "", claims)
	c, err := p.Verify(context.Background(), tok)
	extNoErr(t, err)
	want := map[string]any{
		"name":       "Ada",
		"example_id": "ex-7",
		"age":        int64(36),
		"score":      1.5,
		"tags":       []any{"a", map[string]any{"n": int64(9007199254740993)}},
	}
	if !reflect.DeepEqual(c.Data, want) {
		t.Fatalf("data = %#v\nwant %#v", c.Data, want)
	}
	if got := p.MetadataFields(); got[0].FieldName != "name" || got[1].FieldName != "example_id" {
		t.Fatalf("MetadataFields() = %+v", got)
	}

}

func TestCustomTokenMetadataRequired(t *testing.T) {
	clock := newExtClock()
	secret := []byte(extSecret(0))
	p := hsProvider(t, clock, func(cfg *CustomTokenConfig) {
		cfg.MetadataFields = []MetadataField{
			{Name: "email", Required: true},
			{Name: "nick"},
			{Name: "user.profile.name", Required: true},
			{Name: "org", Required: true},
		}
	})
	tok := extSign(t, jose.HS256, secret, "", extClaims("org", "acme", "user", map[string]any{"profile": "flat"}))
	_, err := p.Verify(context.Background(), tok)
	extWantErr(t, err, ErrMetadataRequired, tok)
	if errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("missing metadata is not bad credentials: %v", err)
	}
	if !strings.HasSuffix(err.Error(), "required metadata missing: email, user.profile.name") {
		t.Fatalf("error = %q", err)
	}

	// A JSON null is missing too.
	tok = extHS256(t, map[string]any{"alg": "HS256"}, extClaims("org", "acme", "email", "e@x",
		"user", map[string]any{"profile": map[string]any{"name": nil}}), secret)
	_, err = p.Verify(context.Background(), tok)
	if !errors.Is(err, ErrMetadataRequired) || !strings.HasSuffix(err.Error(), ": user.profile.name") {
		t.Fatalf("error = %v", err)
	}
}

func TestCustomTokenMetadataSize(t *testing.T) {
	clock := newExtClock()
	secret := []byte(extSecret(0))
	p := hsProvider(t, clock, func(cfg *CustomTokenConfig) {
		cfg.MetadataFields = []MetadataField{{Name: "bio"}, {Name: "prefs"}}
	})
	verify := func(kv ...any) error {
		_, err := p.Verify(context.Background(), extSign(t, jose.HS256, secret, "", extClaims(kv...)))
		return err
	}

	if err := verify("bio", strings.Repeat("b", 4096)); err != nil {
		t.Fatalf("4,096 characters refused: %v", err)
	}
	// Characters, not bytes: 4,096 two-byte characters are fine.
	if err := verify("bio", strings.Repeat("é", 4096)); err != nil {
		t.Fatalf("4,096 two-byte characters refused: %v", err)
	}
	err := verify("bio", strings.Repeat("b", 4097))
	if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), `"bio"`) || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("4,097 characters: %v", err)
	}
	// Other values are limited by their JSON encoding.
	err = verify("prefs", map[string]any{"k": strings.Repeat("p", 4090)})
	if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), `"prefs"`) {
		t.Fatalf("large object: %v", err)
	}
	if err := verify("prefs", map[string]any{"k": strings.Repeat("p", 4000)}); err != nil {
		t.Fatalf("object under the limit: %v", err)
	}
	// Keys that would read as Extended JSON wrappers are refused.
	if err := verify("prefs", map[string]any{"$oid": "x"}); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("$ key: %v", err)
	}
}

func TestCustomTokenJWKSRotation(t *testing.T) {
	clock := newExtClock()
	srv := newExtJWKSServer(t)
	k1, k2, k3 := extKey(t, jose.RS256, "a"), extKey(t, jose.RS256, "b"), extKey(t, jose.RS256, "c")
	srv.set(t, map[string]crypto.Signer{"k1": k1})
	p := newCustomToken(t, CustomTokenConfig{SigningAlgorithm: "RS256", JWKSURL: srv.URL, Now: clock.now})
	ctx := context.Background()

	verify := func(key crypto.Signer, kid string) error {
		_, err := p.Verify(ctx, extSign(t, jose.RS256, key, kid, extClaims("exp", clock.now().Add(time.Minute).Unix())))
		return err
	}
	wantHits := func(n int32) {
		t.Helper()
		if got := srv.hits.Load(); got != n {
			t.Fatalf("JWKS fetched %d times, want %d", got, n)
		}
	}

	extNoErr(t, verify(k1, "k1"))
	extNoErr(t, verify(k1, "k1"))
	wantHits(1)

	// The issuer rotates to k2: its first token triggers one refetch.
	clock.advance(2 * time.Minute)
	srv.set(t, map[string]crypto.Signer{"k1": k1, "k2": k2, "k3": k3})
	extNoErr(t, verify(k2, "k2"))
	wantHits(2)

	// Another unknown kid within the interval does not refetch, even
	// though the server would now know it.
	clock.advance(30 * time.Second)
	srv.set(t, map[string]crypto.Signer{"k1": k1, "k2": k2, "k3": k3, "k4": extKey(t, jose.RS256, "d")})
	err := verify(k3, "k4")
	extWantErr(t, err, ErrInvalidCredentials, "")
	wantHits(2)
	// k3 was fetched with k2 already.
	extNoErr(t, verify(k3, "k3"))
	wantHits(2)

	// After the interval, an unknown kid may refetch again.
	clock.advance(31 * time.Second)
	extNoErr(t, verify(extKey(t, jose.RS256, "d"), "k4"))
	wantHits(3)

	// A kid is required with a JWKS, and must name the signing key.
	extWantErr(t, verify(k1, ""), ErrInvalidCredentials, "")
	extWantErr(t, verify(k1, "k2"), ErrInvalidCredentials, "")

	// Keys are refetched after jwksMaxAge; a removed key stops verifying.
	clock.advance(jwksMaxAge)
	srv.set(t, map[string]crypto.Signer{"k2": k2})
	extWantErr(t, verify(k1, "k1"), ErrInvalidCredentials, "")
	wantHits(4)
	extNoErr(t, verify(k2, "k2"))
}

func TestCustomTokenJWKSUnusableKeys(t *testing.T) {
	clock := newExtClock()
	srv := newExtJWKSServer(t)
	ec := extKey(t, jose.ES256, "a")
	srv.set(t, map[string]crypto.Signer{"good": ec},
		jose.JSONWebKey{Key: ec.Public(), KeyID: "enc", Use: "enc"},
		jose.JSONWebKey{Key: ec, KeyID: "private", Use: "sig"},
		jose.JSONWebKey{Key: ec.Public(), KeyID: "other-alg", Algorithm: "ES384"},
		jose.JSONWebKey{Key: extKey(t, jose.EdDSA, "a").Public(), KeyID: "wrong-type"},
	)
	p := newCustomToken(t, CustomTokenConfig{SigningAlgorithm: "ES256", JWKSURL: srv.URL, Now: clock.now})
	for _, kid := range []string{"enc", "private", "other-alg", "wrong-type"} {
		tok := extSign(t, jose.ES256, ec, kid, extClaims())
		_, err := p.Verify(context.Background(), tok)
		extWantErr(t, err, ErrInvalidCredentials, tok)
	}
	if _, err := p.Verify(context.Background(), extSign(t, jose.ES256, ec, "good", extClaims())); err != nil {
		t.Fatal(err)
	}
}

func TestCustomTokenJWKSUnavailable(t *testing.T) {
	clock := newExtClock()
	srv := newExtJWKSServer(t)
	k := extKey(t, jose.ES256, "a")
	p := newCustomToken(t, CustomTokenConfig{SigningAlgorithm: "ES256", JWKSURL: srv.URL, Now: clock.now, JWKSRefetchInterval: 5 * time.Second})
	tok := extSign(t, jose.ES256, k, "k", extClaims("exp", extT0.Add(2*jwksMaxAge).Unix()))

	srv.setRaw(500, []byte(`{}`))
	_, err := p.Verify(context.Background(), tok)
	extWantErr(t, err, ErrProviderUnavailable, tok)

	// Oversized answers are refused, even when their start parses.
	srv.setRaw(200, []byte(`{"keys":[]}`+strings.Repeat(" ", maxResponseBody)))
	clock.advance(5 * time.Second)
	_, err = p.Verify(context.Background(), tok)
	extWantErr(t, err, ErrProviderUnavailable, tok)

	srv.set(t, map[string]crypto.Signer{"k": k})
	clock.advance(5 * time.Second)
	extNoErr(t, func() error { _, err := p.Verify(context.Background(), tok); return err }())

	// Once keys are held, a failed refresh keeps them in use.
	srv.setRaw(500, nil)
	clock.advance(jwksMaxAge)
	extNoErr(t, func() error { _, err := p.Verify(context.Background(), tok); return err }())
	if srv.hits.Load() != 4 {
		t.Fatalf("hits = %d", srv.hits.Load())
	}
}

func TestCustomTokenConfigErrors(t *testing.T) {
	rsaPEM := extPEM(t, extKey(t, jose.RS256, "a").Public())
	ecPEM := extPEM(t, extKey(t, jose.ES256, "a").Public())
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	extNoErr(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	extNoErr(t, err)
	cases := map[string]CustomTokenConfig{
		"no algorithm":        {SigningKeys: []string{extSecret(0)}},
		"alg none":            {SigningAlgorithm: "none", SigningKeys: []string{extSecret(0)}},
		"RS512":               {SigningAlgorithm: "RS512", SigningKeys: []string{rsaPEM}},
		"no keys":             {SigningAlgorithm: "RS256"},
		"keys and JWKS":       {SigningAlgorithm: "RS256", SigningKeys: []string{rsaPEM}, JWKSURL: "https://example.com/jwks"},
		"HS256 with JWKS":     {SigningAlgorithm: "HS256", JWKSURL: "https://example.com/jwks"},
		"relative JWKS URL":   {SigningAlgorithm: "RS256", JWKSURL: "/jwks"},
		"short secret":        {SigningAlgorithm: "HS256", SigningKeys: []string{"short"}},
		"EC key for RS256":    {SigningAlgorithm: "RS256", SigningKeys: []string{ecPEM}},
		"RSA key for ES256":   {SigningAlgorithm: "ES256", SigningKeys: []string{rsaPEM}},
		"P-384 key for ES256": {SigningAlgorithm: "ES256", SigningKeys: []string{extPEM(t, p384.Public())}},
		"not PEM":             {SigningAlgorithm: "ES256", SigningKeys: []string{"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"}},
		"text after PEM":      {SigningAlgorithm: "ES256", SigningKeys: []string{ecPEM + "trailing"}},
		"one bad PEM of two":  {SigningAlgorithm: "ES256", SigningKeys: []string{ecPEM + rsaPEM}},
		"empty audience":      {SigningAlgorithm: "HS256", SigningKeys: []string{extSecret(0)}, Audience: []string{""}},
		"bad metadata fields": {SigningAlgorithm: "HS256", SigningKeys: []string{extSecret(0)}, MetadataFields: []MetadataField{{Name: "a..b"}}},
	}
	cases["1024-bit RSA"] = CustomTokenConfig{SigningAlgorithm: "RS256", SigningKeys: []string{extPEM(t, small.Public())}}
	for name, cfg := range cases {
		if _, err := NewCustomTokenProvider(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
