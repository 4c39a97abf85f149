package server_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/testclock"
)

// claimsOf decodes a token's claims without checking anything.
func claimsOf(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %.40q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// engineDB connects to the embedded engine a test server exposes (Config.EmbeddedAddr) and returns
// Lanyard's database there.
func engineDB(t *testing.T, ts *testServer) *mongodriver.Database {
	t.Helper()
	client, err := mongodriver.Connect(options.Client().ApplyURI("mongodb://" + ts.EmbeddedAddr() + "/"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(ts.cfg.Database)
}

// TestRotationSealedBeforeUpgrade: a rotating session caught mid-rotation by an upgrade (its successor
// sealed with AES-256-GCM by the previous version) is not logged out: a retry within the grace window
// gets that successor back, and the successor refreshes.
func TestRotationSealedBeforeUpgrade(t *testing.T) {
	master := authn.GenerateMasterKey()
	cfg := testConfig(t)
	cfg.MasterKey = master
	cfg.EmbeddedAddr = freeAddr(t)
	ts := startServer(t, cfg)
	ctx := context.Background()

	login := anonLogin(t, ts)
	first, err := ts.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	successor := first.GetRefreshToken()

	// The successor is sealed with XChaCha20-Poly1305 (version 2, a 192-bit nonce).
	rotations := engineDB(t, ts).Collection("rotations")
	sid, _ := claimsOf(t, login.GetRefreshToken())["sid"].(string)
	var rec struct {
		Sealed []byte `bson:"sealed_successor"`
	}
	if err := rotations.FindOne(ctx, bson.D{{Key: "_id", Value: sid + ":0"}}).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Sealed) != 1+24+len(successor)+16 || rec.Sealed[0] != 2 {
		t.Fatalf("successor sealed as version %d in %d bytes, want version 2 with a 24-byte nonce", rec.Sealed[0], len(rec.Sealed))
	}

	// Rewrite the rotation record as the previous version sealed it: version 1, a 96-bit nonce,
	// AES-256-GCM under the key HKDF derives for refresh tokens, the session id and generation as AAD.
	raw, err := authn.ParseMasterKey(master)
	if err != nil {
		t.Fatal(err)
	}
	key, err := hkdf.Key(sha256.New, raw, nil, "lanyard refresh token", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	old := make([]byte, 1+gcm.NonceSize())
	old[0] = 1
	_, _ = rand.Read(old[1:])
	old = gcm.Seal(old, old[1:], []byte(successor), []byte(sid+":0"))
	res, err := rotations.UpdateOne(ctx, bson.D{{Key: "_id", Value: sid + ":0"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "sealed_successor", Value: old}}}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("rewriting the rotation record: %v (matched %d)", err, res.MatchedCount)
	}

	retry, err := ts.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
	if err != nil {
		t.Fatalf("retry within the grace window after the upgrade: %v", err)
	}
	if retry.GetRefreshToken() != successor {
		t.Fatal("the retry got another successor than the one sealed before the upgrade")
	}
	if _, err := ts.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: successor}); err != nil {
		t.Fatalf("the successor sealed before the upgrade: %v", err)
	}
}

// storeCommands sums lanyard_store_commands_total, health pings aside, as the server's /metrics shows it.
func storeCommands(t *testing.T, ts *testServer) float64 {
	t.Helper()
	var sum float64
	for _, line := range strings.Split(httpGet(t, "http://"+ts.HTTPAddr()+"/metrics"), "\n") {
		if !strings.HasPrefix(line, "lanyard_store_commands_total{") {
			continue
		}
		if strings.Contains(line, `command="ping"`) || strings.Contains(line, `command="hello"`) || strings.Contains(line, `command="isMaster"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}

// forgeRefresh builds a refresh token with the given header and claims and the signature of another
// token: a bad signature.
func forgeRefresh(t *testing.T, header string, claims map[string]any, sig string) string {
	t.Helper()
	raw, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return header + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + sig
}

func b64JSON(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestForgedRefreshTokensReadNothing: a refresh token whose signature does not verify is refused before
// any store read, on every route that takes one (gRPC RefreshSession and Logout; HTTP POST and DELETE
// /auth/session and the API key routes, which take the refresh token as bearer), and a forged token
// naming a live session (gRPC or HTTP) gets the very answer of one naming an unknown session. Tokens in
// the format of a retired signing key cannot be verified without the session's secret: they cost a read
// but get the same answers too.
func TestForgedRefreshTokensReadNothing(t *testing.T) {
	cfg := testConfig(t)
	// No background reads while commands are counted: only health pings, which are not counted.
	cfg.RevocationInterval = time.Hour
	cfg.KeyReloadInterval = time.Hour
	ts := startServer(t, cfg)
	c := newCompat(t, ts)
	ctx := context.Background()

	grpcLogin := anonLogin(t, ts)
	_, httpRefresh, _ := c.mustLogin("anon-user", nil)
	real := strings.Split(grpcLogin.GetRefreshToken(), ".")
	claims := claimsOf(t, grpcLogin.GetRefreshToken())
	sessions := map[string]string{
		"live gRPC session": claims["sid"].(string),
		"live HTTP session": claimsOf(t, httpRefresh)["sid"].(string),
		"unknown session":   "0123456789abcdef01234567",
	}
	variants := map[string]func(sid string) string{
		"sid only": func(sid string) string {
			return forgeRefresh(t, real[0], map[string]any{"sid": sid}, real[2])
		},
		"every claim, bad signature": func(sid string) string {
			forged := maps.Clone(claims)
			forged["sid"] = sid
			return forgeRefresh(t, real[0], forged, real[2])
		},
		"unsigned": func(sid string) string {
			return b64JSON(`{"alg":"none","typ":"rt+jwt"}`) + "." + b64JSON(`{"sid":"`+sid+`"}`) + "."
		},
		"HS256 under another key": func(sid string) string {
			return forgeRefresh(t, b64JSON(`{"alg":"HS256","kid":"rt-000000000000","typ":"rt+jwt"}`), map[string]any{"sid": sid}, real[2])
		},
	}
	// Retired signing keys' tokens are not verifiable by signature; their secret is checked against the
	// session, which takes a read.
	retired := func(sid string) string {
		forged := maps.Clone(claims)
		forged["sid"], forged["rts"] = sid, "a guess"
		return forgeRefresh(t, b64JSON(`{"alg":"ES256","kid":"retired-key","typ":"rt+jwt"}`), forged, real[2])
	}

	type route struct {
		name string
		call func(token string) string // the whole answer, as bytes the client sees
	}
	httpCall := func(method, path string, body any) func(string) string {
		return func(token string) string {
			r := c.do(method, v2+path, body, auth(token)...)
			return fmt.Sprintf("%d %s", r.status, r.raw)
		}
	}
	grpcAnswer := func(err error) string {
		st, _ := status.FromError(err)
		raw, merr := proto.Marshal(st.Proto())
		if merr != nil {
			t.Fatal(merr)
		}
		return string(raw)
	}
	routes := []route{
		{"POST /auth/session", httpCall("POST", "/auth/session", nil)},
		{"DELETE /auth/session", httpCall("DELETE", "/auth/session", nil)},
		{"GET /auth/api_keys", httpCall("GET", "/auth/api_keys", nil)},
		{"POST /auth/api_keys", httpCall("POST", "/auth/api_keys", map[string]string{"name": "k"})},
		{"GET /auth/api_keys/{id}", httpCall("GET", "/auth/api_keys/0123456789abcdef01234567", nil)},
		{"DELETE /auth/api_keys/{id}", httpCall("DELETE", "/auth/api_keys/0123456789abcdef01234567", nil)},
		{"PUT /auth/api_keys/{id}/disable", httpCall("PUT", "/auth/api_keys/0123456789abcdef01234567/disable", nil)},
		{"RefreshSession", func(token string) string {
			_, err := ts.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: token})
			return grpcAnswer(err)
		}},
		{"Logout", func(token string) string {
			_, err := ts.auth.Logout(ctx, &lanyardv1.LogoutRequest{RefreshToken: token})
			return grpcAnswer(err)
		}},
	}

	// answers sends the token of every session to the route and checks that the answers are one.
	answers := func(rt route, variant string, forge func(string) string) {
		t.Helper()
		var first, firstName string
		for name, sid := range sessions {
			got := rt.call(forge(sid))
			if first == "" {
				first, firstName = got, name
				if strings.HasPrefix(got, "2") || got == grpcAnswer(nil) {
					t.Errorf("%s, %s: accepted: %q", rt.name, variant, got)
				}
				continue
			}
			if got != first {
				t.Errorf("%s, %s: a token naming a %s is answered\n%q\nbut one naming a %s\n%q", rt.name, variant, firstName, first, name, got)
			}
		}
	}

	before := storeCommands(t, ts)
	for _, rt := range routes {
		for variant, forge := range variants {
			answers(rt, variant, forge)
		}
	}
	if after := storeCommands(t, ts); after != before {
		t.Errorf("refresh tokens with bad signatures cost %v store commands", after-before)
	}
	for _, rt := range routes {
		answers(rt, "retired signing key", retired)
	}

	// The sessions are untouched.
	if _, err := ts.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: grpcLogin.GetRefreshToken()}); err != nil {
		t.Errorf("the gRPC session after the forgeries: %v", err)
	}
	if r := c.do("POST", v2+"/auth/session", nil, auth(httpRefresh)...); r.status != 201 {
		t.Errorf("the HTTP session after the forgeries: %s", r)
	}
}

// refusedWithin waits (a generous deadline for a background poll) until ts refuses an access token with
// the reason.
func refusedWithin(t *testing.T, ts *testServer, token, reason, what string) {
	t.Helper()
	start := time.Now()
	for {
		_, err := ts.auth.WhoAmI(bearer(token), &lanyardv1.WhoAmIRequest{})
		if err != nil {
			wantError(t, err, codes.Unauthenticated, reason)
			t.Logf("%s: refused after %s (revocation interval %s)", what, time.Since(start).Round(time.Millisecond), ts.cfg.RevocationInterval)
			return
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("%s: the token is still accepted 30 s later", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestUserRevocationsAcrossSkewedReplicas: two replicas whose clocks are a minute (then ten) apart.
// DisableUser, RevokeSessions and DeleteUser on one replica refuse the user's existing access tokens on
// both within the revocation interval, whichever replica minted them: sessions are refused by id, and
// the revocation log is read by sequence number, not by time. (The replica ahead mints tokens that the
// one behind refuses anyway, as issued in the future.) After RevokeSessions the user logs in again.
func TestUserRevocationsAcrossSkewedReplicas(t *testing.T) {
	for _, skew := range []time.Duration{time.Minute, 10 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			master := authn.GenerateMasterKey()
			clockA, clockB := testclock.New(), testclock.New()
			clockB.Advance(skew)
			cfgA := testConfig(t)
			cfgA.MasterKey = master
			cfgA.EmbeddedAddr = freeAddr(t)
			cfgA.Now = clockA.Now
			a := startServer(t, cfgA)
			cfgB := testConfig(t)
			cfgB.MasterKey = master
			cfgB.MongoDBURI = "mongodb://" + cfgA.EmbeddedAddr + "/"
			cfgB.Now = clockB.Now
			b := startServer(t, cfgB)
			admin := serverKey(t, a)
			ctx := context.Background()
			accepted := func(ts *testServer, token, what string) {
				t.Helper()
				if _, err := ts.auth.WhoAmI(bearer(token), &lanyardv1.WhoAmIRequest{}); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}

			// Disabled on the replica behind; the token was minted by the one ahead.
			victim := anonLogin(t, b)
			accepted(b, victim.GetAccessToken(), "a fresh token on the replica that minted it")
			if _, err := a.admin.DisableUser(bearer(admin), &lanyardv1.DisableUserRequest{UserId: victim.GetUserId()}); err != nil {
				t.Fatal(err)
			}
			refusedWithin(t, b, victim.GetAccessToken(), "SESSION_REVOKED", "disabled on the replica behind, token of the replica ahead")
			// The replica behind refuses it anyway: it was issued in the future (beyond the leeway).
			refusedWithin(t, a, victim.GetAccessToken(), "TOKEN_INVALID", "disabled here, token of the replica ahead")
			_, err := b.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: victim.GetRefreshToken()})
			wantError(t, err, codes.PermissionDenied, "USER_DISABLED")

			// Disabled on the replica ahead; the token was minted by the one behind, and both accepted it.
			victim = anonLogin(t, a)
			accepted(b, victim.GetAccessToken(), "a token of the replica behind on the one ahead")
			if _, err := b.admin.DisableUser(bearer(admin), &lanyardv1.DisableUserRequest{UserId: victim.GetUserId()}); err != nil {
				t.Fatal(err)
			}
			refusedWithin(t, a, victim.GetAccessToken(), "SESSION_REVOKED", "disabled on the replica ahead, token of the replica behind")
			refusedWithin(t, b, victim.GetAccessToken(), "SESSION_REVOKED", "disabled here, token of the replica behind")

			// RevokeSessions: the old token is refused, the user logs in again and its new session works.
			creds := &lanyardv1.EmailPasswordCredentials{Email: "skew@example.com", Password: "pw-skewed clocks"}
			if _, err := a.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: creds.Email, Password: creds.Password}); err != nil {
				t.Fatal(err)
			}
			login := func(ts *testServer) *lanyardv1.LoginResponse {
				t.Helper()
				resp, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{EmailPassword: creds}})
				if err != nil {
					t.Fatalf("login: %v", err)
				}
				return resp
			}
			old := login(b)
			if _, err := a.admin.RevokeSessions(bearer(admin), &lanyardv1.RevokeSessionsRequest{UserId: old.GetUserId()}); err != nil {
				t.Fatal(err)
			}
			refusedWithin(t, b, old.GetAccessToken(), "SESSION_REVOKED", "sessions revoked on the replica behind, token of the replica ahead")
			again := login(b)
			accepted(b, again.GetAccessToken(), "a new session after RevokeSessions")
			if _, err := b.auth.RefreshSession(ctx, &lanyardv1.RefreshSessionRequest{RefreshToken: again.GetRefreshToken()}); err != nil {
				t.Errorf("refreshing a new session after RevokeSessions: %v", err)
			}

			// DeleteUser on the replica behind; the token was minted by the one ahead.
			if _, err := a.admin.DeleteUser(bearer(admin), &lanyardv1.DeleteUserRequest{UserId: again.GetUserId()}); err != nil {
				t.Fatal(err)
			}
			refusedWithin(t, b, again.GetAccessToken(), "SESSION_REVOKED", "deleted on the replica behind, token of the replica ahead")
		})
	}
}
