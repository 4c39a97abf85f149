package authn

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Signing algorithms, as they appear in the JWS "alg" header.
const (
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
	AlgRS256 = "RS256"
)

// rsaBits is the modulus size of generated RSA keys. 2048 bits gives 112-bit
// security (NIST: acceptable through 2030), which outlives any key here by
// far: keys rotate and the tokens they sign live 30 minutes. 3072 bits would
// make every RS256 signature and every key generation several times slower
// (BenchmarkRSAModulus; numbers in BENCHMARKS.md) for no practical gain;
// operators who want a stronger key should pick ES256 or EdDSA, which are
// both stronger and faster.
const rsaBits = 2048

// SigningKey is one key pair of the keyring. Only the current key signs; the
// others remain in the JWKS so that tokens they signed keep verifying.
type SigningKey struct {
	KID     string
	Alg     string // AlgES256 (default), AlgEdDSA or AlgRS256
	Private crypto.Signer
	Public  crypto.PublicKey
	Created time.Time
	// NotAfter is when the key stopped signing; zero for the current key. The
	// key stays published until every token it signed has expired.
	NotAfter time.Time
}

// GenerateKey makes a new key pair with a random kid. An empty alg means ES256.
func GenerateKey(alg string) (*SigningKey, error) {
	if alg == "" {
		alg = AlgES256
	}
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case AlgES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case AlgEdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case AlgRS256:
		priv, err = rsa.GenerateKey(rand.Reader, rsaBits)
	default:
		return nil, fmt.Errorf("authn: unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("authn: generate %s key: %w", alg, err)
	}
	return &SigningKey{
		KID:     randomString(12),
		Alg:     alg,
		Private: priv,
		Public:  priv.Public(),
		Created: time.Now().UTC(),
	}, nil
}

// check refuses a key whose declared algorithm does not match its key
// material: a record edited in the store must not turn an EC key into an
// "RS256" one, and a public key must belong to its private key.
func (k *SigningKey) check(needPrivate bool) error {
	if k == nil || k.KID == "" {
		return errors.New("authn: signing key without kid")
	}
	pub := k.Public
	if k.Private != nil {
		pub = k.Private.Public()
		if k.Public != nil && !sameKey(k.Public, pub) {
			return fmt.Errorf("authn: key %s: public key does not match private key", k.KID)
		}
	} else if needPrivate {
		return fmt.Errorf("authn: key %s: no private key", k.KID)
	}
	ok := false
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		ok = k.Alg == AlgES256 && p.Curve == elliptic.P256()
	case ed25519.PublicKey:
		ok = k.Alg == AlgEdDSA
	case *rsa.PublicKey:
		ok = k.Alg == AlgRS256 && p.N.BitLen() >= 2048
	}
	if !ok {
		return fmt.Errorf("authn: key %s: key material does not fit alg %q", k.KID, k.Alg)
	}
	return nil
}

// equaler is implemented by every public key type of the standard library.
type equaler interface{ Equal(crypto.PublicKey) bool }

// SealPrivateKey encrypts the key's PKCS#8 form for storage (see seal). The
// kid is bound as additional data, so a sealed blob moved to another key
// record fails to open instead of silently signing under the wrong kid.
func SealPrivateKey(masterKey []byte, k *SigningKey) ([]byte, error) {
	if err := k.check(true); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, fmt.Errorf("authn: marshal key %s: %w", k.KID, err)
	}
	return seal(masterKey, sealAESGCM, sealInfoSigningKey, []byte(k.KID), der)
}

// OpenPrivateKey reverses SealPrivateKey. It fails if the master key is not
// the one that sealed the blob or if kid is not the kid it was sealed under.
func OpenPrivateKey(masterKey, sealed []byte, kid string) (crypto.Signer, error) {
	der, err := open(masterKey, sealInfoSigningKey, []byte(kid), sealed)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", kid, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("authn: key %s: parse private key: %w", kid, err)
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("authn: key %s: unsupported key type %T", kid, priv)
	}
	return s, nil
}

// errMasterKeyFormat never includes the value: it is a secret, and a near
// miss is still most of one.
var errMasterKeyFormat = errors.New("authn: master key must be 32 bytes, given as base64 (standard or URL alphabet) or as 64 hex characters")

// ParseMasterKey decodes a master key given as base64 (standard or URL
// alphabet, padded or not) or as 64 hex characters. Surrounding whitespace
// is ignored so that key files may end in a newline.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errMasterKeyFormat
}

// GenerateMasterKey returns a fresh random master key in standard base64.
func GenerateMasterKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// randomString returns n random bytes as unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}
