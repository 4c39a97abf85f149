package appservices

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lanyardhq/lanyard/authn"
	"github.com/lanyardhq/lanyard/store"
)

// nullDeviceID is what the SDKs send and store for "no device id yet".
const nullDeviceID = "000000000000000000000000"

func (h *handler) routes() {
	const app = "/api/client/v2.0/app/{app}"
	const auth = "/api/client/v2.0/auth"
	const provider = app + "/auth/providers/{provider}"

	h.handle(app+"/location", &route{endpoints: map[string]endpoint{
		http.MethodGet: {fn: h.location},
	}})
	h.handle(provider+"/login", &route{endpoints: map[string]endpoint{
		http.MethodPost: {store: true, kind: kindLogin, fn: h.login},
		// The OAuth 2.0 redirect flow (realm-web opens a window on this URL).
		http.MethodGet: {fn: notImplemented("the OAuth 2.0 redirect flow is not supported: log in with a Google ID token ({\"id_token\"}) or a Facebook access token ({\"accessToken\"})")},
	}})
	userpass := func(fn func(c *call, body object) error) map[string]endpoint {
		return map[string]endpoint{http.MethodPost: {store: true, kind: kindUserpass, fn: h.userpass(fn)}}
	}
	h.handle(provider+"/register", &route{endpoints: userpass(h.register)})
	h.handle(provider+"/confirm", &route{endpoints: userpass(h.confirm)})
	h.handle(provider+"/confirm/send", &route{endpoints: userpass(h.resendConfirmation)})
	h.handle(provider+"/reset", &route{endpoints: userpass(h.resetPassword)})
	h.handle(provider+"/reset/send", &route{endpoints: userpass(h.sendPasswordReset)})
	h.handle(provider+"/confirm/call", &route{endpoints: userpass(h.retryConfirmation)})
	h.handle(provider+"/reset/call", &route{endpoints: userpass(h.callResetFunction)})

	h.handle(auth+"/session", &route{endpoints: map[string]endpoint{
		http.MethodPost:   {store: true, kind: kindRefresh, fn: h.refresh},
		http.MethodDelete: {store: true, kind: kindLogout, fn: h.logout},
	}})
	h.handle(auth+"/profile", &route{endpoints: map[string]endpoint{
		http.MethodGet: {store: true, kind: kindUser, fn: h.profile},
	}})
	h.handle(auth+"/delete", &route{endpoints: map[string]endpoint{
		http.MethodDelete: {store: true, kind: kindUser, fn: h.deleteMe},
	}})
	h.handle(auth+"/api_keys", &route{endpoints: map[string]endpoint{
		http.MethodGet:  {store: true, kind: kindAPIKey, fn: h.listAPIKeys},
		http.MethodPost: {store: true, kind: kindAPIKey, fn: h.createAPIKey},
	}})
	h.handle(auth+"/api_keys/{id}", &route{endpoints: map[string]endpoint{
		http.MethodGet:    {store: true, kind: kindAPIKey, fn: h.getAPIKey},
		http.MethodDelete: {store: true, kind: kindAPIKey, fn: h.deleteAPIKey},
	}})
	h.handle(auth+"/api_keys/{id}/enable", &route{endpoints: map[string]endpoint{
		http.MethodPut: {store: true, kind: kindAPIKey, fn: h.setAPIKeyDisabled(false)},
	}})
	h.handle(auth+"/api_keys/{id}/disable", &route{endpoints: map[string]endpoint{
		http.MethodPut: {store: true, kind: kindAPIKey, fn: h.setAPIKeyDisabled(true)},
	}})

	// App Services features that are not authentication.
	h.handle(app+"/functions/call", &route{endpoints: map[string]endpoint{
		http.MethodPost: {store: true, kind: kindService, fn: h.callFunction},
		http.MethodGet:  {store: true, kind: kindService, fn: h.streamFunction},
	}, fallback: notFunction(notCallable)})
	h.handle(app+"/graphql", &route{fallback: notImplemented("Lanyard serves App Services authentication only: GraphQL is not supported")})
	h.handle(app+"/realm-sync", &route{fallback: notImplemented("Lanyard serves App Services authentication only: Device Sync is not supported")})
	h.handle(app+"/push/", &route{fallback: notImplemented("Lanyard serves App Services authentication only: push notifications are not supported")})
	h.handle(app+"/", &route{fallback: notServed})
	h.handle(Prefix, &route{fallback: notServed})
}

func notImplemented(msg string) func(*call) error {
	return func(*call) error { return errorf(http.StatusNotImplemented, codeNotImplemented, "%s", msg) }
}

func notFunction(msg string) func(*call) error {
	return func(*call) error { return errorf(http.StatusNotImplemented, codeFunctionNotFound, "%s", msg) }
}

func notServed(c *call) error {
	return errorf(http.StatusNotImplemented, codeNotImplemented,
		"Lanyard serves App Services authentication only: %s %s is not served", c.r.Method, c.r.URL.Path)
}

// location answers where the app lives: here, at the public URL. The deployment model and location are
// fixed values in App Services' vocabulary; clients only use the hostnames.
func (h *handler) location(c *call) error {
	ws := h.deps.PublicURL
	switch {
	case strings.HasPrefix(ws, "https://"):
		ws = "wss://" + strings.TrimPrefix(ws, "https://")
	case strings.HasPrefix(ws, "http://"):
		ws = "ws://" + strings.TrimPrefix(ws, "http://")
	}
	return c.json(http.StatusOK, map[string]string{
		"deployment_model": "GLOBAL",
		"location":         "US-VA",
		"hostname":         h.deps.PublicURL,
		"ws_hostname":      ws,
	})
}

// loginResponse is the body of a login; a link has no refresh token.
type loginResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	UserID       string `json:"user_id"`
	DeviceID     string `json:"device_id"`
}

// login logs in with the provider's credentials, or links them to the caller with ?link=true.
func (h *handler) login(c *call) error {
	c.provider = c.r.PathValue("provider")
	body := c.obj
	cred, err := credentials(c.provider, body)
	if err != nil {
		return err
	}
	in := LoginInput{Credentials: cred, DeviceID: deviceID(body), Peer: c.peer()}
	if c.r.URL.Query().Get("link") == "true" {
		if err := c.authenticate(); err != nil {
			return err
		}
		out, err := h.deps.Core.Link(c.ctx, in)
		if err != nil {
			return err
		}
		return c.json(http.StatusOK, loginResponse{AccessToken: out.AccessToken, UserID: out.UserID, DeviceID: orNullID(out.DeviceID)})
	}
	out, err := h.deps.Core.Login(c.ctx, in)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, loginResponse{AccessToken: out.AccessToken, RefreshToken: out.RefreshToken,
		UserID: out.UserID, DeviceID: orNullID(out.DeviceID)})
}

func orNullID(id string) string {
	if id == "" {
		return nullDeviceID
	}
	return id
}

// credentials reads a provider's login body as the SDKs send it (realm-web's Credentials payloads;
// realm-core sends the same fields).
func credentials(provider string, body object) (authn.Credentials, error) {
	cred := authn.Credentials{Provider: provider}
	var err error
	switch provider {
	case authn.ProviderAnonymous:
	case authn.ProviderUserPass:
		if cred.Email, err = body.first("username", "email"); err == nil {
			cred.Password, err = body.str("password")
		}
	case authn.ProviderAPIKey:
		cred.Key, err = body.str("key")
	case authn.ProviderCustomToken:
		cred.Token, err = body.str("token")
	case authn.ProviderGoogle:
		if body.has("authCode") || body.has("redirectUrl") {
			return cred, errorf(http.StatusNotImplemented, codeNotImplemented,
				"Lanyard verifies Google ID tokens only: send {\"id_token\"}; the authorization code and redirect flows are not supported")
		}
		cred.Token, err = body.first("id_token", "idToken")
	case authn.ProviderCustomFunction:
		// realm-web sends the payload itself as the body, beside the device options.
		cred.Payload, err = body.payload("options")
	case authn.ProviderFacebook:
		if body.has("redirectUrl") {
			return cred, errorf(http.StatusNotImplemented, codeNotImplemented,
				"Lanyard verifies Facebook access tokens only: send {\"accessToken\"}; the redirect flow is not supported")
		}
		cred.Token, err = body.first("accessToken", "access_token")
	default:
		return cred, errorf(http.StatusNotFound, codeProviderNotFound, "authentication via '%s' is unsupported", provider)
	}
	return cred, err
}

// deviceID reads options.device.deviceId, which realm-web sends as Extended JSON ({"$oid": "…"}) and
// realm-core as a string. Anything else is no device id.
func deviceID(body object) string {
	raw, ok := body.obj("options").obj("device")["deviceId"]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var oid struct {
			OID string `json:"$oid"`
		}
		if json.Unmarshal(raw, &oid) != nil {
			return ""
		}
		s = oid.OID
	}
	if s == nullDeviceID {
		return ""
	}
	return s
}

// userpass wraps the local-userpass routes: only that provider has them.
func (h *handler) userpass(fn func(c *call, body object) error) func(c *call) error {
	return func(c *call) error {
		if p := c.r.PathValue("provider"); p != authn.ProviderUserPass {
			return errorf(http.StatusNotFound, codeProviderNotFound, "authentication via '%s' has no such route", p)
		}
		body := c.obj
		return fn(c, body)
	}
}

// strs reads several string fields, stopping at the first error.
func strs(body object, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		var err error
		if out[i], err = body.str(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// The userpass flows answer an empty JSON object: the SDKs read nothing from them.
func (h *handler) register(c *call, body object) error {
	f, err := strs(body, "email", "password")
	if err != nil {
		return err
	}
	if err := h.deps.Core.Register(c.ctx, f[0], f[1]); err != nil {
		return err
	}
	return c.json(http.StatusCreated, struct{}{})
}

func (h *handler) confirm(c *call, body object) error {
	f, err := strs(body, "token", "tokenId")
	if err != nil {
		return err
	}
	if !store.ValidID(f[1]) {
		// App Services' answer to a token id that cannot be one, which apps match on.
		return errorf(http.StatusBadRequest, codeBadRequest, "invalid token data")
	}
	if err := h.deps.Core.Confirm(c.ctx, f[0], f[1]); err != nil {
		return err
	}
	return c.json(http.StatusOK, struct{}{})
}

// retryConfirmation runs the confirmation function again (realm-web's retryCustomConfirmation).
func (h *handler) retryConfirmation(c *call, body object) error {
	email, err := body.str("email")
	if err != nil {
		return err
	}
	if err := h.deps.Core.RetryConfirmation(c.ctx, email); err != nil {
		return err
	}
	return c.json(http.StatusOK, struct{}{})
}

// callResetFunction runs the reset function (realm-web's callResetPasswordFunction): the body carries
// the email, the new password and the client's further arguments.
func (h *handler) callResetFunction(c *call, body object) error {
	f, err := strs(body, "email", "password")
	if err != nil {
		return err
	}
	args, err := body.list("arguments")
	if err != nil {
		return err
	}
	if err := h.deps.Core.CallResetFunction(c.ctx, f[0], f[1], args); err != nil {
		return err
	}
	return c.json(http.StatusOK, struct{}{})
}

// notCallable answers function calls once the caller is known: Lanyard runs an app's functions only
// where App Services ran them during authentication.
const notCallable = "Lanyard runs App Services functions only in authentication (the user creation, custom-function, " +
	"confirmation and reset functions, and authentication triggers): other functions are not callable; " +
	"read custom user data from the access token, through the MongoDB service (user.mongoClient(...)) on the custom " +
	"user data collection, or through Lanyard's gRPC CustomDataService"

// callFunction checks the caller's access token before anything else, as App Services did: a client
// with an expired token gets the 401 that makes its SDK refresh and retry. A call naming a service is a
// MongoDB data access call; any other is a function call, which Lanyard does not run.
func (h *handler) callFunction(c *call) error {
	if err := c.authenticate(); err != nil {
		return err
	}
	svc, err := c.obj.str("service")
	if err != nil {
		return err
	}
	if svc == "" {
		return notFunction(notCallable)(c)
	}
	in, err := serviceCall(svc, c.obj)
	if err != nil {
		return err
	}
	out, err := h.deps.Core.CallService(c.ctx, in)
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, out)
}

// serviceArgs are the arguments each MongoDBCollection method of realm-web sends, beside database and
// collection. Others are refused, so that an option Lanyard would ignore is never taken as applied.
var serviceArgs = map[string][]string{
	"findOne":    {"query", "project", "sort"},
	"find":       {"query", "project", "sort", "limit"},
	"count":      {"query", "limit"},
	"aggregate":  {"pipeline"},
	"insertOne":  {"document"},
	"updateOne":  {"query", "update", "upsert"},
	"updateMany": {"query", "update", "upsert"},
	"deleteOne":  {"query"},
	"deleteMany": {"query"},
	"watch":      {"ids", "filter"},
}

// serviceCall decodes the body of a service call: {"name", "service", "arguments": [{...}]}.
func serviceCall(svc string, body object) (ServiceCall, error) {
	in := ServiceCall{Service: svc}
	bad := func(format string, args ...any) (ServiceCall, error) {
		return in, errorf(http.StatusBadRequest, codeBadRequest, format, args...)
	}
	var err error
	if in.Action, err = body.str("name"); err != nil {
		return in, err
	}
	if in.Action == "" {
		return bad("field \"name\" must name the service function (findOne, updateOne, ...)")
	}
	var args []object
	if raw, ok := body["arguments"]; !ok || json.Unmarshal(raw, &args) != nil || len(args) != 1 || args[0] == nil {
		return bad("field \"arguments\" must be an array holding one object ({\"database\", \"collection\", ...})")
	}
	a := args[0]
	if in.Database, err = a.str("database"); err != nil {
		return in, err
	}
	if in.Collection, err = a.str("collection"); err != nil {
		return in, err
	}
	if in.Database == "" || in.Collection == "" {
		return bad("arguments: \"database\" and \"collection\" are required")
	}
	allowed, known := serviceArgs[in.Action]
	if !known {
		// The core answers which functions the service has; the arguments of others mean nothing here.
		return in, nil
	}
	for k, raw := range a {
		if k == "database" || k == "collection" || string(raw) == "null" {
			continue
		}
		if !slices.Contains(allowed, k) {
			return bad("arguments: %q is not an argument of %s (it takes %s)", k, in.Action, strings.Join(allowed, ", "))
		}
		switch k {
		case "query", "project", "sort", "update", "document":
			if !isObject(raw) {
				return bad("arguments: %q must be an object", k)
			}
		case "pipeline":
			if !isArray(raw) {
				return bad("arguments: \"pipeline\" must be an array of stages")
			}
		case "limit":
			n, ok := wholeNumber(raw)
			if !ok || n < 0 {
				return bad("arguments: \"limit\" must be a whole number, 0 or more")
			}
			in.Limit = n
		case "upsert":
			if json.Unmarshal(raw, &in.Upsert) != nil {
				return bad("arguments: \"upsert\" must be true or false")
			}
		}
	}
	field := func(k string) json.RawMessage {
		if raw, ok := a[k]; ok && string(raw) != "null" {
			return raw
		}
		return nil
	}
	in.Query, in.Projection, in.Sort = field("query"), field("project"), field("sort")
	in.Update, in.Document, in.Pipeline = field("update"), field("document"), field("pipeline")
	if in.Action == "watch" {
		// The core serves watches of one whole document: any selection is passed on for it to refuse.
		in.Query = field("filter")
		if ids := field("ids"); ids != nil {
			in.Query = json.RawMessage(`{"_id":{"$in":` + string(ids) + `}}`)
		}
	}
	switch {
	case in.Action == "aggregate" && in.Pipeline == nil:
		return bad("arguments: \"pipeline\" is required")
	case in.Action == "insertOne" && in.Document == nil:
		return bad("arguments: \"document\" is required")
	case (in.Action == "updateOne" || in.Action == "updateMany") && in.Update == nil:
		return bad("arguments: \"update\" is required")
	}
	return in, nil
}

// streamFunction serves the streaming form of a service call: GET with the call, base64-encoded JSON, in
// baas_request (how realm-web's collection.watch() sends it), answered as Server-Sent Events. Each event
// is one change event in Extended JSON, with '%', CR and LF percent-encoded as App Services did and
// realm-web decodes. An error once the stream is open is an "error" event, which realm-web throws.
func (h *handler) streamFunction(c *call) error {
	if err := c.authenticate(); err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(c.r.URL.Query().Get("baas_request"))
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(c.r.URL.Query().Get("baas_request")); err != nil {
			return errorf(http.StatusBadRequest, codeBadRequest, "baas_request must be the call in base64-encoded JSON")
		}
	}
	var body object
	if json.Unmarshal(raw, &body) != nil || body == nil {
		return errorf(http.StatusBadRequest, codeBadRequest, "baas_request must be the call in base64-encoded JSON")
	}
	svc, err := body.str("service")
	if err != nil {
		return err
	}
	if svc == "" {
		return notFunction(notCallable)(c)
	}
	in, err := serviceCall(svc, body)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(c.w)
	opened := false
	ready := func() {
		opened = true
		// A watch outlives the listener's write timeout, which protects ordinary answers.
		_ = rc.SetWriteDeadline(time.Time{})
		hdr := c.w.Header()
		hdr.Set("Content-Type", "text/event-stream")
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("X-Content-Type-Options", "nosniff")
		c.w.WriteHeader(http.StatusOK)
		_ = rc.Flush()
	}
	send := func(ev json.RawMessage) error {
		if _, err := io.WriteString(c.w, "data: "+sseEscape(string(ev))+"\n\n"); err != nil {
			return err
		}
		return rc.Flush()
	}
	err = h.deps.Core.WatchService(c.ctx, in, ready, send)
	if !opened || err == nil || c.ctx.Err() != nil {
		return err
	}
	e := fromStatus(h.deps.Core.Status(c.ctx, err), c.kind, "")
	msg, _ := json.Marshal(map[string]string{"error": e.msg, "error_code": e.code})
	_, _ = io.WriteString(c.w, "event: error\ndata: "+sseEscape(string(msg))+"\n\n")
	_ = rc.Flush()
	return nil
}

// sseEscape percent-encodes what would break an event's data line.
func sseEscape(s string) string {
	return strings.NewReplacer("%", "%25", "\n", "%0A", "\r", "%0D").Replace(s)
}

func isObject(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil && m != nil
}

func isArray(raw json.RawMessage) bool {
	var l []json.RawMessage
	return json.Unmarshal(raw, &l) == nil && l != nil
}

// wholeNumber reads a number as realm-web sends it: plain, or in an Extended JSON integer wrapper.
func wholeNumber(raw json.RawMessage) (int64, bool) {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		i, err := n.Int64()
		return i, err == nil
	}
	var w map[string]string
	if json.Unmarshal(raw, &w) != nil || len(w) != 1 {
		return 0, false
	}
	for _, k := range []string{"$numberInt", "$numberLong"} {
		if s, ok := w[k]; ok {
			i, err := strconv.ParseInt(s, 10, 64)
			return i, err == nil
		}
	}
	return 0, false
}

func (h *handler) resendConfirmation(c *call, body object) error {
	email, err := body.str("email")
	if err != nil {
		return err
	}
	if err := h.deps.Core.ResendConfirmation(c.ctx, email); err != nil {
		return err
	}
	return c.json(http.StatusOK, struct{}{})
}

func (h *handler) sendPasswordReset(c *call, body object) error {
	email, err := body.str("email")
	if err != nil {
		return err
	}
	if err := h.deps.Core.SendPasswordReset(c.ctx, email); err != nil {
		return err
	}
	return c.json(http.StatusOK, struct{}{})
}

func (h *handler) resetPassword(c *call, body object) error {
	f, err := strs(body, "token", "tokenId", "password")
	if err != nil {
		return err
	}
	if !store.ValidID(f[1]) {
		return errorf(http.StatusBadRequest, codeBadRequest, "invalid token data")
	}
	if err := h.deps.Core.ResetPassword(c.ctx, f[0], f[1], f[2]); err != nil {
		return err
	}
	return c.json(http.StatusOK, struct{}{})
}

// refresh answers a new access token for the refresh token's session. Only access_token is answered:
// the SDKs read nothing else, and the refresh token stays the same for the session's life.
func (h *handler) refresh(c *call) error {
	token, err := h.deps.Core.Refresh(c.ctx, c.r.Header.Values("Authorization"))
	if err != nil {
		return err
	}
	return c.json(http.StatusCreated, map[string]string{"access_token": token})
}

func (h *handler) logout(c *call) error {
	if err := h.deps.Core.Logout(c.ctx, c.r.Header.Values("Authorization")); err != nil {
		return err
	}
	return c.noContent()
}

type identityJSON struct {
	ID           string         `json:"id"`
	ProviderType string         `json:"provider_type"`
	ProviderID   string         `json:"provider_id"`
	ProviderData map[string]any `json:"provider_data"`
}

type profileJSON struct {
	UserID     string         `json:"user_id"`
	DomainID   string         `json:"domain_id"`
	Identities []identityJSON `json:"identities"`
	Data       map[string]any `json:"data"`
	Type       string         `json:"type"`
}

// profile answers the caller's profile in App Services' shape. domain_id, App Services' internal id of
// the app, is the app id here.
func (h *handler) profile(c *call) error {
	if err := c.authenticate(); err != nil {
		return err
	}
	p, err := h.deps.Core.Profile(c.ctx)
	if err != nil {
		return err
	}
	out := profileJSON{UserID: p.UserID, DomainID: h.deps.AppID, Type: p.Type, Data: nonNil(p.Data), Identities: []identityJSON{}}
	for _, id := range p.Identities {
		out.Identities = append(out.Identities, identityJSON{ID: id.ID, ProviderType: id.ProviderType, ProviderID: id.ProviderID, ProviderData: nonNil(id.Data)})
	}
	return c.json(http.StatusOK, out)
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (h *handler) deleteMe(c *call) error {
	if err := c.authenticate(); err != nil {
		return err
	}
	if err := h.deps.Core.DeleteMe(c.ctx); err != nil {
		return err
	}
	return c.noContent()
}

// apiKeyJSON is an API key as App Services shows it: `_id` is a plain hex string (realm-core reads it as
// a string), `key` only in the answer that created it.
type apiKeyJSON struct {
	ID       string `json:"_id"`
	Key      string `json:"key,omitempty"`
	Name     string `json:"name"`
	Disabled bool   `json:"disabled"`
}

func toAPIKeyJSON(k *APIKey) apiKeyJSON {
	return apiKeyJSON{ID: k.ID, Key: k.Key, Name: k.Name, Disabled: k.Disabled}
}

func (h *handler) createAPIKey(c *call) error {
	body := c.obj
	name, err := body.str("name")
	if err != nil {
		return err
	}
	if err := c.authenticateRefresh(); err != nil {
		return err
	}
	k, err := h.deps.Core.CreateAPIKey(c.ctx, name)
	if err != nil {
		return err
	}
	return c.json(http.StatusCreated, toAPIKeyJSON(k))
}

func (h *handler) listAPIKeys(c *call) error {
	if err := c.authenticateRefresh(); err != nil {
		return err
	}
	keys, err := h.deps.Core.ListAPIKeys(c.ctx)
	if err != nil {
		return err
	}
	out := make([]apiKeyJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, toAPIKeyJSON(k))
	}
	return c.json(http.StatusOK, out)
}

func (h *handler) getAPIKey(c *call) error {
	if err := c.authenticateRefresh(); err != nil {
		return err
	}
	k, err := h.deps.Core.GetAPIKey(c.ctx, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, toAPIKeyJSON(k))
}

func (h *handler) deleteAPIKey(c *call) error {
	if err := c.authenticateRefresh(); err != nil {
		return err
	}
	if err := h.deps.Core.DeleteAPIKey(c.ctx, c.r.PathValue("id")); err != nil {
		return err
	}
	return c.noContent()
}

func (h *handler) setAPIKeyDisabled(disabled bool) func(c *call) error {
	return func(c *call) error {
		if err := c.authenticateRefresh(); err != nil {
			return err
		}
		if err := h.deps.Core.SetAPIKeyDisabled(c.ctx, c.r.PathValue("id"), disabled); err != nil {
			return err
		}
		return c.noContent()
	}
}
