package authn

import (
	"context"
	"encoding/json"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var benchDocs = []struct {
	name string
	doc  json.RawMessage
}{
	{"small", testClaims().UserData},
	{"4KB", bigUserData(4 << 10)},
}

func benchToken(b *testing.B, alg string, doc json.RawMessage) (*Issuer, string) {
	iss, _ := newIssuer(b, sharedKey(b, alg))
	c := testClaims()
	c.UserData = doc
	return iss, mintAccess(b, iss, c)
}

func BenchmarkVerifyAccess(b *testing.B) {
	for _, alg := range algs {
		for _, d := range benchDocs {
			b.Run(alg+"/"+d.name, func(b *testing.B) {
				iss, tok := benchToken(b, alg, d.doc)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := iss.VerifyAccess(tok); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkVerifyAccessCached(b *testing.B) {
	for _, d := range benchDocs {
		b.Run(d.name, func(b *testing.B) {
			iss, tok := benchToken(b, AlgES256, d.doc)
			iss.Cache = NewVerifyCache(0)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := iss.VerifyAccessCached(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyGoJoseRaw is the baseline: go-jose's own parse, signature
// check and claims decode, without Lanyard's checks.
func BenchmarkVerifyGoJoseRaw(b *testing.B) {
	for _, d := range benchDocs {
		b.Run(d.name, func(b *testing.B) {
			iss, tok := benchToken(b, AlgES256, d.doc)
			pub := iss.Keyring.Current().Public
			b.ReportAllocs()
			for b.Loop() {
				j, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.ES256})
				if err != nil {
					b.Fatal(err)
				}
				var c AccessClaims
				if err := j.Claims(pub, &c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMintAccess(b *testing.B) {
	for _, alg := range algs {
		for _, d := range benchDocs {
			b.Run(alg+"/"+d.name, func(b *testing.B) {
				iss, _ := newIssuer(b, sharedKey(b, alg))
				b.ReportAllocs()
				for b.Loop() {
					c := testClaims()
					c.UserData = d.doc
					if _, err := iss.MintAccess(c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkUserDataJSON is what embedding the document in the claims costs MintAccess: encoding/json
// checks and compacts it (the check keeps a malformed document from adding claims), beside json.Valid
// alone, the least any check of the whole document costs.
func BenchmarkUserDataJSON(b *testing.B) {
	for _, d := range benchDocs {
		b.Run("claims_json.Marshal/"+d.name, func(b *testing.B) {
			c := testClaims()
			c.UserData = d.doc
			for b.Loop() {
				if _, err := json.Marshal(c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("json.Valid_alone/"+d.name, func(b *testing.B) {
			for b.Loop() {
				if !json.Valid(d.doc) {
					b.Fatal("invalid document")
				}
			}
		})
	}
}

func BenchmarkHashPassword(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashPassword(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshToken is what every refresh spends on its refresh tokens (parse the one presented,
// mint its successor), beside the same HS256 sign and verify through go-jose.
func BenchmarkRefreshToken(b *testing.B) {
	iss, _ := newIssuer(b, sharedKey(b, AlgES256))
	b.Run("go-jose_sign_and_verify", func(b *testing.B) {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: testRefreshKey},
			(&jose.SignerOptions{}).WithType(typRefresh).WithHeader("kid", refreshKID(testRefreshKey)))
		if err != nil {
			b.Fatal(err)
		}
		payload, _ := json.Marshal(&RefreshClaims{Subject: "u1", SessionID: "s1", Secret: randomString(32)})
		b.ReportAllocs()
		for b.Loop() {
			obj, err := signer.Sign(payload)
			if err != nil {
				b.Fatal(err)
			}
			tok, _ := obj.CompactSerialize()
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.HS256})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := jws.Verify(testRefreshKey); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseRefresh_and_MintRefresh", func(b *testing.B) {
		tok, err := iss.MintRefresh(&RefreshClaims{Subject: "u1", SessionID: "s1"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			c, err := iss.ParseRefresh(tok)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := iss.MintRefresh(&RefreshClaims{Subject: c.Subject, SessionID: c.SessionID, Generation: c.Generation + 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
