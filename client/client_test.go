package client_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/client"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/testclock"
	"github.com/lanyardhq/lanyard/server"
)

const publicURL = "http://lanyard.test"

// lanyard is a whole Lanyard server running in the test process.
type lanyard struct {
	*server.Server
	cfg server.Config
}

// startLanyard starts a development Lanyard on loopback ports in a fresh data dir; edit adjusts the
// configuration. The server stops when the test ends.
func startLanyard(t *testing.T, edit func(*server.Config)) *lanyard {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.GRPCAddr = "127.0.0.1:0"
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.PublicURL = publicURL
	cfg.DataDir = t.TempDir()
	cfg.StorePingInterval = 200 * time.Millisecond
	cfg.RevocationInterval = 200 * time.Millisecond
	cfg.CustomDataPollInterval = 200 * time.Millisecond
	cfg.ShutdownGrace = 5 * time.Second
	if edit != nil {
		edit(&cfg)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("server.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not stop")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &lanyard{Server: srv, cfg: cfg}
}

type logBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.String()
}

func (l *lanyard) jwksURL() string { return "http://" + l.HTTPAddr() + "/.well-known/jwks.json" }

// handled reads from the server's own metrics how many calls of an AuthService method it answered.
func (l *lanyard) handled(t *testing.T, method string) int {
	t.Helper()
	resp, err := http.Get("http://" + l.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "grpc_server_handled_total{") || !strings.Contains(line, `grpc_method="`+method+`"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		n += int(v)
	}
	return n
}

// refreshCounter is a client interceptor that records the refresh token of every RefreshSession.
type refreshCounter struct {
	mu     sync.Mutex
	tokens []string
}

func (r *refreshCounter) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if method == lanyardv1.AuthService_RefreshSession_FullMethodName {
		r.mu.Lock()
		r.tokens = append(r.tokens, req.(*lanyardv1.RefreshSessionRequest).GetRefreshToken())
		r.mu.Unlock()
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

func (r *refreshCounter) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.tokens)
}

// assertDistinct checks that no refresh token was sent twice.
func (r *refreshCounter) assertDistinct(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	for _, tok := range r.tokens {
		if seen[tok] {
			t.Errorf("a refresh token was sent twice")
		}
		seen[tok] = true
	}
}

func dial(t *testing.T, addr string, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.Dial(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func reasonOf(err error) string {
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// tamper changes one character in the middle of a token's signature: still canonical base64url,
// no longer a valid signature.
func tamper(token string) string {
	i := strings.LastIndex(token, ".") + 5
	b := []byte(token)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestLoginAndAuthenticatedCalls(t *testing.T) {
	l := startLanyard(t, nil)
	ctx := ctxT(t)
	c := dial(t, l.GRPCAddr())

	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.UserID() == "" || s.AccessToken() == "" || s.RefreshToken() == "" {
		t.Fatalf("session without user or tokens")
	}
	if s.RequireTransportSecurity() {
		t.Errorf("a session of a plaintext loopback client must not require transport security")
	}

	// Per call.
	who, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption())
	if err != nil {
		t.Fatalf("WhoAmI: %v", err)
	}
	if who.GetUserId() != s.UserID() || who.GetUserType() != "normal" {
		t.Errorf("WhoAmI = %s/%s, want %s/normal", who.GetUserId(), who.GetUserType(), s.UserID())
	}
	// Without credentials the server refuses.
	if _, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}); reasonOf(err) != "TOKEN_MISSING" {
		t.Errorf("WhoAmI without a token: %v", err)
	}
	// For a whole connection.
	c2 := dial(t, l.GRPCAddr(), client.WithDialOptions(grpc.WithPerRPCCredentials(s)))
	if who, err := c2.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}); err != nil || who.GetUserId() != s.UserID() {
		t.Fatalf("WhoAmI with connection credentials: %v", err)
	}
	// A connection-level session refreshes over that same connection without deadlocking on itself.
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}); err != nil {
		t.Fatalf("WhoAmI after refresh: %v", err)
	}

	// Email/password.
	if _, err := c.Auth().RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "ada@example.com", Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	ep, err := c.LoginEmailPassword(ctx, "ada@example.com", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	prof, err := c.Metadata().GetProfile(ctx, &lanyardv1.GetProfileRequest{}, ep.CallOption())
	if err != nil || prof.GetProfile().GetUserId() != ep.UserID() {
		t.Fatalf("GetProfile: %v", err)
	}

	// A server API key makes a server principal.
	_, key, err := l.CreateServerAPIKey(ctx, "billing")
	if err != nil {
		t.Fatal(err)
	}
	srvSession, err := c.LoginAPIKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Admin().GetUser(ctx, &lanyardv1.GetUserRequest{UserId: s.UserID()}, srvSession.CallOption()); err != nil {
		t.Fatalf("GetUser as a server principal: %v", err)
	}

	// Logout ends the session: the client refuses to use it, and the server refuses its refresh token.
	rt := s.RefreshToken()
	if err := s.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption()); status.Code(err) != codes.Unauthenticated {
		t.Errorf("WhoAmI after logout: %v", err)
	}
	if _, err := c.Auth().RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: rt}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("RefreshSession after logout: %v", err)
	}
}

func TestRefreshBeforeExpiry(t *testing.T) {
	const ttl = 5 * time.Second
	l := startLanyard(t, func(cfg *server.Config) { cfg.AccessTokenTTL = ttl })
	ctx := ctxT(t)
	counter := &refreshCounter{}
	clock := testclock.New()
	c := dial(t, l.GRPCAddr(), client.WithClock(clock.Now), client.WithDialOptions(grpc.WithChainUnaryInterceptor(counter.intercept)))

	start := clock.Now()
	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		pairs  [][2]string
		hookAt []time.Time
	)
	refreshed := make(chan struct{}, 1)
	s.OnRefresh(func(access, refresh string) {
		mu.Lock()
		defer mu.Unlock()
		pairs = append(pairs, [2]string{access, refresh})
		hookAt = append(hookAt, clock.Now())
		select {
		case refreshed <- struct{}{}:
		default:
		}
	})
	first, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption())
	if err != nil {
		t.Fatal(err)
	}
	firstExpiry := first.GetExpireTime().AsTime()

	// Keep calling, the client's clock a tenth of a second further each time, for most of the token's
	// lifetime: the session must refresh once, on its own, before the first token expires (a 5 s token
	// is refreshed after about 3.5 s; its successor would not be refreshed before about 7 s). The
	// refresh runs in the background while calls go on with the current token; the test waits for it
	// before moving the clock on, as real time would not.
	var last *lanyardv1.WhoAmIResponse
	waited := false
	for clock.Now().Sub(start) < ttl-500*time.Millisecond {
		if last, err = c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption()); err != nil {
			t.Fatalf("WhoAmI at %s: %v", clock.Now().Sub(start), err)
		}
		if counter.count() > 0 && !waited {
			select {
			case <-refreshed:
			case <-ctx.Done():
				t.Fatalf("the refresh started at %s did not finish", clock.Now().Sub(start))
			}
			waited = true
		}
		clock.Advance(100 * time.Millisecond)
	}
	if n := counter.count(); n != 1 {
		t.Fatalf("%d RefreshSession calls, want 1", n)
	}
	counter.assertDistinct(t)
	mu.Lock()
	defer mu.Unlock()
	if len(pairs) != 1 {
		t.Fatalf("OnRefresh called %d times, want 1", len(pairs))
	}
	if !hookAt[0].Before(firstExpiry) {
		t.Errorf("refreshed at %s, after the first token expired at %s", hookAt[0], firstExpiry)
	}
	if last.GetTokenId() == first.GetTokenId() {
		t.Errorf("calls still use the first token")
	}
	if pairs[0][0] != s.AccessToken() || pairs[0][1] != s.RefreshToken() {
		t.Errorf("OnRefresh reported tokens other than the session's")
	}

	// A desktop app resumes from the persisted refresh token.
	resumed := dial(t, l.GRPCAddr()).ResumeSession(pairs[0][1])
	if resumed.UserID() != s.UserID() {
		t.Errorf("resumed session user %q, want %q", resumed.UserID(), s.UserID())
	}
	who, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, resumed.CallOption())
	if err != nil || who.GetUserId() != s.UserID() {
		t.Fatalf("WhoAmI with the resumed session: %v", err)
	}
}

func TestConcurrentCallsShareOneRefresh(t *testing.T) {
	const ttl = 2 * time.Second
	l := startLanyard(t, func(cfg *server.Config) { cfg.AccessTokenTTL = ttl })
	ctx := ctxT(t)
	counter := &refreshCounter{}
	clock := testclock.New()
	c := dial(t, l.GRPCAddr(), client.WithClock(clock.Now), client.WithDialOptions(grpc.WithChainUnaryInterceptor(counter.intercept)))

	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		t.Fatal(err)
	}
	who, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption())
	if err != nil {
		t.Fatal(err)
	}
	// Let the access token expire on the client's clock (the server would still take it: the client
	// does not rely on that).
	clock.Advance(ttl + time.Second)
	before := l.handled(t, "RefreshSession")

	const calls = 50
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	ids := make(chan string, calls)
	for range calls {
		wg.Go(func() {
			who, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption())
			if err != nil {
				errs <- err
				return
			}
			ids <- who.GetTokenId()
		})
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		t.Errorf("WhoAmI: %v", err)
	}
	if n := counter.count(); n != 1 {
		t.Errorf("the client sent %d RefreshSession calls, want 1", n)
	}
	if n := l.handled(t, "RefreshSession") - before; n != 1 {
		t.Errorf("the server answered %d RefreshSession calls, want 1", n)
	}
	for id := range ids {
		if id == who.GetTokenId() {
			t.Errorf("a call went out with the expired token")
		}
	}
	counter.assertDistinct(t)
}

func TestRetryAfterRejectedToken(t *testing.T) {
	l := startLanyard(t, nil)
	ctx := ctxT(t)
	counter := &refreshCounter{}
	c := dial(t, l.GRPCAddr(), client.WithDialOptions(grpc.WithChainUnaryInterceptor(counter.intercept)))
	login, err := c.LoginAnonymous(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// A session resumed with a token the server rejects (TOKEN_INVALID) though the client thinks it
	// fresh: every call is refused once, and 50 of them share one refresh before their one retry.
	s := c.ResumeSession(login.RefreshToken(), client.WithAccessToken(tamper(login.AccessToken())))
	const calls = 50
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range calls {
		wg.Go(func() {
			if _, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption()); err != nil {
				t.Errorf("WhoAmI: %v", err)
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := counter.count(); n != 1 {
		t.Errorf("%d RefreshSession calls, want 1", n)
	}

	// Streams retry too: a watch opened with a rejected token gets its first message after a refresh.
	s2 := c.ResumeSession(s.RefreshToken(), client.WithAccessToken(tamper(s.AccessToken())))
	stream, err := c.CustomData().WatchCustomData(ctx, &lanyardv1.WatchCustomDataRequest{}, s2.CallOption())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("WatchCustomData with a rejected token: %v", err)
	}
	if n := counter.count(); n != 2 {
		t.Errorf("%d RefreshSession calls, want 2", n)
	}
	counter.assertDistinct(t)

	// Never a loop: when the refresh itself is refused, the call fails with the server's answer after
	// one RefreshSession, and the ended session makes no further attempts.
	bad := c.ResumeSession("not.a.token", client.WithAccessToken(tamper(s2.AccessToken())))
	_, err = c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, bad.CallOption())
	if status.Code(err) != codes.Unauthenticated || reasonOf(err) != "TOKEN_INVALID" {
		t.Fatalf("WhoAmI with a dead session: %v (reason %q)", err, reasonOf(err))
	}
	if _, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, bad.CallOption()); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("second WhoAmI with a dead session: %v", err)
	}
	if n := counter.count(); n != 3 {
		t.Errorf("%d RefreshSession calls, want 3", n)
	}
}

func TestCustomData(t *testing.T) {
	l := startLanyard(t, nil)
	ctx := ctxT(t)
	c := dial(t, l.GRPCAddr())
	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type prefs struct {
		Theme string `json:"theme"`
		Level int    `json:"level"`
	}
	if p, err := client.DecodeCustomData[prefs](s); err != nil || p != (prefs{}) {
		t.Fatalf("custom data of a new user = %+v, %v", p, err)
	}

	set, _ := structpb.NewStruct(map[string]any{"theme": "dark", "level": 3})
	before := s.AccessToken()
	if _, err := s.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: set}); err != nil {
		t.Fatal(err)
	}
	if s.AccessToken() == before {
		t.Errorf("UpdateCustomData did not adopt the fresh token")
	}
	if p, err := client.DecodeCustomData[prefs](s); err != nil || p != (prefs{"dark", 3}) {
		t.Fatalf("custom data after update = %+v, %v", p, err)
	}

	// Another writer (a server principal) changes the document: the token is behind until
	// RefreshCustomData.
	_, key, err := l.CreateServerAPIKey(ctx, "ops")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := c.LoginAPIKey(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	inc, _ := structpb.NewStruct(map[string]any{"level": 1})
	if _, err := admin.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{UserId: s.UserID(), Inc: inc}); err != nil {
		t.Fatal(err)
	}
	if admin.UserID() == s.UserID() || strings.Contains(string(admin.CustomData()), "dark") {
		t.Errorf("the server principal adopted a token of the user it wrote for")
	}
	if p, _ := client.DecodeCustomData[prefs](s); p.Level != 3 {
		t.Errorf("the token changed by itself: %+v", p)
	}
	doc, err := s.RefreshCustomData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var fromRPC prefs
	if err := json.Unmarshal(doc, &fromRPC); err != nil || fromRPC.Level != 4 {
		t.Errorf("RefreshCustomData returned %s (%v)", doc, err)
	}
	if p, err := client.DecodeCustomData[prefs](s); err != nil || p != (prefs{"dark", 4}) {
		t.Errorf("custom data after RefreshCustomData = %+v, %v", p, err)
	}

	// A resumed session has no token to read until its first refresh.
	r := c.ResumeSession(s.RefreshToken())
	if _, err := client.DecodeCustomData[prefs](r); !errors.Is(err, client.ErrNoAccessToken) {
		t.Errorf("DecodeCustomData before any token: %v", err)
	}
	if r.CustomData() != nil {
		t.Errorf("CustomData before any token: %s", r.CustomData())
	}
}

func TestVerifier(t *testing.T) {
	l := startLanyard(t, nil)
	ctx := ctxT(t)
	c := dial(t, l.GRPCAddr())
	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := client.NewVerifier(l.jwksURL(), publicURL, l.cfg.AppID)
	if err != nil {
		t.Fatal(err)
	}

	claims, err := v.Verify(s.AccessToken())
	if err != nil {
		t.Fatalf("Verify of a real access token: %v", err)
	}
	who, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption())
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != s.UserID() || claims.SessionID != who.GetSessionId() || claims.ID != who.GetTokenId() ||
		claims.UserType != "normal" || claims.IsServer() || !claims.Expiry.Equal(who.GetExpireTime().AsTime()) {
		t.Errorf("claims %+v do not match WhoAmI %v", claims, who)
	}

	tok := s.AccessToken()
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"refresh token":    s.RefreshToken(),
		"bad signature":    tamper(tok),
		"changed payload":  parts[0] + "." + changedPayload(parts[1]) + "." + parts[2],
		"non-canonical":    nonCanonical(tok),
		"line break":       parts[0] + ".\n" + parts[1] + "." + parts[2],
		"alg none":         b64(`{"alg":"none","kid":"x","typ":"at+jwt"}`) + "." + parts[1] + ".",
		"hmac":             b64(`{"alg":"HS256","kid":"x","typ":"at+jwt"}`) + "." + parts[1] + "." + parts[2],
		"unknown kid":      b64(`{"alg":"ES256","kid":"nope","typ":"at+jwt"}`) + "." + parts[1] + "." + parts[2],
		"two segments":     parts[0] + "." + parts[1],
		"oversized":        tok + strings.Repeat("A", client.MaxTokenSize),
		"plain JWT header": b64(`{"alg":"ES256","kid":"x","typ":"JWT"}`) + "." + parts[1] + "." + parts[2],
	} {
		if _, err := v.Verify(bad); !errors.Is(err, client.ErrTokenInvalid) {
			t.Errorf("%s: Verify = %v, want ErrTokenInvalid", name, err)
		}
	}
	if _, err := v.Verify(""); !errors.Is(err, client.ErrTokenMissing) {
		t.Errorf("empty token: %v", err)
	}

	for name, vv := range map[string][2]string{
		"wrong audience": {publicURL, "another-app"},
		"wrong issuer":   {"http://evil.test", l.cfg.AppID},
	} {
		other, err := client.NewVerifier(l.jwksURL(), vv[0], vv[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Verify(tok); !errors.Is(err, client.ErrTokenInvalid) {
			t.Errorf("%s: Verify = %v, want ErrTokenInvalid", name, err)
		}
	}

	// An unreachable JWKS fails verification, it does not panic or hang.
	down, _ := client.NewVerifier("http://127.0.0.1:1/jwks.json", publicURL, l.cfg.AppID, client.WithFetchTimeout(2*time.Second))
	if _, err := down.Verify(tok); !errors.Is(err, client.ErrTokenInvalid) {
		t.Errorf("unreachable JWKS: %v", err)
	}

	// The interceptor, called directly.
	icpt := client.UnaryServerInterceptor(v)
	handler := func(ctx context.Context, _ any) (any, error) {
		c, ok := client.ClaimsFrom(ctx)
		if !ok {
			return nil, errors.New("no claims in the context")
		}
		return c.Subject, nil
	}
	in := metadata.NewIncomingContext(ctx, metadata.Pairs("authorization", "Bearer "+tok))
	if got, err := icpt(in, nil, &grpc.UnaryServerInfo{}, handler); err != nil || got != s.UserID() {
		t.Errorf("interceptor with a good token: %v, %v", got, err)
	}
	for name, md := range map[string]metadata.MD{
		"TOKEN_MISSING": nil,
		"TOKEN_INVALID": metadata.Pairs("authorization", "Bearer "+tamper(tok)),
	} {
		_, err := icpt(metadata.NewIncomingContext(ctx, md), nil, &grpc.UnaryServerInfo{}, handler)
		if status.Code(err) != codes.Unauthenticated || reasonOf(err) != name {
			t.Errorf("interceptor: %v, want UNAUTHENTICATED %s", err, name)
		}
	}

	// And in a real gRPC service, called with the session; a Lanyard session refreshes and retries
	// when the service rejects its token.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer(grpc.ChainUnaryInterceptor(client.UnaryServerInterceptor(v)))
	healthpb.RegisterHealthServer(gs, health.NewServer())
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	hc := healthpb.NewHealthClient(conn)
	if _, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}, s.CallOption()); err != nil {
		t.Errorf("service call with the session: %v", err)
	}
	if _, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}); reasonOf(err) != "TOKEN_MISSING" {
		t.Errorf("service call without a token: %v", err)
	}
	svc := dial(t, lis.Addr().String())
	stale := c.ResumeSession(s.RefreshToken(), client.WithAccessToken(tamper(tok)))
	if _, err := healthpb.NewHealthClient(svc.Conn()).Check(ctx, &healthpb.HealthCheckRequest{}, stale.CallOption()); err != nil {
		t.Errorf("service call with a rejected token was not retried after a refresh: %v", err)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// changedPayload is the payload with its subject replaced: canonical, signed by no one.
func changedPayload(seg string) string {
	raw, _ := base64.RawURLEncoding.DecodeString(seg)
	var claims map[string]any
	_ = json.Unmarshal(raw, &claims)
	claims["sub"] = "000000000000000000000000"
	out, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(out)
}

// nonCanonical re-spells the signature with its unused low bits set where possible: the same bytes to
// a lenient decoder, another string.
func nonCanonical(tok string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	sig := tok[strings.LastIndex(tok, ".")+1:]
	last := strings.IndexByte(alphabet, sig[len(sig)-1])
	switch len(sig) % 4 {
	case 2:
		last |= 0x0f
	case 3:
		last |= 0x03
	default:
		// No unused bits: append a line break instead, which lenient decoders skip.
		return tok + "\n"
	}
	return tok[:len(tok)-1] + string(alphabet[last])
}

func TestWatch(t *testing.T) {
	l := startLanyard(t, nil)
	ctx := ctxT(t)
	c := dial(t, l.GRPCAddr())
	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		data    json.RawMessage
		version int64
	}
	states := make(chan state, 16)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- client.Watch(wctx, s, "", func(data json.RawMessage, version int64) error {
			states <- state{data, version}
			return nil
		})
	}()
	next := func() state {
		t.Helper()
		select {
		case st := <-states:
			return st
		case <-time.After(10 * time.Second):
			t.Fatal("no state from Watch")
			return state{}
		}
	}
	if st := next(); st.data != nil || st.version != 0 {
		t.Errorf("first state = %s v%d, want no document", st.data, st.version)
	}
	set, _ := structpb.NewStruct(map[string]any{"color": "blue"})
	upd, err := s.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: set})
	if err != nil {
		t.Fatal(err)
	}
	st := next()
	var doc struct {
		Color string `json:"color"`
	}
	if err := json.Unmarshal(st.data, &doc); err != nil || doc.Color != "blue" || st.version != upd.GetVersion() {
		t.Errorf("state after update = %s v%d, want color blue v%d", st.data, st.version, upd.GetVersion())
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Watch returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not stop")
	}

	// An error from fn stops Watch with that error.
	errStop := errors.New("stop")
	if err := client.Watch(ctx, s, "", func(json.RawMessage, int64) error { return errStop }); !errors.Is(err, errStop) {
		t.Errorf("Watch returned %v, want fn's error", err)
	}
}

// flakyWatch is a CustomDataService whose first WatchCustomData fails with UNAVAILABLE.
type flakyWatch struct {
	lanyardv1.UnimplementedCustomDataServiceServer
	calls atomic.Int32
}

func (f *flakyWatch) WatchCustomData(_ *lanyardv1.WatchCustomDataRequest, stream grpc.ServerStreamingServer[lanyardv1.WatchCustomDataResponse]) error {
	if f.calls.Add(1) == 1 {
		return status.Error(codes.Unavailable, "restarting")
	}
	data, _ := structpb.NewStruct(map[string]any{"n": 1})
	if err := stream.Send(&lanyardv1.WatchCustomDataResponse{Data: data, Version: 1}); err != nil {
		return err
	}
	<-stream.Context().Done()
	return nil
}

func TestWatchReconnects(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fake := &flakyWatch{}
	gs := grpc.NewServer()
	lanyardv1.RegisterCustomDataServiceServer(gs, fake)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)

	c := dial(t, lis.Addr().String())
	// The fake server checks no token; an opaque one is never refreshed by the client on its own.
	s := c.ResumeSession("refresh", client.WithAccessToken("opaque"))
	errGot := errors.New("got it")
	var got string
	err = client.Watch(ctxT(t), s, "", func(data json.RawMessage, version int64) error {
		got = fmt.Sprintf("%s v%d", data, version)
		return errGot
	})
	if !errors.Is(err, errGot) {
		t.Fatalf("Watch returned %v", err)
	}
	if got != `{"n":1} v1` || fake.calls.Load() != 2 {
		t.Errorf("got %q after %d calls, want {\"n\":1} v1 after 2", got, fake.calls.Load())
	}
}

func TestTransportSecurityDefault(t *testing.T) {
	for target, wantTLS := range map[string]bool{
		"127.0.0.1:50051":                false,
		"localhost:50051":                false,
		"[::1]:50051":                    false,
		"dns:///localhost:50051":         false,
		"unix:///tmp/lanyard.sock":       false,
		"lanyard.example.com:443":        true,
		"dns:///lanyard.example.com:443": true,
		"10.0.0.5:50051":                 true,
	} {
		c, err := client.Dial(target)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ResumeSession("x").RequireTransportSecurity(); got != wantTLS {
			t.Errorf("%s: session requires TLS = %v, want %v", target, got, wantTLS)
		}
		c.Close()
	}
	c, err := client.Dial("10.0.0.5:50051", client.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.ResumeSession("x").RequireTransportSecurity() {
		t.Errorf("WithInsecure: the session still requires TLS")
	}
}
