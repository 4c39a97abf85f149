package authn

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lanyardhq/lanyard/jws"
)

// KeySource loads the keys the keyring should hold (in production: from the
// store, opened with the master key). It is called by Reload and, at most
// once per interval, when a token names a kid the keyring does not know —
// the case of a replica that has not yet seen another replica's rotation.
type KeySource func(ctx context.Context) (current *SigningKey, all []*SigningKey, err error)

// reloadTimeout bounds the request that happens to trigger a reload for an
// unknown kid; that request waits for the reload.
const reloadTimeout = 3 * time.Second

// Keyring holds the current signing key and the public keys still valid for
// verification. It is read on every request and written on rotation, so
// readers load an immutable snapshot through an atomic pointer and never
// lock. The zero value is empty (it verifies nothing and cannot sign).
type Keyring struct {
	snap   atomic.Pointer[keySnapshot]
	source atomic.Pointer[keySource]
}

type keySnapshot struct {
	current *SigningKey
	keys    map[string]*SigningKey
	// accessHeader is the encoded protected header of the access tokens current signs.
	accessHeader string
	jwks         jose.JSONWebKeySet
	jwksJSON     []byte
}

type keySource struct {
	load  KeySource
	every time.Duration
	next  atomic.Int64 // unix nanoseconds before which unknown kids trigger no reload
}

// NewKeyring returns a keyring holding current and the other given keys.
func NewKeyring(current *SigningKey, others ...*SigningKey) (*Keyring, error) {
	r := new(Keyring)
	if err := r.Replace(current, others); err != nil {
		return nil, err
	}
	return r, nil
}

// Replace atomically installs a new key set: current signs from now on, and
// current plus all are published and accepted for verification. The caller
// decides which retired keys are still needed (until every token they signed
// has expired). Keys must not be modified after they are handed over.
func (r *Keyring) Replace(current *SigningKey, all []*SigningKey) error {
	if err := current.check(true); err != nil {
		return err
	}
	s := &keySnapshot{current: current, keys: map[string]*SigningKey{current.KID: current}}
	for _, k := range all {
		if err := k.check(false); err != nil {
			return err
		}
		if prev, ok := s.keys[k.KID]; ok {
			if prev == k || sameKey(publicOf(prev), publicOf(k)) {
				continue
			}
			return fmt.Errorf("authn: two different keys with kid %s", k.KID)
		}
		s.keys[k.KID] = k
	}

	s.accessHeader = jws.Header{Alg: current.Alg, Kid: current.KID, Typ: typAccess}.Encode()
	// Current key first: some clients try keys in order.
	s.jwks.Keys = append(s.jwks.Keys, publicJWK(current))
	for _, k := range all {
		if k.KID != current.KID && !containsKID(s.jwks.Keys, k.KID) {
			s.jwks.Keys = append(s.jwks.Keys, publicJWK(k))
		}
	}
	var err error
	if s.jwksJSON, err = json.Marshal(s.jwks); err != nil {
		return fmt.Errorf("authn: marshal JWKS: %w", err)
	}
	r.snap.Store(s)
	return nil
}

// Current returns the signing key, or nil if the keyring is empty. The
// result is shared: do not modify it.
func (r *Keyring) Current() *SigningKey {
	if s := r.snap.Load(); s != nil {
		return s.current
	}
	return nil
}

// Lookup returns the public key and algorithm for kid. It never reloads.
func (r *Keyring) Lookup(kid string) (pub crypto.PublicKey, alg string, ok bool) {
	k, ok := r.key(kid)
	if !ok {
		return nil, "", false
	}
	return publicOf(k), k.Alg, true
}

// JWKS returns the published key set: public keys only, with use "sig"
// and alg set.
func (r *Keyring) JWKS() jose.JSONWebKeySet {
	s := r.snap.Load()
	if s == nil {
		return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	}
	return jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), s.jwks.Keys...)}
}

// JWKSJSON returns the JWKS as served at /.well-known/jwks.json, encoded
// once per key change. The slice is shared: do not modify it.
func (r *Keyring) JWKSJSON() []byte {
	if s := r.snap.Load(); s != nil {
		return s.jwksJSON
	}
	return []byte(`{"keys":[]}`)
}

// SetSource installs the loader used by Reload and sets how often, at most,
// a token with an unknown kid may trigger it. A nil src removes it.
func (r *Keyring) SetSource(src KeySource, minInterval time.Duration) {
	if src == nil {
		r.source.Store(nil)
		return
	}
	r.source.Store(&keySource{load: src, every: minInterval})
}

// Reload loads the keys from the source and installs them.
func (r *Keyring) Reload(ctx context.Context) error {
	src := r.source.Load()
	if src == nil {
		return errors.New("authn: keyring has no key source")
	}
	current, all, err := src.load(ctx)
	if err != nil {
		return fmt.Errorf("authn: load keys: %w", err)
	}
	return r.Replace(current, all)
}

func (r *Keyring) key(kid string) (*SigningKey, bool) {
	s := r.snap.Load()
	if s == nil {
		return nil, false
	}
	k, ok := s.keys[kid]
	return k, ok
}

// keyOrReload looks kid up and, if it is unknown, reloads the keyring — but
// only if no other unknown kid did so within the source's interval, so that
// a flood of made-up kids costs the store one read per interval. The caller
// that wins the reload waits for it; others fail fast.
func (r *Keyring) keyOrReload(kid string) (*SigningKey, bool) {
	if k, ok := r.key(kid); ok {
		return k, true
	}
	src := r.source.Load()
	if src == nil {
		return nil, false
	}
	now := time.Now().UnixNano()
	next := src.next.Load()
	if now < next || !src.next.CompareAndSwap(next, now+int64(src.every)) {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
	defer cancel()
	if err := r.Reload(ctx); err != nil {
		return nil, false
	}
	return r.key(kid)
}

// signAccess signs the concatenation of payload's parts as a compact JWS with the current key.
//
// Access tokens are made here rather than through go-jose, as refresh tokens are (see refreshHeader):
// go-jose base64-encodes the payload twice, once for the signing input and again to serialize, which
// weighs most with a large custom data document, and marshals the header anew for every token
// (BenchmarkMintAccess; numbers in BENCHMARKS.md). The header is the one go-jose writes (sorted keys),
// and tests verify the tokens with go-jose. The signature is jws.Sign's: ES256 ones are low-S, the only
// form verification accepts.
func (r *Keyring) signAccess(payload ...[]byte) (string, error) {
	s := r.snap.Load()
	if s == nil {
		return "", errors.New("authn: keyring has no signing key")
	}
	enc := base64.RawURLEncoding
	n := 0
	for _, p := range payload {
		n += len(p)
	}
	size := len(s.accessHeader) + 1 + enc.EncodedLen(n) + 1 + enc.EncodedLen(signatureSize(s.current))
	if size > MaxTokenSize {
		return "", ErrTokenTooLarge
	}
	tok := make([]byte, 0, size)
	tok = append(tok, s.accessHeader...)
	tok = append(tok, '.')
	tok = appendEncodeJoined(tok, payload)
	sig, err := jws.Sign(s.current.Alg, s.current.Private, tok)
	if err != nil {
		return "", fmt.Errorf("authn: key %s: sign: %w", s.current.KID, err)
	}
	tok = append(tok, '.')
	tok = enc.AppendEncode(tok, sig)
	// tok is never written again, so the string can share its bytes: a copy would be another
	// token-sized allocation on every login and refresh.
	return unsafe.String(unsafe.SliceData(tok), len(tok)), nil
}

// appendEncodeJoined appends the unpadded base64url encoding of the concatenation of parts without
// joining them first: a 4 KB custom data document is encoded where it lies, not copied into a payload.
// Each part's whole 3-byte groups are encoded in place; the 1 or 2 bytes left over are completed with
// the first bytes of the parts after it.
func appendEncodeJoined(dst []byte, parts [][]byte) []byte {
	enc := base64.RawURLEncoding
	var group [3]byte
	n := 0
	for _, p := range parts {
		if n > 0 {
			k := copy(group[n:], p)
			n, p = n+k, p[k:]
			if n < len(group) {
				continue
			}
			dst, n = enc.AppendEncode(dst, group[:]), 0
		}
		whole := len(p) / 3 * 3
		dst = enc.AppendEncode(dst, p[:whole])
		n = copy(group[:], p[whole:])
	}
	return enc.AppendEncode(dst, group[:n])
}

// signatureSize is the length of k's JWS signatures.
func signatureSize(k *SigningKey) int {
	switch k.Alg {
	case AlgES256:
		return 64
	case AlgEdDSA:
		return ed25519.SignatureSize
	}
	if pub, ok := publicOf(k).(*rsa.PublicKey); ok {
		return pub.Size()
	}
	return 0
}

func publicOf(k *SigningKey) crypto.PublicKey {
	if k.Public != nil {
		return k.Public
	}
	return k.Private.Public()
}

func publicJWK(k *SigningKey) jose.JSONWebKey {
	return jose.JSONWebKey{Key: publicOf(k), KeyID: k.KID, Algorithm: k.Alg, Use: "sig"}
}

func sameKey(a, b crypto.PublicKey) bool {
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

func containsKID(keys []jose.JSONWebKey, kid string) bool {
	for _, k := range keys {
		if k.KeyID == kid {
			return true
		}
	}
	return false
}
