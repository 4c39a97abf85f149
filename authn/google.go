package authn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Google defaults.
const DefaultGoogleJWKSURL = "https://www.googleapis.com/oauth2/v3/certs"

var defaultGoogleIssuers = []string{"accounts.google.com", "https://accounts.google.com"}

// googleClaimOf maps Lanyard's (App Services') metadata names to the ID
// token claims they come from.
var googleClaimOf = map[string]string{
	"name":       "name",
	"first_name": "given_name",
	"last_name":  "family_name",
	"picture":    "picture",
	"email":      "email",
}

// GoogleConfig configures the oauth2-google provider, which verifies Google
// OpenID Connect ID tokens obtained by the client (Google Sign-In).
type GoogleConfig struct {
	// ClientID is the OAuth client id the ID tokens are issued to (their
	// aud). Required.
	ClientID string
	// JWKSURL defaults to DefaultGoogleJWKSURL.
	JWKSURL string
	// JWKSRefetchInterval is the least time between two JWKS fetches
	// (default DefaultJWKSRefetchInterval).
	JWKSRefetchInterval time.Duration
	// Issuers accepted in iss; default accounts.google.com with and
	// without https://.
	Issuers []string
	// MetadataFields: any of name, first_name, last_name, picture, email.
	MetadataFields []MetadataField
	// HTTPClient fetches the JWKS; nil means a client with timeouts.
	HTTPClient *http.Client
	// Now is the clock for exp and nbf; nil means time.Now.
	Now func() time.Time
}

type googleProvider struct {
	jwt      jwtVerifier
	clientID string
	issuers  []string
	fields   []metadataField
}

// NewGoogleProvider checks cfg and returns the oauth2-google provider.
// Verify accepts an RS256 ID token from Google's JWKS with a numeric exp,
// an accepted iss, aud equal to the client id, and a sub (the identity's
// provider id). The email is left out of the metadata when the token says
// email_verified is false: applications tend to trust that field.
func NewGoogleProvider(cfg GoogleConfig) (ExternalProvider, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("oauth2-google: client id is required")
	}
	p := &googleProvider{clientID: cfg.ClientID, issuers: slices.Clone(cfg.Issuers)}
	if len(p.issuers) == 0 {
		p.issuers = slices.Clone(defaultGoogleIssuers)
	}
	p.jwt.alg = jose.RS256
	p.jwt.now = cfg.Now
	if p.jwt.now == nil {
		p.jwt.now = time.Now
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		jwksURL = DefaultGoogleJWKSURL
	}
	f, err := newJWKSFetcher(jwksURL, cfg.HTTPClient, cfg.JWKSRefetchInterval, p.jwt.now)
	if err != nil {
		return nil, fmt.Errorf("oauth2-google: %w", err)
	}
	p.jwt.jwks = f
	if p.fields, err = ParseMetadataFields(ProviderGoogle, cfg.MetadataFields); err != nil {
		return nil, fmt.Errorf("oauth2-google: %w", err)
	}
	return p, nil
}

func (p *googleProvider) Type() string { return ProviderGoogle }

func (p *googleProvider) MetadataFields() []MetadataField {
	return publicMetadataFields(p.fields)
}

func (p *googleProvider) Verify(ctx context.Context, token string) (*Claim, error) {
	claims, err := p.jwt.verify(ctx, token)
	if err != nil {
		return nil, err
	}
	if iss, _ := claims["iss"].(string); !slices.Contains(p.issuers, iss) {
		return nil, badCredentials("issuer not accepted")
	}
	// Google issues a single audience; a list naming others as well is
	// not a token for this client alone.
	if aud, ok := audiences(claims); !ok || len(aud) != 1 || aud[0] != p.clientID {
		return nil, badCredentials("audience not accepted")
	}
	sub, ok := stringClaim(claims, "sub")
	if !ok {
		return nil, badCredentials("sub missing")
	}

	source := make(map[string]any, len(googleClaimOf))
	for name, claim := range googleClaimOf {
		if v, ok := claims[claim]; ok {
			source[name] = v
		}
	}
	// Older tokens spell the flag as a string.
	if v := claims["email_verified"]; v == false || v == "false" {
		delete(source, "email")
	}
	data, err := extractMetadata(p.fields, source)
	if err != nil {
		return nil, err
	}
	return &Claim{ProviderType: ProviderGoogle, ProviderID: sub, Data: data}, nil
}
