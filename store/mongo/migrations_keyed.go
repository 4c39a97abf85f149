package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Migrations 6 and 7 copy identities and API keys into the layout in which
// logins, refreshes and profiles find them by _id alone (see users.go and
// apikeys.go). They only add documents: the earlier collections stay as
// they were.
//
// Replicas of the previous version must be stopped before this version
// starts. They find identities in the earlier collection only, and
// nothing copies what they write there after the migration has run: an
// identity they create then (a new user's, a link, an API key's) is not
// seen by this version, which would make a second user for the same
// subject at its next login, and API keys they create would not be found by
// their secret. Sessions need no such care: this version still writes what
// the previous one reads.
//
// Each copy is idempotent, so that a rerun after a crash (or by a process
// that took over a stale claim) finishes the job: an insert refused as a
// duplicate is one done before, and a user's identities get slots only
// where its slots do not point to them yet.

// legacyIdentityDoc is an identity as versions before migration 6 stored it.
type legacyIdentityDoc struct {
	ID           bson.ObjectID `bson:"_id"`
	UserID       string        `bson:"user_id"`
	ProviderType string        `bson:"provider_type"`
	ProviderID   string        `bson:"provider_id"`
	Data         any           `bson:"data"`
	CreatedAt    time.Time     `bson:"created_at"`
	LastLoginAt  time.Time     `bson:"last_login_at"`
	User         *userCopy     `bson:"user,omitempty"`
}

// keyed is the identity in the keyed layout. Its copy of the user, which
// its user's logins wrote, is marked as that user's.
func (d *legacyIdentityDoc) keyed() *identityDoc {
	if d.User != nil {
		d.User.UserID = d.UserID
	}
	return &identityDoc{
		Key:          identityKey(d.ProviderType, d.ProviderID),
		ID:           d.ID,
		UserID:       d.UserID,
		ProviderType: d.ProviderType,
		ProviderID:   d.ProviderID,
		Data:         d.Data,
		CreatedAt:    d.CreatedAt,
		LastLoginAt:  d.LastLoginAt,
		User:         d.User,
	}
}

// copyBatch is how many documents one insert of a copy carries; a variable so that tests can shorten it.
var copyBatch = 500

// copyIdentities copies the identities of the earlier layout, a batch at a
// time: first their slots, then the identities (see users.go for why in
// that order).
func copyIdentities(ctx context.Context, db *mongodriver.Database, c *claim) error {
	s := &Store{db: db}
	return copyInBatches(ctx, c, db.Collection(collLegacyIdentities), options.Find(), "identity",
		func(d *legacyIdentityDoc) (*identityDoc, bool) { return d.keyed(), true },
		s.copyIdentityBatch)
}

// copyIdentityBatch gives each user's identities of the batch the slots
// 1, 2, … in one insert, without reading: on a first run each user's
// slots are free. A number found taken (a rerun, or a user whose identities
// span batches) is settled with the user's actual slots, as AddIdentity
// does.
func (s *Store) copyIdentityBatch(ctx context.Context, batch []*identityDoc) error {
	if len(batch) == 0 {
		return nil
	}
	numbered := make(map[string]int)
	slots := make([]any, len(batch))
	for i, d := range batch {
		numbered[d.UserID]++
		slots[i] = slotDoc{ID: slotID(d.UserID, numbered[d.UserID]), Key: d.Key, Ident: d.ID}
	}
	taken, err := insertAll(ctx, s.coll(collUserIdentities), slots)
	if err != nil {
		return fmt.Errorf("slots of identities: %w", err)
	}
	for _, i := range taken {
		if _, _, err := s.ensureSlot(ctx, batch[i].UserID, batch[i].Key, batch[i].ID); err != nil {
			return err
		}
	}
	docs := make([]any, len(batch))
	for i, d := range batch {
		docs[i] = d
	}
	// A duplicate is an identity copied before.
	if _, err := insertAll(ctx, s.coll(collIdentities), docs); err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	return nil
}

// copyAPIKeyHashes gives every API key its hash document.
func copyAPIKeyHashes(ctx context.Context, db *mongodriver.Database, c *claim) error {
	// DeleteUser removes a user's hash documents by user_id.
	if err := createIndexes([]index{{collAPIKeyHashes, "user_id", bson.D{{Key: "user_id", Value: 1}}, false}})(ctx, db, c); err != nil {
		return err
	}
	return copyInBatches(ctx, c, db.Collection(collAPIKeys),
		options.Find().SetProjection(D{{Key: "_id", Value: 1}, {Key: "user_id", Value: 1}, {Key: "secret_hash", Value: 1}}), "API key",
		func(k *apiKeyDoc) (any, bool) {
			// A key without a hash is found by no secret.
			return apiKeyHashDoc{ID: hashID(k.SecretHash), KeyID: k.ID, UserID: k.UserID}, len(k.SecretHash) > 0
		},
		func(ctx context.Context, batch []any) error {
			// A duplicate is a hash document made before.
			_, err := insertAll(ctx, db.Collection(collAPIKeyHashes), batch)
			return err
		})
}

// copyInBatches reads every document of coll, turns each into what is to be written (or nothing, when
// convert says so), and hands them to write copyBatch at a time, the rest at the end. It renews the
// migration's claim after each batch: a copy of a large store outlasts staleClaim, and another process
// would otherwise take it for one whose owner died and run it too.
func copyInBatches[From, To any](ctx context.Context, c *claim, coll *mongodriver.Collection, opts *options.FindOptionsBuilder, what string,
	convert func(*From) (To, bool), write func(context.Context, []To) error) error {
	cur, err := coll.Find(ctx, D{}, opts)
	if err != nil {
		return translate(ctx, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	batch := make([]To, 0, copyBatch)
	for cur.Next(ctx) {
		var d From
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("%s %v: %w", what, cur.Current.Lookup("_id"), err)
		}
		to, ok := convert(&d)
		if !ok {
			continue
		}
		if batch = append(batch, to); len(batch) == copyBatch {
			if err := write(ctx, batch); err != nil {
				return err
			}
			if err := c.renew(ctx); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := cur.Err(); err != nil {
		return translate(ctx, err)
	}
	if len(batch) == 0 {
		return nil
	}
	return write(ctx, batch)
}

// insertAll inserts docs in one unordered insert and returns the positions
// of those refused as duplicates; any other failure is an error.
func insertAll(ctx context.Context, c *mongodriver.Collection, docs []any) ([]int, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	_, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil, nil
	}
	var bwe mongodriver.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, translate(ctx, err)
	}
	dups := make([]int, 0, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !isDuplicateKey(we) {
			return nil, translate(ctx, err)
		}
		dups = append(dups, we.Index)
	}
	return dups, nil
}
