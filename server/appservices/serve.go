package appservices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CORS answers of the App Services routes.
const (
	corsAllowMethods  = "GET, POST, PUT, DELETE, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, Accept, X-Request-Id"
	corsExposeHeaders = "X-Request-Id"
)

// endpoint is one method of one route.
type endpoint struct {
	// store: the call needs the store, so it is answered 503 at once while the store is unreachable.
	store bool
	// kind tells the error mapping which route family failed (for not-found codes and messages).
	kind errKind
	fn   func(c *call) error
}

// route is a path pattern (Go 1.22 ServeMux syntax, without a method) and its endpoints by method.
// Dispatching methods here rather than in the ServeMux lets a wrong method get a JSON 405.
type route struct {
	h         *handler
	name      string
	checkApp  bool
	endpoints map[string]endpoint
	// fallback serves every method without an endpoint (the unsupported App Services routes).
	fallback func(c *call) error
}

// call is one request being served.
type call struct {
	h        *handler
	w        http.ResponseWriter
	r        *http.Request
	ctx      context.Context
	route    string
	kind     errKind
	provider string // login and link: the provider of the credentials, for error messages
	obj      object // the request body, read before the endpoint runs
}

// recorder remembers the status for the request log line.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.NewResponseController reach the connection (to flush a stream, and lift its write
// deadline).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

type callKey struct{}

// ServeHTTP gives the request its id, applies CORS, recovers panics and logs one line per request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	ctx, id := h.deps.Core.RequestContext(r)
	c := &call{h: h, w: rec, r: r, ctx: ctx, route: "unmatched"}
	rec.Header().Set("X-Request-Id", id)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.deps.Log.ErrorContext(ctx, "panic in App Services handler", "request_id", id, "route", c.route,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if rec.status == 0 {
				c.errorJSON(http.StatusInternalServerError, "InternalServerError", "internal error; request id "+id)
			}
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		h.deps.Log.InfoContext(ctx, "http call", "request_id", id, "method", r.Method, "route", c.route,
			"status", status, "duration", time.Since(start))
	}()

	if !h.applyCORS(c) {
		return
	}
	h.mux.ServeHTTP(rec, r.WithContext(context.WithValue(ctx, callKey{}, c)))
}

// applyCORS sets the CORS headers of an allowed origin and answers preflights. It reports whether the request
// goes on to its route. Origins outside the list get no CORS headers (browsers then refuse to show the
// answer to the page) and their preflights are refused with 403, so that browsers never send them the
// real request.
func (h *handler) applyCORS(c *call) bool {
	preflight, allowed := h.cors.Apply(c.w, c.r)
	if !preflight {
		return true
	}
	c.route = "preflight"
	if !allowed {
		origin := c.r.Header.Get("Origin")
		c.errorJSON(http.StatusForbidden, "DomainNotAllowed", "origin "+strconv.Quote(origin)+" is not allowed to call this server (LANYARD_CORS_ORIGINS)")
		return false
	}
	c.w.WriteHeader(http.StatusNoContent)
	return false
}

// handle registers a route.
func (h *handler) handle(pattern string, rt *route) {
	rt.h = h
	rt.name = pattern
	rt.checkApp = strings.Contains(pattern, "{app}")
	h.mux.Handle(pattern, rt)
	methods := make([]string, 0, len(rt.endpoints))
	for m := range rt.endpoints {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	h.table = append(h.table, Route{Pattern: pattern, Methods: methods})
}

type routeNoteKey struct{}

// WithRouteNote gives ctx a place where the route that serves a request under it notes its pattern, for
// MatchedRoute: a wrapper that names requests (the tracing) takes the handler's own match instead of
// matching the request again.
func WithRouteNote(ctx context.Context) context.Context {
	return context.WithValue(ctx, routeNoteKey{}, new(string))
}

// MatchedRoute is the pattern of the route that served the request of ctx (given a place by
// WithRouteNote), such as "/api/client/v2.0/app/{app}/location": a name for the request that, unlike its
// path, holds no user data. It is "" before the route runs, and when none does.
func MatchedRoute(ctx context.Context) string {
	if p, ok := ctx.Value(routeNoteKey{}).(*string); ok {
		return *p
	}
	return ""
}

// Route is one route of the API, as the route table declares it.
type Route struct {
	// Pattern is the path pattern (Go ServeMux syntax, without a method): {app}, {provider} and {id} are
	// wildcards, and a pattern ending in a slash matches every path below it.
	Pattern string
	// Methods are the methods served; other methods are answered 405, or, on routes without any
	// (the App Services features Lanyard does not serve), 501.
	Methods []string
}

// Routes lists every route of the API, from the table that serves them: for tests and tools that must
// not miss one.
func Routes() []Route {
	return New(Deps{}).(*handler).table
}

func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := r.Context().Value(callKey{}).(*call)
	c.r = r
	c.route = rt.name
	if p, ok := r.Context().Value(routeNoteKey{}).(*string); ok {
		*p = rt.name
	}
	if rt.checkApp && r.PathValue("app") != rt.h.deps.AppID {
		c.errorJSON(http.StatusNotFound, "AppNotFound", "cannot find app using Client App ID "+strconv.Quote(r.PathValue("app")))
		return
	}
	var err error
	ep, ok := rt.endpoints[r.Method]
	if !ok {
		if rt.fallback != nil {
			c.done(rt.fallback(c))
			return
		}
		allow := make([]string, 0, len(rt.endpoints)+1)
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			if _, ok := rt.endpoints[m]; ok {
				allow = append(allow, m)
			}
		}
		allow = append(allow, http.MethodOptions)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		c.errorJSON(http.StatusMethodNotAllowed, "BadRequest", "method "+r.Method+" is not allowed here; allowed: "+strings.Join(allow, ", "))
		return
	}
	c.kind = ep.kind
	// Every endpoint reads the body, whether it uses one or not: a body, when sent, must be one JSON
	// object, so that no route takes garbage for a request it would serve.
	if c.obj, err = c.readBody(); err != nil {
		c.done(err)
		return
	}
	if !ep.store {
		c.done(ep.fn(c))
		return
	}
	ctx, leave, err := rt.h.deps.Core.EnterStore(c.ctx)
	if err != nil {
		c.errorJSON(http.StatusServiceUnavailable, "ServiceUnavailable", "the store is unreachable; retry later")
		return
	}
	c.ctx = ctx
	c.done(leave(ep.fn(c)))
}

// done answers the error of a handler, if any.
func (c *call) done(err error) {
	if err == nil {
		return
	}
	var he *httpError
	if errors.As(err, &he) {
		c.errorJSON(he.status, he.code, he.msg)
		return
	}
	e := fromStatus(c.h.deps.Core.Status(c.ctx, err), c.kind, c.provider)
	c.errorJSON(e.status, e.code, e.msg)
}

// json writes v with the status.
func (c *call) json(status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	hdr := c.w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
	return nil
}

// noContent answers 204.
func (c *call) noContent() error {
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// errorJSON writes an App Services error body: {"error": message, "error_code": code}.
func (c *call) errorJSON(status int, code, msg string) {
	_ = c.json(status, map[string]string{"error": msg, "error_code": code})
}

// authenticate verifies the access token of the request and puts the caller in the call's context.
func (c *call) authenticate() error {
	ctx, err := c.h.deps.Core.Authenticate(c.ctx, c.r.Header.Values("Authorization"))
	if err != nil {
		return err
	}
	c.ctx = ctx
	return nil
}

// authenticateRefresh does the same with a refresh token.
func (c *call) authenticateRefresh() error {
	ctx, err := c.h.deps.Core.AuthenticateRefresh(c.ctx, c.r.Header.Values("Authorization"))
	if err != nil {
		return err
	}
	c.ctx = ctx
	return nil
}

// peer is the client's address without the port, for failed-login limits.
func (c *call) peer() string {
	if host, _, err := net.SplitHostPort(c.r.RemoteAddr); err == nil {
		return host
	}
	return c.r.RemoteAddr
}

// readBody reads the request body as one JSON object. An empty body (or null) is an empty object (the
// SDKs send none on some calls). A body must be JSON: other content types are refused, which also keeps
// browsers from sending these calls cross-origin without a preflight. It must be UTF-8, as JSON is
// (RFC 8259): the decoder would quietly replace invalid bytes, and an email or a key name would be stored
// other than sent.
func (c *call) readBody() (object, error) {
	r := http.MaxBytesReader(c.w, c.r.Body, c.h.deps.MaxBodyBytes)
	raw, err := io.ReadAll(r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "BadRequest", "the request body is larger than %d bytes", c.h.deps.MaxBodyBytes)
		}
		return nil, errorf(http.StatusBadRequest, "BadRequest", "the request body could not be read")
	}
	if trimmed := strings.TrimSpace(string(raw)); trimmed == "" || trimmed == "null" {
		return object{}, nil
	}
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errorf(http.StatusUnsupportedMediaType, "BadRequest", "the request body must be JSON (Content-Type: application/json)")
		}
	}
	if !utf8.Valid(raw) {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "the request body must be UTF-8")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "the request body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "the request body must be one JSON object")
	}
	return object(m), nil
}

// object is a decoded JSON object whose fields are read on demand.
type object map[string]json.RawMessage

// str returns a string field; absent and null are "". Any other type is a 400.
func (o object) str(name string) (string, error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errorf(http.StatusBadRequest, "BadRequest", "field %q must be a string", name)
	}
	return s, nil
}

// first returns the first of several alternative string fields that is set.
func (o object) first(names ...string) (string, error) {
	for _, n := range names {
		s, err := o.str(n)
		if err != nil || s != "" {
			return s, err
		}
	}
	return "", nil
}

// obj returns an object field; absent, null and non-objects are an empty object.
func (o object) obj(name string) object {
	var m map[string]json.RawMessage
	if raw, ok := o[name]; ok {
		_ = json.Unmarshal(raw, &m)
	}
	return object(m)
}

// payload decodes the whole object but the named fields, as plain JSON values (numbers as float64, as
// JavaScript has them).
func (o object) payload(except ...string) (map[string]any, error) {
	out := make(map[string]any, len(o))
	for k, raw := range o {
		if slices.Contains(except, k) {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, errorf(http.StatusBadRequest, "BadRequest", "field %q is not JSON", k)
		}
		out[k] = v
	}
	return out, nil
}

// list returns an array field as plain JSON values; absent and null are empty.
func (o object) list(name string) ([]any, error) {
	raw, ok := o[name]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var l []any
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "field %q must be an array", name)
	}
	return l, nil
}

func (o object) has(name string) bool {
	raw, ok := o[name]
	return ok && string(raw) != "null"
}
