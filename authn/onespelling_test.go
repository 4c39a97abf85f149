package authn

import (
	"bytes"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lanyardhq/lanyard/store"
)

// Each token Lanyard signs has one spelling: the tests here change a token's bytes without the key (the
// high-S twin of an ES256 signature, another spelling of the header) or have a signer write what one
// parser reads differently from another (a claim named twice), and expect every verifier to refuse.

// highS returns tok with its ES256 signature (r, s) replaced by (r, n−s), which ECDSA verifies just as
// well, and whether the twin's s is the high one.
func highS(tok string) (string, bool) {
	dot := strings.LastIndexByte(tok, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(tok[dot+1:])
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(n, s)
	twin := bytes.Clone(sig)
	s.FillBytes(twin[32:])
	return tok[:dot+1] + base64.RawURLEncoding.EncodeToString(twin), s.Cmp(new(big.Int).Rsh(n, 1)) > 0
}

// TestMintedES256IsLowS: Go's ECDSA leaves half its signatures high-S; Lanyard's access tokens never are.
func TestMintedES256IsLowS(t *testing.T) {
	iss, _ := newIssuer(t, sharedKey(t, AlgES256))
	for i := range 64 {
		if _, twinHigh := highS(mintAccess(t, iss, testClaims())); !twinHigh {
			t.Fatalf("token %d has a high-S signature", i)
		}
	}
}

// TestHighSTwinRefused: the high-S twin of a valid ES256 token verifies under go-jose (so it is a real
// second spelling), and Lanyard refuses it, as access token and as refresh token of a signing key.
func TestHighSTwinRefused(t *testing.T) {
	k := sharedKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	access := mintAccess(t, iss, testClaims())
	refresh := forge(t, header(AlgES256, k.KID, "rt+jwt"), map[string]any{"iss": iss.Issuer, "aud": iss.Audience,
		"sub": "u1", "sid": "s1", "rts": "c2VjcmV0", "iat": t0.Unix(), "exp": t0.Add(time.Hour).Unix()}, AlgES256, k.Private)
	if _, err := iss.ParseRefresh(refresh); err != nil {
		t.Fatalf("control: %v", err)
	}
	twin, _ := highS(access)
	obj, err := jose.ParseSignedCompact(twin, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obj.Verify(k.Public); err != nil {
		t.Fatalf("go-jose refuses the twin (%v): it no longer shows a second spelling", err)
	}
	for _, verify := range []func(string) (*AccessClaims, error){iss.VerifyAccess, withCache(iss).VerifyAccessCached} {
		if c, err := verify(twin); !errors.Is(err, ErrTokenInvalid) || c != nil {
			t.Fatalf("high-S access token: %+v, %v", c, err)
		}
	}
	twin, _ = highS(refresh)
	if c, err := iss.ParseRefresh(twin); !errors.Is(err, ErrTokenInvalid) || c != nil {
		t.Fatalf("high-S refresh token: %+v, %v", c, err)
	}
}

// TestOtherHeaderSpellingsRefused: the header holds what Lanyard writes, but spelled otherwise; the
// signature is good.
func TestOtherHeaderSpellingsRefused(t *testing.T) {
	k := sharedKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	claims := validClaims(iss)
	kid := k.KID
	for name, hdr := range map[string]string{
		"reordered":     `{"typ":"at+jwt","alg":"ES256","kid":"` + kid + `"}`,
		"spaced":        `{"alg":"ES256", "kid":"` + kid + `", "typ":"at+jwt"}`,
		"escaped":       `{"alg":"ES256","kid":"` + kid + `","typ":"at\u002bjwt"}`,
		"duplicate alg": `{"alg":"none","alg":"ES256","kid":"` + kid + `","typ":"at+jwt"}`,
		"upper-case":    `{"ALG":"HS256","alg":"ES256","kid":"` + kid + `","typ":"at+jwt"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if c, err := iss.VerifyAccess(forge(t, []byte(hdr), claims, AlgES256, k.Private)); !errors.Is(err, ErrTokenInvalid) || c != nil {
				t.Fatalf("%+v, %v", c, err)
			}
		})
	}
}

// TestDuplicateClaimNamesRefused: encoding/json keeps the last of two members of one name, other
// parsers the first; a token naming a claim twice, at any depth, is refused.
func TestDuplicateClaimNamesRefused(t *testing.T) {
	k := sharedKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	hdr := header(AlgES256, k.KID, "at+jwt")
	good, err := json.Marshal(validClaims(iss))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.VerifyAccess(forge(t, hdr, good, AlgES256, k.Private)); err != nil {
		t.Fatalf("control: %v", err)
	}
	body := string(good[1 : len(good)-1])
	for name, claims := range map[string]string{
		"sub twice":              `{"sub":"someone-else",` + body + `}`,
		"sub twice, escaped":     `{"s\u0075b":"someone-else",` + body + `}`,
		"user_data member twice": `{` + strings.Replace(body, `"user_data":{}`, `"user_data":{"role":"user","role":"admin"}`, 1) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			tok := forge(t, hdr, []byte(claims), AlgES256, k.Private)
			if c, err := iss.VerifyAccess(tok); !errors.Is(err, ErrTokenInvalid) || c != nil {
				t.Fatalf("%+v, %v", c, err)
			}
		})
	}
	refresh := forge(t, header(AlgES256, k.KID, "rt+jwt"), []byte(`{"iss":"`+iss.Issuer+`","aud":"`+iss.Audience+
		`","sub":"u1","sid":"s1","sid":"s2","rts":"c2VjcmV0","iat":`+jsonInt(t0.Unix())+`,"exp":`+jsonInt(t0.Add(time.Hour).Unix())+`}`),
		AlgES256, k.Private)
	if c, err := iss.ParseRefresh(refresh); !errors.Is(err, ErrTokenInvalid) || c != nil {
		t.Fatalf("refresh token naming sid twice: %+v, %v", c, err)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestMintLeavesOutUnfitUserData: a stored document may name a field twice (BSON allows it; another
// tool may have written it). A token carrying it would be refused on every request, so the session's
// token carries none and says so.
func TestMintLeavesOutUnfitUserData(t *testing.T) {
	iss, _ := newIssuer(t, sharedKey(t, AlgES256))
	dup := json.RawMessage(`{"name":"Ada","profile":{"role":"user","role":"admin"}}`)
	c := testClaims()
	c.UserData = dup
	if _, err := iss.mintAccess(c); !errors.Is(err, ErrUserDataUnfit) {
		t.Fatalf("mintAccess of a document naming a field twice: %v", err)
	}
	if _, err := iss.MintAccess(c); !errors.Is(err, ErrUserDataUnfit) {
		t.Fatalf("MintAccess of a document naming a field twice: %v", err)
	}

	var logs bytes.Buffer
	s := &Service{issuer: iss, log: slog.New(slog.NewTextHandler(&logs, nil))}
	tok, err := s.mint(&store.User{ID: "6543210fedcba98765432100", Type: UserTypeNormal},
		&store.Session{ID: "sess-1", DeviceID: "000000000000000000000000"}, UserData{JSON: dup})
	if err != nil {
		t.Fatal(err)
	}
	got, err := iss.VerifyAccess(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !got.UserDataOmitted || string(got.UserData) != "{}" {
		t.Fatalf("user_data %s, omitted %v", got.UserData, got.UserDataOmitted)
	}
	if !strings.Contains(logs.String(), "custom data left out") || strings.Contains(logs.String(), "admin") {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestAudienceArrayRefused: Lanyard writes aud as a string; an array, even of its one audience alone,
// is no token of Lanyard's (the client's Verifier refuses it too).
func TestAudienceArrayRefused(t *testing.T) {
	k := sharedKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	tok := forge(t, header(AlgES256, k.KID, "at+jwt"), with(validClaims(iss), "aud", []string{iss.Audience}), AlgES256, k.Private)
	if c, err := iss.VerifyAccess(tok); !errors.Is(err, ErrTokenInvalid) || c != nil {
		t.Fatalf("%+v, %v", c, err)
	}
}
