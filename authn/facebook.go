package authn

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Facebook defaults and limits.
const (
	DefaultFacebookGraphURL     = "https://graph.facebook.com"
	DefaultFacebookGraphVersion = "v19.0"
	// maxFacebookToken is far above the length of real access tokens (a
	// few hundred characters) and keeps junk off the Graph API.
	maxFacebookToken = 4096
)

var graphVersionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// graphFieldOf maps Lanyard's (App Services') metadata names to the Graph
// API user fields they are read from.
var graphFieldOf = map[string]string{
	"name":       "name",
	"first_name": "first_name",
	"last_name":  "last_name",
	"picture":    "picture",
	"gender":     "gender",
	"birthday":   "birthday",
	"email":      "email",
	"min_age":    "age_range",
	"max_age":    "age_range",
}

// FacebookConfig configures the oauth2-facebook provider, which checks user
// access tokens obtained by the client (Facebook Login) with the Graph API.
type FacebookConfig struct {
	// GraphURL defaults to DefaultFacebookGraphURL.
	GraphURL string
	// GraphVersion defaults to DefaultFacebookGraphVersion.
	GraphVersion string
	// AppID and AppSecret are the Facebook app's; tokens minted for any
	// other app are refused. Required.
	AppID     string
	AppSecret string
	// MetadataFields: any of name, first_name, last_name, picture, gender,
	// birthday, min_age, max_age, email.
	MetadataFields []MetadataField
	// HTTPClient calls the Graph API; nil means a client with timeouts.
	// Redirects are never followed, whatever the client says: the requests
	// carry tokens.
	HTTPClient *http.Client
}

type facebookProvider struct {
	base      string // GraphURL/version
	appID     string
	appSecret string
	client    *http.Client
	fields    []metadataField
	query     string // the Graph fields to ask /me for
}

// NewFacebookProvider checks cfg and returns the oauth2-facebook provider.
// Verify asks debug_token whether the token is valid and was issued to this
// app for a user, then reads the configured fields from /me; the user's id
// is the identity's provider id. Tokens travel in the query string, as the
// Graph API expects; request URLs are never put into errors or logs.
func NewFacebookProvider(cfg FacebookConfig) (ExternalProvider, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("oauth2-facebook: app id and app secret are required")
	}
	graph := cfg.GraphURL
	if graph == "" {
		graph = DefaultFacebookGraphURL
	}
	u, err := url.Parse(graph)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return nil, errors.New("oauth2-facebook: Graph URL must be an absolute http(s) URL without a query")
	}
	version := cfg.GraphVersion
	if version == "" {
		version = DefaultFacebookGraphVersion
	}
	if !graphVersionRE.MatchString(version) {
		return nil, fmt.Errorf("oauth2-facebook: Graph version %q is not like v19.0", version)
	}

	fields, err := ParseMetadataFields(ProviderFacebook, cfg.MetadataFields)
	if err != nil {
		return nil, fmt.Errorf("oauth2-facebook: %w", err)
	}
	query := []string{"id"}
	for _, f := range fields {
		if g := graphFieldOf[f.Name]; !slices.Contains(query, g) {
			query = append(query, g)
		}
	}

	client := defaultHTTPClient()
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	return &facebookProvider{
		base:      strings.TrimSuffix(graph, "/") + "/" + version,
		appID:     cfg.AppID,
		appSecret: cfg.AppSecret,
		client:    client,
		fields:    fields,
		query:     strings.Join(query, ","),
	}, nil
}

func (p *facebookProvider) Type() string { return ProviderFacebook }

func (p *facebookProvider) MetadataFields() []MetadataField {
	return publicMetadataFields(p.fields)
}

func (p *facebookProvider) Verify(ctx context.Context, token string) (*Claim, error) {
	if token == "" || len(token) > maxFacebookToken || strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return nil, badCredentials("malformed access token")
	}

	userID, err := p.debugToken(ctx, token)
	if err != nil {
		return nil, err
	}

	var me map[string]any
	q := url.Values{"fields": {p.query}, "access_token": {token}, "appsecret_proof": {p.proof(token)}}
	if err := getJSON(ctx, p.client, p.base+"/me?"+q.Encode(), &me); err != nil {
		return nil, graphError("me", err)
	}
	// debug_token vouched for this user; /me answering for another would
	// mean the two calls did not see the same token.
	if id := idString(me["id"]); id == "" || id != userID {
		return nil, badCredentials("facebook: /me does not match the token's user")
	}

	data, err := extractMetadata(p.fields, facebookSource(me))
	if err != nil {
		return nil, err
	}
	return &Claim{ProviderType: ProviderFacebook, ProviderID: userID, Data: data}, nil
}

// debugToken returns the user id of a valid user token issued to this app.
func (p *facebookProvider) debugToken(ctx context.Context, token string) (string, error) {
	var resp struct {
		Data struct {
			IsValid bool   `json:"is_valid"`
			AppID   any    `json:"app_id"`
			Type    string `json:"type"`
			UserID  any    `json:"user_id"`
		} `json:"data"`
	}
	q := url.Values{"input_token": {token}, "access_token": {p.appID + "|" + p.appSecret}}
	if err := getJSON(ctx, p.client, p.base+"/debug_token?"+q.Encode(), &resp); err != nil {
		return "", graphError("debug_token", err)
	}
	d := resp.Data
	switch {
	case !d.IsValid:
		return "", badCredentials("facebook: token is not valid")
	case idString(d.AppID) != p.appID:
		return "", badCredentials("facebook: token was issued to another app")
	case d.Type != "" && d.Type != "USER":
		return "", badCredentials("facebook: not a user access token")
	}
	userID := idString(d.UserID)
	if userID == "" {
		return "", badCredentials("facebook: token has no user")
	}
	return userID, nil
}

// proof is the appsecret_proof Facebook asks for when the app requires
// it: it shows that the caller holds the app secret, not just the token.
func (p *facebookProvider) proof(token string) string {
	m := hmac.New(sha256.New, []byte(p.appSecret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// graphError sorts a failed Graph call: a refusal (4xx) is about the token,
// the only part of the request a client controls; anything else, including
// rate limiting, is the provider being unavailable.
func graphError(call string, err error) error {
	var st errHTTPStatus
	if errors.As(err, &st) && st.code >= 400 && st.code < 500 && st.code != http.StatusTooManyRequests {
		return fmt.Errorf("%w: facebook %s: %v", ErrInvalidCredentials, call, err)
	}
	return fmt.Errorf("%w: facebook %s: %v", ErrProviderUnavailable, call, err)
}

// facebookSource renames /me's answer to the metadata names: the picture
// is its URL, and the age range splits into min_age and max_age.
func facebookSource(me map[string]any) map[string]any {
	src := make(map[string]any, len(me))
	for _, name := range []string{"name", "first_name", "last_name", "gender", "birthday", "email"} {
		if v, ok := me[name]; ok {
			src[name] = v
		}
	}
	if pic, ok := me["picture"].(map[string]any); ok {
		if data, ok := pic["data"].(map[string]any); ok {
			if u, ok := data["url"].(string); ok {
				src["picture"] = u
			}
		}
	}
	if ages, ok := me["age_range"].(map[string]any); ok {
		if v, ok := ages["min"]; ok {
			src["min_age"] = v
		}
		if v, ok := ages["max"]; ok {
			src["max_age"] = v
		}
	}
	return src
}

// idString reads a Graph id, which is a string but is read leniently as a
// number too.
func idString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}
