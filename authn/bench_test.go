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

func BenchmarkHashPassword(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashPassword(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
