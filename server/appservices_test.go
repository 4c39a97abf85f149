package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/testclock"
)

// The App Services client API v2.0 (server/appservices) end to end over real HTTP against a whole Lanyard.
// realm-web itself drives it in interop/realmweb.

const v2 = "/api/client/v2.0"

// compat is an HTTP client of the App Services API of one test server.
type compat struct {
	t    *testing.T
	base string
	app  string
}

func newCompat(t *testing.T, ts *testServer) *compat {
	return &compat{t: t, base: "http://" + ts.HTTPAddr(), app: ts.cfg.AppID}
}

// reply is one answer; obj is its JSON object body, if any.
type reply struct {
	status int
	header http.Header
	raw    []byte
	obj    map[string]any
}

func (r reply) str(key string) string { s, _ := r.obj[key].(string); return s }

func (r reply) String() string { return fmt.Sprintf("%d %.300s", r.status, r.raw) }

// do sends a request. body is sent as is when it is a string, as JSON otherwise; headers are name, value
// pairs.
func (c *compat) do(method, path string, body any, headers ...string) reply {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, header: resp.Header}
	r.raw, _ = io.ReadAll(resp.Body)
	if len(r.raw) > 0 && resp.Header.Get("Content-Type") == "application/json" && r.raw[0] == '{' {
		if err := json.Unmarshal(r.raw, &r.obj); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q", method, path, r.raw)
		}
	}
	return r
}

func (c *compat) appPath(p string) string { return v2 + "/app/" + c.app + p }

func auth(token string) []string { return []string{"Authorization", "Bearer " + token} }

// login logs in with a provider's App Services body.
func (c *compat) login(provider string, body map[string]any) reply {
	c.t.Helper()
	return c.do("POST", c.appPath("/auth/providers/"+provider+"/login"), body)
}

func (c *compat) mustLogin(provider string, body map[string]any) (access, refresh, userID string) {
	c.t.Helper()
	r := c.login(provider, body)
	if r.status != 200 || r.str("access_token") == "" || r.str("refresh_token") == "" || r.str("user_id") == "" || len(r.str("device_id")) != 24 {
		c.t.Fatalf("login %s: %s", provider, r)
	}
	return r.str("access_token"), r.str("refresh_token"), r.str("user_id")
}

// wantErr asserts an App Services error answer.
func wantErr(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error_code") != code || r.str("error") == "" {
		t.Fatalf("got %s, want %d %s", r, status, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error with Content-Type %q", ct)
	}
}

func userpassBody(email, password string) map[string]any {
	return map[string]any{"username": email, "password": password, "options": map[string]any{"device": map[string]any{"platform": "test", "sdkVersion": "2.0.1"}}}
}

func TestAppServicesLocationAndRoutes(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	r := c.do("GET", c.appPath("/location"), nil)
	if r.status != 200 || r.str("hostname") != "http://lanyard.test" || r.str("ws_hostname") != "ws://lanyard.test" ||
		r.str("deployment_model") != "GLOBAL" || r.str("location") != "US-VA" {
		t.Fatalf("location: %s", r)
	}
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", v2 + "/app/not-this-app/location", 404, "AppNotFound"},
		{"DELETE", c.appPath("/location"), 405, "BadRequest"},
		{"GET", v2 + "/auth/session", 405, "BadRequest"},
		// The access token is checked first, so that the SDK refreshes an expired one.
		{"POST", c.appPath("/functions/call"), 401, "InvalidSession"},
		{"POST", c.appPath("/graphql"), 501, "NotImplemented"},
		{"GET", c.appPath("/realm-sync"), 501, "NotImplemented"},
		{"POST", c.appPath("/auth/providers/local-userpass/reset/call"), 400, "BadRequest"},
		{"GET", v2 + "/nothing/here", 501, "NotImplemented"},
		{"POST", c.appPath("/auth/providers/no-such-provider/login"), 404, "AuthProviderNotFound"},
		{"POST", c.appPath("/auth/providers/custom-function/login"), 404, "AuthProviderNotFound"},
		// Known to Lanyard, not enabled in this configuration.
		{"POST", c.appPath("/auth/providers/custom-token/login"), 404, "AuthProviderNotFound"},
		{"POST", c.appPath("/auth/providers/oauth2-google/login"), 404, "AuthProviderNotFound"},
	} {
		r := c.do(tc.method, tc.path, `{"token":"x","id_token":"y"}`)
		wantErr(t, r, tc.status, tc.code)
	}
}

// TestAppServicesAnonymousSession: login, profile, refresh without rotation (the same refresh token works
// again and again), logout, and logout's tolerance.
func TestAppServicesAnonymousSession(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	first := c.login("anon-user", map[string]any{"options": map[string]any{"device": map[string]any{"platform": "test"}}})
	if first.status != 200 {
		t.Fatalf("login: %s", first)
	}
	// realm-web sends the device id it was given back as Extended JSON; the server keeps it.
	device := first.str("device_id")
	access, refresh, userID := c.mustLogin("anon-user", map[string]any{"options": map[string]any{"device": map[string]any{"deviceId": map[string]string{"$oid": device}}}})
	if userID == first.str("user_id") {
		t.Fatalf("a second anonymous login made the same user")
	}
	if r := c.login("anon-user", map[string]any{"options": map[string]any{"device": map[string]any{"deviceId": map[string]string{"$oid": device}}}}); r.str("device_id") != device {
		t.Errorf("device id not kept: sent %s, got %s", device, r.str("device_id"))
	}

	p := c.do("GET", v2+"/auth/profile", nil, auth(access)...)
	if p.status != 200 || p.str("user_id") != userID || p.str("type") != "normal" || p.str("domain_id") == "" {
		t.Fatalf("profile: %s", p)
	}
	idents, _ := p.obj["identities"].([]any)
	if len(idents) != 1 {
		t.Fatalf("identities: %s", p)
	}
	ident := idents[0].(map[string]any)
	if ident["provider_type"] != "anon-user" || ident["id"] == "" || ident["provider_id"] == "" || ident["provider_data"] == nil {
		t.Errorf("identity: %v", ident)
	}
	if _, ok := p.obj["data"].(map[string]any); !ok {
		t.Errorf("profile data: %s", p)
	}

	// Non-rotation: the refresh token of an App Services session is reusable until logout.
	var tokens []string
	for i := 0; i < 3; i++ {
		r := c.do("POST", v2+"/auth/session", nil, auth(refresh)...)
		if r.status != 201 || r.str("access_token") == "" {
			t.Fatalf("refresh %d with the same refresh token: %s", i, r)
		}
		if _, ok := r.obj["refresh_token"]; ok {
			t.Errorf("refresh answered a refresh token: %s", r)
		}
		tokens = append(tokens, r.str("access_token"))
	}
	for _, tok := range tokens {
		if r := c.do("GET", v2+"/auth/profile", nil, auth(tok)...); r.status != 200 {
			t.Errorf("profile with a refreshed token: %s", r)
		}
	}
	// An access token is not a refresh token, and vice versa.
	wantErr(t, c.do("POST", v2+"/auth/session", nil, auth(access)...), 401, "InvalidSession")
	wantErr(t, c.do("GET", v2+"/auth/profile", nil, auth(refresh)...), 401, "InvalidSession")
	wantErr(t, c.do("GET", v2+"/auth/profile", nil), 401, "InvalidSession")
	wantErr(t, c.do("GET", v2+"/auth/profile", nil, "Authorization", "Basic abc"), 401, "InvalidSession")

	if r := c.do("DELETE", v2+"/auth/session", nil, auth(refresh)...); r.status != 204 {
		t.Fatalf("logout: %s", r)
	}
	wantErr(t, c.do("POST", v2+"/auth/session", nil, auth(refresh)...), 401, "InvalidSession")
	// Logging out twice is fine; a token that never was gets the one answer realm-web's logOut ignores.
	if r := c.do("DELETE", v2+"/auth/session", nil, auth(refresh)...); r.status != 204 {
		t.Errorf("second logout: %s", r)
	}
	for _, hdr := range [][]string{auth("garbage"), auth(access), nil} {
		r := c.do("DELETE", v2+"/auth/session", nil, hdr...)
		wantErr(t, r, 401, "InvalidSession")
		if !strings.Contains(r.str("error"), "failed to find refresh token") {
			t.Errorf("logout of an unknown session: %q", r.str("error"))
		}
	}
	// The access token dies with its session within the revocation interval. Polled, with a deadline
	// generous enough for a loaded machine: the revocation reaches the token check through a periodic
	// refresh, which offers no event to wait on.
	deadline := time.Now().Add(60 * time.Second)
	for c.do("GET", v2+"/auth/profile", nil, auth(access)...).status == 200 {
		if time.Now().After(deadline) {
			t.Fatal("an access token outlived its session's logout")
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantErr(t, c.do("GET", v2+"/auth/profile", nil, auth(access)...), 401, "InvalidSession")
}

// TestAppServicesPasswordFlows: register, login, the errors of both, and the reset flow.
func TestAppServicesPasswordFlows(t *testing.T) {
	cfg := testConfig(t)
	ts := startServer(t, cfg)
	c := newCompat(t, ts)
	reg := func(email, password string) reply {
		return c.do("POST", c.appPath("/auth/providers/local-userpass/register"), map[string]string{"email": email, "password": password})
	}
	if r := reg("ada@example.com", "pw-correct-horse"); r.status != 201 {
		t.Fatalf("register: %s", r)
	}
	wantErr(t, reg("ADA@example.com", "pw-another-one"), 409, "AccountNameInUse")
	wantErr(t, reg("ada2@example.com", "pw-1"), 400, "BadRequest")
	wantErr(t, reg("not an email", "pw-correct-horse"), 400, "BadRequest")
	wantErr(t, reg("", ""), 400, "BadRequest")
	wantErr(t, c.do("POST", c.appPath("/auth/providers/local-userpass/register"), `{"email":`), 400, "BadRequest")
	wantErr(t, c.do("POST", c.appPath("/auth/providers/local-userpass/register"), `{"email":["x"]}`), 400, "BadRequest")

	_, _, id := c.mustLogin("local-userpass", userpassBody("ada@example.com", "pw-correct-horse"))
	r := c.login("local-userpass", userpassBody("ada@example.com", "pw-wrong-horse"))
	wantErr(t, r, 401, "InvalidPassword")
	if r.str("error") != "unauthorized" {
		t.Errorf("wrong password message: %q", r.str("error"))
	}
	// With automatic confirmation on, there is no confirmation function to run again (App Services' words).
	r = c.do("POST", c.appPath("/auth/providers/local-userpass/confirm/call"), map[string]string{"email": "ada@example.com"})
	wantErr(t, r, 400, "BadRequest")
	if want := "cannot run confirmation for ada@example.com: automatic confirmation is enabled"; r.str("error") != want {
		t.Errorf("confirm/call with auto-confirm: %q, want %q", r.str("error"), want)
	}
	wantErr(t, c.login("local-userpass", userpassBody("nobody@example.com", "pw-correct-horse")), 401, "InvalidPassword")
	wantErr(t, c.login("local-userpass", map[string]any{"username": "ada@example.com"}), 400, "BadRequest")

	// Reset: the token goes to the sender (the development outbox here), never to the caller.
	for _, route := range []string{"/reset/send", "/confirm/send"} {
		for _, email := range []string{"ada@example.com", "nobody@example.com"} {
			if r := c.do("POST", c.appPath("/auth/providers/local-userpass"+route), map[string]string{"email": email}); r.status != 200 {
				t.Fatalf("%s %s: %s", route, email, r)
			}
		}
	}
	_, tokenID := outboxToken(t, cfg.DataDir, "reset", "ada@example.com")
	resetPath := c.appPath("/auth/providers/local-userpass/reset")
	wantErr(t, c.do("POST", resetPath, map[string]string{"token": "wrong", "tokenId": tokenID, "password": "pw-new-horse-1"}), 400, "UserpassTokenInvalid")
	// A wrong guess spends the token id: ask for a fresh token.
	if r := c.do("POST", c.appPath("/auth/providers/local-userpass/reset/send"), map[string]string{"email": "ada@example.com"}); r.status != 200 {
		t.Fatal(r)
	}
	token, tokenID := outboxToken(t, cfg.DataDir, "reset", "ada@example.com")
	wantErr(t, c.do("POST", resetPath, map[string]string{"token": token, "tokenId": tokenID, "password": "pw-1"}), 400, "BadRequest")
	if r := c.do("POST", resetPath, map[string]string{"token": token, "tokenId": tokenID, "password": "pw-new-horse-1"}); r.status != 200 {
		t.Fatalf("reset: %s", r)
	}
	wantErr(t, c.do("POST", resetPath, map[string]string{"token": token, "tokenId": tokenID, "password": "pw-new-horse-2"}), 400, "UserpassTokenInvalid")
	wantErr(t, c.login("local-userpass", userpassBody("ada@example.com", "pw-correct-horse")), 401, "InvalidPassword")
	if _, _, id2 := c.mustLogin("local-userpass", userpassBody("ada@example.com", "pw-new-horse-1")); id2 != id {
		t.Errorf("the reset password logs in to user %s, want %s", id2, id)
	}
}

// TestAppServicesConfirmation: without auto-confirm, login waits for the emailed token.
func TestAppServicesConfirmation(t *testing.T) {
	cfg := testConfig(t)
	cfg.UserpassAutoConfirm = false
	ts := startServer(t, cfg)
	c := newCompat(t, ts)
	if r := c.do("POST", c.appPath("/auth/providers/local-userpass/register"), map[string]string{"email": "bo@example.com", "password": "pw-bo-password"}); r.status != 201 {
		t.Fatalf("register: %s", r)
	}
	r := c.login("local-userpass", userpassBody("bo@example.com", "pw-bo-password"))
	wantErr(t, r, 401, "AuthError")
	if !strings.Contains(r.str("error"), "confirmation required") {
		t.Errorf("unconfirmed login: %q", r.str("error"))
	}
	token, tokenID := outboxToken(t, cfg.DataDir, "confirm", "bo@example.com")
	confirm := c.appPath("/auth/providers/local-userpass/confirm")
	wantErr(t, c.do("POST", confirm, map[string]string{"token": token, "tokenId": "not-an-id"}), 400, "BadRequest")
	if r := c.do("POST", confirm, map[string]string{"token": token, "tokenId": tokenID}); r.status != 200 {
		t.Fatalf("confirm: %s", r)
	}
	c.mustLogin("local-userpass", userpassBody("bo@example.com", "pw-bo-password"))
}

// TestAppServicesAPIKeys: the API key routes, called with the refresh token as the SDKs do.
func TestAppServicesAPIKeys(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	if r := c.do("POST", c.appPath("/auth/providers/local-userpass/register"), map[string]string{"email": "k@example.com", "password": "pw-key-owner"}); r.status != 201 {
		t.Fatal(r)
	}
	access, refresh, userID := c.mustLogin("local-userpass", userpassBody("k@example.com", "pw-key-owner"))
	created := c.do("POST", v2+"/auth/api_keys", map[string]string{"name": "laptop"}, auth(refresh)...)
	if created.status != 201 || len(created.str("_id")) != 24 || created.str("key") == "" || created.str("name") != "laptop" || created.obj["disabled"] != false {
		t.Fatalf("create: %s", created)
	}
	id, key := created.str("_id"), created.str("key")
	wantErr(t, c.do("POST", v2+"/auth/api_keys", map[string]string{"name": "laptop"}, auth(refresh)...), 409, "APIKeyAlreadyExists")
	wantErr(t, c.do("POST", v2+"/auth/api_keys", map[string]string{"name": ""}, auth(refresh)...), 400, "BadRequest")
	wantErr(t, c.do("POST", v2+"/auth/api_keys", map[string]string{"name": "x"}, auth("nonsense")...), 401, "InvalidSession")

	list := c.do("GET", v2+"/auth/api_keys", nil, auth(refresh)...)
	var keys []map[string]any
	if err := json.Unmarshal(list.raw, &keys); list.status != 200 || err != nil || len(keys) != 1 || keys[0]["_id"] != id || keys[0]["key"] != nil {
		t.Fatalf("list: %s", list)
	}
	got := c.do("GET", v2+"/auth/api_keys/"+id, nil, auth(refresh)...)
	if got.status != 200 || got.str("_id") != id || got.str("name") != "laptop" || got.obj["key"] != nil {
		t.Fatalf("get: %s", got)
	}
	// An access token is accepted too.
	if r := c.do("GET", v2+"/auth/api_keys/"+id, nil, auth(access)...); r.status != 200 {
		t.Errorf("get with an access token: %s", r)
	}
	wantErr(t, c.do("GET", v2+"/auth/api_keys/0123456789abcdef01234567", nil, auth(refresh)...), 404, "APIKeyNotFound")
	wantErr(t, c.do("GET", v2+"/auth/api_keys/nope", nil, auth(refresh)...), 400, "BadRequest")

	_, _, keyUser := c.mustLogin("api-key", map[string]any{"key": key})
	if keyUser != userID {
		t.Errorf("API key logs in to %s, want %s", keyUser, userID)
	}
	if r := c.do("PUT", v2+"/auth/api_keys/"+id+"/disable", nil, auth(refresh)...); r.status != 204 {
		t.Fatalf("disable: %s", r)
	}
	r := c.login("api-key", map[string]any{"key": key})
	wantErr(t, r, 401, "InvalidPassword")
	if got := c.do("GET", v2+"/auth/api_keys/"+id, nil, auth(refresh)...); got.obj["disabled"] != true {
		t.Errorf("after disable: %s", got)
	}
	if r := c.do("PUT", v2+"/auth/api_keys/"+id+"/enable", nil, auth(refresh)...); r.status != 204 {
		t.Fatalf("enable: %s", r)
	}
	c.mustLogin("api-key", map[string]any{"key": key})
	if r := c.do("DELETE", v2+"/auth/api_keys/"+id, nil, auth(refresh)...); r.status != 204 {
		t.Fatalf("delete: %s", r)
	}
	wantErr(t, c.do("DELETE", v2+"/auth/api_keys/"+id, nil, auth(refresh)...), 404, "APIKeyNotFound")
	wantErr(t, c.login("api-key", map[string]any{"key": key}), 401, "InvalidPassword")
}

// appJWTSecret signs the custom JWTs of these tests (the operator's identity system, HS256).
const appJWTSecret = "app-services-test-secret-of-32-bytes+"

// appCustomJWT is a custom-token credential for subject sub.
func appCustomJWT(t *testing.T, sub string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(appJWTSecret)}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"sub": sub, "aud": "my-app", "exp": time.Now().Add(time.Hour).Unix(), "name": "Jay"})
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := obj.CompactSerialize()
	return tok
}

// TestAppServicesLinkAndDelete: ?link=true adds an identity to the caller; DELETE /auth/delete removes the
// user, after which realm-web's logOut still succeeds.
func TestAppServicesLinkAndDelete(t *testing.T) {
	cfg := testConfig(t)
	cfg.Providers = append(cfg.Providers, "custom-token")
	cfg.CustomTokenAlg = "HS256"
	cfg.CustomTokenKeys = []string{appJWTSecret}
	cfg.CustomTokenAudience = []string{"my-app"}
	ts := startServer(t, cfg)
	c := newCompat(t, ts)
	access, refresh, userID := c.mustLogin("anon-user", nil)

	linkPath := c.appPath("/auth/providers/custom-token/login?link=true")
	jwt := appCustomJWT(t, "ext-user-1")
	wantErr(t, c.do("POST", linkPath, map[string]any{"token": jwt}), 401, "InvalidSession")
	wantErr(t, c.do("POST", linkPath, map[string]any{"token": "not.a.jwt"}, auth(access)...), 401, "AuthError")
	wantErr(t, c.do("POST", c.appPath("/auth/providers/anon-user/login?link=true"), map[string]any{}, auth(access)...), 400, "BadRequest")
	r := c.do("POST", linkPath, map[string]any{"token": jwt, "options": map[string]any{"device": map[string]any{}}}, auth(access)...)
	if r.status != 200 || r.str("user_id") != userID || r.str("access_token") == "" || len(r.str("device_id")) != 24 {
		t.Fatalf("link: %s", r)
	}
	if _, ok := r.obj["refresh_token"]; ok {
		t.Errorf("link answered a refresh token: %s", r)
	}
	p := c.do("GET", v2+"/auth/profile", nil, auth(r.str("access_token"))...)
	idents, _ := p.obj["identities"].([]any)
	if len(idents) != 2 || idents[1].(map[string]any)["provider_type"] != "custom-token" || idents[1].(map[string]any)["provider_id"] != "ext-user-1" {
		t.Errorf("profile after link: %s", p)
	}
	// The linked identity now logs in to the same user; linking it to someone else is refused.
	if _, _, id := c.mustLogin("custom-token", map[string]any{"token": jwt}); id != userID {
		t.Errorf("linked identity logs in to %s, want %s", id, userID)
	}
	other, _, _ := c.mustLogin("anon-user", nil)
	wantErr(t, c.do("POST", linkPath, map[string]any{"token": jwt}, auth(other)...), 409, "AccountNameInUse")

	if r := c.do("DELETE", v2+"/auth/delete", nil, auth(access)...); r.status != 204 {
		t.Fatalf("delete: %s", r)
	}
	if r := c.do("DELETE", v2+"/auth/session", nil, auth(refresh)...); r.status != 204 {
		t.Errorf("logout after delete: %s", r)
	}
	wantErr(t, c.do("POST", v2+"/auth/session", nil, auth(refresh)...), 401, "InvalidSession")
	// Polled, as above: the deletion reaches the token check with the periodic revocation refresh.
	deadline := time.Now().Add(60 * time.Second)
	for c.do("GET", v2+"/auth/profile", nil, auth(access)...).status == 200 {
		if time.Now().After(deadline) {
			t.Fatal("a deleted user's access token still works")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAppServicesDisabledUser: a disabled user's login and refresh are refused with UserDisabled.
func TestAppServicesDisabledUser(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	admin := serverKey(t, ts)
	if r := c.do("POST", c.appPath("/auth/providers/local-userpass/register"), map[string]string{"email": "d@example.com", "password": "pw-disabled"}); r.status != 201 {
		t.Fatal(r)
	}
	_, refresh, userID := c.mustLogin("local-userpass", userpassBody("d@example.com", "pw-disabled"))
	if _, err := ts.admin.DisableUser(bearer(admin), &lanyardv1.DisableUserRequest{UserId: userID}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, c.login("local-userpass", userpassBody("d@example.com", "pw-disabled")), 403, "UserDisabled")
	wantErr(t, c.do("POST", v2+"/auth/session", nil, auth(refresh)...), 403, "UserDisabled")
}

// TestAppServicesInvalidTokens: tampered, foreign and oversized tokens all get 401 InvalidSession, the
// answer on which realm-web refreshes and retries.
func TestAppServicesInvalidTokens(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	access, refresh, _ := c.mustLogin("anon-user", nil)
	tamper := func(tok string, i int) string {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	dot := strings.Index(access, ".")
	for _, bad := range []string{
		tamper(access, dot+5),                   // payload
		tamper(access, len(access)-3),           // signature
		access[:strings.LastIndex(access, ".")], // no signature
		strings.Repeat("a", 40<<10),             // oversized
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",  // alg none
	} {
		wantErr(t, c.do("GET", v2+"/auth/profile", nil, auth(bad)...), 401, "InvalidSession")
	}
	for _, bad := range []string{tamper(refresh, dot+5), tamper(refresh, len(refresh)-3)} {
		wantErr(t, c.do("POST", v2+"/auth/session", nil, auth(bad)...), 401, "InvalidSession")
	}
	// Two Authorization headers are refused, as on gRPC.
	req, _ := http.NewRequest("GET", c.base+v2+"/auth/profile", nil)
	req.Header.Add("Authorization", "Bearer "+access)
	req.Header.Add("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("two Authorization headers: %d", resp.StatusCode)
	}
}

// TestAppServicesExpiredAccessToken: an expired access token gets 401 InvalidSession; the refresh token
// then mints a working one. Access tokens are accepted 30 s past expiry (clock skew), so the test's clock
// moves 32 s past it.
func TestAppServicesExpiredAccessToken(t *testing.T) {
	t.Parallel()
	clock := testclock.New()
	cfg := testConfig(t)
	cfg.AccessTokenTTL = time.Second
	cfg.Now = clock.Now
	ts := startServer(t, cfg)
	c := newCompat(t, ts)
	access, refresh, _ := c.mustLogin("anon-user", nil)
	if r := c.do("GET", v2+"/auth/profile", nil, auth(access)...); r.status != 200 {
		t.Fatalf("fresh token: %s", r)
	}
	clock.Advance(29 * time.Second) // within the leeway: still accepted
	if r := c.do("GET", v2+"/auth/profile", nil, auth(access)...); r.status != 200 {
		t.Fatalf("token within the 30 s leeway: %s", r)
	}
	clock.Advance(3 * time.Second)
	r := c.do("GET", v2+"/auth/profile", nil, auth(access)...)
	wantErr(t, r, 401, "InvalidSession")
	if !strings.Contains(r.str("error"), "expired") {
		t.Errorf("expired token message: %q", r.str("error"))
	}
	fresh := c.do("POST", v2+"/auth/session", nil, auth(refresh)...)
	if fresh.status != 201 {
		t.Fatalf("refresh: %s", fresh)
	}
	if r := c.do("GET", v2+"/auth/profile", nil, auth(fresh.str("access_token"))...); r.status != 200 {
		t.Errorf("refreshed token: %s", r)
	}
}

// TestAppServicesRotatingSessionRefused: a refresh token of a gRPC session is refused here, untouched, so
// that its gRPC client can still rotate it.
func TestAppServicesRotatingSessionRefused(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	grpcUser := anonLogin(t, ts)
	r := c.do("POST", v2+"/auth/session", nil, auth(grpcUser.GetRefreshToken())...)
	wantErr(t, r, 401, "InvalidSession")
	if !strings.Contains(r.str("error"), "rotate") {
		t.Errorf("the real token's refusal does not say why: %s", r)
	}
	// A forged token naming the session learns nothing of it: only a token that verifies is looked up.
	forged := grpcUser.GetRefreshToken()
	forged = forged[:len(forged)-4] + "AAAA"
	r = c.do("POST", v2+"/auth/session", nil, auth(forged)...)
	wantErr(t, r, 401, "InvalidSession")
	if strings.Contains(r.str("error"), "rotate") {
		t.Errorf("a forged token was told its session rotates: %s", r)
	}
	wantErr(t, c.do("GET", v2+"/auth/api_keys", nil, auth(grpcUser.GetRefreshToken())...), 401, "InvalidSession")
	if _, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: grpcUser.GetRefreshToken()}); err != nil {
		t.Fatalf("the gRPC session after the refused HTTP refresh: %v", err)
	}
	// And an App Services session refreshed over gRPC keeps its one refresh token.
	_, refresh, _ := c.mustLogin("anon-user", nil)
	resp, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: refresh})
	if err != nil || resp.GetRefreshToken() != refresh {
		t.Fatalf("gRPC refresh of an App Services session: %v (rotated: %v)", err, resp.GetRefreshToken() != refresh)
	}
	if r := c.do("POST", v2+"/auth/session", nil, auth(refresh)...); r.status != 201 {
		t.Errorf("HTTP refresh after a gRPC one: %s", r)
	}
}

func TestAppServicesCORS(t *testing.T) {
	cfg := testConfig(t)
	cfg.CORSOrigins = []string{"http://app.example:3000"}
	ts := startServer(t, cfg)
	c := newCompat(t, ts)
	preflight := func(origin string) reply {
		return c.do("OPTIONS", c.appPath("/auth/providers/anon-user/login"), nil, "Origin", origin,
			"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
	}
	r := preflight("http://app.example:3000")
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "http://app.example:3000" ||
		!strings.Contains(strings.ToLower(r.header.Get("Access-Control-Allow-Headers")), "authorization") ||
		!strings.Contains(strings.ToLower(r.header.Get("Access-Control-Allow-Headers")), "content-type") ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "DELETE") || r.header.Get("Access-Control-Max-Age") == "" {
		t.Fatalf("allowed preflight: %d %v", r.status, r.header)
	}
	r = preflight("http://evil.example")
	if r.status != 403 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("refused preflight: %d %v", r.status, r.header)
	}
	r = c.do("POST", c.appPath("/auth/providers/anon-user/login"), map[string]any{}, "Origin", "http://app.example:3000")
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "http://app.example:3000" || !strings.Contains(strings.Join(r.header.Values("Vary"), " "), "Origin") {
		t.Fatalf("allowed origin: %d %v", r.status, r.header)
	}
	// Errors carry the CORS headers too, so that pages can read them.
	r = c.do("GET", v2+"/auth/profile", nil, "Origin", "http://app.example:3000")
	if r.status != 401 || r.header.Get("Access-Control-Allow-Origin") != "http://app.example:3000" {
		t.Errorf("error to an allowed origin: %d %v", r.status, r.header)
	}
	r = c.do("GET", c.appPath("/location"), nil, "Origin", "http://evil.example")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a refused origin got CORS headers: %v", r.header)
	}
	r = c.do("GET", c.appPath("/location"), nil, "Origin", "http://app.example:3000.evil.example")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("origins match exactly, not by prefix: %v", r.header)
	}
}

// TestAppServicesGarbageNeverFails sends random bodies and headers to every route: each failure is a 4xx
// (or the 501 of an unsupported route) with a JSON error, never a 500 or a non-JSON page.
func TestAppServicesGarbageNeverFails(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	_, refresh, _ := c.mustLogin("anon-user", nil)
	rng := rand.New(rand.NewPCG(1, 2))
	routes := []struct{ method, path string }{
		{"POST", c.appPath("/auth/providers/anon-user/login")},
		{"POST", c.appPath("/auth/providers/local-userpass/login")},
		{"POST", c.appPath("/auth/providers/api-key/login")},
		{"POST", c.appPath("/auth/providers/custom-token/login")},
		{"POST", c.appPath("/auth/providers/local-userpass/login?link=true")},
		{"POST", c.appPath("/auth/providers/local-userpass/register")},
		{"POST", c.appPath("/auth/providers/local-userpass/confirm")},
		{"POST", c.appPath("/auth/providers/local-userpass/confirm/send")},
		{"POST", c.appPath("/auth/providers/local-userpass/reset")},
		{"POST", c.appPath("/auth/providers/local-userpass/reset/send")},
		{"POST", c.appPath("/auth/providers/local-userpass/reset/call")},
		{"POST", c.appPath("/functions/call")},
		{"POST", v2 + "/auth/session"},
		{"DELETE", v2 + "/auth/session"},
		{"POST", v2 + "/auth/api_keys"},
		{"PUT", v2 + "/auth/api_keys/x/enable"},
		{"GET", v2 + "/auth/profile"},
	}
	garbage := func() []byte {
		switch rng.IntN(8) {
		case 0:
			b := make([]byte, rng.IntN(200))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			return b
		case 1:
			return []byte(strings.Repeat("[", 1+rng.IntN(5000)))
		case 2:
			return []byte(`{"username":` + fmt.Sprint(rng.IntN(100)) + `,"password":null,"options":7}`)
		case 3:
			return []byte(`{"email":"` + strings.Repeat("a", rng.IntN(2000)) + `@x.io","password":"pw-` + strings.Repeat("b", rng.IntN(3000)) + `"}`)
		case 4:
			return []byte(`{"token":{"$oid":"x"},"tokenId":[1],"key":true,"name":{"a":1}}`)
		case 5:
			return []byte(`"just a string"`)
		case 6:
			return []byte(`{"options":{"device":{"deviceId":{"$oid":` + fmt.Sprint(rng.Float64()) + `}}},"username":"\u0000\ud800","password":"x"}`)
		default:
			return []byte(`{"a":1}{"b":2}`)
		}
	}
	authz := []string{"", "Bearer", "Bearer " + refresh, "Bearer x.y.z", "Basic Zm9vOmJhcg==", "Bearer " + strings.Repeat("e", 33<<10)}
	for _, rt := range routes {
		for i := 0; i < 12; i++ {
			var headers []string
			if a := authz[rng.IntN(len(authz))]; a != "" {
				headers = []string{"Authorization", a}
			}
			r := c.do(rt.method, rt.path, garbage(), headers...)
			// Some garbage is valid (a real refresh token logs out; an email gets a reset): 2xx is fine.
			if (r.status >= 300 && r.status < 400) || (r.status >= 500 && r.status != 501) {
				t.Errorf("%s %s: server error %s", rt.method, rt.path, r)
			}
			if r.status >= 400 && (r.obj == nil || r.str("error_code") == "") {
				t.Errorf("%s %s: not a JSON error: %s", rt.method, rt.path, r)
			}
		}
	}
	// The server still works.
	c.mustLogin("anon-user", nil)
}
