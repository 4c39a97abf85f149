package authn

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"golang.org/x/crypto/chacha20poly1305"
)

// HKDF info strings: each use of the master key gets its own derived key.
const (
	sealInfoSigningKey = "lanyard signing key"
	sealInfoRefresh    = "lanyard refresh token"
	macInfoRefresh     = "lanyard refresh token mac"
)

// RefreshMACKey is the HMAC key of refresh token signatures, derived from the master key.
func RefreshMACKey(masterKey []byte) ([]byte, error) {
	if len(masterKey) != 32 {
		return nil, errors.New("authn: master key must be 32 bytes")
	}
	return hkdf.Key(sha256.New, masterKey, nil, macInfoRefresh, 32)
}

// A sealed blob starts with the version of its format:
//
//   - sealXChaCha: XChaCha20-Poly1305 with a random 192-bit nonce.
//   - sealAESGCM: AES-256-GCM with a random 96-bit nonce, the only format of earlier versions.
//
// Refresh successors are sealed with XChaCha20-Poly1305: every rotation of every rotating session seals
// one under the one key derived for sealInfoRefresh, and random 96-bit nonces keep the chance of a
// repeated nonce (which would leak GCM's authentication key) under 2^-32 only for 2^32 messages per key
// (NIST SP 800-38D): at 1,000 refreshes a second, 50 days. With 192-bit nonces the chance after q seals
// is about q²/2^193: after 2^40 seals (35 years at 1,000 a second) it is 2^-113, so one derived key
// serves for good.
//
// Signing keys stay on AES-256-GCM: a few per year are nowhere near its bound, and replicas of earlier
// versions, which open only that format, must still load a key rotated during a rolling upgrade.
// open reads both formats, so that everything sealed before an upgrade still opens.
const (
	sealAESGCM  = 1
	sealXChaCha = 2
)

// seal encrypts plaintext in the given format under a key derived from the master key for one purpose
// (info), binding aad so that a blob cannot be moved to another record.
func seal(masterKey []byte, format byte, info string, aad, plaintext []byte) ([]byte, error) {
	aead, err := sealAEAD(masterKey, format, info)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = format
	_, _ = rand.Read(out[1:])
	return aead.Seal(out, out[1:], plaintext, aad), nil
}

// errSealed is the one error of open: with an AEAD a wrong key and a wrong record look the same.
var errSealed = errors.New("authn: cannot open sealed data (wrong master key or record)")

// open reverses seal, whatever the format.
func open(masterKey []byte, info string, aad, sealed []byte) ([]byte, error) {
	if len(sealed) == 0 || (sealed[0] != sealAESGCM && sealed[0] != sealXChaCha) {
		return nil, errSealed
	}
	aead, err := sealAEAD(masterKey, sealed[0], info)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < 1+n+aead.Overhead() {
		return nil, errSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

// sealAEAD is the AEAD of a format under the key derived from the master key for info. Both formats
// use the same derived key.
func sealAEAD(masterKey []byte, format byte, info string) (cipher.AEAD, error) {
	key, err := sealKey(masterKey, info)
	if err != nil {
		return nil, err
	}
	if format == sealXChaCha {
		return chacha20poly1305.NewX(key)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealKey(masterKey []byte, info string) ([]byte, error) {
	if len(masterKey) != 32 {
		return nil, errors.New("authn: master key must be 32 bytes")
	}
	return hkdf.Key(sha256.New, masterKey, nil, info, 32)
}
