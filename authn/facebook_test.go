package authn

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const (
	extFBApp    = "4242"
	extFBSecret = "fb-app-secret-do-not-leak"
)

// extGraph is a local Graph API: tokens map to debug_token answers, users
// to profiles, and /me answers with the requested fields only.
type extGraph struct {
	*httptest.Server
	tokens map[string]map[string]any // input token → debug_token "data"
	users  map[string]map[string]any // user id → full profile
	meID   map[string]string         // token → id /me claims, if not the token's user

	status atomic.Int32 // when set, every answer has this status
	calls  atomic.Int32
	mu     sync.Mutex
	fields string // of the last /me
}

func newExtGraph(t testing.TB) *extGraph {
	g := &extGraph{
		tokens: map[string]map[string]any{
			"EAAgood":  {"app_id": extFBApp, "type": "USER", "is_valid": true, "user_id": "1001", "scopes": []string{"email"}},
			"EAAolder": {"app_id": extFBApp, "type": "USER", "is_valid": true, "user_id": "1002"},
			"EAAother": {"app_id": "9999", "type": "USER", "is_valid": true, "user_id": "1001"},
			"EAAexpired": {"app_id": extFBApp, "type": "USER", "is_valid": false, "user_id": "1001",
				"error": map[string]any{"code": 190, "message": "Session has expired"}},
			"EAAapp":    {"app_id": extFBApp, "type": "APP", "is_valid": true},
			"EAAswap":   {"app_id": extFBApp, "type": "USER", "is_valid": true, "user_id": "1001"},
			"EAAnouser": {"app_id": extFBApp, "type": "USER", "is_valid": true},
		},
		users: map[string]map[string]any{
			"1001": {
				"id": "1001", "name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace",
				"email": "ada@example.com", "gender": "female", "birthday": "12/10/1815",
				"picture":   map[string]any{"data": map[string]any{"height": 50, "is_silhouette": false, "url": "https://platform-lookaside.fbsbx.com/p/1001", "width": 50}},
				"age_range": map[string]any{"min": 18, "max": 20},
			},
			"1002": {"id": "1002", "name": "Charles", "age_range": map[string]any{"min": 21}},
		},
		meID: map[string]string{"EAAswap": "1002"},
	}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *extGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if s := g.status.Load(); s != 0 {
		w.WriteHeader(int(s))
		w.Write([]byte(`{"error":{"message":"An unexpected error has occurred.","code":2}}`))
		return
	}
	q := r.URL.Query()
	oauthError := func() {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`))
	}
	switch r.URL.Path {
	case "/v19.0/debug_token":
		if q.Get("access_token") != extFBApp+"|"+extFBSecret {
			oauthError()
			return
		}
		data, ok := g.tokens[q.Get("input_token")]
		if !ok {
			data = map[string]any{"is_valid": false, "error": map[string]any{"code": 190}}
		}
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	case "/v19.0/me":
		tok := q.Get("access_token")
		data, ok := g.tokens[tok]
		m := hmac.New(sha256.New, []byte(extFBSecret))
		m.Write([]byte(tok))
		if !ok || data["is_valid"] != true || q.Get("appsecret_proof") != hex.EncodeToString(m.Sum(nil)) {
			oauthError()
			return
		}
		id, _ := data["user_id"].(string)
		if swapped, ok := g.meID[tok]; ok {
			id = swapped
		}
		g.mu.Lock()
		g.fields = q.Get("fields")
		g.mu.Unlock()
		out := map[string]any{}
		for _, f := range strings.Split(q.Get("fields"), ",") {
			if v, ok := g.users[id][f]; ok {
				out[f] = v
			}
		}
		json.NewEncoder(w).Encode(out)
	default:
		http.NotFound(w, r)
	}
}

func newExtFacebook(t testing.TB, url string, fields ...MetadataField) ExternalProvider {
	t.Helper()
	p, err := NewFacebookProvider(FacebookConfig{GraphURL: url, AppID: extFBApp, AppSecret: extFBSecret, MetadataFields: fields})
	extNoErr(t, err)
	return p
}

// extWantFBErr is extWantErr for opaque tokens, and checks that the app
// secret does not leak either.
func extWantFBErr(t testing.TB, err, want error, token string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
	if (token != "" && strings.Contains(err.Error(), token)) || strings.Contains(err.Error(), extFBSecret) {
		t.Fatalf("error text %q leaks a secret", err)
	}
}

func TestFacebook(t *testing.T) {
	g := newExtGraph(t)
	p := newExtFacebook(t, g.URL,
		MetadataField{Name: "name", Required: true},
		MetadataField{Name: "picture"},
		MetadataField{Name: "min_age"},
		MetadataField{Name: "max_age"},
		MetadataField{Name: "email", FieldName: "mail"},
	)
	ctx := context.Background()

	c, err := p.Verify(ctx, "EAAgood")
	extNoErr(t, err)
	want := map[string]any{
		"name":    "Ada Lovelace",
		"picture": "https://platform-lookaside.fbsbx.com/p/1001",
		"min_age": int64(18),
		"max_age": int64(20),
		"mail":    "ada@example.com",
	}
	if c.ProviderType != ProviderFacebook || c.ProviderID != "1001" || !reflect.DeepEqual(c.Data, want) {
		t.Fatalf("claim = %+v", c)
	}
	// Only what is configured is asked for.
	if g.fields != "id,name,picture,age_range,email" {
		t.Fatalf("fields asked = %q", g.fields)
	}

	// Facebook leaves max out of open-ended ranges; optional fields are
	// then left out.
	c, err = p.Verify(ctx, "EAAolder")
	extNoErr(t, err)
	if want := map[string]any{"name": "Charles", "min_age": int64(21)}; !reflect.DeepEqual(c.Data, want) {
		t.Fatalf("data = %+v", c.Data)
	}

	for _, c := range []struct {
		token, why string
	}{
		{"EAAother", "another app"},
		{"EAAexpired", "not valid"},
		{"EAAunknown", "not valid"},
		{"EAAapp", "not a user access token"},
		{"EAAnouser", "no user"},
		{"EAAswap", "does not match"},
		{"EAA with spaces", "malformed"},
		{"", "malformed"},
		{strings.Repeat("E", maxFacebookToken+1), "malformed"},
	} {
		_, err := p.Verify(ctx, c.token)
		extWantFBErr(t, err, ErrInvalidCredentials, c.token)
		if !strings.Contains(err.Error(), c.why) {
			t.Errorf("%.20s: refused for another reason: %v", c.token, err)
		}
	}
}

func TestFacebookUnavailable(t *testing.T) {
	g := newExtGraph(t)
	p := newExtFacebook(t, g.URL, MetadataField{Name: "name"})

	for _, status := range []int{500, 502, 503, 429} {
		g.status.Store(int32(status))
		_, err := p.Verify(context.Background(), "EAAgood")
		extWantFBErr(t, err, ErrProviderUnavailable, "EAAgood")
	}

	// A redirect is not followed: it would take the tokens elsewhere.
	g.status.Store(0)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, g.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer redirect.Close()
	before := g.calls.Load()
	_, err := newExtFacebook(t, redirect.URL).Verify(context.Background(), "EAAgood")
	extWantFBErr(t, err, ErrProviderUnavailable, "EAAgood")
	if g.calls.Load() != before {
		t.Fatal("redirect followed")
	}

	// Nothing listening.
	g.Close()
	_, err = p.Verify(context.Background(), "EAAgood")
	extWantFBErr(t, err, ErrProviderUnavailable, "EAAgood")

	// A wrong app secret is refused by Facebook with a 4xx.
	g2 := newExtGraph(t)
	wrong, err := NewFacebookProvider(FacebookConfig{GraphURL: g2.URL, AppID: extFBApp, AppSecret: "wrong"})
	extNoErr(t, err)
	_, err = wrong.Verify(context.Background(), "EAAgood")
	if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), "debug_token: HTTP status 400") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestFacebookMetadataRequired(t *testing.T) {
	g := newExtGraph(t)
	p := newExtFacebook(t, g.URL,
		MetadataField{Name: "name", Required: true},
		MetadataField{Name: "email", Required: true},
		MetadataField{Name: "max_age", Required: true},
	)
	_, err := p.Verify(context.Background(), "EAAolder")
	extWantFBErr(t, err, ErrMetadataRequired, "EAAolder")
	if !strings.HasSuffix(err.Error(), "required metadata missing: email, max_age") {
		t.Fatalf("error = %v", err)
	}
}

func TestFacebookConfig(t *testing.T) {
	for name, cfg := range map[string]FacebookConfig{
		"no app id":       {AppSecret: "s"},
		"no secret":       {AppID: "1"},
		"bad version":     {AppID: "1", AppSecret: "s", GraphVersion: "19"},
		"version path":    {AppID: "1", AppSecret: "s", GraphVersion: "v19.0/../x"},
		"relative URL":    {AppID: "1", AppSecret: "s", GraphURL: "graph.facebook.com"},
		"URL with query":  {AppID: "1", AppSecret: "s", GraphURL: "https://graph.facebook.com/?x=1"},
		"google field":    {AppID: "1", AppSecret: "s", MetadataFields: []MetadataField{{Name: "given_name"}}},
		"duplicate field": {AppID: "1", AppSecret: "s", MetadataFields: []MetadataField{{Name: "name"}, {Name: "first_name", FieldName: "name"}}},
	} {
		if _, err := NewFacebookProvider(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p, err := NewFacebookProvider(FacebookConfig{AppID: "1", AppSecret: "s"})
	extNoErr(t, err)
	if b := p.(*facebookProvider).base; b != "https://graph.facebook.com/v19.0" {
		t.Errorf("base = %s", b)
	}
}
