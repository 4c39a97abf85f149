package authn

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var algs = []string{AlgES256, AlgEdDSA, AlgRS256}

func decodeSegment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAccessRoundTrip(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			k := sharedKey(t, alg)
			iss, _ := newIssuer(t, k)
			in := testClaims()
			in.UserMetadata = map[string]any{"email": "ada@example.com"}
			tok := mintAccess(t, iss, in)

			h := decodeSegment(t, tok, 0)
			want := map[string]any{"alg": alg, "kid": k.KID, "typ": "at+jwt"}
			if len(h) != len(want) {
				t.Fatalf("header = %v, want %v", h, want)
			}
			for name, v := range want {
				if h[name] != v {
					t.Fatalf("header = %v, want %v", h, want)
				}
			}

			got, err := iss.VerifyAccess(tok)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != in.Subject || got.SessionID != "sess-1" || got.UserType != UserTypeNormal ||
				got.DeviceID != in.DeviceID || got.ID == "" || got.ID != in.ID ||
				got.Issuer != iss.Issuer || got.Audience != iss.Audience ||
				got.UserMetadata["email"] != "ada@example.com" || got.UserDataOmitted {
				t.Fatalf("claims = %+v", got)
			}
			if !got.Expiry.Time().Equal(t0.Add(DefaultAccessTTL)) || !got.IssuedAt.Time().Equal(t0) ||
				!got.NotBefore.Time().Equal(t0) {
				t.Fatalf("times: iat %v nbf %v exp %v", got.IssuedAt.Time(), got.NotBefore.Time(), got.Expiry.Time())
			}
			// user_data travels byte for byte: key order and the int64 wrapper survive.
			if !bytes.Equal(got.UserData, in.UserData) {
				t.Fatalf("user_data = %s, want %s", got.UserData, in.UserData)
			}
			// Tokens are made without go-jose; any JOSE library must verify them.
			j, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatalf("go-jose cannot parse the token: %v", err)
			}
			var viaJose AccessClaims
			if err := j.Claims(k.Public, &viaJose); err != nil || viaJose.Subject != in.Subject || !bytes.Equal(viaJose.UserData, in.UserData) {
				t.Fatalf("go-jose verification: %v, claims %+v", err, viaJose)
			}
		})
	}
}

func TestMintAccessDefaultsAndRefusals(t *testing.T) {
	iss, _ := newIssuer(t, sharedKey(t, AlgES256))

	c := &AccessClaims{Subject: "u1", UserType: UserTypeServer, UserDataOmitted: true}
	tok := mintAccess(t, iss, c)
	p := decodeSegment(t, tok, 1)
	if ud, ok := p["user_data"].(map[string]any); !ok || len(ud) != 0 || p["user_data_omitted"] != true {
		t.Fatalf("payload = %v", p)
	}
	if _, ok := p["user_metadata"]; ok {
		t.Fatalf("user_metadata present without metadata: %v", p)
	}
	if _, ok := decodeSegment(t, mintAccess(t, iss, testClaims()), 1)["user_data_omitted"]; ok {
		t.Fatal("user_data_omitted present when false")
	}

	for name, c := range map[string]*AccessClaims{
		"no subject":      {UserType: UserTypeNormal},
		"array user_data": {Subject: "u1", UserData: json.RawMessage(`[1]`)},
		"blank user_data": {Subject: "u1", UserData: json.RawMessage(`  `)},
		"bad json":        {Subject: "u1", UserData: json.RawMessage(`{"a":`)},
		// Embedded as it is, this would set sub: MintAccess checks what it is given.
		"claims injection": {Subject: "u1", UserData: json.RawMessage(`{"a":1},"sub":"admin","x":{"y":1}`)},
	} {
		if _, err := iss.MintAccess(c); err == nil {
			t.Errorf("%s: minted", name)
		}
	}

	big := testClaims()
	big.UserData = bigUserData(MaxTokenSize)
	if _, err := iss.MintAccess(big); !errors.Is(err, ErrTokenTooLarge) {
		t.Fatalf("oversized: err = %v, want ErrTokenTooLarge", err)
	}
	// 16 KiB of custom data (the default limit) must fit.
	fits := testClaims()
	fits.UserData = bigUserData(16 << 10)
	if _, err := iss.VerifyAccess(mintAccess(t, iss, fits)); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshRoundTrip(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			iss, _ := newIssuer(t, sharedKey(t, alg))
			in := &RefreshClaims{Subject: "u1", SessionID: "s1"}
			tok, err := iss.MintRefresh(in)
			if err != nil {
				t.Fatal(err)
			}
			if h := decodeSegment(t, tok, 0); h["typ"] != "rt+jwt" {
				t.Fatalf("typ = %v", h["typ"])
			}
			if raw, err := base64.RawURLEncoding.DecodeString(in.Secret); err != nil || len(raw) != 32 {
				t.Fatalf("secret is not 32 base64url bytes: %d %v", len(raw), err)
			}
			got, err := iss.ParseRefresh(tok)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != "u1" || got.SessionID != "s1" || got.Secret != in.Secret ||
				got.ID != in.ID || !got.Expiry.Time().Equal(t0.Add(DefaultRefreshTTL)) {
				t.Fatalf("claims = %+v", got)
			}
			if !CheckSecret(HashSecret(in.Secret), got.Secret) {
				t.Fatal("CheckSecret rejects the right secret")
			}
			if CheckSecret(HashSecret(in.Secret), got.Secret+"x") || CheckSecret(nil, got.Secret) {
				t.Fatal("CheckSecret accepts a wrong secret")
			}
		})
	}
	// Refresh tokens are HS256 JWS that any JOSE library reads as it reads those go-jose makes (native
	// Realm SDKs decode them): the header go-jose would write, and a MAC go-jose verifies.
	t.Run("go-jose reads it", func(t *testing.T) {
		iss, _ := newIssuer(t, sharedKey(t, AlgES256))
		tok, err := iss.MintRefresh(&RefreshClaims{Subject: "u1", SessionID: "s1"})
		if err != nil {
			t.Fatal(err)
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: testRefreshKey},
			(&jose.SignerOptions{}).WithType("rt+jwt").WithHeader("kid", refreshKID(testRefreshKey)))
		if err != nil {
			t.Fatal(err)
		}
		obj, err := signer.Sign([]byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := obj.CompactSerialize()
		if got, want := strings.Split(tok, ".")[0], strings.Split(ref, ".")[0]; got != want {
			t.Fatalf("header %s, go-jose writes %s", got, want)
		}
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.HS256})
		if err != nil {
			t.Fatal(err)
		}
		payload, err := jws.Verify(testRefreshKey)
		if err != nil {
			t.Fatalf("go-jose does not verify the MAC: %v", err)
		}
		if c := (RefreshClaims{}); json.Unmarshal(payload, &c) != nil || c.SessionID != "s1" {
			t.Fatalf("payload %s", payload)
		}
		if _, err := jws.Verify([]byte("another key, another key, another")); err == nil {
			t.Fatal("go-jose verifies the MAC under another key")
		}
	})
	iss, _ := newIssuer(t, sharedKey(t, AlgES256))
	a, b := &RefreshClaims{Subject: "u", SessionID: "s"}, &RefreshClaims{Subject: "u", SessionID: "s"}
	if _, err := iss.MintRefresh(a); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.MintRefresh(b); err != nil {
		t.Fatal(err)
	}
	if a.Secret == b.Secret || a.ID == b.ID {
		t.Fatal("two refresh tokens share a secret or jti")
	}
	if _, err := iss.MintRefresh(&RefreshClaims{Subject: "u"}); err == nil {
		t.Fatal("minted a refresh token without session")
	}
}

// TestRefreshAfterKeyRetired pins the policy: refresh tokens are signed with the refresh MAC key, so
// retiring the signing key logs no one out; a token signed by a signing key before that (an older
// version of Lanyard) verifies while its key lives and is refused once it is gone: parsed unverified,
// its signature could be anything, and the token would have endless spellings.
func TestRefreshAfterKeyRetired(t *testing.T) {
	old := newKey(t, AlgES256)
	iss, clock := newIssuer(t, old)
	c := &RefreshClaims{Subject: "u1", SessionID: "s1"}
	tok, err := iss.MintRefresh(c)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"iss": iss.Issuer, "aud": iss.Audience, "sub": "u2", "sid": "s1", "rts": c.Secret,
		"iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix()}
	legacy := forge(t, header(AlgES256, old.KID, "rt+jwt"), claims, AlgES256, old.Private)
	for name, forged := range map[string]string{
		"known signing kid, bad signature": forge(t, header(AlgES256, old.KID, "rt+jwt"), claims, AlgES256, newKey(t, AlgES256).Private),
		"refresh kid, wrong MAC key":       forge(t, header("HS256", refreshKID(testRefreshKey), "rt+jwt"), claims, "HS256", []byte("another key")),
		"another master key's refresh kid": forge(t, header("HS256", refreshKID([]byte("another key")), "rt+jwt"), claims, "HS256", []byte("another key")),
	} {
		if _, err := iss.ParseRefresh(forged); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("%s: err = %v", name, err)
		}
	}
	if _, err := iss.ParseRefresh(legacy); err != nil {
		t.Fatalf("a refresh token signed by a live signing key: %v", err)
	}

	if err := iss.Keyring.Replace(newKey(t, AlgES256), nil); err != nil {
		t.Fatal(err)
	}
	got, err := iss.ParseRefresh(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.SessionID != "s1" || !CheckSecret(HashSecret(c.Secret), got.Secret) {
		t.Fatalf("claims = %+v", got)
	}
	if got, err := iss.ParseRefresh(legacy); !errors.Is(err, ErrTokenInvalid) || got != nil {
		t.Fatalf("a refresh token of a retired signing key: %+v, %v", got, err)
	}

	other := *iss
	other.Audience = "another-app"
	if _, err := other.ParseRefresh(tok); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("wrong aud: err = %v", err)
	}
	if _, err := iss.VerifyAccess(tok); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("refresh token accepted as access token: %v", err)
	}
	clock.t = t0.Add(DefaultRefreshTTL + time.Minute)
	if _, err := iss.ParseRefresh(tok); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("expired refresh: err = %v", err)
	}
}

func TestTimeChecks(t *testing.T) {
	iss, clock := newIssuer(t, sharedKey(t, AlgES256))
	tok := mintAccess(t, iss, testClaims()) // iat = nbf = t0, exp = t0+30m

	for _, tc := range []struct {
		name string
		at   time.Time
		want error
	}{
		{"at issue", t0, nil},
		{"issued 20s in the future (leeway)", t0.Add(-20 * time.Second), nil},
		{"issued 31s in the future", t0.Add(-31 * time.Second), ErrTokenInvalid},
		{"just before exp", t0.Add(30*time.Minute - time.Second), nil},
		{"20s past exp (leeway)", t0.Add(30*time.Minute + 20*time.Second), nil},
		{"31s past exp", t0.Add(30*time.Minute + 31*time.Second), ErrTokenExpired},
		{"a day past exp", t0.Add(24 * time.Hour), ErrTokenExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock.t = tc.at
			_, err := iss.VerifyAccess(tok)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestVerifySecurity runs every rejected shape through both verify paths.
// The forge helper is proven by the "control" case: a hand-made token with
// the right header, claims and key verifies, so each other case fails for
// the one reason it changes.
func TestVerifySecurity(t *testing.T) {
	k := sharedKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	priv := k.Private.(*ecdsa.PrivateKey)
	hdr := header(AlgES256, k.KID, "at+jwt")
	claims := validClaims(iss)
	pubDER, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		t.Fatal(err)
	}
	access := mintAccess(t, iss, testClaims())
	refresh, err := iss.MintRefresh(&RefreshClaims{Subject: "u1", SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(access, ".")
	otherKey := newKey(t, AlgES256).Private

	for _, tc := range []struct {
		name  string
		token string
		want  error // nil: must verify
	}{
		{"control", forge(t, hdr, claims, AlgES256, priv), nil},
		{"empty", "", ErrTokenMissing},
		{"alg none, no signature", forge(t, header("none", k.KID, "at+jwt"), claims, "none", nil), ErrTokenInvalid},
		{"alg none, junk signature", forge(t, header("none", k.KID, "at+jwt"), claims, "none", nil) + "AAAA", ErrTokenInvalid},
		{"HS256 keyed with the public key (DER)", forge(t, header("HS256", k.KID, "at+jwt"), claims, "HS256", pubDER), ErrTokenInvalid},
		{"HS256 keyed with the JWKS JSON", forge(t, header("HS256", k.KID, "at+jwt"), claims, "HS256", iss.Keyring.JWKSJSON()), ErrTokenInvalid},
		{"wrong key, same kid", forge(t, hdr, claims, AlgES256, otherKey), ErrTokenInvalid},
		{"unknown kid", forge(t, header(AlgES256, "nope", "at+jwt"), claims, AlgES256, otherKey), ErrTokenInvalid},
		{"missing kid", forge(t, header(AlgES256, "", "at+jwt"), claims, AlgES256, priv), ErrTokenInvalid},
		{"empty kid", forge(t, with(hdr, "kid", ""), claims, AlgES256, priv), ErrTokenInvalid},
		{"alg not the key's", forge(t, header(AlgRS256, k.KID, "at+jwt"), claims, AlgRS256, sharedKey(t, AlgRS256).Private), ErrTokenInvalid},
		{"expired", forge(t, hdr, with(claims, "exp", t0.Add(-time.Hour).Unix()), AlgES256, priv), ErrTokenExpired},
		{"nbf beyond leeway", forge(t, hdr, with(claims, "nbf", t0.Add(time.Minute).Unix()), AlgES256, priv), ErrTokenInvalid},
		{"iat beyond leeway", forge(t, hdr, with(claims, "iat", t0.Add(time.Minute).Unix()), AlgES256, priv), ErrTokenInvalid},
		{"missing exp", forge(t, hdr, with(claims, "exp", nil), AlgES256, priv), ErrTokenInvalid},
		{"missing exp, expired iat", forge(t, hdr, with(claims, "exp", nil, "iat", t0.Add(-48*time.Hour).Unix()), AlgES256, priv), ErrTokenInvalid},
		{"missing iat", forge(t, hdr, with(claims, "iat", nil), AlgES256, priv), ErrTokenInvalid},
		{"missing sub", forge(t, hdr, with(claims, "sub", nil), AlgES256, priv), ErrTokenInvalid},
		{"wrong iss", forge(t, hdr, with(claims, "iss", "https://evil.example.com"), AlgES256, priv), ErrTokenInvalid},
		{"iss with trailing slash", forge(t, hdr, with(claims, "iss", iss.Issuer+"/"), AlgES256, priv), ErrTokenInvalid},
		{"wrong aud", forge(t, hdr, with(claims, "aud", "other-app"), AlgES256, priv), ErrTokenInvalid},
		{"aud array with ours", forge(t, hdr, with(claims, "aud", []string{"other-app", iss.Audience}), AlgES256, priv), ErrTokenInvalid},
		{"claims not an object", forge(t, hdr, []byte(`"x"`), AlgES256, priv), ErrTokenInvalid},
		{"refresh token as access", refresh, ErrTokenInvalid},
		{"missing typ", forge(t, header(AlgES256, k.KID, ""), claims, AlgES256, priv), ErrTokenInvalid},
		{"typ JWT", forge(t, header(AlgES256, k.KID, "JWT"), claims, AlgES256, priv), ErrTokenInvalid},
		{"typ rt+jwt", forge(t, header(AlgES256, k.KID, "rt+jwt"), claims, AlgES256, priv), ErrTokenInvalid},
		{"extra header jwk", forge(t, with(hdr, "jwk", map[string]any{"kty": "oct", "k": "AAAA"}), claims, AlgES256, priv), ErrTokenInvalid},
		{"extra header crit b64", forge(t, with(hdr, "crit", []string{"b64"}, "b64", false), claims, AlgES256, priv), ErrTokenInvalid},
		{"extra header x5u", forge(t, with(hdr, "x5u", "https://evil.example.com/k"), claims, AlgES256, priv), ErrTokenInvalid},
		{"header not an object", forge(t, []byte(`[]`), claims, AlgES256, priv), ErrTokenInvalid},
		{"33 KiB", forge(t, hdr, with(claims, "user_data", map[string]any{"x": strings.Repeat("a", 33<<10)}), AlgES256, priv), ErrTokenInvalid},
		{"2 segments", parts[0] + "." + parts[1], ErrTokenInvalid},
		{"4 segments", access + "." + parts[2], ErrTokenInvalid},
		{"empty signature segment", parts[0] + "." + parts[1] + ".", ErrTokenInvalid},
		{"padding", access + "==", ErrTokenInvalid},
		{"newline in payload", parts[0] + "." + parts[1][:8] + "\n" + parts[1][8:] + "." + parts[2], ErrTokenInvalid},
		{"leading space", " " + access, ErrTokenInvalid},
		{"JSON serialization", `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, ErrTokenInvalid},
		{"Bearer prefix", "Bearer " + access, ErrTokenInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, verify := range []struct {
				name string
				fn   func(string) (*AccessClaims, error)
			}{{"raw", iss.VerifyAccess}, {"cached", withCache(iss).VerifyAccessCached}} {
				c, err := verify.fn(tc.token)
				if tc.want == nil {
					if err != nil {
						t.Fatalf("%s: err = %v, want success", verify.name, err)
					}
					continue
				}
				if !errors.Is(err, tc.want) || c != nil {
					t.Fatalf("%s: claims %v, err = %v, want %v", verify.name, c, err, tc.want)
				}
				if len(tc.token) > 8 && strings.Contains(err.Error(), tc.token[len(tc.token)-8:]) {
					t.Fatalf("%s: error quotes the token: %v", verify.name, err)
				}
			}
		})
	}

	// The reverse direction: an access token is not a refresh token.
	if _, err := iss.ParseRefresh(access); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("access token accepted as refresh token: %v", err)
	}
	if _, err := iss.ParseRefresh(""); !errors.Is(err, ErrTokenMissing) {
		t.Fatalf("empty refresh token: %v", err)
	}
}

// TestParseRefreshSecurity covers refresh parsing: the refresh MAC, the tokens of
// signing keys an older Lanyard made, and forgeries of both.
func TestParseRefreshSecurity(t *testing.T) {
	k := sharedKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	priv := k.Private.(*ecdsa.PrivateKey)
	claims := map[string]any{"iss": iss.Issuer, "aud": iss.Audience, "sub": "u1", "sid": "s1",
		"rts": "c2VjcmV0", "jti": "j1", "iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix()}
	known := header(AlgES256, k.KID, "rt+jwt")
	unknown := header(AlgES256, "retired-kid", "rt+jwt")
	mac := header("HS256", refreshKID(testRefreshKey), "rt+jwt")
	other := newKey(t, AlgES256).Private

	for _, tc := range []struct {
		name  string
		token string
		want  error // nil: parses
	}{
		{"control, known kid", forge(t, known, claims, AlgES256, priv), nil},
		{"unknown kid", forge(t, unknown, claims, AlgES256, other), ErrTokenInvalid},
		{"control, refresh MAC", forge(t, mac, claims, "HS256", testRefreshKey), nil},
		{"refresh MAC, typ at+jwt", forge(t, with(mac, "typ", "at+jwt"), claims, "HS256", testRefreshKey), ErrTokenInvalid},
		{"refresh MAC, extra header", forge(t, with(mac, "x5u", "https://evil.example.com"), claims, "HS256", testRefreshKey), ErrTokenInvalid},
		{"refresh MAC, signing kid", forge(t, with(mac, "kid", k.KID), claims, "HS256", testRefreshKey), ErrTokenInvalid},
		{"known kid, wrong key", forge(t, known, claims, AlgES256, other), ErrTokenInvalid},
		{"missing kid", forge(t, header(AlgES256, "", "rt+jwt"), claims, AlgES256, other), ErrTokenInvalid},
		{"empty kid", forge(t, with(known, "kid", ""), claims, AlgES256, other), ErrTokenInvalid},
		{"unknown kid, alg none", forge(t, header("none", "retired-kid", "rt+jwt"), claims, "none", nil) + "AAAA", ErrTokenInvalid},
		{"unknown kid, HS256", forge(t, header("HS256", "retired-kid", "rt+jwt"), claims, "HS256", []byte("k")), ErrTokenInvalid},
		{"unknown kid, typ at+jwt", forge(t, header(AlgES256, "retired-kid", "at+jwt"), claims, AlgES256, other), ErrTokenInvalid},
		{"known kid, wrong iss", forge(t, known, with(claims, "iss", "https://evil.example.com"), AlgES256, priv), ErrTokenInvalid},
		{"known kid, missing exp", forge(t, known, with(claims, "exp", nil), AlgES256, priv), ErrTokenInvalid},
		{"known kid, expired", forge(t, known, with(claims, "exp", t0.Add(-time.Hour).Unix()), AlgES256, priv), ErrTokenExpired},
		{"known kid, extra header", forge(t, with(known, "x5u", "https://evil.example.com"), claims, AlgES256, priv), ErrTokenInvalid},
		{"refresh MAC, expired", forge(t, mac, with(claims, "exp", t0.Add(-time.Hour).Unix()), "HS256", testRefreshKey), ErrTokenExpired},
		{"missing rts", forge(t, known, with(claims, "rts", nil), AlgES256, priv), ErrTokenInvalid},
		{"missing sid", forge(t, known, with(claims, "sid", nil), AlgES256, priv), ErrTokenInvalid},
		{"missing sub", forge(t, known, with(claims, "sub", nil), AlgES256, priv), ErrTokenInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := iss.ParseRefresh(tc.token)
			if tc.want == nil {
				if err != nil || c.Secret != "c2VjcmV0" {
					t.Fatalf("claims %+v, err %v", c, err)
				}
				return
			}
			if !errors.Is(err, tc.want) || c != nil {
				t.Fatalf("claims %+v, err = %v, want %v", c, err, tc.want)
			}
		})
	}
	// The refresh MAC key never makes an access token, whatever the header says.
	access := map[string]any{"iss": iss.Issuer, "aud": iss.Audience, "sub": "u1", "sid": "s1", "jti": "j1",
		"iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(time.Hour).Unix()}
	for _, h := range []map[string]any{with(mac, "typ", "at+jwt"), mac} {
		if _, err := iss.VerifyAccess(forge(t, h, access, "HS256", testRefreshKey)); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("HS256 access token with header %v: err = %v", h, err)
		}
	}
}

func withCache(iss *Issuer) *Issuer {
	c := *iss
	c.Cache = NewVerifyCache(100)
	return &c
}

// mutations returns every token that differs from tok in one character,
// replaced by characters whose base64url value differs from the original in
// one or two low bits (the non-canonical cases) or elsewhere, plus a few
// separators and padding characters.
func mutations(tok string) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out []string
	for i := 0; i < len(tok); i++ {
		seen := map[byte]bool{tok[i]: true}
		var repl []byte
		if v := strings.IndexByte(alphabet, tok[i]); v >= 0 {
			for _, x := range []int{1, 2, 3, 4, 8, 16, 32} {
				repl = append(repl, alphabet[v^x])
			}
		} else {
			repl = append(repl, 'A', 'g')
		}
		repl = append(repl, '.', '=', '+', '/', ' ')
		for _, c := range repl {
			if !seen[c] {
				seen[c] = true
				out = append(out, tok[:i]+string(c)+tok[i+1:])
			}
		}
	}
	return out
}

func TestEverySingleCharacterChangeFails(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			iss, _ := newIssuer(t, sharedKey(t, alg))
			tok := mintAccess(t, iss, testClaims())
			if _, err := iss.VerifyAccess(tok); err != nil {
				t.Fatal(err)
			}
			muts := mutations(tok)
			if len(muts) < 10*len(tok) {
				t.Fatalf("only %d mutations of a %d-char token", len(muts), len(tok))
			}
			for _, m := range muts {
				if c, err := iss.VerifyAccess(m); err == nil || c != nil {
					i := 0
					for m[i] == tok[i] {
						i++
					}
					t.Fatalf("mutation at %d/%d (%q -> %q) verified", i, len(tok), tok[i], m[i])
				}
			}
		})
	}
}

// TestGoJoseAloneAcceptsNonCanonical shows why jws.Canonical exists: plain
// go-jose verifies some of the single-character changes that VerifyAccess
// refuses. If go-jose ever becomes strict, this test says so.
func TestGoJoseAloneAcceptsNonCanonical(t *testing.T) {
	k := sharedKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	tok := mintAccess(t, iss, testClaims())
	accepted := 0
	for _, m := range mutations(tok) {
		j, err := jwt.ParseSigned(m, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			continue
		}
		var c AccessClaims
		if j.Claims(k.Public, &c) == nil {
			accepted++
			if _, err := iss.VerifyAccess(m); err == nil {
				t.Fatal("VerifyAccess accepted what only go-jose should")
			}
		}
	}
	if accepted == 0 {
		t.Fatal("go-jose rejected every mutation; jws.Canonical may no longer be needed")
	}
	t.Logf("go-jose alone accepted %d mutations", accepted)
}

func TestUnknownKIDReload(t *testing.T) {
	oldKey, newK := newKey(t, AlgES256), newKey(t, AlgES256)

	// Replica A has rotated to newK; replica B still only knows oldKey.
	a, _ := newIssuer(t, newK)
	tok := mintAccess(t, a, testClaims())
	b, _ := newIssuer(t, oldKey)

	loads := 0
	b.Keyring.SetSource(func(context.Context) (*SigningKey, []*SigningKey, error) {
		loads++
		return newK, []*SigningKey{oldKey}, nil
	}, time.Hour)

	if _, err := b.VerifyAccess(tok); err != nil {
		t.Fatalf("token of a key from another replica: %v", err)
	}
	if loads != 1 {
		t.Fatalf("loads = %d, want 1", loads)
	}
	// Made-up kids within the interval cost nothing.
	bogus := forge(t, header(AlgES256, "made-up", "at+jwt"), validClaims(b), AlgES256, newK.Private)
	for range 5 {
		if _, err := b.VerifyAccess(bogus); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("err = %v", err)
		}
	}
	if loads != 1 {
		t.Fatalf("loads = %d after unknown kids, want 1 (rate limit)", loads)
	}
	// Without a source, nothing is loaded and nothing breaks.
	b.Keyring.SetSource(nil, 0)
	if _, err := b.VerifyAccess(bogus); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("err = %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	k1, k2 := newKey(t, AlgES256), newKey(t, AlgEdDSA)
	iss, _ := newIssuer(t, k1)
	tok1 := mintAccess(t, iss, testClaims())

	k1.NotAfter = t0
	if err := iss.Keyring.Replace(k2, []*SigningKey{k1}); err != nil {
		t.Fatal(err)
	}
	tok2 := mintAccess(t, iss, testClaims())
	if h := decodeSegment(t, tok2, 0); h["kid"] != k2.KID || h["alg"] != AlgEdDSA {
		t.Fatalf("new tokens not signed by the new key: %v", h)
	}
	for _, tok := range []string{tok1, tok2} {
		if _, err := iss.VerifyAccess(tok); err != nil {
			t.Fatalf("after rotation: %v", err)
		}
	}
	if got := iss.Keyring.JWKS().Keys; len(got) != 2 || got[0].KeyID != k2.KID {
		t.Fatalf("JWKS after rotation: %v", got)
	}

	// Retiring k1 for good ends its tokens.
	if err := iss.Keyring.Replace(k2, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.VerifyAccess(tok1); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("token of a removed key: %v", err)
	}
}

// FuzzVerifyAccess checks that nothing but the minted tokens verifies, and
// that no input panics. Seeds: the real tokens and their single-character
// mutations.
func FuzzVerifyAccess(f *testing.F) {
	k, err := GenerateKey(AlgES256)
	if err != nil {
		f.Fatal(err)
	}
	iss, _ := newIssuer(f, k)
	iss.Cache = NewVerifyCache(64)
	// Fresh keys in every process: the fuzzing workers run this setup again, and a seed made under the
	// coordinator's keys must not verify under theirs.
	iss.RefreshKey = make([]byte, 32)
	_, _ = rand.Read(iss.RefreshKey)
	access := mintAccess(f, iss, testClaims())
	refresh, err := iss.MintRefresh(&RefreshClaims{Subject: "u1", SessionID: "s1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(access)
	f.Add(refresh)
	for i, m := range mutations(access) {
		if i%7 == 0 {
			f.Add(m)
		}
	}
	f.Add(strings.Repeat("A", MaxTokenSize+1))
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := iss.VerifyAccess(s); (err == nil) != (s == access) || (err == nil && c == nil) {
			t.Fatalf("VerifyAccess: accepted=%v for a token that is not the minted one", err == nil)
		}
		if _, err := iss.VerifyAccessCached(s); (err == nil) != (s == access) {
			t.Fatalf("VerifyAccessCached: accepted=%v", err == nil)
		}
		if _, err := iss.ParseRefresh(s); (err == nil) != (s == refresh) {
			t.Fatalf("ParseRefresh: accepted=%v", err == nil)
		}
	})
}

// The payload of an access token is encoded from its parts where they lie; the result must be the
// encoding of their concatenation for every way of cutting it, whatever each part's length modulo 3.
func TestAppendEncodeJoined(t *testing.T) {
	whole := []byte(`{"sub":"u1","user_data":{"name":"Ada ✓","n":[1,2,3]}}`)
	want := base64.RawURLEncoding.EncodeToString(whole)
	for i := 0; i <= len(whole); i++ {
		for j := i; j <= len(whole); j++ {
			parts := [][]byte{whole[:i], whole[i:j], nil, whole[j:]}
			if got := string(appendEncodeJoined([]byte("h."), parts)); got != "h."+want {
				t.Fatalf("cut at %d and %d: got %q, want %q", i, j, got, "h."+want)
			}
		}
	}
}
