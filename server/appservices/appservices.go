// Package appservices serves the MongoDB Atlas App Services client HTTP API v2.0 — the part of it that is
// about authentication — so that apps built on the Realm SDKs (realm-web, and the native SDKs built on
// realm-core) move to Lanyard by changing their base URL.
//
// The package only translates: it decodes App Services request bodies, asks the Core (built by package
// server on the same authn.Service, store and rules as the gRPC handlers) to do the work, and encodes App
// Services responses and errors. It holds no rule of its own; errors are derived from the gRPC status
// (code and ErrorInfo reason) that the server's one error mapping produces.
//
// Routes, under /api/client/v2.0:
//
//	GET    /app/{app}/location
//	POST   /app/{app}/auth/providers/{provider}/login[?link=true]
//	POST   /app/{app}/auth/providers/local-userpass/{register,confirm,confirm/send,reset,reset/send}
//	POST   /auth/session           (refresh token: a new access token; the refresh token never rotates)
//	DELETE /auth/session           (refresh token: log out)
//	GET    /auth/profile           (access token)
//	DELETE /auth/delete            (access token)
//	GET    /auth/api_keys, POST /auth/api_keys, GET/DELETE /auth/api_keys/{id},
//	PUT    /auth/api_keys/{id}/enable, PUT /auth/api_keys/{id}/disable   (refresh token, as the SDKs send)
//
//	POST   /app/{app}/functions/call   (access token; service calls to the MongoDB service on the custom
//	                                   data collection: MongoDB Data Access under the rules)
//	GET    /app/{app}/functions/call?baas_request=…   (the same, streamed as Server-Sent Events: watch)
//
// App Services features Lanyard does not serve (other functions and services, GraphQL, Sync, push, the OAuth redirect
// flow, confirmation and reset functions) answer 501 with a JSON error naming what is missing.
//
// Choices where App Services' behaviour is not documented are written beside the code that makes them.
package appservices

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/authn"
	"github.com/lanyardhq/lanyard/server/cors"
)

// Prefix is the path under which the API is served; mount the Handler there.
const Prefix = "/api/client/v2.0/"

// DefaultMaxBodyBytes caps request bodies. The largest legitimate body is a login with a custom JWT
// (App Services allowed 1,000,000 characters) plus device information.
const DefaultMaxBodyBytes = 1 << 20

// Deps is what the handlers need, built by package server.
type Deps struct {
	// AppID is the one app id served; other {app} values answer 404.
	AppID string
	// PublicURL is the `hostname` of the location route (no trailing slash needed).
	PublicURL string
	// CORSOrigins are the origins browsers may call from: exact matches, or "*" for any.
	CORSOrigins []string
	// MaxBodyBytes caps request bodies; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// Core does the work.
	Core Core
	// Log receives one line per request (never a token, password or body) and the panics recovered.
	Log *slog.Logger
}

// Core is Lanyard's authentication, as this API needs it. Package server implements it on the same
// authn.Service, store, validators and error mapping that serve the gRPC API. Methods that act for a
// caller take the context returned by Authenticate or AuthenticateRefresh.
type Core interface {
	// RequestContext returns the context of one HTTP request carrying its request id, and the id (echoed
	// as X-Request-Id).
	RequestContext(r *http.Request) (context.Context, string)
	// Status maps any error of the methods below to the gRPC status the gRPC API would answer (a code and
	// an ErrorInfo reason, with a message safe to show; internals masked and logged).
	Status(ctx context.Context, err error) *status.Status
	// EnterStore admits a call that needs the store. While the store is unreachable it fails, and the
	// call is answered 503 at once. Otherwise it returns the context for the call, which also ends when
	// the store becomes unreachable during the call, and done, which maps the error of a call so ended
	// to the store's unavailability.
	EnterStore(ctx context.Context) (_ context.Context, done func(error) error, _ error)

	// Authenticate verifies the access token in the Authorization header values and returns a context
	// carrying the caller.
	Authenticate(ctx context.Context, authorization []string) (context.Context, error)
	// AuthenticateRefresh does the same with the refresh token of a live session.
	AuthenticateRefresh(ctx context.Context, authorization []string) (context.Context, error)

	// Login logs in and opens a non-rotating session.
	Login(ctx context.Context, in LoginInput) (*LoginOutput, error)
	// Link adds the identity behind in.Credentials to the caller's user and returns a fresh access token.
	Link(ctx context.Context, in LoginInput) (*LoginOutput, error)
	// Refresh returns a new access token for the session of the refresh token in the Authorization
	// header; the refresh token stays valid (App Services sessions do not rotate).
	Refresh(ctx context.Context, authorization []string) (accessToken string, err error)
	// Logout ends the session of the refresh token in the Authorization header.
	Logout(ctx context.Context, authorization []string) error

	Register(ctx context.Context, email, password string) error
	Confirm(ctx context.Context, token, tokenID string) error
	ResendConfirmation(ctx context.Context, email string) error
	SendPasswordReset(ctx context.Context, email string) error
	ResetPassword(ctx context.Context, token, tokenID, password string) error
	// RetryConfirmation runs the confirmation function again for a pending user.
	RetryConfirmation(ctx context.Context, email string) error
	// CallResetFunction runs the reset function with the new password and the client's arguments.
	CallResetFunction(ctx context.Context, email, password string, args []any) error

	// Profile is the caller's user with its identities.
	Profile(ctx context.Context) (*Profile, error)
	// DeleteMe deletes the caller's user.
	DeleteMe(ctx context.Context) error

	// CallService runs an App Services MongoDB data access call (a service call on functions/call) for
	// the caller and returns its answer as JSON (Extended JSON where documents are concerned).
	CallService(ctx context.Context, call ServiceCall) (json.RawMessage, error)
	// WatchService runs a streaming service call (realm-web's collection.watch()): ready runs once the
	// call is admitted, then send gets each change event until ctx ends or the server stops. An error
	// before ready is the call's answer.
	WatchService(ctx context.Context, call ServiceCall, ready func(), send func(json.RawMessage) error) error

	CreateAPIKey(ctx context.Context, name string) (*APIKey, error)
	ListAPIKeys(ctx context.Context) ([]*APIKey, error)
	GetAPIKey(ctx context.Context, id string) (*APIKey, error)
	DeleteAPIKey(ctx context.Context, id string) error
	SetAPIKeyDisabled(ctx context.Context, id string, disabled bool) error
}

// ServiceCall is a service call as realm-web's MongoDBCollection sends it: body {"name": Action,
// "service": Service, "arguments": [{"database", "collection", ...}]}. Query, Projection (the argument
// "project"), Sort, Update and Document are JSON objects, Pipeline a JSON array, all Extended JSON and nil
// when absent; Limit is 0 when absent.
type ServiceCall struct {
	Service    string
	Action     string
	Database   string
	Collection string
	Query      json.RawMessage
	Projection json.RawMessage
	Sort       json.RawMessage
	Limit      int64
	Update     json.RawMessage
	Upsert     bool
	Document   json.RawMessage
	Pipeline   json.RawMessage
}

// LoginInput is one login or link attempt.
type LoginInput struct {
	Credentials authn.Credentials
	// DeviceID is the device id the client sent (options.device.deviceId), or "".
	DeviceID string
	// Peer is the client's address, for failed-login limits.
	Peer string
}

// LoginOutput is a successful login (or link, which has no refresh token).
type LoginOutput struct {
	UserID       string
	AccessToken  string
	RefreshToken string
	DeviceID     string
}

// Profile is a user as GET /auth/profile shows it.
type Profile struct {
	UserID     string
	Type       string
	Data       map[string]any
	Identities []Identity
}

// Identity is one of a profile's identities.
type Identity struct {
	ID           string
	ProviderType string
	ProviderID   string
	Data         map[string]any
}

// APIKey is a user API key; Key (the secret) is set only when the key was just created.
type APIKey struct {
	ID       string
	Name     string
	Disabled bool
	Key      string
}

// handler serves the API.
type handler struct {
	deps  Deps
	mux   *http.ServeMux
	cors  *cors.Policy
	table []Route // what handle registered, for Routes
}

// New returns the handler of the API; mount it at Prefix.
func New(deps Deps) http.Handler {
	if deps.MaxBodyBytes <= 0 {
		deps.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	deps.PublicURL = strings.TrimRight(deps.PublicURL, "/")
	h := &handler{deps: deps, mux: http.NewServeMux(), cors: cors.New(deps.CORSOrigins)}
	h.cors.AllowMethods, h.cors.AllowHeaders, h.cors.ExposeHeaders = corsAllowMethods, corsAllowHeaders, corsExposeHeaders
	h.routes()
	return h
}
