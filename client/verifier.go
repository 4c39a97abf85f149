package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/jws"
)

// Verification limits, the same as the server's.
const (
	// MaxTokenSize caps a token before any parsing. A token carrying a 16 KiB custom data document is
	// about 22 KB, so proxies in front of a verifying service need header buffers that large.
	MaxTokenSize = 32 << 10
	// Leeway is the clock skew allowed when checking exp, nbf and iat.
	Leeway = 30 * time.Second
)

// Verifier defaults.
const (
	defaultRefetchInterval = 10 * time.Second
	defaultFetchTimeout    = 10 * time.Second
	defaultMaxJWKSSize     = 1 << 20
	// jwksMaxAge is how long a fetched key set is used before it is fetched again in the background
	// (the server's Cache-Control max-age), so that keys Lanyard retired stop being accepted.
	jwksMaxAge = 5 * time.Minute
)

// Lanyard's ErrorInfo domain and the reasons the verifying interceptors answer with, the same as the
// server's so that a Lanyard client's session refreshes against a verifying service too.
const (
	errorDomain        = "lanyard"
	reasonTokenMissing = "TOKEN_MISSING"
	reasonTokenInvalid = "TOKEN_INVALID"
	reasonTokenExpired = "TOKEN_EXPIRED"
)

// Verification errors. Verify wraps them with a detail for logs (never a piece of the token); match
// them with errors.Is.
var (
	ErrTokenMissing = errors.New("lanyard: token missing")
	ErrTokenInvalid = errors.New("lanyard: token invalid")
	ErrTokenExpired = errors.New("lanyard: token expired")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTokenInvalid}, args...)...)
}

// allowedAlgs are the only header algorithms accepted: never none or HMAC, which would let anyone
// holding the public key (everyone) sign tokens.
var allowedAlgs = []string{jws.ES256, jws.EdDSA, jws.RS256}

// Claims are the claims of a verified Lanyard access token.
type Claims struct {
	Issuer    string
	Audience  string
	Subject   string // the user id
	IssuedAt  time.Time
	NotBefore time.Time // zero when absent
	Expiry    time.Time
	ID        string // jti
	SessionID string // sid
	UserType  string // "normal" or "server"
	DeviceID  string // baas_device_id
	// UserData is the custom data document as of the token's minting (Relaxed Extended JSON); {} when
	// the user has none.
	UserData json.RawMessage
	// UserDataOmitted is set when the document was too large to carry: read it from Lanyard instead.
	UserDataOmitted bool
	// UserMetadata is the provider metadata, present only when the server includes it in tokens.
	UserMetadata json.RawMessage
}

// IsServer reports whether the token belongs to a server user (a server API key).
func (c *Claims) IsServer() bool { return c.UserType == "server" }

type rawClaims struct {
	Issuer          string           `json:"iss"`
	Audience        string           `json:"aud"` // Lanyard writes one audience, as a string
	Subject         string           `json:"sub"`
	IssuedAt        *jwt.NumericDate `json:"iat"`
	NotBefore       *jwt.NumericDate `json:"nbf"`
	Expiry          *jwt.NumericDate `json:"exp"`
	ID              string           `json:"jti"`
	SessionID       string           `json:"sid"`
	UserType        string           `json:"user_type"`
	DeviceID        string           `json:"baas_device_id"`
	UserData        json.RawMessage  `json:"user_data"`
	UserDataOmitted bool             `json:"user_data_omitted"`
	UserMetadata    json.RawMessage  `json:"user_metadata"`
}

// Verifier checks Lanyard access tokens locally against the server's published keys. It is safe for
// concurrent use.
type Verifier struct {
	jwksURL  string
	issuer   string
	audience string
	http     *http.Client
	interval time.Duration
	timeout  time.Duration
	maxSize  int64
	now      func() time.Time

	keys       atomic.Pointer[keySet]
	fetchMu    sync.Mutex // one fetch at a time
	lastFetch  time.Time  // last fetch attempt, guarded by fetchMu
	lastErr    error      // its error, guarded by fetchMu
	refreshing atomic.Bool
}

type keySet struct {
	keys    map[string]jose.JSONWebKey
	fetched time.Time
}

// VerifierOption configures NewVerifier.
type VerifierOption func(*Verifier)

// WithHTTPClient fetches the JWKS with c (for a custom transport or TLS roots).
func WithHTTPClient(c *http.Client) VerifierOption { return func(v *Verifier) { v.http = c } }

// WithRefetchInterval sets how often, at most, a token with an unknown kid (or a failed fetch) makes
// the Verifier fetch the JWKS again; 10 s by default. It bounds the load a stream of forged kids can
// put on Lanyard.
func WithRefetchInterval(d time.Duration) VerifierOption { return func(v *Verifier) { v.interval = d } }

// WithFetchTimeout bounds one JWKS fetch; 10 s by default.
func WithFetchTimeout(d time.Duration) VerifierOption { return func(v *Verifier) { v.timeout = d } }

// WithMaxJWKSSize caps the JWKS response body; 1 MiB by default.
func WithMaxJWKSSize(n int64) VerifierOption { return func(v *Verifier) { v.maxSize = n } }

// NewVerifier returns a Verifier for the tokens of the Lanyard whose JWKS is served at jwksURL (its
// HTTP listener's /.well-known/jwks.json), whose public URL (the `iss`) is issuer and whose app id (the
// `aud`) is audience. It fetches nothing yet: the first Verify does, so that a service can start before
// Lanyard. Call Refresh to fetch at once.
func NewVerifier(jwksURL, issuer, audience string, opts ...VerifierOption) (*Verifier, error) {
	if jwksURL == "" || issuer == "" || audience == "" {
		return nil, errors.New("lanyard: NewVerifier needs a JWKS URL, an issuer and an audience")
	}
	if !strings.HasPrefix(jwksURL, "https://") && !strings.HasPrefix(jwksURL, "http://") {
		return nil, fmt.Errorf("lanyard: JWKS URL %q is not an http(s) URL", jwksURL)
	}
	v := &Verifier{
		jwksURL:  jwksURL,
		issuer:   issuer,
		audience: audience,
		http:     http.DefaultClient,
		interval: defaultRefetchInterval,
		timeout:  defaultFetchTimeout,
		maxSize:  defaultMaxJWKSSize,
		now:      time.Now,
	}
	for _, opt := range opts {
		opt(v)
	}
	return v, nil
}

// Refresh fetches the JWKS now.
func (v *Verifier) Refresh(ctx context.Context) error {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	return v.fetchLocked(ctx)
}

// Verify checks an access token completely and returns its claims. Errors wrap ErrTokenMissing,
// ErrTokenInvalid or ErrTokenExpired.
func (v *Verifier) Verify(token string) (*Claims, error) {
	if token == "" {
		return nil, ErrTokenMissing
	}
	// The rules are the server's (package jws): canonical segments, the header Lanyard writes and nothing
	// else, low-S ES256 signatures, claims with unique names. So a token has one spelling, and no
	// token verifies here that the server would refuse.
	t, err := jws.Parse(token, jws.Policy{Algs: allowedAlgs, MaxSize: MaxTokenSize, Own: true})
	if err != nil {
		return nil, invalid("%v", err)
	}
	switch {
	case t.Header.Typ != "at+jwt":
		// Refresh tokens (rt+jwt) and other JWTs signed with the same keys are not access tokens.
		return nil, invalid("typ is not at+jwt")
	case t.Header.Kid == "":
		return nil, invalid("missing kid")
	}
	key, err := v.key(t.Header.Kid)
	if err != nil {
		return nil, err
	}
	if key.Algorithm != t.Header.Alg {
		return nil, invalid("algorithm does not match the key")
	}
	if err := t.Verify(key.Key); err != nil {
		return nil, invalid("%v", err)
	}

	var rc rawClaims
	if err := json.Unmarshal(t.Payload, &rc); err != nil {
		return nil, invalid("malformed claims")
	}
	now := v.now()
	switch {
	case rc.Issuer != v.issuer:
		return nil, invalid("wrong issuer")
	case rc.Audience != v.audience:
		return nil, invalid("wrong audience")
	case rc.Subject == "":
		return nil, invalid("missing sub")
	case rc.Expiry == nil:
		// go-jose's own validation lets a token without exp through; it would never expire.
		return nil, invalid("missing exp")
	case rc.NotBefore != nil && now.Add(Leeway).Before(rc.NotBefore.Time()):
		return nil, invalid("not valid yet")
	case rc.IssuedAt != nil && now.Add(Leeway).Before(rc.IssuedAt.Time()):
		return nil, invalid("issued in the future")
	case now.Add(-Leeway).After(rc.Expiry.Time()):
		return nil, ErrTokenExpired
	}
	c := &Claims{
		Issuer:          rc.Issuer,
		Audience:        rc.Audience,
		Subject:         rc.Subject,
		Expiry:          rc.Expiry.Time(),
		ID:              rc.ID,
		SessionID:       rc.SessionID,
		UserType:        rc.UserType,
		DeviceID:        rc.DeviceID,
		UserData:        rc.UserData,
		UserDataOmitted: rc.UserDataOmitted,
		UserMetadata:    rc.UserMetadata,
	}
	if rc.IssuedAt != nil {
		c.IssuedAt = rc.IssuedAt.Time()
	}
	if rc.NotBefore != nil {
		c.NotBefore = rc.NotBefore.Time()
	}
	if len(c.UserData) == 0 {
		c.UserData = json.RawMessage("{}")
	}
	return c, nil
}

// key finds the public key for kid. An unknown kid (a key Lanyard rotated in since the last fetch)
// triggers a fetch, at most once per interval; callers arriving during a fetch wait for it.
func (v *Verifier) key(kid string) (jose.JSONWebKey, error) {
	if set := v.keys.Load(); set != nil {
		if v.now().Sub(set.fetched) > jwksMaxAge {
			v.refreshInBackground()
		}
		if k, ok := set.keys[kid]; ok {
			return k, nil
		}
	}
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	if set := v.keys.Load(); set != nil {
		if k, ok := set.keys[kid]; ok {
			return k, nil // fetched while we waited
		}
	}
	if v.now().Sub(v.lastFetch) >= v.interval {
		ctx, cancel := context.WithTimeout(context.Background(), v.timeout)
		defer cancel()
		_ = v.fetchLocked(ctx)
		if set := v.keys.Load(); set != nil {
			if k, ok := set.keys[kid]; ok {
				return k, nil
			}
		}
	}
	if v.lastErr != nil {
		return jose.JSONWebKey{}, invalid("unknown kid (the last JWKS fetch failed: %v)", v.lastErr)
	}
	return jose.JSONWebKey{}, invalid("unknown kid")
}

func (v *Verifier) refreshInBackground() {
	if !v.refreshing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer v.refreshing.Store(false)
		v.fetchMu.Lock()
		defer v.fetchMu.Unlock()
		if v.now().Sub(v.lastFetch) < v.interval {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), v.timeout)
		defer cancel()
		_ = v.fetchLocked(ctx)
	}()
}

// fetchLocked fetches the JWKS and installs its usable keys. A failed fetch keeps the keys already
// known: Lanyard being briefly unreachable must not stop a service from verifying.
func (v *Verifier) fetchLocked(ctx context.Context) error {
	v.lastFetch = v.now()
	keys, err := v.fetch(ctx)
	v.lastErr = err
	if err != nil {
		return err
	}
	v.keys.Store(&keySet{keys: keys, fetched: v.now()})
	return nil
}

func (v *Verifier) fetch(ctx context.Context) (map[string]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("lanyard: JWKS request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lanyard: fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("lanyard: fetch JWKS: HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, v.maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("lanyard: read JWKS: %w", err)
	}
	if int64(len(body)) > v.maxSize {
		return nil, fmt.Errorf("lanyard: JWKS larger than %d bytes", v.maxSize)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("lanyard: decode JWKS: %w", err)
	}
	keys := map[string]jose.JSONWebKey{}
	for _, k := range set.Keys {
		if k.KeyID == "" || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if k.Algorithm == "" {
			k.Algorithm = algOf(k.Key)
		}
		if slices.Contains(allowedAlgs, k.Algorithm) && algOf(k.Key) == k.Algorithm {
			keys[k.KeyID] = k
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("lanyard: the JWKS holds no usable signing key")
	}
	return keys, nil
}

// algOf is the one algorithm Lanyard uses with a key of this type.
func algOf(key any) string {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return "ES256"
		}
	case ed25519.PublicKey:
		return "EdDSA"
	case *rsa.PublicKey:
		return "RS256"
	}
	return ""
}

// claimsKey is the context key of the verified claims.
type claimsKey struct{}

// ClaimsFrom returns the claims the verifying interceptors put in a call's context.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// NewContextWithClaims returns ctx carrying c, as the interceptors do (for tests of handlers).
func NewContextWithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// UnaryServerInterceptor verifies the `authorization: Bearer <token>` of every call with v and puts
// the claims in the handler's context (ClaimsFrom). Calls without a valid token are refused with
// UNAUTHENTICATED and a Lanyard ErrorInfo (TOKEN_MISSING, TOKEN_INVALID or TOKEN_EXPIRED), which a
// Lanyard client session answers by refreshing. Like the server, the error never says which check
// failed. Put it after any interceptor for public methods (health) that must skip it.
func UnaryServerInterceptor(v *Verifier) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		c, err := v.verifyIncoming(ctx)
		if err != nil {
			return nil, err
		}
		return next(NewContextWithClaims(ctx, c), req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming calls.
func StreamServerInterceptor(v *Verifier) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
		c, err := v.verifyIncoming(ss.Context())
		if err != nil {
			return err
		}
		return next(srv, &claimsStream{ServerStream: ss, ctx: NewContextWithClaims(ss.Context(), c)})
	}
}

type claimsStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *claimsStream) Context() context.Context { return s.ctx }

// verifyIncoming verifies the one bearer token of an incoming call, refusing oversized values before
// looking at them.
func (v *Verifier) verifyIncoming(ctx context.Context) (*Claims, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) == 0 {
		return nil, authError(reasonTokenMissing, "this method needs an access token: send `authorization: Bearer <token>`")
	}
	if len(values) > 1 || len(values[0]) > MaxTokenSize+len("Bearer ") {
		return nil, authError(reasonTokenInvalid, "the access token is not valid")
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || token == "" {
		return nil, authError(reasonTokenInvalid, "the access token is not valid")
	}
	c, err := v.Verify(token)
	switch {
	case errors.Is(err, ErrTokenExpired):
		return nil, authError(reasonTokenExpired, "the access token has expired; refresh the session")
	case err != nil:
		return nil, authError(reasonTokenInvalid, "the access token is not valid")
	}
	return c, nil
}

func authError(reason, msg string) error {
	st, err := status.New(codes.Unauthenticated, msg).WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain})
	if err != nil {
		return status.Error(codes.Unauthenticated, msg)
	}
	return st.Err()
}
