package mongo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// migrationsCollection records, per version, who claimed a migration and
// when it was applied. Operators can read it to see the schema version.
const migrationsCollection = "migrations"

// A migration brings Lanyard's database to its version. Later work appends
// to migrations (index creation, backfills); versions are never reused or
// reordered.
//
// up must be idempotent: it runs again when a process died before recording
// it, and when a claim goes stale while its owner is merely slow. Index
// creation is (createIndexes with the same spec is a no-op). Migrations must
// also be additive, so that replicas still on the previous version keep
// working during a rolling upgrade. One that may run longer than staleClaim
// renews its claim (c) as it goes.
type migration struct {
	version int
	name    string
	up      func(ctx context.Context, db *mongodriver.Database, c *claim) error
}

var migrations = []migration{
	{1, "record applied migrations", func(context.Context, *mongodriver.Database, *claim) error {
		return nil // creating the record of version 1 creates the collection
	}},
	{2, "indexes of users, sessions, keys, passwords and revocations", createIndexes(indexesV2)},
	{3, "index of sessions by sid", createIndexes([]index{{collSessions, "sid", bson.D{{Key: "sid", Value: 1}}, false}})},
	{4, "index of the revocation log by time", createIndexes([]index{{collRevocationLog, "at", bson.D{{Key: "at", Value: 1}}, false}})},
	{5, "number the creation claims of custom data without gaps", func(ctx context.Context, db *mongodriver.Database, _ *claim) error {
		return fillCreationGaps(ctx, db)
	}},
	// 6 and 7 need the replicas of the previous version stopped first; see migrations_keyed.go.
	{6, "identities keyed by provider and subject, listed per user by numbered slots", copyIdentities},
	{7, "API keys found by the hash of their secret", copyAPIKeyHashes},
	{8, "index of used action tokens by expiry", createIndexes([]index{{collActionTokenUses, "expires_at", bson.D{{Key: "expires_at", Value: 1}}, false}})},
	{9, "indexes of lease terms and trigger cursor positions", createIndexes([]index{
		{collLeases, "lease_term", bson.D{{Key: "lease", Value: 1}, {Key: "term", Value: -1}}, false},
		{collTriggerCursors, "cursor_seq", bson.D{{Key: "cursor", Value: 1}, {Key: "seq", Value: -1}}, false},
	})},
}

// index is one index of a collection. Unique indexes are claims and must
// exist on every engine before the first write; the others serve queries
// on MongoDB (FerretDB v1 scans anyway, and only pays for them on writes).
type index struct {
	coll   string
	name   string
	keys   bson.D
	unique bool
}

// indexesV2 names the collections as they were when migration 2 was written: its identities are the
// earlier layout's (collLegacyIdentities), found by provider and by user there. The keyed layout that
// replaced it (collIdentities, collUserIdentities) is read and written by _id alone, which the key
// serves, so it has no index of its own.
var indexesV2 = []index{
	{collLegacyIdentities, "provider_unique", bson.D{{Key: "provider_type", Value: 1}, {Key: "provider_id", Value: 1}}, true},
	{collLegacyIdentities, "user_id", bson.D{{Key: "user_id", Value: 1}}, false},
	{collSessions, "user_id", bson.D{{Key: "user_id", Value: 1}}, false},
	{collSessions, "expires_at", bson.D{{Key: "expires_at", Value: 1}}, false},
	{collSessionRevocations, "user_id", bson.D{{Key: "user_id", Value: 1}}, false},
	{collRotations, "session_id", bson.D{{Key: "session_id", Value: 1}}, false},
	{collRevocations, "at", bson.D{{Key: "at", Value: 1}}, false},
	{collAPIKeys, "secret_hash_unique", bson.D{{Key: "secret_hash", Value: 1}}, true},
	{collAPIKeys, "user_id_name_unique", bson.D{{Key: "user_id", Value: 1}, {Key: "name", Value: 1}}, true},
	{collPasswords, "user_id", bson.D{{Key: "user_id", Value: 1}}, false},
	{collActionTokens, "email", bson.D{{Key: "email", Value: 1}}, false},
}

// createIndexes returns a migration that creates indexes. Creating an
// index that exists with the same name and keys is a no-op on every
// engine, so it can run again, as long as each createIndexes command
// names one index: FerretDB v1.24 panics (and drops the connection) on a
// command listing two or more indexes that already exist (it deletes them
// from its list by their original positions).
func createIndexes(list []index) func(ctx context.Context, db *mongodriver.Database, c *claim) error {
	return func(ctx context.Context, db *mongodriver.Database, _ *claim) error {
		for _, ix := range list {
			opts := options.Index().SetName(ix.name)
			if ix.unique {
				opts.SetUnique(true)
			}
			model := mongodriver.IndexModel{Keys: ix.keys, Options: opts}
			if err := createIndex(ctx, db.Collection(ix.coll), model); err != nil {
				return fmt.Errorf("create index %s of %s: %w", ix.name, ix.coll, translate(ctx, err))
			}
		}
		return nil
	}
}

// createIndex creates one index, again when the engine broke a deadlock by failing it (see isDeadlock):
// creating an index is idempotent, and the statement it met finishes meanwhile.
func createIndex(ctx context.Context, coll *mongodriver.Collection, model mongodriver.IndexModel) error {
	const attempts = 5
	for i := 1; ; i++ {
		_, err := coll.Indexes().CreateOne(ctx, model)
		if err == nil || !isDeadlock(err) || i == attempts {
			return err
		}
		select {
		case <-time.After(time.Duration(i) * 50 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// migrationRecord is the document of one version in migrationsCollection.
// Inserting it is the claim: the unique _id lets exactly one process win,
// even on FerretDB v1, whose updates are not atomic but whose unique inserts
// are. Only the claim's winner (or, after staleClaim, whoever takes over an
// idempotent rerun) ever updates it: to renew the claim, then to record the
// migration applied.
type migrationRecord struct {
	Version   int        `bson:"_id"`
	Name      string     `bson:"name"`
	ClaimedBy string     `bson:"claimed_by"`
	ClaimedAt time.Time  `bson:"claimed_at"`
	AppliedAt *time.Time `bson:"applied_at,omitempty"`
	AppliedBy string     `bson:"applied_by,omitempty"`
}

// Timing of migrate; variables so that tests can shorten them.
var (
	// staleClaim is how long a claim may stay unapplied, and unrenewed,
	// before another process assumes its owner died and reruns the migration.
	staleClaim = time.Minute
	// claimPoll is how often a process waiting on another's claim looks.
	claimPoll = 200 * time.Millisecond
	// migrationClock tells the time of claims; tests set a clock of their own.
	migrationClock = time.Now
)

// claimStale reports whether a claim unapplied at now was left by an owner
// that died: it was neither made nor renewed for staleClaim.
func claimStale(rec *migrationRecord, now time.Time) bool {
	return rec.AppliedAt == nil && now.Sub(rec.ClaimedAt) > staleClaim
}

// claim is a process's hold on the migration it runs.
type claim struct {
	coll    *mongodriver.Collection
	version int
	owner   string
}

// renew makes the claim fresh, so that other processes keep waiting for a
// migration that is still at work rather than run it too. It names this
// process, which may have taken the claim over. A nil claim (a migration run
// outside migrate, by a test) has nothing to renew.
//
// On FerretDB, whose updates rewrite the document they read, a renewal
// racing the record of the migration applied by another process (which
// took over a claim that went stale) can erase that record: the migration
// then runs once more at the next start, which idempotent migrations allow.
func (c *claim) renew(ctx context.Context) error {
	if c == nil {
		return nil
	}
	_, err := c.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: c.version}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "claimed_by", Value: c.owner}, {Key: "claimed_at", Value: migrationClock().UTC()}}}})
	return translate(ctx, err)
}

// migrate applies, in order, every migration not yet recorded as applied.
// Several processes may run it at once; each migration still runs once
// unless its owner stalls for staleClaim without renewing its claim.
func migrate(ctx context.Context, db *mongodriver.Database) error {
	coll := db.Collection(migrationsCollection)
	owner := rand.Text()
	for _, m := range migrations {
		if err := applyMigration(ctx, coll, m, owner); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, coll *mongodriver.Collection, m migration, owner string) error {
	for {
		var rec migrationRecord
		err := translate(ctx, coll.FindOne(ctx, bson.D{{Key: "_id", Value: m.version}}).Decode(&rec))
		switch {
		case err == nil && rec.AppliedAt != nil:
			return nil

		case errors.Is(err, store.ErrNotFound):
			rec := migrationRecord{Version: m.version, Name: m.name, ClaimedBy: owner, ClaimedAt: migrationClock().UTC()}
			_, err := coll.InsertOne(ctx, rec)
			switch err := translate(ctx, err); {
			case err == nil:
				return runMigration(ctx, &claim{coll, m.version, owner}, m)
			case errors.Is(err, store.ErrAlreadyExists):
				continue // lost the race; wait for the winner like any other process
			default:
				return err
			}

		case err == nil && claimStale(&rec, migrationClock()):
			// Taken over: renewed at once, so that the processes that come next wait for this one.
			c := &claim{coll, m.version, owner}
			if err := c.renew(ctx); err != nil {
				return err
			}
			return runMigration(ctx, c, m)

		case err != nil:
			return err
		}

		select {
		case <-time.After(claimPoll):
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to apply it: %w", rec.ClaimedBy, ctx.Err())
		}
	}
}

func runMigration(ctx context.Context, c *claim, m migration) error {
	if err := m.up(ctx, c.coll.Database(), c); err != nil {
		return err
	}
	_, err := c.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.version}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "applied_at", Value: migrationClock().UTC()},
			{Key: "applied_by", Value: c.owner},
		}}})
	return translate(ctx, err)
}
