package server_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/testclock"
)

// Lanyard's own metrics, read as an operator reads them: /metrics scraped over HTTP before and after
// real calls, over gRPC and the App Services API.

// scrape reads /metrics and gives one value per series, keyed as the exposition format writes it
// (name{label="value",...}, labels in name order); a histogram gives its _count and _sum.
func scrape(t testing.TB, ts *testServer) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + ts.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			labels := seriesLabels(m.GetLabel())
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[name+labels] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[name+labels] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[name+"_count"+labels] = float64(m.GetHistogram().GetSampleCount())
				out[name+"_sum"+labels] = m.GetHistogram().GetSampleSum()
			default:
				out[name+labels] = m.GetUntyped().GetValue()
			}
		}
	}
	return out
}

func seriesLabels(pairs []*dto.LabelPair) string {
	if len(pairs) == 0 {
		return ""
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = fmt.Sprintf("%s=%q", p.GetName(), p.GetValue())
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// movesOnItsOwn says which of Lanyard's series change without a call: the store's commands (health
// pings), the key's age (the clock), and the time the hook took (real time).
func movesOnItsOwn(key string) bool {
	return strings.HasPrefix(key, "lanyard_store_commands_total") || strings.HasPrefix(key, "lanyard_signing_key_age_seconds") ||
		strings.HasPrefix(key, "lanyard_hook_duration_seconds_sum")
}

// wantMoved checks that every lanyard_ series moved between the scrapes by exactly what want says, and
// the others not at all.
func wantMoved(t *testing.T, step string, before, after, want map[string]float64) {
	t.Helper()
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
		if _, ok := after[k]; !ok {
			t.Errorf("%s: %s is not on /metrics", step, k)
		}
	}
	for k := range keys {
		if !strings.HasPrefix(k, "lanyard_") || movesOnItsOwn(k) {
			continue
		}
		if d := after[k] - before[k]; d != want[k] {
			t.Errorf("%s: %s moved by %v, want %v", step, k, d, want[k])
		}
	}
}

// measure runs call between two scrapes and checks what moved.
func measure(t *testing.T, ts *testServer, step string, want map[string]float64, call func()) map[string]float64 {
	t.Helper()
	before := scrape(t, ts)
	call()
	after := scrape(t, ts)
	wantMoved(t, step, before, after, want)
	return after
}

func passwordLogin(ts *testServer, email, password string) error {
	_, err := ts.auth.Login(context.Background(), &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
		EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: email, Password: password}}})
	return err
}

// TestMetricsSessions: logins by provider and result, refreshes, the reuse of a rotated refresh token,
// the failed-login limit, revocations by reason, and the signing key's age by the server's clock.
func TestMetricsSessions(t *testing.T) {
	clock := testclock.New()
	cfg := testConfig(t)
	cfg.Now = clock.Now
	cfg.RotationGrace = 10 * time.Second
	ts := startServer(t, cfg)
	admin := serverKey(t, ts)

	var login *lanyardv1.LoginResponse
	measure(t, ts, "anonymous login", map[string]float64{`lanyard_logins_total{provider="anon-user",result="ok"}`: 1}, func() {
		login = anonLogin(t, ts)
	})
	measure(t, ts, "failed password login", map[string]float64{`lanyard_logins_total{provider="local-userpass",result="invalid_credentials"}`: 1}, func() {
		wantError(t, passwordLogin(ts, "nobody@example.com", "pw-not a password"), codes.Unauthenticated, "INVALID_CREDENTIALS")
	})

	var next *lanyardv1.RefreshSessionResponse
	measure(t, ts, "refresh", map[string]float64{`lanyard_refreshes_total{result="ok"}`: 1}, func() {
		var err error
		if next, err = ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()}); err != nil {
			t.Fatal(err)
		}
	})
	clock.Advance(cfg.RotationGrace + time.Second)
	measure(t, ts, "reuse after the grace window", map[string]float64{
		`lanyard_refreshes_total{result="reused"}`:  1,
		`lanyard_revocations_total{reason="reuse"}`: 1,
	}, func() {
		_, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: login.GetRefreshToken()})
		wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
	})
	measure(t, ts, "refresh of the revoked session", map[string]float64{`lanyard_refreshes_total{result="revoked"}`: 1}, func() {
		_, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: next.GetRefreshToken()})
		wantError(t, err, codes.Unauthenticated, "SESSION_REVOKED")
	})

	out := anonLogin(t, ts)
	measure(t, ts, "logout", map[string]float64{`lanyard_revocations_total{reason="logout"}`: 1}, func() {
		if _, err := ts.auth.Logout(context.Background(), &lanyardv1.LogoutRequest{RefreshToken: out.GetRefreshToken()}); err != nil {
			t.Fatal(err)
		}
	})
	user := anonLogin(t, ts).GetUserId()
	for _, step := range []struct {
		reason string
		call   func() error
	}{
		{"revoke_sessions", func() error {
			_, err := ts.admin.RevokeSessions(bearer(admin), &lanyardv1.RevokeSessionsRequest{UserId: user})
			return err
		}},
		{"user_disabled", func() error {
			_, err := ts.admin.DisableUser(bearer(admin), &lanyardv1.DisableUserRequest{UserId: user})
			return err
		}},
		{"user_deleted", func() error {
			_, err := ts.admin.DeleteUser(bearer(admin), &lanyardv1.DeleteUserRequest{UserId: user})
			return err
		}},
	} {
		measure(t, ts, step.reason, map[string]float64{`lanyard_revocations_total{reason="` + step.reason + `"}`: 1}, func() {
			if err := step.call(); err != nil {
				t.Fatalf("%s: %v", step.reason, err)
			}
		})
	}

	// The limiter's clock is the test's, so the window cannot run out under a slow machine.
	const guesses = 10
	measure(t, ts, "failed logins up to the limit", map[string]float64{`lanyard_logins_total{provider="local-userpass",result="invalid_credentials"}`: guesses}, func() {
		for range guesses {
			wantError(t, passwordLogin(ts, "guess@example.com", "pw-not a password"), codes.Unauthenticated, "INVALID_CREDENTIALS")
		}
	})
	measure(t, ts, "login past the limit", map[string]float64{
		`lanyard_logins_total{provider="local-userpass",result="rate_limited"}`: 1,
		`lanyard_rate_limit_refusals_total{limiter="identity"}`:                 1,
	}, func() {
		wantError(t, passwordLogin(ts, "guess@example.com", "pw-not a password"), codes.ResourceExhausted, "RATE_LIMITED")
	})

	// The key was made at the start, by the test's clock: its age is what the clock moved since.
	const age = `lanyard_signing_key_age_seconds`
	if got, want := scrape(t, ts)[age], (cfg.RotationGrace + time.Second).Seconds(); math.Abs(got-want) > 0.01 {
		t.Errorf("%s = %v, want %v", age, got, want)
	}
	if _, err := ts.admin.RotateSigningKey(bearer(admin), &lanyardv1.RotateSigningKeyRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := scrape(t, ts)[age]; math.Abs(got) > 0.01 {
		t.Errorf("%s = %v right after a rotation, want 0", age, got)
	}
	clock.Advance(90 * time.Minute)
	if got, want := scrape(t, ts)[age], (90 * time.Minute).Seconds(); math.Abs(got-want) > 0.01 {
		t.Errorf("%s = %v after the clock moved 90 min, want %v", age, got, want)
	}
}

// TestMetricsAppServices: the App Services API's logins and refreshes are counted as gRPC's are.
func TestMetricsAppServices(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	var refresh string
	measure(t, ts, "App Services anonymous login", map[string]float64{`lanyard_logins_total{provider="anon-user",result="ok"}`: 1}, func() {
		_, refresh, _ = c.mustLogin("anon-user", map[string]any{})
	})
	measure(t, ts, "App Services failed password login", map[string]float64{`lanyard_logins_total{provider="local-userpass",result="invalid_credentials"}`: 1}, func() {
		wantErr(t, c.login("local-userpass", userpassBody("nobody@example.com", "pw-not a password")), 401, "InvalidPassword")
	})
	measure(t, ts, "App Services refresh", map[string]float64{`lanyard_refreshes_total{result="ok"}`: 1}, func() {
		if r := c.do("POST", v2+"/auth/session", nil, auth(refresh)...); r.status != 201 {
			t.Fatalf("refresh: %s", r)
		}
	})
}

// TestMetricsCustomData: writes by result, both kinds of conflict, and the open watch streams.
func TestMetricsCustomData(t *testing.T) {
	cfg := testConfig(t)
	coll := withDriver(t, &cfg)
	ts := startServer(t, cfg)
	u := anonLogin(t, ts)
	ctx := bearer(u.GetAccessToken())

	measure(t, ts, "write", map[string]float64{`lanyard_custom_data_writes_total{result="ok"}`: 1}, func() {
		if _, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"a": 1}`)}); err != nil {
			t.Fatal(err)
		}
	})
	stale := int64(7)
	measure(t, ts, "write at a stale version", map[string]float64{
		`lanyard_custom_data_writes_total{result="version_mismatch"}`:  1,
		`lanyard_custom_data_conflicts_total{kind="version_mismatch"}`: 1,
	}, func() {
		_, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"a": 2}`), ExpectedVersion: &stale})
		wantError(t, err, codes.Aborted, "VERSION_MISMATCH")
	})

	// Another writer's claim on the next version, computed from a state the document never had (a
	// writer of another process that died): the write loses that claim and takes the number after it.
	second, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"a": 3}`)})
	if err != nil {
		t.Fatal(err)
	}
	claims := coll().Database().Client().Database(cfg.Database).Collection("custom_data_claims")
	var mine struct {
		DocKey string `bson:"doc_key"`
	}
	if err := claims.FindOne(context.Background(), bson.D{{Key: "kind", Value: "write"}, {Key: "user", Value: u.GetUserId()}}).Decode(&mine); err != nil {
		t.Fatalf("reading the write's claim: %v", err)
	}
	n := second.GetVersion() + 1
	if _, err := claims.InsertOne(context.Background(), bson.D{{Key: "_id", Value: fmt.Sprintf("%s:%d", mine.DocKey, n)}, {Key: "kind", Value: "write"},
		{Key: "user", Value: u.GetUserId()}, {Key: "doc_key", Value: mine.DocKey}, {Key: "n", Value: n}, {Key: "from", Value: int64(-1)},
		{Key: "base", Value: []byte{}}, {Key: "at", Value: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	measure(t, ts, "write that loses a claim", map[string]float64{
		`lanyard_custom_data_writes_total{result="ok"}`:          1,
		`lanyard_custom_data_conflicts_total{kind="claim_lost"}`: 1,
	}, func() {
		resp, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, `{"a": 4}`)})
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetVersion() != n+1 {
			t.Fatalf("version %d after the lost claim of %d, want %d", resp.GetVersion(), n, n+1)
		}
	})

	const streams = `lanyard_watch_streams_open`
	open := scrape(t, ts)[streams]
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err := ts.data.WatchCustomData(wctx, &lanyardv1.WatchCustomDataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Recv(); err != nil {
		t.Fatal(err)
	}
	if got := scrape(t, ts)[streams]; got != open+1 {
		t.Fatalf("%s = %v with a stream open, want %v", streams, got, open+1)
	}
	cancel()
	// The server sees the cancellation when it arrives: polled, with a generous deadline.
	deadline := time.Now().Add(30 * time.Second)
	for scrape(t, ts)[streams] != open {
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v 30 s after the stream was cancelled, want %v", streams, scrape(t, ts)[streams], open)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMetricsUserCreationHook: the hook's calls by result, and their durations.
func TestMetricsUserCreationHook(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataOnUserCreation = startHook(t)
	cfg.CustomDataHookTimeout = 30 * time.Second
	ts := startServer(t, cfg)

	after := measure(t, ts, "hook accepts", map[string]float64{
		`lanyard_logins_total{provider="anon-user",result="ok"}`: 1,
		`lanyard_hook_calls_total{result="ok"}`:                  1,
		`lanyard_hook_duration_seconds_count`:                    1,
	}, func() { anonLogin(t, ts) })
	if after[`lanyard_hook_duration_seconds_sum`] <= 0 {
		t.Errorf("the hook's call took %v s", after[`lanyard_hook_duration_seconds_sum`])
	}

	if _, err := ts.auth.RegisterUser(context.Background(), &lanyardv1.RegisterUserRequest{Email: "x@blocked.example", Password: "pw-long enough"}); err != nil {
		t.Fatal(err)
	}
	measure(t, ts, "hook refuses", map[string]float64{
		`lanyard_logins_total{provider="local-userpass",result="hook_failed"}`: 1,
		`lanyard_hook_calls_total{result="refused"}`:                           1,
		`lanyard_hook_duration_seconds_count`:                                  1,
	}, func() {
		wantError(t, passwordLogin(ts, "x@blocked.example", "pw-long enough"), codes.FailedPrecondition, "HOOK_FAILED")
	})
}
