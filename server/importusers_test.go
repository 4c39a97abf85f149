package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/importusers"
	"github.com/lanyardhq/lanyard/server"
)

// The users of examples/sample-app/users.json.
const (
	sampleUsers  = "../examples/sample-app/users.json"
	adaID        = "65a1b2c3d4e5f60718293a4b" // custom-token auth0|ada-lovelace
	bobID        = "65a1b2c3d4e5f60718293a4c" // local-userpass Bob@Example.com
	cyID         = "65a1b2c3d4e5f60718293a4d" // disabled; anon-user and custom-token auth0|cy-young
	serverUserID = "65a1b2c3d4e5f60718293a4e" // server user with an api-key identity
)

func quietLog() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func importConfig(t *testing.T) server.Config {
	cfg := testConfig(t)
	cfg.Providers = []string{"anon-user", "local-userpass", "api-key", "custom-token"}
	cfg.CustomTokenAlg = "HS256"
	cfg.CustomTokenKeys = []string{jwtSecret}
	return cfg
}

// TestImportUsers imports the sample's Admin API user list before the server starts on the same data
// dir, imports it again (everything is skipped), then logs the users in: a custom-token user gets its
// App Services id and the custom data keyed by it, an email/password user gets in only after a reset,
// and a disabled user stays disabled.
func TestImportUsers(t *testing.T) {
	cfg := importConfig(t)
	coll := withDriver(t, &cfg)
	ctx := context.Background()

	rep, err := importusers.Import(ctx, server.StoreOpener(cfg, quietLog()), quietLog(), sampleUsers)
	if err != nil {
		t.Fatal(err)
	}
	want := importusers.Report{Users: 4, UsersCreated: 4, IdentitiesAdded: 5, PasswordsCreated: 1}
	if !sameReport(rep, want) {
		t.Fatalf("first import: %+v, want %+v", rep, want)
	}
	rep, err = importusers.Import(ctx, server.StoreOpener(cfg, quietLog()), quietLog(), sampleUsers)
	if err != nil {
		t.Fatal(err)
	}
	want = importusers.Report{Users: 4, UsersSkipped: 4, IdentitiesSkipped: 5, PasswordsSkipped: 1}
	if !sameReport(rep, want) {
		t.Fatalf("second import: %+v, want %+v", rep, want)
	}

	ts := startServer(t, cfg)
	if _, err := coll().InsertOne(ctx, bson.D{{Key: "user_id", Value: adaID}, {Key: "plan", Value: "gold"}}); err != nil {
		t.Fatal(err)
	}

	// What an administrator sees: type, disabled flag, times, metadata and identities as imported.
	admin := bearer(serverKey(t, ts))
	srvUser, err := ts.admin.GetUser(admin, &lanyardv1.GetUserRequest{UserId: serverUserID})
	if err != nil {
		t.Fatal(err)
	}
	if u := srvUser.GetUser(); u.GetType() != "server" || len(u.GetIdentities()) != 1 ||
		u.GetIdentities()[0].GetProviderType() != "api-key" || u.GetIdentities()[0].GetProviderId() != "65a1b2c3d4e5f60718293a52" {
		t.Errorf("server user %v", u)
	}
	cy, err := ts.admin.GetUser(admin, &lanyardv1.GetUserRequest{UserId: cyID})
	if err != nil {
		t.Fatal(err)
	}
	if u := cy.GetUser(); !u.GetDisabled() || len(u.GetIdentities()) != 2 || !u.GetLastLoginTime().AsTime().Equal(time.Unix(1700000300, 0)) {
		t.Errorf("disabled user %v", u)
	}
	ada, err := ts.admin.GetUser(admin, &lanyardv1.GetUserRequest{UserId: adaID})
	if err != nil {
		t.Fatal(err)
	}
	if u := ada.GetUser(); !u.GetCreateTime().AsTime().Equal(time.Unix(1700000000, 0)) || jsonOf(t, u.GetData())["name"] != "Ada Lovelace" {
		t.Errorf("imported user: created %v, data %v", u.GetCreateTime().AsTime(), u.GetData())
	}

	// A new JWT with the old subject logs in to the old id, and carries the custom data keyed by it.
	login, err := ts.auth.Login(ctx, customToken(t, "auth0|ada-lovelace", nil))
	if err != nil {
		t.Fatal(err)
	}
	if login.GetUserId() != adaID {
		t.Fatalf("logged in as %s, want the imported %s", login.GetUserId(), adaID)
	}
	if data := whoAmIData(t, ts, login.GetAccessToken()); data["plan"] != "gold" {
		t.Errorf("user_data %v, want the document keyed by the App Services id", data)
	}
	got, err := ts.data.GetCustomData(bearer(login.GetAccessToken()), &lanyardv1.GetCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if jsonOf(t, got.GetData())["plan"] != "gold" {
		t.Errorf("GetCustomData %v", got.GetData())
	}

	// The disabled user stays disabled.
	_, err = ts.auth.Login(ctx, customToken(t, "auth0|cy-young", nil))
	wantError(t, err, codes.PermissionDenied, "USER_DISABLED")

	// The email/password user has no password until the reset flow sets one.
	pwLogin := func(email, pw string) (*lanyardv1.LoginResponse, error) {
		return ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email, Password: pw}}})
	}
	_, err = pwLogin("bob@example.com", "pw-any guess at all")
	wantError(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS")
	_, err = pwLogin("bob@example.com", "")
	if err == nil {
		t.Fatal("an empty password logs in to an imported user")
	}
	if _, err := ts.auth.SendPasswordReset(ctx, &lanyardv1.SendPasswordResetRequest{Email: "Bob@Example.com"}); err != nil {
		t.Fatal(err)
	}
	token, tokenID := outboxToken(t, cfg.DataDir, "reset", "bob@example.com")
	if _, err := ts.auth.ResetPassword(ctx, &lanyardv1.ResetPasswordRequest{Token: token, TokenId: tokenID, Password: "pw-brand new secret"}); err != nil {
		t.Fatal(err)
	}
	bob, err := pwLogin("bob@example.com", "pw-brand new secret")
	if err != nil {
		t.Fatal(err)
	}
	if bob.GetUserId() != bobID {
		t.Errorf("Bob logged in as %s, want %s", bob.GetUserId(), bobID)
	}

}

// TestImportUsersProblems: what cannot be imported is reported and the rest goes in; a later import adds
// the identities a user lacks; a malformed file is refused before anything is written.
func TestImportUsersProblems(t *testing.T) {
	cfg := importConfig(t)
	ctx := context.Background()
	dir := t.TempDir()
	first := filepath.Join(dir, "first.json")
	writeJSON(t, first, `[
		{"_id": "65a1b2c3d4e5f60718293b01", "type": "normal", "creation_date": 1700000000,
		 "identities": [{"id": "shared-sub", "provider_type": "custom-token", "provider_id": "x"}]},
		{"_id": {"$oid": "65a1b2c3d4e5f60718293b02"}, "creation_date": {"$numberInt": "1700000000"},
		 "identities": [{"id": "shared-sub", "provider_type": "custom-token", "provider_id": "x"}]},
		{"_id": "65a1b2c3d4e5f60718293b03",
		 "identities": [{"id": "fn-user-1", "provider_type": "custom-function", "provider_id": "x"}]},
		{"_id": "65a1b2c3d4e5f60718293b04",
		 "identities": [{"id": "own-sub", "provider_type": "custom-token", "provider_id": "x"},
		                {"id": "65a1b2c3d4e5f60718293c01", "provider_type": "local-userpass", "provider_id": "x", "provider_data": {}}]}
	]`)
	rep, err := importusers.Import(ctx, server.StoreOpener(cfg, quietLog()), quietLog(), first)
	if err != nil {
		t.Fatal(err)
	}
	want := importusers.Report{Users: 4, UsersCreated: 2, IdentitiesAdded: 2}
	if !sameReport(rep, want) || len(rep.Problems) != 4 {
		t.Fatalf("report %+v, want %+v and 4 problems", rep, want)
	}
	for i, w := range []string{
		`user 65a1b2c3d4e5f60718293b02: not imported: its custom-token identity "shared-sub" belongs to user 65a1b2c3d4e5f60718293b01`,
		`user 65a1b2c3d4e5f60718293b03: identity #1 (custom-function): Lanyard has no "custom-function" provider`,
		`user 65a1b2c3d4e5f60718293b03: not imported: none of its identities can log in to Lanyard`,
		`user 65a1b2c3d4e5f60718293b04: identity #2 (local-userpass): no valid email`,
	} {
		if i >= len(rep.Problems) || !strings.HasPrefix(rep.Problems[i], w) {
			t.Errorf("problem %d: %q, want %q", i, rep.Problems[i], w)
		}
	}
	if s := rep.Summary(); !strings.Contains(s, "not imported (4)") {
		t.Errorf("summary:\n%s", s)
	}

	// The user exists; a second file adds the identity it lacks, and skips what is there.
	second := filepath.Join(dir, "second.json")
	writeJSON(t, second, `{"_id": "65a1b2c3d4e5f60718293b04",
		 "identities": [{"id": "own-sub", "provider_type": "custom-token", "provider_id": "x"},
		                {"id": "g-104", "provider_type": "oauth2-google", "provider_id": "y", "provider_data": {"email": "d@example.com"}},
		                {"id": "65a1b2c3d4e5f60718293c01", "provider_type": "local-userpass", "provider_id": "x", "provider_data": {"email": "D@example.com"}}]}`)
	rep, err = importusers.Import(ctx, server.StoreOpener(cfg, quietLog()), quietLog(), second)
	if err != nil {
		t.Fatal(err)
	}
	want = importusers.Report{Users: 1, UsersSkipped: 1, IdentitiesAdded: 2, IdentitiesSkipped: 1, PasswordsCreated: 1}
	if !sameReport(rep, want) || len(rep.Problems) != 0 {
		t.Fatalf("report %+v (%v), want %+v", rep, rep.Problems, want)
	}

	// A malformed file is refused whole, naming the entry.
	bad := filepath.Join(dir, "bad.json")
	writeJSON(t, bad, `[{"_id": "65a1b2c3d4e5f60718293b09", "identities": [{"id": "new-sub", "provider_type": "custom-token"}]},
		{"_id": "not-an-id", "identities": []}]`)
	_, err = importusers.Import(ctx, server.StoreOpener(cfg, quietLog()), quietLog(), bad)
	if err == nil || !strings.Contains(err.Error(), `user #2: _id: "not-an-id" is not a 24-hex-digit ObjectId`) {
		t.Fatalf("malformed file: %v", err)
	}
	ts := startServer(t, cfg)
	login, err := ts.auth.Login(ctx, customToken(t, "new-sub", nil))
	if err != nil {
		t.Fatal(err)
	}
	if login.GetUserId() == "65a1b2c3d4e5f60718293b09" {
		t.Error("a user of the refused file was imported")
	}
	// The users that went in log in to their ids.
	login, err = ts.auth.Login(ctx, customToken(t, "shared-sub", nil))
	if err != nil || login.GetUserId() != "65a1b2c3d4e5f60718293b01" {
		t.Errorf("shared-sub logs in to %s (%v)", login.GetUserId(), err)
	}
}

// sameReport compares the counts of two reports.
func sameReport(a, b importusers.Report) bool {
	return a.Users == b.Users && a.UsersCreated == b.UsersCreated && a.UsersSkipped == b.UsersSkipped &&
		a.IdentitiesAdded == b.IdentitiesAdded && a.IdentitiesSkipped == b.IdentitiesSkipped &&
		a.PasswordsCreated == b.PasswordsCreated && a.PasswordsSkipped == b.PasswordsSkipped
}

func writeJSON(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// outboxToken returns the latest token of a kind sent to an email by the development sender.
func outboxToken(t *testing.T, dataDir, kind, email string) (token, tokenID string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir, "outbox.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m struct {
			Kind, Email, Token string
			TokenID            string `json:"token_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if m.Kind == kind && m.Email == email {
			token, tokenID = m.Token, m.TokenID
		}
	}
	if token == "" {
		t.Fatalf("no %s token for %s in the outbox", kind, email)
	}
	return token, tokenID
}
