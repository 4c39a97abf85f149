package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/protobuf/types/known/structpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// keepaliveParams fit the server's enforcement policy, which allows a ping every 20 s at the most (with
// or without active streams) and answers faster pings with GOAWAY too_many_pings. Pinging every 30 s
// stays clear of that limit even with timer jitter, keeps NAT mappings of idle desktop connections
// alive, and notices a dead connection before the next call has to.
var keepaliveParams = keepalive.ClientParameters{
	Time:                30 * time.Second,
	Timeout:             20 * time.Second,
	PermitWithoutStream: true,
}

// Client is a connection to a Lanyard server. It is safe for concurrent use.
type Client struct {
	conn     *grpc.ClientConn
	auth     lanyardv1.AuthServiceClient
	data     lanyardv1.CustomDataServiceClient
	meta     lanyardv1.MetadataServiceClient
	admin    lanyardv1.AdminServiceClient
	insecure bool
	device   *lanyardv1.DeviceInfo
	now      func() time.Time
}

type options struct {
	tls      *tls.Config
	insecure bool
	dialOpts []grpc.DialOption
	device   *lanyardv1.DeviceInfo
	now      func() time.Time
}

// Option configures Dial.
type Option func(*options)

// WithTLS makes Dial use TLS with the given configuration (nil: the system roots).
func WithTLS(cfg *tls.Config) Option {
	return func(o *options) {
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		o.tls, o.insecure = cfg, false
	}
}

// WithInsecure makes Dial use plaintext even for a target that is not on the loopback interface, for
// networks that are private or secured below gRPC (a service mesh). Tokens then cross the network in
// the clear.
func WithInsecure() Option {
	return func(o *options) { o.tls, o.insecure = nil, true }
}

// WithDialOptions adds gRPC dial options, applied after the client's own (so interceptors given here
// run inside the client's retry interceptors).
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOpts = append(o.dialOpts, opts...) }
}

// WithClock sets the clock by which sessions judge when their access token is due for a refresh and
// when it has expired (time.Now by default): tests move it instead of waiting for a token to age.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithDeviceInfo sends d with every login of this client.
func WithDeviceInfo(d *lanyardv1.DeviceInfo) Option {
	return func(o *options) { o.device = d }
}

// Dial prepares a connection to the Lanyard gRPC server at target (a gRPC target such as
// "127.0.0.1:50051" or "dns:///lanyard.internal:443"). Like grpc.NewClient it does not wait for the
// connection: the first call does.
//
// Transport security: WithTLS uses TLS, WithInsecure plaintext. Without either, a loopback target
// (localhost, 127.0.0.0/8, ::1, a unix socket) gets plaintext, which is how a development Lanyard
// listens, and any other target TLS with the system roots, so that tokens never leave the machine in
// the clear by accident.
//
// The connection pings an idle server every 30 s: never more often than the 20 s the server's
// keepalive policy allows, so the server never closes it for pinging too much.
func Dial(target string, opts ...Option) (*Client, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.tls == nil && !o.insecure {
		if isLoopback(target) {
			o.insecure = true
		} else {
			o.tls = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	}
	var creds credentials.TransportCredentials = insecure.NewCredentials()
	if !o.insecure {
		creds = credentials.NewTLS(o.tls)
	}
	dialOpts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithKeepaliveParams(keepaliveParams),
		grpc.WithChainUnaryInterceptor(retryUnary),
		grpc.WithChainStreamInterceptor(retryStream),
	}
	conn, err := grpc.NewClient(target, append(dialOpts, o.dialOpts...)...)
	if err != nil {
		return nil, err
	}
	return &Client{
		conn:     conn,
		auth:     lanyardv1.NewAuthServiceClient(conn),
		data:     lanyardv1.NewCustomDataServiceClient(conn),
		meta:     lanyardv1.NewMetadataServiceClient(conn),
		admin:    lanyardv1.NewAdminServiceClient(conn),
		insecure: o.insecure,
		device:   o.device,
		now:      o.now,
	}, nil
}

// isLoopback reports whether a gRPC target names the local machine.
func isLoopback(target string) bool {
	if strings.HasPrefix(target, "unix:") || strings.HasPrefix(target, "unix-abstract:") {
		return true
	}
	hostport := target
	if _, rest, ok := strings.Cut(target, "://"); ok {
		// scheme://authority/endpoint: the endpoint is what gets resolved.
		_, hostport, _ = strings.Cut(rest, "/")
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Close closes the connection. Sessions of this client stop working.
func (c *Client) Close() error { return c.conn.Close() }

// Conn is the underlying connection, for other services on the same server (health, reflection).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Auth is the AuthService stub.
func (c *Client) Auth() lanyardv1.AuthServiceClient { return c.auth }

// CustomData is the CustomDataService stub.
func (c *Client) CustomData() lanyardv1.CustomDataServiceClient { return c.data }

// Metadata is the MetadataService stub.
func (c *Client) Metadata() lanyardv1.MetadataServiceClient { return c.meta }

// Admin is the AdminService stub (server principals only).
func (c *Client) Admin() lanyardv1.AdminServiceClient { return c.admin }

// Login opens a session with any credentials (Google and Facebook included); the other Login methods
// are shorthands. The client's device info is added when the request has none.
func (c *Client) Login(ctx context.Context, req *lanyardv1.LoginRequest) (*Session, error) {
	if req.GetDevice() == nil && c.device != nil {
		req.Device = c.device
	}
	resp, err := c.auth.Login(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.GetAccessToken() == "" || resp.GetRefreshToken() == "" {
		return nil, errors.New("lanyard client: login response without tokens")
	}
	s := newSession(c, resp.GetUserId(), resp.GetRefreshToken())
	s.deviceID = resp.GetDeviceId()
	s.user = resp.GetUser()
	s.setAccessLocked(resp.GetAccessToken(), true)
	return s, nil
}

// LoginAnonymous logs in as a new anonymous user.
func (c *Client) LoginAnonymous(ctx context.Context) (*Session, error) {
	return c.Login(ctx, &lanyardv1.LoginRequest{
		Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}},
	})
}

// LoginEmailPassword logs in a local-userpass user.
func (c *Client) LoginEmailPassword(ctx context.Context, email, password string) (*Session, error) {
	return c.Login(ctx, &lanyardv1.LoginRequest{
		Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email, Password: password},
		},
	})
}

// LoginAPIKey logs in with a user or server API key. Microservices log in with a server key to act as
// a server principal.
func (c *Client) LoginAPIKey(ctx context.Context, key string) (*Session, error) {
	return c.Login(ctx, &lanyardv1.LoginRequest{
		Credentials: &lanyardv1.LoginRequest_ApiKey{ApiKey: &lanyardv1.ApiKeyCredentials{Key: key}},
	})
}

// LoginCustomToken logs in with a JWT issued by the operator's own identity system.
func (c *Client) LoginCustomToken(ctx context.Context, jwt string) (*Session, error) {
	return c.Login(ctx, &lanyardv1.LoginRequest{
		Credentials: &lanyardv1.LoginRequest_CustomToken{CustomToken: &lanyardv1.CustomTokenCredentials{Token: jwt}},
	})
}

// LoginCustomFunction logs in through the app's authentication function (App Services' custom-function
// provider): payload is the function's argument, and must hold only JSON-like values.
func (c *Client) LoginCustomFunction(ctx context.Context, payload map[string]any) (*Session, error) {
	p, err := structpb.NewStruct(payload)
	if err != nil {
		return nil, fmt.Errorf("lanyard: custom function payload: %w", err)
	}
	return c.Login(ctx, &lanyardv1.LoginRequest{
		Credentials: &lanyardv1.LoginRequest_CustomFunction{CustomFunction: &lanyardv1.CustomFunctionCredentials{Payload: p}},
	})
}

// SessionOption configures ResumeSession.
type SessionOption func(*Session)

// WithAccessToken resumes with a stored access token too, saving a refresh when it is still fresh. Its
// expiry is judged by the local clock.
func WithAccessToken(token string) SessionOption {
	return func(s *Session) {
		if token != "" {
			s.setAccessLocked(token, false)
		}
	}
}

// ResumeSession returns a session continuing from a stored refresh token (as reported by OnRefresh).
// It makes no call: the first call that needs an access token refreshes the session, and fails with
// the server's answer if the session has ended.
func (c *Client) ResumeSession(refreshToken string, opts ...SessionOption) *Session {
	var claims struct {
		Subject string `json:"sub"`
	}
	// The refresh token is a JWS whose subject is the user; reading it unverified is fine for a label,
	// and an opaque token just leaves UserID empty until the first access token.
	_ = peekPayload(refreshToken, &claims)
	s := newSession(c, claims.Subject, refreshToken)
	for _, opt := range opts {
		opt(s)
	}
	return s
}
