package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/testclock"
)

func serverKey(t testing.TB, ts *testServer) string {
	t.Helper()
	_, key, err := ts.CreateServerAPIKey(context.Background(), "ops")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_ApiKey{ApiKey: &lanyardv1.ApiKeyCredentials{Key: key}}})
	if err != nil {
		t.Fatalf("server key login: %v", err)
	}
	return resp.GetAccessToken()
}

// TestAnonymousSessionFlow is the new user's first walk: login, WhoAmI, GetProfile, refresh, logout, and
// the old refresh token refused.
func TestAnonymousSessionFlow(t *testing.T) {
	ts := startServer(t, testConfig(t))
	login := anonLogin(t, ts)
	if login.GetUserId() == "" || login.GetDeviceId() == "" || login.GetUser().GetType() != "normal" ||
		len(login.GetUser().GetIdentities()) != 1 || login.GetUser().GetIdentities()[0].GetProviderType() != "anon-user" {
		t.Fatalf("login response: %v", login)
	}
	who, err := ts.auth.WhoAmI(bearer(login.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if who.GetUserId() != login.GetUserId() || who.GetUserType() != "normal" || who.GetSessionId() == "" ||
		who.GetExpireTime().AsTime().Sub(who.GetIssueTime().AsTime()) != 30*time.Minute {
		t.Errorf("WhoAmI: %v", who)
	}
	prof, err := ts.meta.GetProfile(bearer(login.GetAccessToken()), &lanyardv1.GetProfileRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if prof.GetProfile().GetUserId() != login.GetUserId() || len(prof.GetProfile().GetIdentities()) != 1 {
		t.Errorf("profile: %v", prof)
	}

	ref, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	if ref.GetRefreshToken() == login.GetRefreshToken() || ref.GetAccessToken() == "" {
		t.Fatal("gRPC sessions must rotate the refresh token")
	}
	// A retry within the grace window gets the same successor.
	again, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	if err != nil || again.GetRefreshToken() != ref.GetRefreshToken() {
		t.Fatalf("retry within grace: %v, same successor %v", err, again.GetRefreshToken() == ref.GetRefreshToken())
	}

	if _, err := ts.auth.Logout(context.Background(), &lanyardv1.LogoutRequest{RefreshToken: ref.GetRefreshToken()}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: ref.GetRefreshToken()})
	wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
	_, err = ts.auth.WhoAmI(bearer(ref.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
	wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
}

func TestPasswordFlow(t *testing.T) {
	ts := startServer(t, testConfig(t))
	ctx := context.Background()
	reg, err := ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "Ada@Example.com", Password: "pw-correct horse"})
	if err != nil || !reg.GetConfirmed() {
		t.Fatalf("register: %v %v", reg, err)
	}
	_, err = ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "ada@example.com", Password: "pw-other one"})
	wantError(t, err, codes.AlreadyExists, "USER_ALREADY_EXISTS")
	_, err = ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "bob@example.com", Password: "pw-1234"})
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
	if f := violationFields(err); len(f) != 1 || f[0] != "password" {
		t.Errorf("violations %v", f)
	}
	_, err = ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "not an email", Password: "pw-long enough"})
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")

	login := func(email, pw string) (*lanyardv1.LoginResponse, error) {
		return ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email, Password: pw}}})
	}
	ok, err := login("ada@example.com", "pw-correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if ids := ok.GetUser().GetIdentities(); len(ids) != 1 || ids[0].GetProviderType() != "local-userpass" || ids[0].GetProviderId() != "ada@example.com" {
		t.Errorf("identities %v", ids)
	}
	_, err = login("ada@example.com", "pw-wrong horse")
	wantError(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS")
	_, err = login("nobody@example.com", "pw-correct horse")
	wantError(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS")
}

func TestRotatedTokenReuseRevokesSession(t *testing.T) {
	clock := testclock.New()
	cfg := testConfig(t)
	cfg.Now = clock.Now
	cfg.RotationGrace = 10 * time.Second
	ts := startServer(t, cfg)
	login := anonLogin(t, ts)
	ref, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(cfg.RotationGrace + time.Second)
	_, err = ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
	_, err = ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: ref.GetRefreshToken()})
	wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
	_, err = ts.auth.WhoAmI(bearer(ref.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
	wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
}

// TestConcurrentRefreshOneSuccessor: 100 refreshes racing with one token yield one live successor.
func TestConcurrentRefreshOneSuccessor(t *testing.T) {
	ts := startServer(t, testConfig(t))
	login := anonLogin(t, ts)
	var mu sync.Mutex
	successors := map[string]int{}
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				successors["error: "+status.Code(err).String()]++
				return
			}
			successors[r.GetRefreshToken()]++
		}()
	}
	wg.Wait()
	if len(successors) != 1 {
		keys := make([]string, 0, len(successors))
		for k, n := range successors {
			keys = append(keys, fmt.Sprintf("%.20s…×%d", k, n))
		}
		t.Fatalf("%d different outcomes: %v", len(successors), keys)
	}
	for tok := range successors {
		if strings.HasPrefix(tok, "error") {
			t.Fatalf("all refreshes failed: %s", tok)
		}
		if _, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: tok}); err != nil {
			t.Fatalf("the successor is not live: %v", err)
		}
	}
}

// TestConcurrentRegisterOneUser: 200 registrations of one email create exactly one user.
func TestConcurrentRegisterOneUser(t *testing.T) {
	ts := startServer(t, testConfig(t))
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[codes.Code]int{}
	var password string
	// Fifty racers, more than the server hashes passwords at once, so that registrations really overlap;
	// each costs an argon2id hash, slow under the race detector.
	const racers = 50
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ts.auth.RegisterUser(context.Background(), &lanyardv1.RegisterUserRequest{Email: "race@example.com", Password: fmt.Sprintf("pw-racer-%03d", i)})
			mu.Lock()
			outcomes[status.Code(err)]++
			if err == nil {
				password = fmt.Sprintf("pw-racer-%03d", i)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if outcomes[codes.OK] != 1 || outcomes[codes.AlreadyExists] != racers-1 {
		t.Fatalf("outcomes %v, want 1 OK and %d AlreadyExists", outcomes, racers-1)
	}
	// The user is created at the first login; racing first logins create one.
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
				EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: "race@example.com", Password: password}}})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	admin := serverKey(t, ts)
	users, err := ts.admin.ListUsers(bearer(admin), &lanyardv1.ListUsersRequest{PageSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range users.GetUsers() {
		for _, id := range u.GetIdentities() {
			if id.GetProviderId() == "race@example.com" {
				n++
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d users with the email", n)
	}
}

// TestEverySingleCharacterChangeRefused flips each character of a real access token; every variant
// must be refused as UNAUTHENTICATED, including the last character of each segment, which a lenient
// base64 decoder would let through.
func TestEverySingleCharacterChangeRefused(t *testing.T) {
	ts := startServer(t, testConfig(t))
	tok := anonLogin(t, ts).GetAccessToken()
	if _, err := ts.auth.WhoAmI(bearer(tok), &lanyardv1.WhoAmIRequest{}); err != nil {
		t.Fatal(err)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(tok); i++ {
		if tok[i] == '.' {
			continue
		}
		// The neighbour in the alphabet differs only in the lowest bits: the change a lenient decoder
		// is most likely to ignore at the end of a segment.
		j := strings.IndexByte(alphabet, tok[i])
		for _, c := range []byte{alphabet[j^1], alphabet[(j+17)%64]} {
			mutated := tok[:i] + string(c) + tok[i+1:]
			_, err := ts.auth.WhoAmI(bearer(mutated), &lanyardv1.WhoAmIRequest{})
			if status.Code(err) != codes.Unauthenticated {
				t.Fatalf("changing position %d to %q: %v", i, c, err)
			}
		}
	}
}

// TestAccessPolicy: a normal user may not call admin methods; a server principal may.
func TestAccessPolicy(t *testing.T) {
	ts := startServer(t, testConfig(t))
	user := anonLogin(t, ts)
	_, err := ts.admin.GetUser(bearer(user.GetAccessToken()), &lanyardv1.GetUserRequest{UserId: user.GetUserId()})
	wantError(t, err, codes.PermissionDenied, "SERVER_PRINCIPAL_REQUIRED")
	_, err = ts.meta.GetProfile(bearer(user.GetAccessToken()), &lanyardv1.GetProfileRequest{UserId: "0123456789abcdef01234567"})
	wantError(t, err, codes.PermissionDenied, "SERVER_PRINCIPAL_REQUIRED")
	// A refresh token is not an access token.
	_, err = ts.auth.WhoAmI(bearer(user.GetRefreshToken()), &lanyardv1.WhoAmIRequest{})
	wantError(t, err, codes.Unauthenticated, "TOKEN_INVALID")

	admin := serverKey(t, ts)
	got, err := ts.admin.GetUser(bearer(admin), &lanyardv1.GetUserRequest{UserId: user.GetUserId()})
	if err != nil || got.GetUser().GetUserId() != user.GetUserId() {
		t.Fatalf("GetUser: %v %v", got, err)
	}
	_, err = ts.admin.GetUser(bearer(admin), &lanyardv1.GetUserRequest{UserId: "0123456789abcdef01234567"})
	wantError(t, err, codes.NotFound, "NOT_FOUND")
	_, err = ts.admin.GetUser(bearer(admin), &lanyardv1.GetUserRequest{UserId: "nope"})
	wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
}

// TestDisableAndRevokeBite: DisableUser and RevokeSessions refuse the user's current access tokens at
// once on this replica, and refreshes too.
func TestDisableAndRevokeBite(t *testing.T) {
	ts := startServer(t, testConfig(t))
	admin := serverKey(t, ts)
	for _, tc := range []struct {
		name   string
		revoke func(id string) error
		code   codes.Code
		reason string
	}{
		{"disable", func(id string) error {
			_, err := ts.admin.DisableUser(bearer(admin), &lanyardv1.DisableUserRequest{UserId: id})
			return err
		}, codes.PermissionDenied, "USER_DISABLED"},
		{"revoke", func(id string) error {
			_, err := ts.admin.RevokeSessions(bearer(admin), &lanyardv1.RevokeSessionsRequest{UserId: id})
			return err
		}, codes.Unauthenticated, "SESSION_REVOKED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user := anonLogin(t, ts)
			if err := tc.revoke(user.GetUserId()); err != nil {
				t.Fatal(err)
			}
			_, err := ts.auth.WhoAmI(bearer(user.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
			wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
			_, err = ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: user.GetRefreshToken()})
			wantError(t, err, tc.code, tc.reason)
		})
	}
}

// TestAnonymousUserLinksNewEmail is App Services' upgrade path: an anonymous user registers an email
// and links it to itself, keeping its id (and its custom data).
func TestAnonymousUserLinksNewEmail(t *testing.T) {
	ts := startServer(t, testConfig(t))
	anon := anonLogin(t, ts)
	if _, err := ts.auth.RegisterUser(context.Background(), &lanyardv1.RegisterUserRequest{Email: "up@example.com", Password: "pw-upgraded"}); err != nil {
		t.Fatal(err)
	}
	creds := &lanyardv1.EmailPasswordCredentials{Email: "up@example.com", Password: "pw-upgraded"}
	if _, err := ts.auth.LinkIdentity(bearer(anon.GetAccessToken()), &lanyardv1.LinkIdentityRequest{Credentials: &lanyardv1.LinkIdentityRequest_EmailPassword{EmailPassword: creds}}); err != nil {
		t.Fatal(err)
	}
	login, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{EmailPassword: creds}})
	if err != nil {
		t.Fatal(err)
	}
	if login.GetUserId() != anon.GetUserId() {
		t.Fatalf("email login reached user %s, want the anonymous user %s", login.GetUserId(), anon.GetUserId())
	}
	other := anonLogin(t, ts)
	_, err = ts.auth.LinkIdentity(bearer(other.GetAccessToken()), &lanyardv1.LinkIdentityRequest{Credentials: &lanyardv1.LinkIdentityRequest_EmailPassword{EmailPassword: creds}})
	wantError(t, err, codes.AlreadyExists, "IDENTITY_ALREADY_LINKED")
}

// TestIdleSessionExpires: with idle expiry on, a session unused for longer ends.
func TestIdleSessionExpires(t *testing.T) {
	clock := testclock.New()
	cfg := testConfig(t)
	cfg.Now = clock.Now
	cfg.SessionIdleTTL = time.Minute
	ts := startServer(t, cfg)
	login := anonLogin(t, ts)
	ref, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	// Used within the idle time, the session lives on.
	clock.Advance(cfg.SessionIdleTTL - time.Second)
	if ref, err = ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: ref.GetRefreshToken()}); err != nil {
		t.Fatalf("refresh within the idle time: %v", err)
	}
	clock.Advance(cfg.SessionIdleTTL + time.Second)
	_, err = ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: ref.GetRefreshToken()})
	wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
}

// TestPasswordGuessingIsLimited: after ten wrong passwords from one address the next attempt is refused
// with RATE_LIMITED, even with the right password.
func TestPasswordGuessingIsLimited(t *testing.T) {
	ts := startServer(t, testConfig(t))
	if _, err := ts.auth.RegisterUser(context.Background(), &lanyardv1.RegisterUserRequest{Email: "guess@example.com", Password: "pw-right one"}); err != nil {
		t.Fatal(err)
	}
	login := func(pw string) error {
		_, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: "guess@example.com", Password: pw}}})
		return err
	}
	for range 10 {
		wantError(t, login("pw-wrong one"), codes.Unauthenticated, "INVALID_CREDENTIALS")
	}
	wantError(t, login("pw-right one"), codes.ResourceExhausted, "RATE_LIMITED")
}
