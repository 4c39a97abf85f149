package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// refreshTimeout bounds one RefreshSession. The call runs detached from the context of the caller that
// started it, because other callers wait for the same refresh and must not lose it when that caller
// gives up.
const refreshTimeout = 30 * time.Second

// Errors of Session methods. Calls made with a session that cannot supply a token fail with a gRPC
// status (UNAUTHENTICATED) whose message says why.
var (
	// ErrNoAccessToken means the session holds no access token yet (a resumed session before its
	// first call or Refresh).
	ErrNoAccessToken = errors.New("lanyard client: the session holds no access token yet")
	// ErrCustomDataOmitted means the custom data document was too large to ride in the access token;
	// read it with GetCustomData.
	ErrCustomDataOmitted = errors.New("lanyard client: the custom data document is too large for the access token; use GetCustomData")
	errLoggedOut         = status.Error(codes.Unauthenticated, "lanyard client: the session was logged out")
)

// noTokenMethods are the calls that authenticate by their request, not by an access token. The session
// never attaches its token to them; for RefreshSession this is also what lets a session installed on
// the connection itself refresh without waiting for its own refresh.
var noTokenMethods = map[string]bool{
	lanyardv1.AuthService_Login_FullMethodName:          true,
	lanyardv1.AuthService_RefreshSession_FullMethodName: true,
	lanyardv1.AuthService_Logout_FullMethodName:         true,
}

// Session is a logged-in session: its tokens, kept fresh. It implements
// credentials.PerRPCCredentials and is safe for concurrent use.
type Session struct {
	c        *Client
	deviceID string
	user     *lanyardv1.User

	mu        sync.Mutex
	userID    string
	access    string
	refresh   string
	gen       uint64    // counts access token changes: tells a waiter whether someone refreshed already
	refreshAt time.Time // when to refresh proactively; zero: unknown lifetime, only on rejection
	expiresAt time.Time // when the access token stops being usable (conservatively); zero: unknown
	userData  json.RawMessage
	omitted   bool
	inflight  *refreshCall
	ended     error // the server's definitive refusal of the refresh token
	closed    bool  // Logout was called
	hooks     []func(access, refresh string)

	hookMu   sync.Mutex // serialises OnRefresh hooks so that they see token pairs in order
	notified uint64     // the gen last reported to the hooks
}

// refreshCall is one RefreshSession shared by every caller that needs it.
type refreshCall struct {
	done chan struct{}
	err  error
}

func newSession(c *Client, userID, refresh string) *Session {
	return &Session{c: c, userID: userID, refresh: refresh}
}

// UserID is the session's user id.
func (s *Session) UserID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userID
}

// DeviceID is the device id of the session (empty for a resumed session).
func (s *Session) DeviceID() string { return s.deviceID }

// User is the user returned by the login (nil for a resumed session).
func (s *Session) User() *lanyardv1.User { return s.user }

// AccessToken is the current access token, as is: it may be stale. Token refreshes it when needed.
func (s *Session) AccessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access
}

// RefreshToken is the current refresh token. Store it where OnRefresh tells you to, not from here:
// every refresh replaces it.
func (s *Session) RefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh
}

// OnRefresh registers fn to be called with the new token pair after every change of the session's
// tokens (refresh, RefreshCustomData, UpdateCustomData). Calls are serialised and in order, so a
// desktop app can simply persist what it is given. fn must not refresh or log out the session.
func (s *Session) OnRefresh(fn func(access, refresh string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// CallOption attaches the session's token to one call: grpc.PerRPCCredentials(s).
func (s *Session) CallOption() grpc.CallOption { return grpc.PerRPCCredentials(s) }

// RequireTransportSecurity reports whether the token may only travel over TLS: true unless the client
// was dialled without TLS (WithInsecure, or a loopback target), so that a session of a TLS client is
// never sent over a plaintext connection by mistake.
func (s *Session) RequireTransportSecurity() bool { return !s.c.insecure }

// GetRequestMetadata supplies `authorization: Bearer <access token>`. When the token is near its expiry
// it starts a refresh in the background and sends the still valid token meanwhile; only a call that
// has no valid token left waits for the refresh.
func (s *Session) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	if ri, ok := credentials.RequestInfoFromContext(ctx); ok && noTokenMethods[ri.Method] {
		return nil, nil
	}
	tok, gen, err := s.token(ctx)
	if err != nil {
		return nil, err
	}
	if sent, ok := ctx.Value(sentKey{}).(*sentToken); ok {
		sent.record(s, gen)
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// Token returns a valid access token, refreshing the session when needed: for calls to other services
// that check Lanyard tokens (over HTTP, say).
func (s *Session) Token(ctx context.Context) (string, error) {
	tok, _, err := s.token(ctx)
	return tok, err
}

func (s *Session) token(ctx context.Context) (string, uint64, error) {
	s.mu.Lock()
	if err := s.unusableLocked(); err != nil {
		s.mu.Unlock()
		return "", 0, err
	}
	now := s.c.now()
	fresh := s.access != "" && (s.refreshAt.IsZero() || now.Before(s.refreshAt))
	valid := s.access != "" && (s.expiresAt.IsZero() || now.Before(s.expiresAt))
	if fresh || valid {
		if !fresh {
			s.startRefreshLocked(ctx)
		}
		tok, gen := s.access, s.gen
		s.mu.Unlock()
		return tok, gen, nil
	}
	gen := s.gen
	s.mu.Unlock()

	if err := s.refreshAfter(ctx, gen); err != nil {
		return "", 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access, s.gen, nil
}

func (s *Session) unusableLocked() error {
	switch {
	case s.closed:
		return errLoggedOut
	case s.ended != nil:
		return s.ended
	}
	return nil
}

// Refresh exchanges the refresh token for a new token pair now (or joins a refresh already under way).
func (s *Session) Refresh(ctx context.Context) error {
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	return s.refreshAfter(ctx, gen)
}

// refreshAfter refreshes the session unless its access token changed since generation gen (another
// caller refreshed it meanwhile). At most one RefreshSession is in flight per session; everyone who
// needs a refresh while it runs waits for that one.
func (s *Session) refreshAfter(ctx context.Context, gen uint64) error {
	s.mu.Lock()
	if s.gen != gen {
		s.mu.Unlock()
		return nil
	}
	if err := s.unusableLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	call := s.startRefreshLocked(ctx)
	s.mu.Unlock()
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

// startRefreshLocked returns the refresh in flight, starting one if there is none.
func (s *Session) startRefreshLocked(ctx context.Context) *refreshCall {
	if s.inflight == nil {
		s.inflight = &refreshCall{done: make(chan struct{})}
		// Detached from the caller's cancellation (see refreshTimeout) and from its outgoing metadata,
		// which belongs to the caller's own call; trace context and other values carry over.
		rctx := metadata.NewOutgoingContext(context.WithoutCancel(ctx), metadata.MD{})
		go s.runRefresh(rctx, s.inflight, s.refresh)
	}
	return s.inflight
}

// runRefresh makes the one RefreshSession of call. Rotation safety lives here: the token sent is read
// under the lock that also installs its successor, only one call is in flight, and a token the server
// accepted is never sent again: the successor from the response replaces it. On UNAUTHENTICATED the
// session is over and nothing is sent again. Any other failure leaves the token in place for the next
// attempt: either the server refused it without rotating (USER_DISABLED, STORE_UNAVAILABLE), or the
// answer was lost and the server may have rotated it, and sending it again is then exactly the retry
// the server's grace window is made for (it answers with the same successor).
func (s *Session) runRefresh(ctx context.Context, call *refreshCall, refresh string) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	resp, err := s.c.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: refresh})
	if err == nil && resp.GetAccessToken() == "" {
		err = status.Error(codes.Internal, "lanyard client: refresh response without an access token")
	}
	s.mu.Lock()
	switch {
	case err == nil:
		if resp.GetRefreshToken() != "" {
			s.refresh = resp.GetRefreshToken()
		}
		s.setAccessLocked(resp.GetAccessToken(), true)
	case status.Code(err) == codes.Unauthenticated:
		s.ended = err
	}
	s.inflight = nil
	s.mu.Unlock()
	call.err = err
	close(call.done)
	if err == nil {
		s.notify()
	}
}

// adoptAccess installs an access token the server minted for this session outside a refresh
// (RefreshCustomData, UpdateCustomData). A token for another user is never adopted.
func (s *Session) adoptAccess(token string) {
	if token == "" {
		return
	}
	var claims struct {
		Subject string `json:"sub"`
	}
	if err := peekPayload(token, &claims); err != nil {
		return
	}
	s.mu.Lock()
	if s.closed || (s.userID != "" && claims.Subject != s.userID) {
		s.mu.Unlock()
		return
	}
	s.setAccessLocked(token, true)
	s.mu.Unlock()
	s.notify()
}

// setAccessLocked installs an access token and works out when to refresh it. The schedule comes from
// the token's own iat and exp, read without verification (it is our own token, straight from the
// server; the server verifies it on every call). For a token just received, its lifetime is counted
// from the moment it arrived, so a skewed local clock does not matter; a stored token (fresh false) can
// only be judged against exp by the local clock.
func (s *Session) setAccessLocked(token string, fresh bool) {
	var c struct {
		Subject  string          `json:"sub"`
		IssuedAt float64         `json:"iat"`
		Expiry   float64         `json:"exp"`
		UserData json.RawMessage `json:"user_data"`
		Omitted  bool            `json:"user_data_omitted"`
	}
	s.access = token
	s.gen++
	s.refreshAt, s.expiresAt, s.userData, s.omitted = time.Time{}, time.Time{}, nil, false
	if err := peekPayload(token, &c); err != nil {
		return // not a JWT we can read: refresh only when the server refuses it
	}
	if s.userID == "" {
		s.userID = c.Subject
	}
	s.userData, s.omitted = c.UserData, c.Omitted
	if c.Expiry <= c.IssuedAt || c.IssuedAt <= 0 {
		return
	}
	lifetime := time.Duration((c.Expiry - c.IssuedAt) * float64(time.Second))
	now := s.c.now()
	expires := time.Unix(0, int64(c.Expiry*float64(time.Second)))
	if fresh {
		expires = now.Add(lifetime)
	}
	// JWT times are whole seconds, so the token may really expire up to a second before what it says.
	expires = expires.Add(-time.Second)
	// Refresh with a tenth of the lifetime left, at most a minute early: a 30-minute token is refreshed
	// after about 29 minutes. Never before half the lifetime, so very short tokens do not refresh on
	// every call.
	margin := min(lifetime/10, time.Minute)
	s.expiresAt = expires
	s.refreshAt = expires.Add(-margin)
	if fresh {
		s.refreshAt = later(s.refreshAt, now.Add(lifetime/2))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// notify reports the current token pair to the OnRefresh hooks, unless a later change was already
// reported.
func (s *Session) notify() {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.mu.Lock()
	access, refresh, gen, hooks := s.access, s.refresh, s.gen, s.hooks
	s.mu.Unlock()
	if gen <= s.notified {
		return
	}
	s.notified = gen
	for _, fn := range hooks {
		fn(access, refresh)
	}
}

// Logout ends the session on the server. The session is unusable afterwards even when the call fails
// (call Logout again to retry telling the server). A refresh under way is waited for first, so that the
// token logged out is the live one, not its rotated predecessor.
func (s *Session) Logout(ctx context.Context) error {
	s.mu.Lock()
	for s.inflight != nil {
		call := s.inflight
		s.mu.Unlock()
		select {
		case <-call.done:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
		s.mu.Lock()
	}
	s.closed = true
	refresh := s.refresh
	s.mu.Unlock()
	_, err := s.c.auth.Logout(ctx, &lanyardv1.LogoutRequest{RefreshToken: refresh})
	return err
}

// CustomData returns the custom user data document carried in the user_data claim of the current
// access token: the document as of the token's minting. The token is read WITHOUT verification, which
// is fine because it is the client's own token, received from the server over the session's connection;
// never trust a token received from someone else this way (use a Verifier). It is nil when the session
// holds no access token yet or the document was too large for the token (see DecodeCustomData).
func (s *Session) CustomData() json.RawMessage {
	data, _ := s.customData()
	return data
}

func (s *Session) customData() (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.access == "":
		return nil, ErrNoAccessToken
	case s.omitted:
		return nil, ErrCustomDataOmitted
	case len(s.userData) == 0:
		return json.RawMessage("{}"), nil
	}
	return bytes.Clone(s.userData), nil
}

// DecodeCustomData decodes the custom data carried in the session's access token into a T (see
// Session.CustomData). The document is Relaxed Extended JSON: ObjectIds, dates and binaries keep their
// wrappers ({"$oid": …}) and an int64 beyond ±2^53 is {"$numberLong": "…"}, so T's fields must expect
// those shapes.
func DecodeCustomData[T any](s *Session) (T, error) {
	var v T
	data, err := s.customData()
	if err != nil {
		return v, err
	}
	err = json.Unmarshal(data, &v)
	return v, err
}

// RefreshCustomData asks the server for the current document and an access token carrying it, and
// makes that token the session's (App Services' refreshCustomData). It returns the document.
func (s *Session) RefreshCustomData(ctx context.Context) (json.RawMessage, error) {
	resp, err := s.c.data.RefreshCustomData(ctx, &lanyardv1.RefreshCustomDataRequest{}, s.CallOption())
	if err != nil {
		return nil, err
	}
	s.adoptAccess(resp.GetAccessToken())
	return structJSON(resp.GetData())
}

// UpdateCustomData calls UpdateCustomData with the session's token and, when the server returns a
// fresh access token (callers updating their own data), makes it the session's, so that the token's
// user_data follows the write at once.
func (s *Session) UpdateCustomData(ctx context.Context, req *lanyardv1.UpdateCustomDataRequest) (*lanyardv1.UpdateCustomDataResponse, error) {
	resp, err := s.c.data.UpdateCustomData(ctx, req, s.CallOption())
	if err != nil {
		return nil, err
	}
	s.adoptAccess(resp.GetAccessToken())
	return resp, nil
}

// structJSON turns a document from the wire into compact JSON; nil stays nil (no document).
func structJSON(st *structpb.Struct) (json.RawMessage, error) {
	if st == nil {
		return nil, nil
	}
	raw, err := st.MarshalJSON()
	if err != nil {
		return nil, err
	}
	// protojson varies its whitespace on purpose; compact output compares and logs predictably.
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// peekPayload decodes the claims of a compact JWS without verifying it.
func peekPayload(token string, v any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("lanyard client: not a compact JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return err
	}
	return json.Unmarshal(payload, v)
}
