package server_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/cputime"
)

// The cost of the app's own functions in the auth path, with their baselines in the same run: the
// seed's user creation function beside the gRPC hook giving the same document (and beside no hook at
// all), and a custom-function login beside an anonymous one. The server, its store engine (embedded
// FerretDB on SQLite) and the hook all run in this process, so cpu-ms/op, read from getrusage, counts
// every process a user pays for. BENCHMARKS.md has the command and the numbers.

// loopWithCPU runs op b.N times and reports the CPU it took per call.
func loopWithCPU(b *testing.B, op func()) {
	start := cputime.Process()
	n := 0
	for b.Loop() {
		op()
		n++
	}
	b.ReportMetric(float64(cputime.Process()-start)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}

func BenchmarkUserCreation(b *testing.B) {
	b.Run("no_hook", func(b *testing.B) {
		cfg := testConfig(b)
		cfg.CustomDataEnabled, cfg.CustomDataDatabase, cfg.CustomDataCollection, cfg.CustomDataUserIDField = true, "myapp", "users", "user_account_id"
		ts := startServer(b, cfg)
		loopWithCPU(b, func() { anonLogin(b, ts) })
	})
	b.Run("grpc_hook", func(b *testing.B) {
		cfg := testConfig(b)
		cfg.CustomDataEnabled, cfg.CustomDataDatabase, cfg.CustomDataCollection, cfg.CustomDataUserIDField = true, "myapp", "users", "user_account_id"
		cfg.CustomDataOnUserCreation = startHook(b)
		ts := startServer(b, cfg)
		loopWithCPU(b, func() { anonLogin(b, ts) })
	})
	b.Run("js_function", func(b *testing.B) {
		ts := startServer(b, functionsConfig(b, functionsApp(b, map[string]string{"triggers/stampLogin.json": disabledTrigger})))
		loopWithCPU(b, func() { anonLogin(b, ts) })
	})
}

// disabledTrigger turns the example's LOGIN trigger off, so that its runs do not count against the
// logins measured.
const disabledTrigger = `{"name": "stampLogin", "type": "AUTHENTICATION", "function_name": "stampLogin", "disabled": true,
  "config": {"operation_type": "LOGIN", "providers": ["anon-user"]}}`

func BenchmarkCustomFunctionLogin(b *testing.B) {
	// Without the user creation function and the trigger: the logins alone.
	app := functionsApp(b, map[string]string{
		"triggers/stampLogin.json": disabledTrigger,
		"auth/custom_user_data.json": `{"enabled": true, "mongo_service_name": "mongodb-atlas", "database_name": "myapp",
  "collection_name": "users", "user_id_field": "user_account_id"}`,
	})
	cfg := functionsConfig(b, app)
	cfg.Providers = append(cfg.Providers, "api-key")
	ts := startServer(b, cfg)
	ctx := context.Background()
	if _, err := appDB(b, ts).Collection("credentials").InsertOne(ctx, bson.D{{Key: "username", Value: "ada"},
		{Key: "password", Value: "lovelace"}, {Key: "name", Value: "Ada"}}); err != nil {
		b.Fatal(err)
	}
	b.Run("Login_custom_function", func(b *testing.B) {
		loopWithCPU(b, func() {
			if _, err := customFunctionLogin(ctx, ts, map[string]any{"username": "ada", "password": "lovelace"}); err != nil {
				b.Fatal(err)
			}
		})
	})
	// A returning user's login with another provider: the same store work but for the function.
	owner := anonLogin(b, ts)
	key, err := ts.auth.CreateApiKey(bearer(owner.GetAccessToken()), &lanyardv1.CreateApiKeyRequest{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Login_api_key_returning_user", func(b *testing.B) {
		req := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_ApiKey{ApiKey: &lanyardv1.ApiKeyCredentials{Key: key.GetKey()}}}
		loopWithCPU(b, func() {
			if _, err := ts.auth.Login(ctx, req); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Login_anonymous", func(b *testing.B) {
		loopWithCPU(b, func() { anonLogin(b, ts) })
	})
}
