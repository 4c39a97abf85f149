package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

const jwtSecret = "a-test-secret-of-at-least-32-bytes-long!"

// signJWT makes a JWT as the operator's identity system (HS256) or Google (RS256 with a kid) would.
func signJWT(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := obj.CompactSerialize()
	return tok
}

func customToken(t *testing.T, sub string, extra map[string]any) *lanyardv1.LoginRequest {
	claims := map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix(), "aud": "my-app"}
	for k, v := range extra {
		claims[k] = v
	}
	return &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_CustomToken{CustomToken: &lanyardv1.CustomTokenCredentials{
		Token: signJWT(t, jose.HS256, []byte(jwtSecret), "", claims)}}}
}

// googleServer is a local stand-in for Google's JWKS endpoint, with a key that signs ID tokens.
func googleServer(t *testing.T) (*httptest.Server, *rsa.PrivateKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "g1", Algorithm: "RS256", Use: "sig"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jwks)
	}))
	t.Cleanup(srv.Close)
	return srv, key
}

// facebookServer is a local stand-in for the Graph API: one valid token for one user.
func facebookServer(t *testing.T, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case strings.HasSuffix(r.URL.Path, "/debug_token"):
			valid := q.Get("input_token") == token
			_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"is_valid": valid, "app_id": "fb-app", "type": "USER", "user_id": "fb-user-1"}})
		case strings.HasSuffix(r.URL.Path, "/me") && q.Get("access_token") == token:
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "fb-user-1", "name": "Fay Book", "first_name": "Fay", "last_name": "Book",
				"email": "fay@example.com", "gender": "female", "picture": map[string]any{"data": map[string]any{"url": "https://pic.example/fay"}},
				"age_range": map[string]any{"min": 21}})
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestProviderMetadata walks the metadata a new user sees: custom JWT claims by path (nested and with an
// escaped dot), a missing required field refusing the login by name, Google and Facebook filling
// exactly their configured fields, and the profile after linking.
func TestProviderMetadata(t *testing.T) {
	google, gkey := googleServer(t)
	const fbToken = "EAAB-valid-facebook-token"
	fb := facebookServer(t, fbToken)
	cfg := testConfig(t)
	cfg.Providers = []string{"anon-user", "custom-token", "oauth2-google", "oauth2-facebook"}
	cfg.CustomTokenAlg = "HS256"
	cfg.CustomTokenKeys = []string{jwtSecret}
	cfg.CustomTokenAudience = []string{"my-app"}
	cfg.CustomTokenMetadataFields = `[{"name": "user.profile.name", "field_name": "name"}, {"name": "http://example\\.com/id", "field_name": "ext_id"}, {"name": "email", "required": true}]`
	cfg.GoogleClientID = "g-client"
	cfg.GoogleJWKSURL = google.URL
	cfg.GoogleMetadataFields = `[{"name": "name"}, {"name": "email"}]`
	cfg.FacebookAppID, cfg.FacebookAppSecret, cfg.FacebookGraphURL = "fb-app", "fb-secret", fb.URL
	cfg.FacebookMetadataFields = `[{"name": "name"}, {"name": "picture"}, {"name": "min_age"}]`
	ts := startServer(t, cfg)
	ctx := context.Background()

	// A missing required field refuses the login and names the field.
	_, err := ts.auth.Login(ctx, customToken(t, "cj-1", map[string]any{"user": map[string]any{"profile": map[string]any{"name": "A"}}}))
	st := wantError(t, err, codes.FailedPrecondition, "METADATA_REQUIRED")
	if !strings.Contains(st.Message(), "email") {
		t.Errorf("message %q does not name the missing field", st.Message())
	}

	// Nested and escaped-dot claims land under their field names.
	claims := map[string]any{"user": map[string]any{"profile": map[string]any{"name": "A"}}, "http://example.com/id": "ext-42", "email": "a@example.com", "other": "ignored"}
	login, err := ts.auth.Login(ctx, customToken(t, "cj-1", claims))
	if err != nil {
		t.Fatal(err)
	}
	data := jsonOf(t, login.GetUser().GetData())
	if data["name"] != "A" || data["ext_id"] != "ext-42" || data["email"] != "a@example.com" || len(data) != 3 {
		t.Errorf("custom JWT metadata = %v", data)
	}

	// Link Google with name B.
	idToken := signJWT(t, jose.RS256, gkey, "g1", map[string]any{"iss": "https://accounts.google.com", "aud": "g-client", "sub": "g-1",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "name": "B", "email": "b@example.com", "picture": "https://pic.example/b"})
	linked, err := ts.auth.LinkIdentity(bearer(login.GetAccessToken()), &lanyardv1.LinkIdentityRequest{Credentials: &lanyardv1.LinkIdentityRequest_Google{
		Google: &lanyardv1.GoogleCredentials{IdToken: idToken}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(linked.GetUser().GetIdentities()); n != 2 {
		t.Fatalf("%d identities after linking", n)
	}

	// Log in again with the JWT now carrying name C.
	claims["user"] = map[string]any{"profile": map[string]any{"name": "C"}}
	again, err := ts.auth.Login(ctx, customToken(t, "cj-1", claims))
	if err != nil {
		t.Fatal(err)
	}
	if again.GetUserId() != login.GetUserId() {
		t.Fatal("the same JWT subject logged in to another user")
	}
	prof, err := ts.meta.GetProfile(bearer(again.GetAccessToken()), &lanyardv1.GetProfileRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The latest login's identity is laid over the others: name and email from the JWT, picture only
	// Google had.
	pdata := jsonOf(t, prof.GetProfile().GetData())
	if pdata["name"] != "C" || pdata["email"] != "a@example.com" || pdata["ext_id"] != "ext-42" || len(pdata) != 3 {
		t.Errorf("profile data = %v", pdata)
	}
	for _, id := range prof.GetProfile().GetIdentities() {
		d := jsonOf(t, id.GetData())
		switch id.GetProviderType() {
		case "custom-token":
			if d["name"] != "C" {
				t.Errorf("custom-token identity data = %v", d)
			}
		case "oauth2-google":
			if d["name"] != "B" || d["email"] != "b@example.com" || len(d) != 2 {
				t.Errorf("google identity data = %v (only the configured fields)", d)
			}
		}
	}

	// Facebook fills exactly its configured fields.
	fbLogin, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Facebook{Facebook: &lanyardv1.FacebookCredentials{AccessToken: fbToken}}})
	if err != nil {
		t.Fatal(err)
	}
	fd := jsonOf(t, fbLogin.GetUser().GetIdentities()[0].GetData())
	if fd["name"] != "Fay Book" || fd["picture"] != "https://pic.example/fay" || fd["min_age"] != float64(21) || len(fd) != 3 {
		t.Errorf("facebook identity data = %v", fd)
	}
	_, err = ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Facebook{Facebook: &lanyardv1.FacebookCredentials{AccessToken: "EAAB-stolen-from-elsewhere"}}})
	wantError(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS")

	// ListMetadataFields shows the configuration, per provider.
	fields, err := ts.meta.ListMetadataFields(ctx, &lanyardv1.ListMetadataFieldsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range fields.GetProviders() {
		var names []string
		for _, f := range p.GetFields() {
			n := f.GetName() + "->" + f.GetFieldName()
			if f.GetRequired() {
				n += "!"
			}
			names = append(names, n)
		}
		got[p.GetProviderType()] = strings.Join(names, ",")
	}
	want := map[string]string{
		"custom-token":    `user.profile.name->name,http://example\.com/id->ext_id,email->email!`,
		"oauth2-google":   "name->name,email->email",
		"oauth2-facebook": "name->name,picture->picture,min_age->min_age",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("ListMetadataFields[%s] = %q, want %q", k, got[k], v)
		}
	}
}
