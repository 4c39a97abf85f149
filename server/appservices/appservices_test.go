package appservices

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/authn"
)

// fakeCore answers every call with err (a status built by statusErr) or a fixed success, and records
// the last login.
type fakeCore struct {
	err       error
	unhealthy bool
	panics    bool
	lastLogin LoginInput
	lastCall  []any // the arguments of the last function flow
	// lastService is the last service call; serviceAnswer and serviceErr what CallService answers.
	lastService   *ServiceCall
	serviceAnswer json.RawMessage
	serviceErr    error
	// events are what WatchService sends once ready, then it ends with streamErr.
	events    []json.RawMessage
	streamErr error
}

// statusErr is what the server's error mapping would produce: a code and an ErrorInfo reason.
type statusErr struct{ st *status.Status }

func (e statusErr) Error() string { return e.st.Message() }

func newStatusErr(code codes.Code, reason, msg string) error {
	st, _ := status.New(code, msg).WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: "lanyard"})
	return statusErr{st}
}

func (f *fakeCore) RequestContext(r *http.Request) (context.Context, string) {
	return r.Context(), "req1"
}
func (f *fakeCore) Status(_ context.Context, err error) *status.Status {
	var se statusErr
	if errors.As(err, &se) {
		return se.st
	}
	st, _ := status.New(codes.Internal, "internal error; request id req1").WithDetails(&errdetails.ErrorInfo{Reason: "INTERNAL", Domain: "lanyard"})
	return st
}
func (f *fakeCore) EnterStore(ctx context.Context) (context.Context, func(error) error, error) {
	if f.unhealthy {
		return nil, nil, errors.New("the store is unreachable")
	}
	return ctx, func(err error) error { return err }, nil
}
func (f *fakeCore) Authenticate(ctx context.Context, a []string) (context.Context, error) {
	return ctx, f.err
}
func (f *fakeCore) AuthenticateRefresh(ctx context.Context, a []string) (context.Context, error) {
	return ctx, f.err
}
func (f *fakeCore) Login(_ context.Context, in LoginInput) (*LoginOutput, error) {
	if f.panics {
		panic("boom")
	}
	f.lastLogin = in
	if f.err != nil {
		return nil, f.err
	}
	return &LoginOutput{UserID: "u1", AccessToken: "a", RefreshToken: "r", DeviceID: "d"}, nil
}
func (f *fakeCore) Link(_ context.Context, in LoginInput) (*LoginOutput, error) {
	return &LoginOutput{UserID: "u1", AccessToken: "a2"}, f.err
}
func (f *fakeCore) Refresh(context.Context, []string) (string, error) { return "a3", f.err }
func (f *fakeCore) Logout(context.Context, []string) error            { return f.err }
func (f *fakeCore) Register(context.Context, string, string) error    { return f.err }
func (f *fakeCore) Confirm(context.Context, string, string) error     { return f.err }
func (f *fakeCore) ResendConfirmation(context.Context, string) error  { return f.err }
func (f *fakeCore) SendPasswordReset(context.Context, string) error   { return f.err }
func (f *fakeCore) ResetPassword(context.Context, string, string, string) error {
	return f.err
}
func (f *fakeCore) RetryConfirmation(_ context.Context, email string) error {
	f.lastCall = []any{email}
	return f.err
}
func (f *fakeCore) CallResetFunction(_ context.Context, email, password string, args []any) error {
	f.lastCall = append([]any{email, password}, args...)
	return f.err
}
func (f *fakeCore) Profile(context.Context) (*Profile, error) {
	return &Profile{UserID: "u1", Type: "normal"}, f.err
}
func (f *fakeCore) DeleteMe(context.Context) error { return f.err }
func (f *fakeCore) WatchService(_ context.Context, in ServiceCall, ready func(), send func(json.RawMessage) error) error {
	f.lastService = &in
	if f.serviceErr != nil {
		return f.serviceErr
	}
	ready()
	for _, ev := range f.events {
		if err := send(ev); err != nil {
			return err
		}
	}
	return f.streamErr
}
func (f *fakeCore) CallService(_ context.Context, in ServiceCall) (json.RawMessage, error) {
	f.lastService = &in
	return f.serviceAnswer, f.serviceErr
}
func (f *fakeCore) CreateAPIKey(_ context.Context, name string) (*APIKey, error) {
	return &APIKey{ID: "k1", Name: name, Key: "secret"}, f.err
}
func (f *fakeCore) ListAPIKeys(context.Context) ([]*APIKey, error) { return nil, f.err }
func (f *fakeCore) GetAPIKey(context.Context, string) (*APIKey, error) {
	return &APIKey{ID: "k1"}, f.err
}
func (f *fakeCore) DeleteAPIKey(context.Context, string) error { return f.err }
func (f *fakeCore) SetAPIKeyDisabled(context.Context, string, bool) error {
	return f.err
}

func newTestHandler(core Core, origins ...string) http.Handler {
	return New(Deps{AppID: "app1", PublicURL: "https://auth.example/", CORSOrigins: origins, Core: core,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func serve(t *testing.T, h http.Handler, method, path, body string, headers ...string) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %q", method, path, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return a
}

const loginPath = "/api/client/v2.0/app/app1/auth/providers/anon-user/login"

// TestErrorMapping: every reason of the server's error mapping becomes the App Services status and code
// the SDKs act on.
func TestErrorMapping(t *testing.T) {
	cases := []struct {
		code       codes.Code
		reason     string
		path       string
		method     string
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{codes.Unauthenticated, "TOKEN_EXPIRED", "/api/client/v2.0/auth/profile", "GET", 401, "InvalidSession", "invalid session"},
		{codes.Unauthenticated, "TOKEN_INVALID", "/api/client/v2.0/auth/profile", "GET", 401, "InvalidSession", ""},
		{codes.Unauthenticated, "TOKEN_MISSING", "/api/client/v2.0/auth/delete", "DELETE", 401, "InvalidSession", ""},
		{codes.Unauthenticated, "SESSION_REVOKED", "/api/client/v2.0/auth/session", "POST", 401, "InvalidSession", ""},
		{codes.Unauthenticated, "TOKEN_INVALID", "/api/client/v2.0/auth/session", "DELETE", 401, "InvalidSession", "failed to find refresh token"},
		{codes.Unauthenticated, "INVALID_CREDENTIALS", "/api/client/v2.0/app/app1/auth/providers/local-userpass/login", "POST", 401, "InvalidPassword", "unauthorized"},
		{codes.Unauthenticated, "INVALID_CREDENTIALS", "/api/client/v2.0/app/app1/auth/providers/api-key/login", "POST", 401, "InvalidPassword", "invalid API key"},
		{codes.Unauthenticated, "INVALID_CREDENTIALS", "/api/client/v2.0/app/app1/auth/providers/custom-token/login", "POST", 401, "AuthError", ""},
		{codes.PermissionDenied, "USER_DISABLED", loginPath, "POST", 403, "UserDisabled", ""},
		{codes.FailedPrecondition, "USER_PENDING_CONFIRMATION", "/api/client/v2.0/app/app1/auth/providers/local-userpass/login", "POST", 401, "AuthError", "confirmation required"},
		{codes.AlreadyExists, "USER_ALREADY_EXISTS", "/api/client/v2.0/app/app1/auth/providers/local-userpass/register", "POST", 409, "AccountNameInUse", "name already in use"},
		{codes.AlreadyExists, "INVALID_ARGUMENT", "/api/client/v2.0/auth/api_keys", "POST", 409, "APIKeyAlreadyExists", ""},
		{codes.NotFound, "NOT_FOUND", "/api/client/v2.0/auth/api_keys/k1", "GET", 404, "APIKeyNotFound", ""},
		{codes.NotFound, "NOT_FOUND", "/api/client/v2.0/auth/profile", "GET", 404, "UserNotFound", ""},
		{codes.InvalidArgument, "INVALID_ARGUMENT", "/api/client/v2.0/app/app1/auth/providers/local-userpass/register", "POST", 400, "BadRequest", ""},
		{codes.FailedPrecondition, "PROVIDER_DISABLED", loginPath, "POST", 404, "AuthProviderNotFound", "anon-user"},
		{codes.NotFound, "TOKEN_USED_OR_EXPIRED", "/api/client/v2.0/app/app1/auth/providers/local-userpass/confirm", "POST", 400, "UserpassTokenInvalid", ""},
		{codes.ResourceExhausted, "RATE_LIMITED", loginPath, "POST", 429, "LimitExceeded", ""},
		{codes.Unavailable, "STORE_UNAVAILABLE", loginPath, "POST", 503, "ServiceUnavailable", ""},
		{codes.FailedPrecondition, "HOOK_FAILED", loginPath, "POST", 400, "FunctionExecutionError", ""},
		{codes.Internal, "INTERNAL", loginPath, "POST", 500, "InternalServerError", "request id"},
		{codes.Unimplemented, "", loginPath, "POST", 501, "NotImplemented", ""},
		{codes.DeadlineExceeded, "", loginPath, "POST", 504, "ExecutionTimeLimitExceeded", ""},
	}
	for _, tc := range cases {
		t.Run(tc.reason+" "+tc.method+" "+tc.path, func(t *testing.T) {
			core := &fakeCore{err: newStatusErr(tc.code, tc.reason, "msg of "+tc.reason)}
			if tc.code == codes.Internal {
				core.err = errors.New("boom: secret internals")
			}
			body := ""
			if tc.method == "POST" {
				body = `{"username":"a@b.c","password":"x","key":"k","token":"t","tokenId":"65a1b2c3d4e5f60718293a4b","name":"n"}`
			}
			a := serve(t, newTestHandler(core), tc.method, tc.path, body)
			if a.status != tc.wantStatus || a.body["error_code"] != tc.wantCode {
				t.Fatalf("got %d %v, want %d %s", a.status, a.body, tc.wantStatus, tc.wantCode)
			}
			if msg, _ := a.body["error"].(string); !strings.Contains(msg, tc.wantMsg) || strings.Contains(msg, "secret") {
				t.Errorf("message %q, want it to contain %q", msg, tc.wantMsg)
			}
		})
	}
}

func TestStoreDownAndPanic(t *testing.T) {
	a := serve(t, newTestHandler(&fakeCore{unhealthy: true}), "POST", loginPath, "{}")
	if a.status != 503 || a.body["error_code"] != "ServiceUnavailable" {
		t.Errorf("store down: %d %v", a.status, a.body)
	}
	// The location needs no store.
	if a := serve(t, newTestHandler(&fakeCore{unhealthy: true}), "GET", "/api/client/v2.0/app/app1/location", ""); a.status != 200 {
		t.Errorf("location with the store down: %d %v", a.status, a.body)
	}
	a = serve(t, newTestHandler(&fakeCore{panics: true}), "POST", loginPath, "{}")
	if a.status != 500 || a.body["error_code"] != "InternalServerError" || strings.Contains(a.raw, "boom") {
		t.Errorf("panic: %d %s", a.status, a.raw)
	}
}

func TestLocation(t *testing.T) {
	a := serve(t, newTestHandler(&fakeCore{}), "GET", "/api/client/v2.0/app/app1/location", "")
	want := map[string]any{"deployment_model": "GLOBAL", "location": "US-VA", "hostname": "https://auth.example", "ws_hostname": "wss://auth.example"}
	for k, v := range want {
		if a.body[k] != v {
			t.Errorf("%s = %v, want %v", k, a.body[k], v)
		}
	}
}

// TestLoginBodies: the credentials payloads of realm-web and realm-core, and the device id in both
// encodings.
func TestLoginBodies(t *testing.T) {
	core := &fakeCore{}
	h := newTestHandler(core)
	cases := []struct {
		provider, body string
		want           authn.Credentials
		device         string
	}{
		{"anon-user", `{"options":{"device":{"deviceId":{"$oid":"65a1b2c3d4e5f60718293a4b"},"platform":"node"}}}`, authn.Credentials{Provider: "anon-user"}, "65a1b2c3d4e5f60718293a4b"},
		{"anon-user", `{"options":{"device":{"deviceId":"000000000000000000000000"}}}`, authn.Credentials{Provider: "anon-user"}, ""},
		{"anon-user", ``, authn.Credentials{Provider: "anon-user"}, ""},
		{"local-userpass", `{"username":"a@b.c","password":"pw","options":{"device":{"deviceId":"65a1b2c3d4e5f60718293a4b"}}}`, authn.Credentials{Provider: "local-userpass", Email: "a@b.c", Password: "pw"}, "65a1b2c3d4e5f60718293a4b"},
		{"api-key", `{"key":"k"}`, authn.Credentials{Provider: "api-key", Key: "k"}, ""},
		{"custom-token", `{"token":"t"}`, authn.Credentials{Provider: "custom-token", Token: "t"}, ""},
		{"oauth2-google", `{"id_token":"g"}`, authn.Credentials{Provider: "oauth2-google", Token: "g"}, ""},
		{"oauth2-facebook", `{"accessToken":"f"}`, authn.Credentials{Provider: "oauth2-facebook", Token: "f"}, ""},
		// realm-web's Credentials.function(payload): the payload is the body, beside the device options.
		{"custom-function", `{"username":"ada","n":2,"tags":["x"],"options":{"device":{"deviceId":"65a1b2c3d4e5f60718293a4b"}}}`,
			authn.Credentials{Provider: "custom-function", Payload: map[string]any{"username": "ada", "n": float64(2), "tags": []any{"x"}}},
			"65a1b2c3d4e5f60718293a4b"},
	}
	for _, tc := range cases {
		a := serve(t, h, "POST", "/api/client/v2.0/app/app1/auth/providers/"+tc.provider+"/login", tc.body)
		if a.status != 200 || a.body["access_token"] != "a" || a.body["refresh_token"] != "r" || a.body["user_id"] != "u1" || a.body["device_id"] != "d" {
			t.Errorf("%s: %d %v", tc.provider, a.status, a.body)
		}
		if !reflect.DeepEqual(core.lastLogin.Credentials, tc.want) || core.lastLogin.DeviceID != tc.device {
			t.Errorf("%s: core got %+v", tc.provider, core.lastLogin)
		}
	}
	for _, tc := range []struct{ provider, body, code string }{
		{"oauth2-google", `{"authCode":"x"}`, "NotImplemented"},
		{"oauth2-facebook", `{"redirectUrl":"https://x"}`, "NotImplemented"},
		{"oauth2-apple", `{"id_token":"x"}`, "AuthProviderNotFound"},
		{"local-userpass", `{"username":5}`, "BadRequest"},
		{"local-userpass", `{"username":`, "BadRequest"},
		{"local-userpass", `[1,2]`, "BadRequest"},
		{"local-userpass", `{} {}`, "BadRequest"},
	} {
		a := serve(t, h, "POST", "/api/client/v2.0/app/app1/auth/providers/"+tc.provider+"/login", tc.body)
		if a.body["error_code"] != tc.code || a.status < 400 {
			t.Errorf("%s %s: %d %v, want %s", tc.provider, tc.body, a.status, a.body, tc.code)
		}
	}
}

func TestCORS(t *testing.T) {
	h := newTestHandler(&fakeCore{}, "https://app.example")
	pre := func(origin string) answer {
		return serve(t, h, "OPTIONS", loginPath, "", "Origin", origin, "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "content-type,authorization")
	}
	a := pre("https://app.example")
	if a.status != 204 || a.header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(a.header.Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(a.header.Get("Access-Control-Allow-Methods"), "POST") || a.header.Get("Access-Control-Max-Age") == "" {
		t.Errorf("allowed preflight: %d %v", a.status, a.header)
	}
	a = pre("https://evil.example")
	if a.status != 403 || a.header.Get("Access-Control-Allow-Origin") != "" || a.body["error_code"] != "DomainNotAllowed" {
		t.Errorf("refused preflight: %d %v %v", a.status, a.header, a.body)
	}
	a = serve(t, h, "POST", loginPath, "{}", "Origin", "https://app.example")
	if a.header.Get("Access-Control-Allow-Origin") != "https://app.example" || !strings.Contains(strings.Join(a.header.Values("Vary"), ","), "Origin") {
		t.Errorf("allowed request: %v", a.header)
	}
	a = serve(t, h, "POST", loginPath, "{}", "Origin", "https://evil.example")
	if a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("refused origin got CORS headers: %v", a.header)
	}
	any := newTestHandler(&fakeCore{}, "*")
	a = serve(t, any, "GET", "/api/client/v2.0/app/app1/location", "", "Origin", "http://localhost:3000")
	if a.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("* origin: %v", a.header)
	}
	// A form post (the one kind of cross-origin POST browsers send without a preflight) is refused.
	req := httptest.NewRequest("POST", loginPath, strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "text/plain")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 415 {
		t.Errorf("text/plain body: %d %s", rec.Code, rec.Body)
	}
}

func TestRoutingErrors(t *testing.T) {
	h := newTestHandler(&fakeCore{})
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/client/v2.0/app/other/location", 404, "AppNotFound"},
		{"POST", "/api/client/v2.0/app/other/auth/providers/anon-user/login", 404, "AppNotFound"},
		{"POST", "/api/client/v2.0/app/app1/location", 405, "BadRequest"},
		{"PATCH", "/api/client/v2.0/auth/session", 405, "BadRequest"},
		{"POST", "/api/client/v2.0/app/app1/functions/call", 501, "FunctionNotFound"},
		{"GET", "/api/client/v2.0/app/app1/functions/call?baas_request=e30", 501, "FunctionNotFound"},
		{"POST", "/api/client/v2.0/app/app1/graphql", 501, "NotImplemented"},
		{"GET", "/api/client/v2.0/app/app1/realm-sync", 501, "NotImplemented"},
		{"PUT", "/api/client/v2.0/app/app1/push/providers/gcm/registration", 501, "NotImplemented"},
		{"GET", "/api/client/v2.0/app/app1/hosting/x", 501, "NotImplemented"},
		{"GET", "/api/client/v2.0/whatever", 501, "NotImplemented"},
		{"POST", "/api/client/v2.0/app/app1/auth/providers/anon-user/reset/call", 404, "AuthProviderNotFound"},
		{"GET", "/api/client/v2.0/app/app1/auth/providers/oauth2-google/login?redirect=x", 501, "NotImplemented"},
		{"POST", "/api/client/v2.0/app/app1/auth/providers/anon-user/register", 404, "AuthProviderNotFound"},
	} {
		a := serve(t, h, tc.method, tc.path, "")
		if a.status != tc.status || a.body["error_code"] != tc.code {
			t.Errorf("%s %s: %d %v, want %d %s", tc.method, tc.path, a.status, a.body, tc.status, tc.code)
		}
	}
	a := serve(t, h, "POST", loginPath, strings.Repeat(" ", DefaultMaxBodyBytes+1))
	if a.status != 413 {
		t.Errorf("oversized body: %d %v", a.status, a.body)
	}
}

// TestBodiesAreChecked: every endpoint checks the body before anything else, whether it uses one or not,
// and a body that is not UTF-8 is refused rather than read with replacement characters.
func TestBodiesAreChecked(t *testing.T) {
	h := newTestHandler(&fakeCore{})
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/api/client/v2.0/auth/session", `[1]`},
		{"DELETE", "/api/client/v2.0/auth/session", `{"a":1} x`},
		{"GET", "/api/client/v2.0/auth/profile", `{`},
		{"GET", "/api/client/v2.0/app/app1/location", `"x"`},
		{"POST", "/api/client/v2.0/app/app1/auth/providers/local-userpass/register", "{\"email\":\"\xffa@b.io\",\"password\":\"pw-long enough\"}"},
		{"POST", "/api/client/v2.0/auth/api_keys", "{\"name\":\"\xc3\x28\"}"},
	} {
		a := serve(t, h, tc.method, tc.path, tc.body)
		if a.status != 400 || a.body["error_code"] != "BadRequest" {
			t.Errorf("%s %s %q: %d %v, want 400 BadRequest", tc.method, tc.path, tc.body, a.status, a.body)
		}
	}
	// No body, or an empty object, is still fine where none is needed.
	for _, body := range []string{"", "{}", "null"} {
		if a := serve(t, h, "POST", "/api/client/v2.0/auth/session", body); a.status != 201 {
			t.Errorf("refresh with body %q: %d %v", body, a.status, a.body)
		}
	}
}

// TestRoutesListsTheTable: Routes is the table that serves, methods included.
func TestRoutesListsTheTable(t *testing.T) {
	byPattern := map[string][]string{}
	for _, rt := range Routes() {
		byPattern[rt.Pattern] = rt.Methods
	}
	for pattern, want := range map[string]string{
		"/api/client/v2.0/auth/session":                              "DELETE POST",
		"/api/client/v2.0/app/{app}/auth/providers/{provider}/login": "GET POST",
		"/api/client/v2.0/auth/api_keys/{id}/enable":                 "PUT",
		"/api/client/v2.0/app/{app}/functions/call":                  "GET POST",
		Prefix: "",
	} {
		got, ok := byPattern[pattern]
		if !ok || strings.Join(got, " ") != want {
			t.Errorf("Routes()[%s] = %v (listed: %v), want %q", pattern, got, ok, want)
		}
	}
}

// TestFunctionFlows: confirm/call and reset/call reach the core with App Services' body; a token id that
// cannot be one is App Services' "invalid token data"; functions/call checks the access token before it
// answers that the function is not callable.
func TestFunctionFlows(t *testing.T) {
	core := &fakeCore{}
	h := newTestHandler(core)
	const p = "/api/client/v2.0/app/app1/auth/providers/local-userpass"
	if a := serve(t, h, "POST", p+"/confirm/call", `{"email":"a@b.c"}`); a.status != 200 || !reflect.DeepEqual(core.lastCall, []any{"a@b.c"}) {
		t.Errorf("confirm/call: %d %v, core got %v", a.status, a.body, core.lastCall)
	}
	a := serve(t, h, "POST", p+"/reset/call", `{"email":"a@b.c","password":"pw","arguments":["42",{"x":1}]}`)
	if want := []any{"a@b.c", "pw", "42", map[string]any{"x": float64(1)}}; a.status != 200 || !reflect.DeepEqual(core.lastCall, want) {
		t.Errorf("reset/call: %d %v, core got %v, want %v", a.status, a.body, core.lastCall, want)
	}
	if a := serve(t, h, "POST", p+"/reset/call", `{"email":"a@b.c","password":"pw","arguments":"42"}`); a.status != 400 || a.body["error_code"] != "BadRequest" {
		t.Errorf("reset/call with arguments not a list: %d %v", a.status, a.body)
	}
	for _, route := range []string{"/confirm", "/reset"} {
		a := serve(t, h, "POST", p+route, `{"token":"t","tokenId":"nope","password":"pw-1234567"}`)
		if a.status != 400 || a.body["error"] != "invalid token data" {
			t.Errorf("%s with a malformed token id: %d %v", route, a.status, a.body)
		}
	}
	core.err = newStatusErr(codes.Unauthenticated, "TOKEN_EXPIRED", "the token has expired")
	if a := serve(t, h, "POST", "/api/client/v2.0/app/app1/functions/call", `{"name":"sum","arguments":[1,2]}`); a.status != 401 || a.body["error_code"] != "InvalidSession" {
		t.Errorf("functions/call with an expired token: %d %v, want 401 InvalidSession", a.status, a.body)
	}
}
