package authn

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lanyardhq/lanyard/jws"
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

// BenchmarkMintAccess: what the server spends minting (mintAccess: the document is the store's
// rendering, embedded without another check), what MintAccess spends on a document it is handed
// (checked with json.Valid first), and the baseline: the same claims through encoding/json and go-jose.
func BenchmarkMintAccess(b *testing.B) {
	for _, alg := range algs {
		for _, d := range benchDocs {
			b.Run(alg+"/"+d.name, func(b *testing.B) {
				k := sharedKey(b, alg)
				iss, _ := newIssuer(b, k)
				claims := func() *AccessClaims {
					c := testClaims()
					c.UserData = d.doc
					return c
				}
				b.Run("server", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := iss.mintAccess(claims()); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("MintAccess_checked", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := iss.MintAccess(claims()); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("go-jose", func(b *testing.B) {
					signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg),
						Key: jose.JSONWebKey{Key: k.Private, KeyID: k.KID}}, (&jose.SignerOptions{}).WithType(typAccess))
					if err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						c := claims()
						c.ID, c.IssuedAt, c.Expiry = randomString(16), jwt.NewNumericDate(t0), jwt.NewNumericDate(t0.Add(DefaultAccessTTL))
						payload, err := json.Marshal(c)
						if err != nil {
							b.Fatal(err)
						}
						obj, err := signer.Sign(payload)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := obj.CompactSerialize(); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
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

// BenchmarkRSAModulus is what a larger modulus than rsaBits would cost: an RS256 signature (through
// jws.Sign, as access tokens are signed) and a key generation, at 2048 and 3072 bits.
func BenchmarkRSAModulus(b *testing.B) {
	input := []byte("header.payload")
	for _, bits := range []int{2048, 3072} {
		b.Run(fmt.Sprintf("sign/%d", bits), func(b *testing.B) {
			key, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := jws.Sign(AlgRS256, key, input); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("generate/%d", bits), func(b *testing.B) {
			for b.Loop() {
				if _, err := rsa.GenerateKey(rand.Reader, bits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
