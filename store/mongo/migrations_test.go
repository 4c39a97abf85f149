package mongo

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store/storetest"
)

func TestMigrate(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Disconnect(ctx)

		t.Run("ConcurrentStarts", func(t *testing.T) {
			// Several processes starting at once on an empty database:
			// each migration is applied, and recorded, exactly once.
			db := client.Database(storetest.DatabaseName(t))
			var runs sync.Map
			restore := countRuns(&runs)
			defer restore()

			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() { errs <- migrate(ctx, db) })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("migrate: %v", err)
				}
			}
			for _, m := range migrations {
				if n, _ := runs.Load(m.version); n != 1 {
					t.Errorf("migration %d ran %v times, want 1", m.version, n)
				}
			}
			checkRecords(t, ctx, db)

			// A later start finds everything applied.
			if err := migrate(ctx, db); err != nil {
				t.Fatalf("migrate again: %v", err)
			}
			checkRecords(t, ctx, db)

			// Rerunning a migration (a stale claim taken over) is harmless.
			for _, m := range migrations {
				if err := m.up(ctx, db, nil); err != nil {
					t.Errorf("migration %d run again: %v", m.version, err)
				}
			}
		})

		t.Run("StaleClaimIsTakenOver", func(t *testing.T) {
			// A process died between its claim and its record.
			db := client.Database(storetest.DatabaseName(t))
			_, err := db.Collection(migrationsCollection).InsertOne(ctx, migrationRecord{
				Version: 1, Name: "x", ClaimedBy: "dead", ClaimedAt: time.Now().Add(-2 * staleClaim),
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, db); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			checkRecords(t, ctx, db)
		})

		t.Run("LiveClaimIsWaitedFor", func(t *testing.T) {
			db := client.Database(storetest.DatabaseName(t))
			_, err := db.Collection(migrationsCollection).InsertOne(ctx, migrationRecord{
				Version: 1, Name: "x", ClaimedBy: "busy", ClaimedAt: time.Now(),
			})
			if err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, 3*claimPoll)
			defer cancel()
			if err := migrate(wctx, db); err == nil {
				t.Fatal("migrate did not wait for the live claim")
			}
		})
	})
}

// countRuns wraps every migration to count its runs by version.
func countRuns(runs *sync.Map) (restore func()) {
	saved := migrations
	migrations = make([]migration, len(saved))
	for i, m := range saved {
		up := m.up
		m.up = func(ctx context.Context, db *mongodriver.Database, c *claim) error {
			for {
				n, _ := runs.LoadOrStore(m.version, 0)
				if runs.CompareAndSwap(m.version, n, n.(int)+1) {
					break
				}
			}
			return up(ctx, db, c)
		}
		migrations[i] = m
	}
	return func() { migrations = saved }
}

func checkRecords(t *testing.T, ctx context.Context, db *mongodriver.Database) {
	t.Helper()
	cur, err := db.Collection(migrationsCollection).Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []migrationRecord
	if err := cur.All(ctx, &recs); err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(migrations) {
		t.Fatalf("%d migration records, want %d: %+v", len(recs), len(migrations), recs)
	}
	for _, r := range recs {
		if r.AppliedAt == nil {
			t.Errorf("migration %d claimed by %s but not applied", r.Version, r.ClaimedBy)
		}
	}
}

// TestMigration2IndexesTheEarlierIdentities checks what migration 2 creates on a fresh store: the indexes
// of the identities of the earlier layout, which it was written for, and none on the keyed identities,
// which are read by _id alone.
func TestMigration2IndexesTheEarlierIdentities(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		s := openInternal(t, uri)
		names := func(coll string) []string {
			t.Helper()
			specs, err := s.coll(coll).Indexes().ListSpecifications(t.Context())
			mustDo(t, err, "list the indexes of "+coll)
			var out []string
			for _, spec := range specs {
				if spec.Name != "_id_" {
					out = append(out, spec.Name)
				}
			}
			slices.Sort(out)
			return out
		}
		if got, want := names(collLegacyIdentities), []string{"provider_unique", "user_id"}; !slices.Equal(got, want) {
			t.Errorf("indexes of %s: %v, want %v", collLegacyIdentities, got, want)
		}
		for _, coll := range []string{collIdentities, collUserIdentities} {
			if got := names(coll); len(got) != 0 {
				t.Errorf("indexes of %s: %v, want none but _id", coll, got)
			}
		}
	})
}
