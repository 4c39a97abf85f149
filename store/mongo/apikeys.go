package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// API keys, _id = the key's id. Two unique indexes (migration 2) are the
// claims: (user_id, name), so that of racing creates of one name exactly
// one wins, and secret_hash. Deleting the key frees its name.

// apiKeyProvider is the provider type of the identity a key logs in with.
const apiKeyProvider = "api-key"

type apiKeyDoc struct {
	ID         bson.ObjectID `bson:"_id"`
	UserID     string        `bson:"user_id"`
	Name       string        `bson:"name"`
	SecretHash []byte        `bson:"secret_hash"`
	Disabled   bool          `bson:"disabled"`
	CreatedAt  time.Time     `bson:"created_at"`
}

func (d *apiKeyDoc) key() *store.APIKey {
	return &store.APIKey{
		ID:         d.ID.Hex(),
		UserID:     d.UserID,
		Name:       d.Name,
		SecretHash: d.SecretHash,
		Disabled:   d.Disabled,
		CreatedAt:  utc(d.CreatedAt),
	}
}

// userKey is the filter of one key of one user; ok is false when id cannot
// be a key's.
func userKey(userID, id string) (D, bool) {
	oid, ok := objectID(id)
	return D{{Key: "_id", Value: oid}, {Key: "user_id", Value: userID}}, ok
}

// CreateAPIKey inserts k.
func (s *Store) CreateAPIKey(ctx context.Context, k *store.APIKey) error {
	oid, err := mustObjectID("API key", k.ID)
	if err != nil {
		return err
	}
	_, err = s.coll(collAPIKeys).InsertOne(ctx, apiKeyDoc{
		ID: oid, UserID: k.UserID, Name: k.Name, SecretHash: k.SecretHash, Disabled: k.Disabled, CreatedAt: k.CreatedAt,
	})
	return translate(ctx, err)
}

// FindAPIKeyBySecretHash returns the key with this hash.
func (s *Store) FindAPIKeyBySecretHash(ctx context.Context, hash []byte) (*store.APIKey, error) {
	if len(hash) == 0 {
		return nil, store.ErrNotFound
	}
	d, err := findOne[apiKeyDoc](ctx, s.coll(collAPIKeys), D{{Key: "secret_hash", Value: hash}})
	if err != nil {
		return nil, err
	}
	return d.key(), nil
}

// GetAPIKey returns one of the user's keys.
func (s *Store) GetAPIKey(ctx context.Context, userID, id string) (*store.APIKey, error) {
	filter, ok := userKey(userID, id)
	if !ok {
		return nil, store.ErrNotFound
	}
	d, err := findOne[apiKeyDoc](ctx, s.coll(collAPIKeys), filter)
	if err != nil {
		return nil, err
	}
	return d.key(), nil
}

// ListAPIKeys returns the user's keys, oldest first.
func (s *Store) ListAPIKeys(ctx context.Context, userID string) ([]*store.APIKey, error) {
	docs, err := findAll[apiKeyDoc](ctx, s.coll(collAPIKeys), D{{Key: "user_id", Value: userID}},
		options.Find().SetSort(D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := make([]*store.APIKey, len(docs))
	for i := range docs {
		out[i] = docs[i].key()
	}
	return out, nil
}

// SetAPIKeyDisabled sets the flag of one of the user's keys. It is the only
// update of a key document.
func (s *Store) SetAPIKeyDisabled(ctx context.Context, userID, id string, disabled bool) error {
	filter, ok := userKey(userID, id)
	if !ok {
		return store.ErrNotFound
	}
	res, err := s.coll(collAPIKeys).UpdateOne(ctx, filter, D{{Key: "$set", Value: D{{Key: "disabled", Value: disabled}}}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteAPIKey removes one of the user's keys, then the identity it logs in
// with. An API key login finds the key by its secret first, so an identity
// left behind by a failure in between logs nobody in.
func (s *Store) DeleteAPIKey(ctx context.Context, userID, id string) error {
	filter, ok := userKey(userID, id)
	if !ok {
		return store.ErrNotFound
	}
	res, err := s.coll(collAPIKeys).DeleteOne(ctx, filter)
	if err != nil {
		return translate(ctx, err)
	}
	if res.DeletedCount == 0 {
		return store.ErrNotFound
	}
	_, err = s.coll(collIdentities).DeleteMany(ctx, D{
		{Key: "provider_type", Value: apiKeyProvider},
		{Key: "provider_id", Value: id},
		{Key: "user_id", Value: userID},
	})
	return translate(ctx, err)
}
