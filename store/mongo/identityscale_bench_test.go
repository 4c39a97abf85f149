package mongo_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/embedded"
	"github.com/lanyardhq/lanyard/store/mongo"
)

// BenchmarkIdentityReads measures a login's identity lookup and a profile read (FindIdentity, then
// UserWithIdentities) on embedded FerretDB on SQLite, as the number of identities in the store grows:
// a read served from the key costs the same at any size, one that decodes the collection grows with it.
// Each size reports the median of its calls (ms/median), besides Go's mean.
//
//	go test -run '^$' -bench IdentityReads -benchtime 15x ./store/mongo/
func BenchmarkIdentityReads(b *testing.B) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine, err := embedded.Start(ctx, embedded.Config{DataDir: b.TempDir(), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer engine.Close(context.Background())
	s, err := mongo.Open(ctx, mongo.Config{URI: engine.URI(), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())

	seeded := 0
	for _, size := range []int{1000, 20000} {
		start := time.Now()
		seedUsers(b, s, seeded, size)
		b.Logf("seeded users %d to %d in %v", seeded, size, time.Since(start).Round(time.Millisecond))
		seeded = size
		b.Run(fmt.Sprintf("identities=%d", size), func(b *testing.B) {
			took := make([]time.Duration, 0, b.N)
			for i := range b.N {
				// Spread over the store, so that no position in it is favoured.
				subject := fmt.Sprintf("subject-%d", (i*7919)%size)
				began := time.Now()
				ident, err := s.FindIdentity(ctx, "custom-token", subject)
				if err != nil {
					b.Fatalf("FindIdentity(%s): %v", subject, err)
				}
				u, idents, err := s.UserWithIdentities(ctx, ident.UserID)
				if err != nil {
					b.Fatalf("UserWithIdentities: %v", err)
				}
				took = append(took, time.Since(began))
				if u.ID != ident.UserID || len(idents) != 1 || idents[0].ID != ident.ID {
					b.Fatalf("profile of %s: %+v, %d identities", subject, u, len(idents))
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/median")
		})
	}
}

// seedUsers creates the users numbered from to to-1, each with one custom-token identity, on a few
// goroutines.
func seedUsers(b *testing.B, s *mongo.Store, from, to int) {
	ctx := context.Background()
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	for range 4 {
		wg.Go(func() {
			for i := range next {
				at := time.Now().UTC().Truncate(time.Millisecond)
				u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: at, LastLoginAt: at,
					Data: map[string]any{"name": fmt.Sprintf("user %d", i)}}
				ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "custom-token",
					ProviderID: fmt.Sprintf("subject-%d", i), Data: map[string]any{"name": fmt.Sprintf("user %d", i)},
					CreatedAt: at, LastLoginAt: at}
				if err := s.CreateUser(ctx, u, ident); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}
		})
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if failed != nil {
		b.Fatalf("seed: %v", failed)
	}
}
