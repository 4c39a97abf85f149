package authn

import (
	"context"
	"crypto"
	"reflect"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const extGoogleClient = "1234-abc.apps.googleusercontent.com"

// googleClaims are the claims of a Google ID token at extT0.
func googleClaims(kv ...any) map[string]any {
	c := map[string]any{
		"iss":            "https://accounts.google.com",
		"azp":            extGoogleClient,
		"aud":            extGoogleClient,
		"sub":            "110169484474386276334",
		"email":          "ada@example.com",
		"email_verified": true,
		"name":           "Ada Lovelace",
		"given_name":     "Ada",
		"family_name":    "Lovelace",
		"picture":        "https://lh3.googleusercontent.com/a/pic",
		"locale":         "en",
		"iat":            extT0.Unix(),
		"exp":            extT0.Add(time.Hour).Unix(),
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

func TestGoogle(t *testing.T) {
	clock := newExtClock()
	key := extKey(t, jose.RS256, "google")
	srv := newExtJWKSServer(t)
	srv.set(t, map[string]crypto.Signer{"g1": key, "g0": extKey(t, jose.RS256, "a")})
	p, err := NewGoogleProvider(GoogleConfig{
		ClientID: extGoogleClient,
		JWKSURL:  srv.URL,
		MetadataFields: []MetadataField{
			{Name: "name", Required: true},
			{Name: "first_name"},
			{Name: "email", FieldName: "mail"},
		},
		Now: clock.now,
	})
	extNoErr(t, err)
	if p.Type() != ProviderGoogle {
		t.Fatal(p.Type())
	}
	verify := func(claims map[string]any) (*Claim, error) {
		return p.Verify(context.Background(), extSign(t, jose.RS256, key, "g1", claims))
	}

	c, err := verify(googleClaims())
	extNoErr(t, err)
	want := map[string]any{"name": "Ada Lovelace", "first_name": "Ada", "mail": "ada@example.com"}
	if c.ProviderType != ProviderGoogle || c.ProviderID != "110169484474386276334" || !reflect.DeepEqual(c.Data, want) {
		t.Fatalf("claim = %+v", c)
	}

	// The other accepted issuer spelling.
	_, err = verify(googleClaims("iss", "accounts.google.com"))
	extNoErr(t, err)

	// An unverified email is left out.
	c, err = verify(googleClaims("email_verified", false))
	extNoErr(t, err)
	if _, ok := c.Data["mail"]; ok {
		t.Fatalf("unverified email kept: %+v", c.Data)
	}

	rs := func(claims map[string]any) string { return extSign(t, jose.RS256, key, "g1", claims) }
	for _, c := range []struct {
		name, tok string
		why       string // in the error text
	}{
		{"wrong aud", rs(googleClaims("aud", "other.apps.googleusercontent.com")), "audience"},
		{"aud list with others", rs(googleClaims("aud", []string{extGoogleClient, "other"})), "audience"},
		{"no aud", rs(googleClaims("aud", nil)), "audience"},
		{"wrong iss", rs(googleClaims("iss", "https://evil.example.com")), "issuer"},
		{"no iss", rs(googleClaims("iss", nil)), "issuer"},
		{"expired", rs(googleClaims("exp", extT0.Add(-time.Minute).Unix())), "expired"},
		{"no exp", rs(googleClaims("exp", nil)), "exp missing"},
		{"no sub", rs(googleClaims("sub", nil)), "sub missing"},
		{"required name missing", rs(googleClaims("name", nil)), "required metadata missing: name"},
		{"wrong key for kid", extSign(t, jose.RS256, extKey(t, jose.RS256, "a"), "g1", googleClaims()), "signature"},
		{"unknown kid", extSign(t, jose.RS256, key, "g9", googleClaims()), "unknown signing key"},
		{"ES256 token", extSign(t, jose.ES256, extKey(t, jose.ES256, "a"), "g1", googleClaims()), "algorithm"},
		{"HS256 with the public key", extHS256(t, map[string]any{"alg": "HS256", "kid": "g1"}, googleClaims(), []byte(extPEM(t, key.Public()))), "algorithm"},
	} {
		_, err := p.Verify(context.Background(), c.tok)
		want := ErrInvalidCredentials
		if c.name == "required name missing" {
			want = ErrMetadataRequired
		}
		extWantErr(t, err, want, c.tok)
		if !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: refused for another reason: %v", c.name, err)
		}
	}
}

func TestGoogleConfig(t *testing.T) {
	if _, err := NewGoogleProvider(GoogleConfig{}); err == nil {
		t.Error("no client id accepted")
	}
	if _, err := NewGoogleProvider(GoogleConfig{ClientID: "x", MetadataFields: []MetadataField{{Name: "gender"}}}); err == nil {
		t.Error("gender accepted for Google")
	}
	p, err := NewGoogleProvider(GoogleConfig{ClientID: "x"})
	extNoErr(t, err)
	g := p.(*googleProvider)
	if g.jwt.jwks.url != DefaultGoogleJWKSURL || !reflect.DeepEqual(g.issuers, defaultGoogleIssuers) {
		t.Errorf("defaults: %s %v", g.jwt.jwks.url, g.issuers)
	}
}
