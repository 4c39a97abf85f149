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
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// claimsOf decodes a token's claims without checking anything.
func claimsOf(t *testing.T, token string) map[string]any {
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
