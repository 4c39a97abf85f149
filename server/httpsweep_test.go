package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/server/appservices"
)

// The sweep of malformed requests over every route of the HTTP listener. Routes come from the tables
// that serve them (Server.HTTPPatterns, appservices.Routes), so that a new route cannot be missed.
//
// What the sweep allows, and so what every route promises:
//   - A broken body (not one JSON object: empty of JSON, truncated, an array, a scalar, two values,
//     nested beyond the decoder's depth, not UTF-8, over the size limit, or not sent as JSON) is never
//     accepted: 400, 413 or 415, or whatever a refusal that comes first says (401, 404, 405, 501).
//   - A well-formed object with odd fields (wrong types, nulls, control characters, unknown names) is
//     refused where a route reads those fields; a route that reads none may accept it.
//   - Nothing answers 5xx but 501, which only the App Services features Lanyard does not serve give
//     (error_code NotImplemented or FunctionNotFound); nothing redirects; nothing is INTERNAL.
//   - Under /api/client/v2.0/ every error is a JSON object with error_code and error. The operational
//     routes (/healthz, /metrics, /.well-known/jwks.json) are GET only and leave other methods to Go's
//     ServeMux (405 in plain text).
//   - The server serves as before at the end, and logged no error.

// sweepBody is one body the sweep sends.
type sweepBody struct {
	name        string
	body        []byte // nil: no body
	contentType string // "" with a body: application/json
	broken      bool   // never to be accepted
}

func sweepBodies() []sweepBody {
	deepObject := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	huge := `{"name":"` + strings.Repeat("a", appservices.DefaultMaxBodyBytes+1) + `"}`
	return []sweepBody{
		{name: "none"},
		{name: "empty", body: []byte{}},
		{name: "empty object", body: []byte(`{}`)},
		{name: "null", body: []byte(`null`)},
		{name: "truncated", body: []byte(`{"email":"a@b.io","password":`), broken: true},
		{name: "open brace", body: []byte(`{`), broken: true},
		{name: "array", body: []byte(`[{"email":"a@b.io","password":"pw-something"}]`), broken: true},
		{name: "string", body: []byte(`"anon-user"`), broken: true},
		{name: "number", body: []byte(`1e999999`), broken: true},
		{name: "two objects", body: []byte(`{"a":1}{"b":2}`), broken: true},
		{name: "trailing garbage", body: []byte(`{"a":1} x`), broken: true},
		{name: "deep arrays", body: []byte(`{"options":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`), broken: true},
		{name: "deep objects", body: []byte(`{"options":` + deepObject + `}`), broken: true},
		{name: "invalid UTF-8", body: []byte("{\"email\":\"\xff\xfe@b.io\",\"password\":\"pw-\xc3\x28-long\",\"name\":\"\xed\xa0\x80\",\"key\":\"\xff\"}"), broken: true},
		{name: "byte order mark", body: []byte("\xef\xbb\xbf{}"), broken: true},
		{name: "binary", body: []byte{0, 1, 2, 0xff, '{', 0x80}, broken: true},
		{name: "over the size limit", body: []byte(huge), broken: true},
		{name: "text/plain", body: []byte(`{}`), contentType: "text/plain", broken: true},
		{name: "form", body: []byte(`email=a%40b.io&password=pw-something`), contentType: "application/x-www-form-urlencoded", broken: true},
		{name: "bad content type", body: []byte(`{}`), contentType: "application/json; charset", broken: true},
		{name: "wrong types", body: []byte(`{"email":1,"username":2,"password":[],"token":{},"tokenId":true,"key":1.5,"name":{"$oid":"x"},` +
			`"id_token":[1],"idToken":[2],"accessToken":7,"access_token":8,"options":"x"}`)},
		{name: "nulls", body: []byte(`{"email":null,"username":null,"password":null,"token":null,"tokenId":null,"key":null,"name":null,"options":null}`)},
		{name: "control characters", body: []byte(`{"email":"a\u0000@b.io","password":"pw-\u0000\u001f-long","name":"\u0007","key":"\u0000","token":"\u0000","tokenId":"\u0000"}`)},
		{name: "huge numbers", body: []byte(`{"email":1e400,"password":-1e400,"options":{"device":{"deviceId":123456789012345678901234567890}}}`)},
		{name: "odd device", body: []byte(`{"options":{"device":{"deviceId":{"$oid":{"$oid":[]}}}}}`)},
	}
}

// sweepPath is a concrete path of a route. A main path has the values a client would send (the app id,
// a provider that has the route, a key id) and gets every body; the others (another app, a provider
// without the route, a malformed id) are refused before any body matters and get a few.
type sweepPath struct {
	path string
	main bool
}

// sweepPaths expands a route pattern into concrete paths: each wildcard takes good and bad values, and
// a pattern ending in a slash gets paths below it.
func sweepPaths(pattern, appID string) []sweepPath {
	providers := []string{"local-userpass", "anon-user"}
	if strings.HasSuffix(pattern, "/login") {
		// Each provider reads its own credentials.
		providers = []string{"anon-user", "local-userpass", "api-key", "custom-token", "oauth2-google", "oauth2-facebook", "oauth2-apple", "custom-function", "no-such-provider"}
	}
	values := map[string][]string{ // the main value first, unless every value is main
		"app":      {appID, "other-app"},
		"provider": providers,
		"id":       {"0123456789abcdef01234567", "x", "%ff%fe", strings.Repeat("a", 300)},
	}
	allMain := map[string]bool{"provider": len(providers) > 2}
	paths := []sweepPath{{pattern, true}}
	if strings.HasSuffix(pattern, "/") {
		paths = []sweepPath{{pattern + "below/it", true}, {pattern + "%00", false}}
	}
	wildcard := regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)
	for {
		var next []sweepPath
		expanded := false
		for _, p := range paths {
			m := wildcard.FindStringSubmatchIndex(p.path)
			if m == nil {
				next = append(next, p)
				continue
			}
			expanded = true
			name := p.path[m[2]:m[3]]
			vals, ok := values[name]
			if !ok {
				vals = []string{"x"}
			}
			for i, v := range vals {
				next = append(next, sweepPath{p.path[:m[0]] + v + p.path[m[1]:], p.main && (i == 0 || allMain[name])})
			}
		}
		paths = next
		if !expanded {
			return paths
		}
	}
}

func TestHTTPSweep(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	base := "http://" + ts.HTTPAddr()
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	// Valid tokens, renewed when a call ends their session or user.
	var access, refresh string
	relogin := func() { access, refresh, _ = c.mustLogin("anon-user", nil) }
	relogin()
	authz := func(i int) string {
		switch i % 4 {
		case 1:
			return "Bearer not.a.token"
		case 2:
			return "Bearer " + access
		case 3:
			return "Bearer " + refresh
		}
		return ""
	}

	// Every route, from the tables that serve them.
	type target struct {
		sweepPath
		methods []string // served
		api     bool     // under the App Services prefix
	}
	var targets []target
	for _, p := range ts.HTTPPatterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			method, path = "", p
		}
		if path == appservices.Prefix {
			for _, rt := range appservices.Routes() {
				for _, p := range sweepPaths(rt.Pattern, ts.cfg.AppID) {
					targets = append(targets, target{sweepPath: p, methods: rt.Methods, api: true})
				}
			}
			continue
		}
		var methods []string
		if method != "" {
			methods = []string{method}
		}
		for _, p := range sweepPaths(path, ts.cfg.AppID) {
			targets = append(targets, target{sweepPath: p, methods: methods})
		}
	}
	if len(targets) < 20 {
		t.Fatalf("only %d paths to sweep: %v", len(targets), ts.HTTPPatterns())
	}

	bodies := sweepBodies()
	otherMethods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"}
	sent, i := 0, 0
	check := func(method string, tg target, b sweepBody, auth string) {
		t.Helper()
		i++
		var rd io.Reader
		if b.body != nil {
			rd = bytes.NewReader(b.body)
		}
		req, err := http.NewRequest(method, base+tg.path, rd)
		if err != nil {
			t.Fatalf("%s %s: %v", method, tg.path, err)
		}
		if b.body != nil {
			ct := b.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		what := fmt.Sprintf("%s %s, body %s, authorization %.20q", method, tg.path, b.name, auth)
		resp, err := client.Do(req)
		sent++
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		st := resp.StatusCode
		switch {
		case st >= 300 && st < 400:
			t.Errorf("%s: redirected (%d)", what, st)
		case st >= 500 && st != http.StatusNotImplemented:
			t.Errorf("%s: %d %.200s", what, st, raw)
		case st < 300 && b.broken && tg.api && method != http.MethodOptions && method != http.MethodHead:
			t.Errorf("%s: a broken body was accepted: %d %.200s", what, st, raw)
		}
		if st < 400 || method == http.MethodHead {
			return
		}
		if !tg.api {
			if tg.methods != nil && st != http.StatusMethodNotAllowed {
				t.Errorf("%s: %d, want 405 for another method", what, st)
			}
			return
		}
		var e struct {
			Error string `json:"error"`
			Code  string `json:"error_code"`
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" || json.Unmarshal(raw, &e) != nil || e.Error == "" || e.Code == "" {
			t.Errorf("%s: not a JSON error: %d %q %.200s", what, st, ct, raw)
			return
		}
		if e.Code == "InternalServerError" {
			t.Errorf("%s: internal error: %s", what, raw)
		}
		if st == http.StatusNotImplemented && e.Code != "NotImplemented" && e.Code != "FunctionNotFound" {
			t.Errorf("%s: 501 with %s", what, e.Code)
		}
	}

	// A few bodies for the requests refused before the body matters: none, a broken one, an odd one.
	few := []sweepBody{bodies[0], bodies[4], bodies[len(bodies)-5]}
	start := time.Now()
	for _, tg := range targets {
		served := map[string]bool{}
		for _, m := range tg.methods {
			served[m] = true
			list := bodies
			if !tg.main {
				list = few
			}
			for _, b := range list {
				auth := authz(i)
				check(m, tg, b, auth)
				// A logout or a deletion that went through ends the valid tokens: get new ones.
				if m == http.MethodDelete && (auth == "Bearer "+access || auth == "Bearer "+refresh) {
					relogin()
				}
			}
		}
		// Other methods (every method of the routes that serve none), with one body each, in turn.
		for _, m := range otherMethods {
			if !served[m] {
				check(m, tg, few[i%len(few)], authz(i))
			}
		}
	}

	// Broken requests below the handlers: chunked bodies that end early or are not chunked, and a
	// declared length longer than the body.
	login := "/api/client/v2.0/app/" + ts.cfg.AppID + "/auth/providers/local-userpass/login"
	for _, raw := range []string{
		"POST " + login + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
		"POST " + login + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n",
		"POST " + login + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"username\":",
	} {
		sent++
		conn, err := net.Dial("tcp", ts.HTTPAddr())
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := conn.Write([]byte(raw)); err != nil {
			t.Fatal(err)
		}
		_ = conn.(*net.TCPConn).CloseWrite()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			conn.Close()
			continue // the server hung up: fine, as long as it serves on (checked below)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("raw request %.60q: %d %.200s", raw, resp.StatusCode, body)
		}
	}
	t.Logf("%d requests to %d paths in %s", sent, len(targets), time.Since(start).Round(time.Millisecond))

	// The server serves as before.
	if r := c.do("GET", "/healthz", nil); r.status != 200 {
		t.Errorf("healthz after the sweep: %s", r)
	}
	relogin()
	if r := c.do("POST", v2+"/auth/session", nil, auth(refresh)...); r.status != 201 {
		t.Errorf("refresh after the sweep: %s", r)
	}
	if _, err := ts.auth.WhoAmI(bearer(access), &lanyardv1.WhoAmIRequest{}); err != nil {
		t.Errorf("gRPC after the sweep: %v", err)
	}
	if _, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}); err != nil {
		t.Errorf("gRPC login after the sweep: %v", err)
	}
	for _, line := range strings.Split(ts.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, "panic") {
			t.Errorf("the sweep left an error in the log: %.300s", line)
		}
	}
}
