package authn

import (
	"context"
	"errors"
)

// Provider types, with App Services' names.
const (
	ProviderAnonymous   = "anon-user"
	ProviderUserPass    = "local-userpass"
	ProviderAPIKey      = "api-key"
	ProviderCustomToken = "custom-token"
	ProviderGoogle      = "oauth2-google"
	ProviderFacebook    = "oauth2-facebook"
	// ProviderCustomFunction logs in with the app's own function (Config.CustomFunction).
	ProviderCustomFunction = "custom-function"
)

// Credentials are what a client presents to log in, for exactly one provider.
type Credentials struct {
	Provider string         // one of the Provider* types
	Email    string         // local-userpass
	Password string         // local-userpass
	Key      string         // api-key
	Token    string         // custom-token JWT, Google ID token or Facebook access token
	Payload  map[string]any // custom-function: the login payload, passed to the function as it came
}

// Claim is what a provider vouches for after checking credentials: an identity's subject and the
// metadata it yields.
type Claim struct {
	ProviderType string
	ProviderID   string
	Data         map[string]any
}

// MetadataField is one field a provider yields into an identity's data, in App Services' shape.
type MetadataField struct {
	Required  bool   `json:"required" yaml:"required"`
	Name      string `json:"name" yaml:"name"`
	FieldName string `json:"field_name,omitempty" yaml:"field_name"`
}

// ExternalProvider verifies a token issued by someone else (the operator's identity system, Google,
// Facebook) and says whose it is.
type ExternalProvider interface {
	// Type is the provider type, e.g. ProviderGoogle.
	Type() string
	// Verify checks token and returns the identity it proves. Errors wrap ErrInvalidCredentials (the
	// token does not prove anything), ErrMetadataRequired (a required field is missing; the error text
	// names the fields and is safe to show), or ErrProviderUnavailable (the provider's keys or API could
	// not be reached).
	Verify(ctx context.Context, token string) (*Claim, error)
	// MetadataFields are the configured fields, for ListMetadataFields.
	MetadataFields() []MetadataField
}

// Errors of logins and account flows, for callers to map with errors.Is.
var (
	ErrInvalidCredentials  = errors.New("authn: invalid credentials")
	ErrMetadataRequired    = errors.New("authn: required metadata missing")
	ErrProviderUnavailable = errors.New("authn: provider unreachable")
	ErrProviderDisabled    = errors.New("authn: provider disabled")
	ErrUserDisabled        = errors.New("authn: user disabled")
	ErrPendingConfirmation = errors.New("authn: user has not confirmed")
	ErrUserExists          = errors.New("authn: user already exists")
	ErrIdentityLinked      = errors.New("authn: identity belongs to another user")
	ErrSessionRevoked      = errors.New("authn: session revoked")
	ErrActionTokenInvalid  = errors.New("authn: action token unknown, used or expired")
	ErrRateLimited         = errors.New("authn: too many failed attempts")
	// ErrHookDocument wraps why the store refused the document the user creation hook returned (too
	// deep, too large, a `$` key…): the hook's fault, not the caller's, so it fails the login like a
	// refusing hook. Its text is safe to show.
	ErrHookDocument = errors.New("the user creation hook returned a custom data document that cannot be stored")
)
