package server_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// The benchmarks run the whole server (interceptor chain, real store engine) over real gRPC on
// loopback, with baselines measured in the same run: GetJwks (public, from memory) beside WhoAmI
// (authenticated, from memory); argon2id alone beside a password login; the raw driver's findOne beside
// GetCustomData on the same store. BENCHMARKS.md has the commands and the numbers.

func BenchmarkUnaryFromMemory(b *testing.B) {
	ts := startServer(b, testConfig(b))
	login := anonLogin(b, ts)
	b.Run("GetJwks_public", func(b *testing.B) {
		for b.Loop() {
			if _, err := ts.auth.GetJwks(context.Background(), &lanyardv1.GetJwksRequest{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WhoAmI_authenticated", func(b *testing.B) {
		ctx := bearer(login.GetAccessToken())
		for b.Loop() {
			if _, err := ts.auth.WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPasswordLogin(b *testing.B) {
	ts := startServer(b, testConfig(b))
	if _, err := ts.auth.RegisterUser(context.Background(), &lanyardv1.RegisterUserRequest{Email: "bench@example.com", Password: "pw-benchmark"}); err != nil {
		b.Fatal(err)
	}
	hash, _ := authn.HashPassword(context.Background(), "pw-benchmark")
	b.Run("argon2id_verify_alone", func(b *testing.B) {
		for b.Loop() {
			if ok, _, err := authn.VerifyPassword(context.Background(), hash, "pw-benchmark"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("Login_email_password", func(b *testing.B) {
		req := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: "bench@example.com", Password: "pw-benchmark"}}}
		for b.Loop() {
			if _, err := ts.auth.Login(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSessions measures anonymous Login and RefreshSession, without and with a 4 KB custom data
// document riding in every access token.
func BenchmarkSessions(b *testing.B) {
	for _, size := range []int{0, 4096} {
		b.Run(fmt.Sprintf("custom_data_%dB", size), func(b *testing.B) {
			ts := startServer(b, testConfig(b))
			b.Run("Login_anonymous", func(b *testing.B) {
				for b.Loop() {
					anonLogin(b, ts)
				}
			})
			login := anonLogin(b, ts)
			if size > 0 {
				blob := strings.Repeat("x", size-40)
				if _, err := ts.data.UpdateCustomData(bearer(login.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{Set: structOf(b, `{"blob": "`+blob+`"}`)}); err != nil {
					b.Fatal(err)
				}
			}
			rt := login.GetRefreshToken()
			b.Run("RefreshSession", func(b *testing.B) {
				for b.Loop() {
					r, err := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: rt})
					if err != nil {
						b.Fatal(err)
					}
					rt = r.GetRefreshToken()
				}
			})
			ref, _ := ts.auth.RefreshSession(context.Background(), &lanyardv1.RefreshSessionRequest{RefreshToken: rt})
			b.Run("WhoAmI", func(b *testing.B) {
				ctx := bearer(ref.GetAccessToken())
				for b.Loop() {
					if _, err := ts.auth.WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkCustomDataPostgreSQL reads custom data through Lanyard and, as the baseline, with the raw
// driver's findOne on the same FerretDB-PostgreSQL store.
func BenchmarkCustomDataPostgreSQL(b *testing.B) {
	cfg := testConfig(b)
	cfg.EmbeddedPostgresURL = storetest.PostgreSQL(b)
	coll := withDriver(b, &cfg)
	ts := startServer(b, cfg)
	login := anonLogin(b, ts)
	ctx := bearer(login.GetAccessToken())
	if _, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(b, `{"plan": "pro", "seats": 3}`)}); err != nil {
		b.Fatal(err)
	}
	c := coll()
	b.Run("raw_driver_findOne", func(b *testing.B) {
		for b.Loop() {
			if err := c.FindOne(context.Background(), bson.D{{Key: "user_id", Value: login.GetUserId()}}).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetCustomData", func(b *testing.B) {
		for b.Loop() {
			if _, err := ts.data.GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RefreshCustomData", func(b *testing.B) {
		for b.Loop() {
			if _, err := ts.data.RefreshCustomData(ctx, &lanyardv1.RefreshCustomDataRequest{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWatch10000 opens 10,000 WatchCustomData streams (a server principal watching 10,000 users)
// and reports the heap they hold (server and client together, in one process) and the store queries
// the poller makes per interval.
func BenchmarkWatch10000(b *testing.B) {
	const streams = 10_000
	cfg := testConfig(b)
	cfg.CustomDataPollInterval = time.Second
	ts := startServer(b, cfg)
	admin := serverKey(b, ts)
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		ctx, cancel := context.WithCancel(bearer(admin))
		for i := range streams {
			st, err := ts.data.WatchCustomData(ctx, &lanyardv1.WatchCustomDataRequest{UserId: fmt.Sprintf("%024x", i+1)})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Recv(); err != nil {
				b.Fatal(err)
			}
		}
		polls0 := ts.WatchPolls()
		time.Sleep(5 * time.Second)
		perInterval := float64(ts.WatchPolls()-polls0) / 5
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(1<<20), "MiB-heap")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		b.ReportMetric(perInterval, "store-queries/interval")
		cancel()
	}
}

func BenchmarkGetProfile(b *testing.B) {
	ts := startServer(b, testConfig(b))
	ctx := bearer(anonLogin(b, ts).GetAccessToken())
	for b.Loop() {
		if _, err := ts.meta.GetProfile(ctx, &lanyardv1.GetProfileRequest{}); err != nil {
			b.Fatal(err)
		}
	}
}
