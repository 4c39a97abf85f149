package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
	mongostore "github.com/lanyardhq/lanyard/store/mongo"
)

// TestTwoReplicas runs two servers on one store, as replicas do: tokens of one verify on the other, a
// signing key rotated on one is served and used by the other within the reload interval, and a user
// disabled on one is refused by the other within the revocation interval (measured).
func TestTwoReplicas(t *testing.T) {
	master := authn.GenerateMasterKey()
	cfgA := testConfig(t)
	cfgA.MasterKey = master
	cfgA.EmbeddedAddr = freeAddr(t)
	cfgA.KeyReloadInterval = 300 * time.Millisecond
	a := startServer(t, cfgA)
	cfgB := testConfig(t)
	cfgB.MasterKey = master
	cfgB.MongoDBURI = "mongodb://" + cfgA.EmbeddedAddr + "/"
	cfgB.KeyReloadInterval = 300 * time.Millisecond
	b := startServer(t, cfgB)

	user := anonLogin(t, a)
	if _, err := b.auth.WhoAmI(bearer(user.GetAccessToken()), &lanyardv1.WhoAmIRequest{}); err != nil {
		t.Fatalf("a token minted by one replica is refused by the other: %v", err)
	}

	admin := serverKey(t, a)
	rot, err := a.admin.RotateSigningKey(bearer(admin), &lanyardv1.RotateSigningKeyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// Deadlines here are for a loaded machine: the reload and revocation intervals are far shorter.
	deadline := time.Now().Add(30 * time.Second)
	for {
		jwks := httpGet(t, "http://"+b.HTTPAddr()+"/.well-known/jwks.json")
		if strings.Contains(jwks, rot.GetKid()) && kidOf(t, anonLogin(t, b).GetAccessToken()) == rot.GetKid() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica B neither serves nor uses key %s 30 s after the rotation", rot.GetKid())
		}
		time.Sleep(50 * time.Millisecond)
	}

	victim := anonLogin(t, b)
	if _, err := a.admin.DisableUser(bearer(admin), &lanyardv1.DisableUserRequest{UserId: victim.GetUserId()}); err != nil {
		t.Fatal(err)
	}
	disabledAt := time.Now()
	for {
		_, err := b.auth.WhoAmI(bearer(victim.GetAccessToken()), &lanyardv1.WhoAmIRequest{})
		if err != nil {
			wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
			break
		}
		if time.Since(disabledAt) > 30*time.Second {
			t.Fatal("replica B still accepts a disabled user's token 30 s later")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("revocation reached the other replica in %s (interval %s)", time.Since(disabledAt).Round(time.Millisecond), cfgB.RevocationInterval)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return string(body)
}

// kidOf reads the kid from a token's header.
func kidOf(t *testing.T, token string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.SplitN(token, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// TestRefreshHeedsRevocationLog: a session revocation that reached this replica only through the
// revocation log (a replica of the previous version records its marker where this version does not
// look) still stops refreshes of the session.
func TestRefreshHeedsRevocationLog(t *testing.T) {
	cfg := testConfig(t)
	cfg.EmbeddedAddr = freeAddr(t)
	ts := startServer(t, cfg)
	user := anonLogin(t, ts)
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(user.GetAccessToken(), ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.SID == "" {
		t.Fatalf("no sid in the access token: %v", err)
	}
	st, err := mongostore.Open(t.Context(), mongostore.Config{URI: "mongodb://" + cfg.EmbeddedAddr + "/", Database: cfg.Database})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	if err := st.AddRevocations(t.Context(), &store.Revocation{SessionID: claims.SID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Deadlines here are for a loaded machine: the reload and revocation intervals are far shorter.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: user.GetRefreshToken()})
		if err != nil {
			wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("refreshes of a session in the revocation log still succeed 30 s later")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
