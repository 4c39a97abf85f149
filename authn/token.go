package authn

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/lanyardhq/lanyard/jws"
)

// Token limits and defaults.
const (
	// MaxTokenSize caps a token before any parsing. A 16 KiB custom data
	// document makes a ~22 KB access token, so proxies in front of Lanyard
	// need header buffers at least this large.
	MaxTokenSize = 32 << 10

	DefaultAccessTTL  = 30 * time.Minute
	DefaultRefreshTTL = 60 * 24 * time.Hour
	DefaultLeeway     = 30 * time.Second
)

// JWS "typ" values; the two kinds are mutually exclusive.
const (
	typAccess  = "at+jwt"
	typRefresh = "rt+jwt"
)

// Errors for callers. Verification wraps them with a detail meant for logs;
// match them with errors.Is.
var (
	ErrTokenMissing  = errors.New("authn: token missing")
	ErrTokenInvalid  = errors.New("authn: token invalid")
	ErrTokenExpired  = errors.New("authn: token expired")
	ErrTokenTooLarge = errors.New("authn: token would exceed the size limit")
	ErrUserDataUnfit = errors.New("authn: user_data is not a JSON object with unique names")
)

// invalid wraps ErrTokenInvalid with a fixed detail. Details are constant
// strings: errors from parsers echo pieces of their input, which is the
// token, so they are never passed on.
func invalid(detail string) error { return fmt.Errorf("%w: %s", ErrTokenInvalid, detail) }

// AccessClaims are the claims of an access token. user_data is kept as raw
// JSON: the server already holds the document as Relaxed Extended JSON, so
// minting embeds it without a decode/encode round trip (which would also
// reorder keys and turn every number into a float64), and verifying a token
// on every request does not build a map that most handlers never read.
type AccessClaims struct {
	Issuer    string           `json:"iss"`
	Audience  string           `json:"aud"`
	Subject   string           `json:"sub"`
	IssuedAt  *jwt.NumericDate `json:"iat,omitempty"`
	NotBefore *jwt.NumericDate `json:"nbf,omitempty"`
	Expiry    *jwt.NumericDate `json:"exp,omitempty"`
	ID        string           `json:"jti,omitempty"`
	SessionID string           `json:"sid,omitempty"`
	UserType  string           `json:"user_type"`
	// UserData is the custom data document, a JSON object; empty means {}. MintAccess writes it last,
	// as it is (see MintAccess), which is why it is omitted when empty here.
	UserData json.RawMessage `json:"user_data,omitempty"`
	DeviceID string          `json:"baas_device_id,omitempty"`
	// UserDataOmitted is set when the document was too large to carry, or named a field twice.
	UserDataOmitted bool           `json:"user_data_omitted,omitempty"`
	UserMetadata    map[string]any `json:"user_metadata,omitempty"`
}

// RefreshClaims are the claims of a refresh token. Secret ("rts") is what
// authenticates the token: the session stores only HashSecret(Secret).
type RefreshClaims struct {
	Issuer    string           `json:"iss"`
	Audience  string           `json:"aud"`
	Subject   string           `json:"sub"`
	IssuedAt  *jwt.NumericDate `json:"iat,omitempty"`
	Expiry    *jwt.NumericDate `json:"exp,omitempty"`
	ID        string           `json:"jti,omitempty"`
	SessionID string           `json:"sid"`
	Secret    string           `json:"rts"`
	// Generation counts rotations of a rotating session's refresh token: 0 at login, n+1 after the
	// n-th rotation. The secret's hash is recorded with the session (0) or the rotation that made it.
	Generation int64 `json:"gen,omitempty"`
}

// HashSecret returns the SHA-256 of a refresh token secret, the form the
// session record stores. The secret is 256 random bits, so a fast hash is
// enough: there is nothing to brute-force.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CheckSecret reports, in constant time, whether secret hashes to stored.
func CheckSecret(stored []byte, secret string) bool {
	return subtle.ConstantTimeCompare(stored, HashSecret(secret)) == 1
}

// Issuer mints and verifies tokens with the keys of Keyring. Zero durations
// take the defaults. An Issuer must not be modified once in use.
type Issuer struct {
	Keyring    *Keyring
	Issuer     string // iss: the public URL
	Audience   string // aud: the app id
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	Leeway     time.Duration
	Now        func() time.Time // nil: time.Now
	// Cache, if set, serves VerifyAccessCached.
	Cache *VerifyCache
	// RefreshKey signs refresh tokens with HS256 (see RefreshMACKey). Only Lanyard reads its refresh
	// tokens, and only to find the session whose record it trusts, so they need no public-key
	// signature: an HMAC costs microseconds where ES256 costs a tenth of a millisecond to sign and more
	// to verify, on every login and refresh. Access tokens are never HS256.
	RefreshKey []byte
}

// refreshKID names the refresh MAC key in token headers: a fingerprint, so that a token made under
// another master key is told apart from a forgery in logs and tests.
func refreshKID(key []byte) string {
	sum := sha256.Sum256(key)
	return "rt-" + hex.EncodeToString(sum[:6])
}

func (i *Issuer) now() time.Time {
	if i.Now != nil {
		return i.Now()
	}
	return time.Now()
}

func (i *Issuer) leeway() time.Duration {
	if i.Leeway > 0 {
		return i.Leeway
	}
	return DefaultLeeway
}

// MintAccess signs an access token for c. It sets iss, aud, iat and nbf, and
// fills exp (now + AccessTTL) and jti when they are unset, writing them into
// c so that the caller can report them. An empty UserData becomes {}.
// ErrTokenTooLarge and ErrUserDataUnfit mean the token would be refused by
// verification; the caller should mint again with the document left out.
func (i *Issuer) MintAccess(c *AccessClaims) (string, error) { return i.mintAccess(c) }

// mintAccess marshals the claims without the document, which is appended as it is: encoding/json would
// check and compact it all again. It is checked instead with the rule verification applies to the whole
// claims (jws.CheckObject): one JSON object, so that it cannot add claims of its own, and no name twice
// at any depth. The store renders a document with a name twice only from one another tool wrote (BSON
// allows it); a token carrying it would be refused on every request.
func (i *Issuer) mintAccess(c *AccessClaims) (string, error) {
	if c.Subject == "" {
		return "", errors.New("authn: access token without subject")
	}
	data := c.UserData
	if len(data) == 0 {
		data = json.RawMessage("{}")
	} else if jws.CheckObject(data) != nil {
		return "", ErrUserDataUnfit
	}
	now := i.now()
	c.Issuer, c.Audience = i.Issuer, i.Audience
	c.IssuedAt = jwt.NewNumericDate(now)
	c.NotBefore = c.IssuedAt
	if c.Expiry == nil {
		ttl := i.AccessTTL
		if ttl <= 0 {
			ttl = DefaultAccessTTL
		}
		c.Expiry = jwt.NewNumericDate(now.Add(ttl))
	}
	if c.ID == "" {
		c.ID = randomString(16)
	}
	c.UserData = nil
	claims, err := json.Marshal(c)
	c.UserData = data
	if err != nil {
		return "", fmt.Errorf("authn: encode access claims: %w", err)
	}
	return i.Keyring.signAccess(claims[:len(claims)-1], []byte(`,"user_data":`), data, []byte("}"))
}

// MintRefresh signs a refresh token for c (Subject and SessionID required).
// It sets iss, aud and iat, fills exp (now + RefreshTTL; sessions pass their
// absolute expiry) and jti when unset, and always draws a new Secret, all
// written into c. Store HashSecret(c.Secret) with the session.
func (i *Issuer) MintRefresh(c *RefreshClaims) (string, error) {
	if c.Subject == "" || c.SessionID == "" {
		return "", errors.New("authn: refresh token without subject or session")
	}
	now := i.now()
	c.Issuer, c.Audience = i.Issuer, i.Audience
	c.IssuedAt = jwt.NewNumericDate(now)
	if c.Expiry == nil {
		ttl := i.RefreshTTL
		if ttl <= 0 {
			ttl = DefaultRefreshTTL
		}
		c.Expiry = jwt.NewNumericDate(now.Add(ttl))
	}
	if c.ID == "" {
		c.ID = randomString(16)
	}
	c.Secret = randomString(32)
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("authn: encode refresh claims: %w", err)
	}
	if len(i.RefreshKey) == 0 {
		return "", errors.New("authn: no refresh token key")
	}
	// Made without go-jose, which builds a signer and marshals the header anew for every token; the
	// header is the one go-jose writes (sorted keys), so tokens minted either way are the same.
	input := refreshHeader(i.RefreshKey) + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac, err := jws.Sign(jws.HS256, i.RefreshKey, []byte(input))
	if err != nil {
		return "", fmt.Errorf("authn: sign refresh token: %w", err)
	}
	tok := input + "." + base64.RawURLEncoding.EncodeToString(mac)
	if len(tok) > MaxTokenSize {
		return "", ErrTokenTooLarge
	}
	return tok, nil
}

// refreshHeader is the encoded protected header of the refresh tokens key signs.
func refreshHeader(key []byte) string {
	return jws.Header{Alg: jws.HS256, Kid: refreshKID(key), Typ: typRefresh}.Encode()
}

// VerifyAccess checks an access token completely and returns its claims.
// Errors wrap ErrTokenMissing, ErrTokenInvalid or ErrTokenExpired.
func (i *Issuer) VerifyAccess(token string) (*AccessClaims, error) {
	c, _, err := i.verifyAccess(token)
	return c, err
}

func (i *Issuer) verifyAccess(token string) (*AccessClaims, string, error) {
	payload, kid, err := i.verifyJWS(token, typAccess)
	if err != nil {
		return nil, "", err
	}
	c := new(AccessClaims)
	if err := json.Unmarshal(payload, c); err != nil {
		return nil, "", invalid("malformed claims")
	}
	if err := i.checkClaims(c.Issuer, c.Audience, c.Subject, c.IssuedAt, c.NotBefore, c.Expiry); err != nil {
		return nil, "", err
	}
	return c, kid, nil
}

// ParseRefresh checks a refresh token and returns its claims: made by this
// Lanyard (HS256 under RefreshKey) or, by a Lanyard before refresh tokens had
// their own key, signed by a signing key still in the keyring. The caller must
// then find the session by SessionID and accept the token only if
// CheckSecret(session hash, Secret) holds: the server trusts the session
// record. A token whose kid is unknown is refused rather than parsed
// unverified: its signature could then be anything, and each token would have
// endless spellings.
func (i *Issuer) ParseRefresh(token string) (*RefreshClaims, error) {
	payload, _, err := i.verifyJWS(token, typRefresh)
	if err != nil {
		return nil, err
	}
	c := &RefreshClaims{}
	if err := json.Unmarshal(payload, c); err != nil {
		return nil, invalid("malformed claims")
	}
	if c.SessionID == "" || c.Secret == "" {
		return nil, invalid("missing sid or rts")
	}
	if err := i.checkClaims(c.Issuer, c.Audience, c.Subject, c.IssuedAt, nil, c.Expiry); err != nil {
		return nil, err
	}
	return c, nil
}

// checkClaims checks the registered claims. exp and iat are required: go-jose's
// Validate ignores a missing exp, and a token without one would never expire.
func (i *Issuer) checkClaims(iss, aud, sub string, iat, nbf, exp *jwt.NumericDate) error {
	if iss != i.Issuer {
		return invalid("wrong iss")
	}
	if aud != i.Audience {
		return invalid("wrong aud")
	}
	if sub == "" {
		return invalid("missing sub")
	}
	if exp == nil || iat == nil {
		return invalid("missing exp or iat")
	}
	now, lw := i.now(), i.leeway()
	if nbf != nil && now.Add(lw).Before(nbf.Time()) {
		return invalid("not valid yet")
	}
	if now.Add(lw).Before(iat.Time()) {
		return invalid("issued in the future")
	}
	if now.Add(-lw).After(exp.Time()) {
		return ErrTokenExpired
	}
	return nil
}

// Header algorithms accepted for each kind of token. Access tokens are never HS256: other services verify
// them with the JWKS. Refresh tokens are HS256 under the refresh key, or, made by an older Lanyard, signed
// by a signing key. Beyond these lists, a token's alg must equal its key's.
var (
	accessAlgs  = []string{AlgES256, AlgEdDSA, AlgRS256}
	refreshAlgs = []string{jws.HS256, AlgES256, AlgEdDSA, AlgRS256}
)

// verifyJWS runs the checks common to both token kinds and returns the
// verified payload and the kid of the key that verified it.
func (i *Issuer) verifyJWS(token, typ string) (payload []byte, kid string, err error) {
	if token == "" {
		return nil, "", ErrTokenMissing
	}
	algs := accessAlgs
	if typ == typRefresh {
		algs = refreshAlgs
	}
	// Own: the header is the one Lanyard writes, byte for byte, so no jwk, x5c, crit or b64 reaches
	// go-jose, and ES256 signatures are low-S: each token has one spelling.
	t, err := jws.Parse(token, jws.Policy{Algs: algs, MaxSize: MaxTokenSize, Own: true})
	if err != nil {
		return nil, "", invalid(err.Error())
	}
	alg, kid := t.Header.Alg, t.Header.Kid
	if t.Header.Typ != typ {
		return nil, "", invalid("wrong typ")
	}
	if kid == "" {
		return nil, "", invalid("missing kid")
	}
	if alg == jws.HS256 {
		return i.verifyRefreshMAC(t)
	}

	key, ok := i.Keyring.keyOrReload(kid)
	if !ok {
		return nil, "", invalid("unknown kid")
	}
	if key.Alg != alg {
		return nil, "", invalid("alg does not match key")
	}
	if err := t.Verify(publicOf(key)); err != nil {
		return nil, "", invalid(err.Error())
	}
	return t.Payload, kid, nil
}

// verifyRefreshMAC checks the HS256 signature of a refresh token.
func (i *Issuer) verifyRefreshMAC(t *jws.Token) ([]byte, string, error) {
	if len(i.RefreshKey) == 0 || t.Header.Kid != refreshKID(i.RefreshKey) {
		return nil, "", invalid("unknown kid")
	}
	if err := t.Verify(i.RefreshKey); err != nil {
		return nil, "", invalid(err.Error())
	}
	return t.Payload, t.Header.Kid, nil
}
