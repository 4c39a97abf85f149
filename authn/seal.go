package authn

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
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

// sealVersion prefixes every sealed blob so that the format can change later.
const sealVersion = 1

// seal encrypts plaintext with AES-256-GCM under a key derived from the master key for one purpose
// (info), binding aad so that a blob cannot be moved to another record.
func seal(masterKey []byte, info string, aad, plaintext []byte) ([]byte, error) {
	aead, err := sealAEAD(masterKey, info)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = sealVersion
	_, _ = rand.Read(out[1:])
	return aead.Seal(out, out[1:], plaintext, aad), nil
}

// errSealed is the one error of open: with an AEAD a wrong key and a wrong record look the same.
var errSealed = errors.New("authn: cannot open sealed data (wrong master key or record)")

func open(masterKey []byte, info string, aad, sealed []byte) ([]byte, error) {
	aead, err := sealAEAD(masterKey, info)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < 1+n+aead.Overhead() || sealed[0] != sealVersion {
		return nil, errSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

func sealAEAD(masterKey []byte, info string) (cipher.AEAD, error) {
	if len(masterKey) != 32 {
		return nil, errors.New("authn: master key must be 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, masterKey, nil, info, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
