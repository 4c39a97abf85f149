package server_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/structpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/server"
)

// functionsApp copies examples/functions-app (the seed's user creation function, a custom-function
// provider checking passwords in a collection, confirmation and reset functions, a LOGIN trigger) into a
// temporary directory, with the files of sources added or replaced.
func functionsApp(t testing.TB, sources map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../examples/functions-app")); err != nil {
		t.Fatal(err)
	}
	for name, content := range sources {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// functionsConfig is a test configuration serving the export in dir.
func functionsConfig(t testing.TB, dir string) server.Config {
	t.Helper()
	cfg := testConfig(t)
	cfg.AppDir = dir
	if err := server.ApplyAppDir(&cfg, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddedAddr = "127.0.0.1:0"
	return cfg
}

// appDB is the export's database myapp on the test server's embedded engine.
func appDB(t testing.TB, ts *testServer) *mongodriver.Database {
	t.Helper()
	client, err := mongodriver.Connect(options.Client().ApplyURI("mongodb://" + ts.EmbeddedAddr() + "/"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database("myapp")
}

func anonRequest() *lanyardv1.LoginRequest {
	return &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}
}

func customDataOf(t *testing.T, token string) map[string]any {
	t.Helper()
	cd, _ := claimsOf(t, token)["user_data"].(map[string]any)
	return cd
}

// TestSeedUserCreationFunctionRunsUnchanged: the seed's function writes the document that the very
// first token carries.
func TestSeedUserCreationFunctionRunsUnchanged(t *testing.T) {
	ts := startServer(t, functionsConfig(t, functionsApp(t, nil)))
	resp := anonLogin(t, ts)
	if cd := customDataOf(t, resp.GetAccessToken()); cd["favorite_color"] != "blue" || cd["user_account_id"] != resp.GetUserId() {
		t.Fatalf("first token's custom data %v, want the seed's document", cd)
	}
}

// TestThrowingUserCreationFunctionLeavesNoUser: a throw fails the login with the function's message and
// leaves no user, identity, session or document.
func TestThrowingUserCreationFunctionLeavesNoUser(t *testing.T) {
	ts := startServer(t, functionsConfig(t, functionsApp(t, map[string]string{
		"functions/onUserCreation.js": `exports = async function(user) { throw new Error("no users on Sundays"); };`,
	})))
	_, err := ts.auth.Login(t.Context(), anonRequest())
	msg := wantError(t, err, codes.FailedPrecondition, "HOOK_FAILED").Message()
	if !strings.Contains(msg, "no users on Sundays") || strings.Contains(msg, ".js:") {
		t.Errorf("message %q: want the function's message and no stack", msg)
	}
	counts := storeCounts(t, appDB(t, ts).Collection("users"), ts.cfg.Database)
	if counts != [4]int64{} {
		t.Errorf("users, identities, sessions, documents = %v after a refused user, want none", counts)
	}
}

// TestCustomFunctionLoginOverGRPC: the payload goes to the function, whose id names the identity; a
// throw is UNAUTHENTICATED with the function's message.
func TestCustomFunctionLoginOverGRPC(t *testing.T) {
	ts := startServer(t, functionsConfig(t, functionsApp(t, nil)))
	ctx := t.Context()
	if _, err := appDB(t, ts).Collection("credentials").InsertOne(ctx, bson.D{{Key: "username", Value: "ada"},
		{Key: "password", Value: "lovelace"}, {Key: "name", Value: "Ada"}}); err != nil {
		t.Fatal(err)
	}
	login := func(user, pass string) (*lanyardv1.LoginResponse, error) {
		payload, err := structpb.NewStruct(map[string]any{"username": user, "password": pass})
		if err != nil {
			t.Fatal(err)
		}
		return ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_CustomFunction{
			CustomFunction: &lanyardv1.CustomFunctionCredentials{Payload: payload}}})
	}
	first, err := login("ada", "lovelace")
	if err != nil {
		t.Fatal(err)
	}
	again, err := login("ada", "lovelace")
	if err != nil {
		t.Fatal(err)
	}
	if first.GetUserId() != again.GetUserId() {
		t.Errorf("the same function id made two users: %s, %s", first.GetUserId(), again.GetUserId())
	}
	_, err = login("ada", "babbage")
	if msg := wantError(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS").Message(); msg != "wrong username or password for ada" {
		t.Errorf("message %q, want the function's", msg)
	}
}

// TestEndlessFunctionIsInterrupted: while (true) {} ends at the deadline, and the server keeps serving.
func TestEndlessFunctionIsInterrupted(t *testing.T) {
	cfg := functionsConfig(t, functionsApp(t, map[string]string{"functions/authenticate.js": `exports = function() { while (true) {} };`}))
	cfg.FunctionsTimeout = 300 * time.Millisecond
	ts := startServer(t, cfg)
	ctx := t.Context()
	payload, _ := structpb.NewStruct(map[string]any{"username": "x"})
	_, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_CustomFunction{
		CustomFunction: &lanyardv1.CustomFunctionCredentials{Payload: payload}}})
	if msg := wantError(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS").Message(); !strings.Contains(msg, "did not finish in time") {
		t.Errorf("message %q", msg)
	}
	anonLogin(t, ts) // still serving

}

// customFunctionLogin logs in with the custom-function provider.
func customFunctionLogin(ctx context.Context, ts *testServer, fields map[string]any) (*lanyardv1.LoginResponse, error) {
	payload, err := structpb.NewStruct(fields)
	if err != nil {
		return nil, err
	}
	return ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_CustomFunction{
		CustomFunction: &lanyardv1.CustomFunctionCredentials{Payload: payload}}})
}

// TestLoginTriggerRunsForEveryLoginAcrossARestart: the LOGIN trigger's function runs at least once for
// each of 20 logins, though the server restarts after the tenth, before it may have run for all of them.
func TestLoginTriggerRunsForEveryLoginAcrossARestart(t *testing.T) {
	cfg := functionsConfig(t, functionsApp(t, nil))
	ctx := t.Context()
	var userID string
	logins := func(ts *testServer, n int) {
		t.Helper()
		if _, err := appDB(t, ts).Collection("credentials").UpdateOne(ctx, bson.D{{Key: "username", Value: "ada"}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "password", Value: "lovelace"}}}}, options.UpdateOne().SetUpsert(true)); err != nil {
			t.Fatal(err)
		}
		for range n {
			resp, err := customFunctionLogin(ctx, ts, map[string]any{"username": "ada", "password": "lovelace"})
			if err != nil {
				t.Fatal(err)
			}
			userID = resp.GetUserId()
		}
	}
	first := startServer(t, cfg)
	logins(first, 10)
	first.stop(t)

	second := startServer(t, cfg)
	logins(second, 10)
	db := appDB(t, second)
	deadline := time.Now().Add(time.Minute) // a backstop: the trigger runs within its poll interval
	var stamped int64
	for time.Now().Before(deadline) {
		n, err := db.Collection("logins").CountDocuments(ctx, bson.D{{Key: "user", Value: userID}})
		if err != nil {
			t.Fatal(err)
		}
		if stamped = n; stamped >= 20 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if stamped < 20 {
		t.Fatalf("%d of 20 logins ran the trigger", stamped)
	}
	var doc bson.M
	if err := db.Collection("users").FindOne(ctx, bson.D{{Key: "user_account_id", Value: userID}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["lastLogin"].(bson.DateTime); !ok {
		t.Errorf("custom data %v: lastLogin is not a date", doc)
	}
}

// TestConfirmationAndResetFunctions: a confirmation function answering pending leaves the user pending
// until ConfirmUser with the token it was given; success confirms at once; a reset function answering
// success sets the password, and fail (or a throw) changes nothing and says so.
func TestConfirmationAndResetFunctions(t *testing.T) {
	ts := startServer(t, functionsConfig(t, functionsApp(t, nil)))
	ctx := t.Context()
	login := func(email, password string) error {
		_, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
			EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email, Password: password}}})
		return err
	}
	register := func(email, password string) {
		t.Helper()
		if _, err := ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: email, Password: password}); err != nil {
			t.Fatalf("register %s: %v", email, err)
		}
	}

	register("grace@example.com", "pw-hopper-1") // the app's own domain: success
	if err := login("grace@example.com", "pw-hopper-1"); err != nil {
		t.Fatalf("a user the function confirmed cannot log in: %v", err)
	}

	const pending = "linus@elsewhere.test"
	register(pending, "pw-torvalds-1")
	wantError(t, login(pending, "pw-torvalds-1"), codes.FailedPrecondition, "USER_PENDING_CONFIRMATION")
	var sent struct {
		Token   string `bson:"token"`
		TokenID string `bson:"tokenId"`
	}
	if err := appDB(t, ts).Collection("outbox").FindOne(ctx, bson.D{{Key: "username", Value: pending}}).Decode(&sent); err != nil {
		t.Fatalf("the confirmation function's token: %v", err)
	}
	if _, err := ts.auth.ConfirmUser(ctx, &lanyardv1.ConfirmUserRequest{Token: sent.Token, TokenId: sent.TokenID}); err != nil {
		t.Fatal(err)
	}
	if err := login(pending, "pw-torvalds-1"); err != nil {
		t.Fatalf("after confirmUser: %v", err)
	}
	_, err := ts.auth.RetryCustomConfirmation(ctx, &lanyardv1.RetryCustomConfirmationRequest{Email: pending})
	if msg := wantError(t, err, codes.FailedPrecondition, "INVALID_ARGUMENT").Message(); !strings.Contains(msg, "already confirmed") {
		t.Errorf("retrying a confirmed user: %q", msg)
	}

	reset := func(answer string) error {
		args, err := structpb.NewList([]any{answer})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ts.auth.CallResetPasswordFunction(ctx, &lanyardv1.CallResetPasswordFunctionRequest{Email: pending, Password: "pw-new-2", Arguments: args})
		return err
	}
	msg := wantError(t, reset("41"), codes.FailedPrecondition, "HOOK_FAILED").Message()
	if !strings.Contains(msg, "did not reset") {
		t.Errorf("a reset function answering fail: %q", msg)
	}
	if err := login(pending, "pw-new-2"); err == nil {
		t.Fatal("a refused reset set the password")
	}
	if err := reset("42"); err != nil {
		t.Fatal(err)
	}
	if err := login(pending, "pw-new-2"); err != nil {
		t.Fatalf("the password the reset function accepted does not log in: %v", err)
	}
	wantError(t, login(pending, "pw-torvalds-1"), codes.Unauthenticated, "INVALID_CREDENTIALS")
}

// TestFunctionSyntaxErrorStopsTheStart: a function that does not compile stops the start, naming its
// file and line.
func TestFunctionSyntaxErrorStopsTheStart(t *testing.T) {
	cfg := functionsConfig(t, functionsApp(t, map[string]string{"functions/resetPassword.js": "exports = function () {\n  var = 1;\n};\n"}))
	srv, err := server.New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		srv.Close()
		t.Fatal("a function that does not compile was accepted")
	}
	if !strings.Contains(err.Error(), "functions/resetPassword.js:2") {
		t.Errorf("error %q does not name the file and line", err)
	}
}

// TestUserCreationFunctionSeesTheUser: the function gets App Services' user object, whose identity id is
// the one the profile shows afterwards.
func TestUserCreationFunctionSeesTheUser(t *testing.T) {
	ts := startServer(t, functionsConfig(t, functionsApp(t, map[string]string{"functions/onUserCreation.js": `exports = async function (user) {
  await context.services.get("mongodb-atlas").db("myapp").collection("users").insertOne({
    user_account_id: user.id, type: user.type, identity: user.identities[0].id, provider: user.identities[0].provider_type });
};`})))
	resp := anonLogin(t, ts)
	cd := customDataOf(t, resp.GetAccessToken())
	prof, err := ts.meta.GetProfile(bearer(resp.GetAccessToken()), &lanyardv1.GetProfileRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.GetProfile().GetIdentities()) != 1 {
		t.Fatalf("profile identities %v", prof.GetProfile().GetIdentities())
	}
	if cd["identity"] != prof.GetProfile().GetIdentities()[0].GetId() || cd["provider"] != "anon-user" || cd["type"] != "normal" {
		t.Errorf("the function saw %v; the profile's identity is %s", cd, prof.GetProfile().GetIdentities()[0].GetId())
	}
}
