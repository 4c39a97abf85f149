package authn

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func TestGenerateKey(t *testing.T) {
	for _, tc := range []struct {
		alg, want string
		check     func(crypto.Signer) bool
	}{
		{"", AlgES256, func(s crypto.Signer) bool { _, ok := s.(*ecdsa.PrivateKey); return ok }},
		{AlgES256, AlgES256, func(s crypto.Signer) bool { _, ok := s.(*ecdsa.PrivateKey); return ok }},
		{AlgEdDSA, AlgEdDSA, func(s crypto.Signer) bool { _, ok := s.(ed25519.PrivateKey); return ok }},
		{AlgRS256, AlgRS256, func(s crypto.Signer) bool {
			k, ok := s.(*rsa.PrivateKey)
			return ok && k.N.BitLen() == 2048
		}},
	} {
		k := sharedKey(t, tc.alg)
		if k.Alg != tc.want || !tc.check(k.Private) || k.Created.IsZero() || !k.NotAfter.IsZero() {
			t.Errorf("GenerateKey(%q) = alg %s, %T", tc.alg, k.Alg, k.Private)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(k.KID); err != nil || len(raw) != 12 {
			t.Errorf("kid %q is not 12 base64url bytes", k.KID)
		}
	}
	for _, alg := range []string{"none", "HS256", "es256", "PS256"} {
		if _, err := GenerateKey(alg); err == nil {
			t.Errorf("GenerateKey(%q) succeeded", alg)
		}
	}
	if a, b := newKey(t, AlgEdDSA), newKey(t, AlgEdDSA); a.KID == b.KID {
		t.Error("two keys share a kid")
	}
}

func TestSealOpen(t *testing.T) {
	master, err := ParseMasterKey(GenerateMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			k := sharedKey(t, alg)
			sealed, err := SealPrivateKey(master, k)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := OpenPrivateKey(master, sealed, k.KID)
			if err != nil {
				t.Fatal(err)
			}
			if !sameKey(priv.Public(), k.Public) {
				t.Fatal("opened key differs")
			}
			// The opened key must sign tokens that the original public key verifies.
			iss, _ := newIssuer(t, &SigningKey{KID: k.KID, Alg: alg, Private: priv, Public: priv.Public()})
			verifier, _ := newIssuer(t, k)
			if _, err := verifier.VerifyAccess(mintAccess(t, iss, testClaims())); err != nil {
				t.Fatal(err)
			}
			again, _ := SealPrivateKey(master, k)
			if bytes.Equal(again, sealed) {
				t.Fatal("sealing twice gave the same bytes (nonce reuse)")
			}
		})
	}

	k := sharedKey(t, AlgES256)
	sealed, err := SealPrivateKey(master, k)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ParseMasterKey(GenerateMasterKey())
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		name   string
		master []byte
		sealed []byte
		kid    string
	}{
		{"wrong master key", other, sealed, k.KID},
		{"swapped kid", master, sealed, sharedKey(t, AlgEdDSA).KID},
		{"flipped bit", master, flipped, k.KID},
		{"truncated", master, sealed[:20], k.KID},
		{"unknown version", master, append([]byte{9}, sealed[1:]...), k.KID},
		{"short master key", master[:16], sealed, k.KID},
	} {
		if _, err := OpenPrivateKey(tc.master, tc.sealed, tc.kid); err == nil {
			t.Errorf("%s: opened", tc.name)
		}
	}
	if _, err := SealPrivateKey(master, &SigningKey{KID: "x", Alg: AlgES256, Public: k.Public}); err == nil {
		t.Error("sealed a key without private part")
	}
}

func TestParseMasterKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb, 0xff, 0x01}, 11)[:32]
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(raw),
		base64.RawStdEncoding.EncodeToString(raw),
		base64.URLEncoding.EncodeToString(raw),
		base64.RawURLEncoding.EncodeToString(raw),
		hex.EncodeToString(raw),
		strings.ToUpper(hex.EncodeToString(raw)),
		base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		got, err := ParseMasterKey(s)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("ParseMasterKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{
		"",
		"secret-password-of-the-operator",
		base64.StdEncoding.EncodeToString(raw[:31]),
		base64.StdEncoding.EncodeToString(append(raw, 0)),
		hex.EncodeToString(raw)[:62],
		strings.Repeat("z", 64),
	} {
		_, err := ParseMasterKey(s)
		if err == nil {
			t.Errorf("ParseMasterKey(%q) succeeded", s)
			continue
		}
		if s != "" && strings.Contains(err.Error(), s[:len(s)/2]) {
			t.Errorf("error echoes the value: %v", err)
		}
	}
	if a, b := GenerateMasterKey(), GenerateMasterKey(); a == b {
		t.Error("GenerateMasterKey repeats")
	}
}

func TestJWKSPublicOnly(t *testing.T) {
	cur := sharedKey(t, AlgES256)
	ring, err := NewKeyring(cur, sharedKey(t, AlgEdDSA), sharedKey(t, AlgRS256), cur)
	if err != nil {
		t.Fatal(err)
	}
	set := ring.JWKS()
	if len(set.Keys) != 3 || set.Keys[0].KeyID != cur.KID {
		t.Fatalf("JWKS has %d keys, first %s", len(set.Keys), set.Keys[0].KeyID)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Use != "sig" || k.Algorithm == "" || !k.Valid() {
			t.Errorf("key %s: public %v use %q alg %q", k.KeyID, k.IsPublic(), k.Use, k.Algorithm)
		}
		pub, alg, ok := ring.Lookup(k.KeyID)
		if !ok || alg != k.Algorithm || !sameKey(pub, k.Key) {
			t.Errorf("Lookup(%s) disagrees with the JWKS", k.KeyID)
		}
	}

	// The served bytes: parseable by go-jose, and free of private members.
	var parsed jose.JSONWebKeySet
	if err := json.Unmarshal(ring.JWKSJSON(), &parsed); err != nil || len(parsed.Keys) != 3 {
		t.Fatalf("JWKS JSON: %d keys, %v", len(parsed.Keys), err)
	}
	var members struct{ Keys []map[string]any }
	if err := json.Unmarshal(ring.JWKSJSON(), &members); err != nil {
		t.Fatal(err)
	}
	for _, m := range members.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := m[private]; ok {
				t.Errorf("JWKS key %v carries private member %q", m["kid"], private)
			}
		}
	}

	var empty Keyring
	if len(empty.JWKS().Keys) != 0 || string(empty.JWKSJSON()) != `{"keys":[]}` || empty.Current() != nil {
		t.Error("empty keyring is not empty")
	}
	if _, _, ok := empty.Lookup("x"); ok {
		t.Error("empty keyring found a key")
	}
}

func TestKeyringRefusesBadKeys(t *testing.T) {
	es, ed := sharedKey(t, AlgES256), sharedKey(t, AlgEdDSA)
	ec384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384 := &SigningKey{KID: "p384", Alg: AlgES256, Public: ec384.Public()}
	clone := func(k *SigningKey, edit func(*SigningKey)) *SigningKey {
		c := *k
		edit(&c)
		return &c
	}
	for _, tc := range []struct {
		name    string
		current *SigningKey
		all     []*SigningKey
	}{
		{"nil current", nil, nil},
		{"current without private key", clone(es, func(k *SigningKey) { k.Private = nil }), nil},
		{"EC key labelled RS256", clone(es, func(k *SigningKey) { k.Alg = AlgRS256 }), nil},
		{"Ed25519 key labelled ES256", clone(ed, func(k *SigningKey) { k.Alg = AlgES256 }), nil},
		{"alg none", clone(es, func(k *SigningKey) { k.Alg = "none" }), nil},
		{"public key of another pair", clone(es, func(k *SigningKey) { k.Public = ed.Public }), nil},
		{"empty kid", clone(es, func(k *SigningKey) { k.KID = "" }), nil},
		{"two keys, one kid", es, []*SigningKey{clone(ed, func(k *SigningKey) { k.KID = es.KID })}},
		{"old key labelled wrong", es, []*SigningKey{clone(ed, func(k *SigningKey) { k.Alg = AlgRS256; k.Private = nil })}},
		{"old EC key labelled RS256", es, []*SigningKey{clone(newKey(t, AlgES256), func(k *SigningKey) { k.Alg = AlgRS256; k.Private = nil })}},
		{"P-384 key labelled ES256", es, []*SigningKey{p384}},
	} {
		var r Keyring
		if err := r.Replace(tc.current, tc.all); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
		if r.Current() != nil {
			t.Errorf("%s: keyring changed", tc.name)
		}
	}
	// Verification-only keys need no private part.
	pubOnly := clone(ed, func(k *SigningKey) { k.Private = nil })
	if _, err := NewKeyring(es, pubOnly); err != nil {
		t.Fatal(err)
	}
}
