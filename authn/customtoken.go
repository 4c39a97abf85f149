package authn

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// HS256 secret bounds, as App Services had them.
const (
	minHS256Secret = 32
	maxHS256Secret = 512
)

// CustomTokenConfig configures the custom-token provider: JWTs issued by
// the operator's own identity system, App Services' "Custom JWT
// Authentication".
type CustomTokenConfig struct {
	// SigningAlgorithm is the one algorithm accepted: HS256, RS256, ES256 or
	// EdDSA.
	SigningAlgorithm string
	// SigningKeys are HS256 secrets (32 to 512 bytes, used as given) or,
	// for the other algorithms, PEM public keys (PKIX "PUBLIC KEY", PKCS #1
	// "RSA PUBLIC KEY" or "CERTIFICATE"; an entry may hold several). Every
	// key is tried, so several allow a rotation. Exactly one of SigningKeys
	// and JWKSURL is set.
	SigningKeys []string
	// JWKSURL publishes the keys; tokens must then carry a kid. Not for
	// HS256.
	JWKSURL string
	// JWKSRefetchInterval is the least time between two JWKS fetches
	// (default DefaultJWKSRefetchInterval).
	JWKSRefetchInterval time.Duration
	// Audience, when set, is checked against the token's aud.
	Audience []string
	// RequireAllAudiences is App Services' "all": aud must contain every
	// configured audience. Otherwise ("any") one is enough.
	RequireAllAudiences bool
	// MetadataFields are copied from the claims; see ParseMetadataFields.
	MetadataFields []MetadataField
	// HTTPClient fetches JWKSURL; nil means a client with timeouts.
	HTTPClient *http.Client
	// Now is the clock for exp and nbf; nil means time.Now.
	Now func() time.Time
}

type customTokenProvider struct {
	jwt        jwtVerifier
	audience   []string
	requireAll bool
	fields     []metadataField
}

// NewCustomTokenProvider checks cfg and returns the custom-token provider.
// Verify accepts a token signed with exactly the configured algorithm,
// with a numeric exp (30 s leeway; nbf honoured alike), a non-empty sub
// (the identity's provider id) and, when configured, a matching aud. The
// identity's data holds the configured metadata fields and nothing else.
func NewCustomTokenProvider(cfg CustomTokenConfig) (ExternalProvider, error) {
	p := &customTokenProvider{requireAll: cfg.RequireAllAudiences}
	p.jwt.now = cfg.Now
	if p.jwt.now == nil {
		p.jwt.now = time.Now
	}

	switch alg := jose.SignatureAlgorithm(cfg.SigningAlgorithm); alg {
	case jose.HS256, jose.RS256, jose.ES256, jose.EdDSA:
		p.jwt.alg = alg
	default:
		return nil, fmt.Errorf("custom-token: signing algorithm %q is not one of HS256, RS256, ES256, EdDSA", cfg.SigningAlgorithm)
	}

	switch {
	case len(cfg.SigningKeys) > 0 && cfg.JWKSURL != "":
		return nil, errors.New("custom-token: set signing keys or a JWKS URL, not both")
	case cfg.JWKSURL != "":
		if p.jwt.alg == jose.HS256 {
			return nil, errors.New("custom-token: HS256 takes signing keys, not a JWKS URL")
		}
		f, err := newJWKSFetcher(cfg.JWKSURL, cfg.HTTPClient, cfg.JWKSRefetchInterval, p.jwt.now)
		if err != nil {
			return nil, fmt.Errorf("custom-token: %w", err)
		}
		p.jwt.jwks = f
	case len(cfg.SigningKeys) > 0:
		for i, s := range cfg.SigningKeys {
			keys, err := parseSigningKeys(p.jwt.alg, s)
			if err != nil {
				return nil, fmt.Errorf("custom-token: signing key %d: %w", i+1, err)
			}
			p.jwt.keys = append(p.jwt.keys, keys...)
		}
	default:
		return nil, errors.New("custom-token: signing keys or a JWKS URL are required")
	}

	for _, a := range cfg.Audience {
		if a == "" {
			return nil, errors.New("custom-token: empty audience")
		}
	}
	p.audience = slices.Clone(cfg.Audience)

	fields, err := ParseMetadataFields(ProviderCustomToken, cfg.MetadataFields)
	if err != nil {
		return nil, fmt.Errorf("custom-token: %w", err)
	}
	p.fields = fields
	return p, nil
}

func (p *customTokenProvider) Type() string { return ProviderCustomToken }

func (p *customTokenProvider) MetadataFields() []MetadataField {
	return publicMetadataFields(p.fields)
}

func (p *customTokenProvider) Verify(ctx context.Context, token string) (*Claim, error) {
	claims, err := p.jwt.verify(ctx, token)
	if err != nil {
		return nil, err
	}
	sub, ok := stringClaim(claims, "sub")
	if !ok {
		return nil, badCredentials("sub missing")
	}
	if len(p.audience) > 0 && !p.audienceOK(claims) {
		return nil, badCredentials("audience not accepted")
	}
	data, err := extractMetadata(p.fields, claims)
	if err != nil {
		return nil, err
	}
	return &Claim{ProviderType: ProviderCustomToken, ProviderID: sub, Data: data}, nil
}

func (p *customTokenProvider) audienceOK(claims map[string]any) bool {
	aud, ok := audiences(claims)
	if !ok {
		return false
	}
	if p.requireAll {
		for _, want := range p.audience {
			if !slices.Contains(aud, want) {
				return false
			}
		}
		return true
	}
	for _, want := range p.audience {
		if slices.Contains(aud, want) {
			return true
		}
	}
	return false
}

// parseSigningKeys turns one configured entry into what go-jose verifies
// with: an HS256 secret, or one or more PEM public keys (a key file may hold
// the old and the new key of a rotation). A key that does not fit alg is an
// error now, not a login failure later.
func parseSigningKeys(alg jose.SignatureAlgorithm, s string) ([]any, error) {
	if alg == jose.HS256 {
		if len(s) < minHS256Secret || len(s) > maxHS256Secret {
			return nil, fmt.Errorf("HS256 secret must be %d to %d bytes", minHS256Secret, maxHS256Secret)
		}
		return []any{[]byte(s)}, nil
	}
	var keys []any
	rest := []byte(s)
	for {
		block, r := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = r
		k, err := parsePEMPublicKey(alg, block)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("not a PEM public key")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("text after the PEM blocks")
	}
	return keys, nil
}

func parsePEMPublicKey(alg jose.SignatureAlgorithm, block *pem.Block) (any, error) {
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("PEM block %q is not a public key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("bad %s: %w", block.Type, err)
	}
	if !keyFits(alg, key) {
		return nil, fmt.Errorf("key does not fit %s (RS256 needs RSA of at least %d bits, ES256 P-256, EdDSA Ed25519)", alg, minRSABits)
	}
	return key, nil
}
