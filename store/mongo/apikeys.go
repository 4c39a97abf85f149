package mongo

import (
	"bytes"
	"context"
	"encoding/hex"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// API keys, _id = the key's id. The unique index on (user_id, name)
// (migration 2) is the claim of a name: of racing creates of one name
// exactly one wins, and deleting the key frees it.
//
// A login finds a key by the hash of its secret. FerretDB v1 on SQLite
// serves only reads by _id from the key (see users.go), and anyone may send
// random keys, so an unknown key must cost one read by key, not a decoding
// of every key: each key has a document in api_key_hashes, {_id: the hex
// of its secret's hash, key_id, user_id}, one read by key away from the
// key's id. It goes in before the key, as the claim of the hash (exactly
// one of racing inserts wins), so that no key is ever without it. One whose
// key is missing (a failure between the two writes, or a key deleted before
// it) finds nothing; a found key is checked to have the hash. The key
// document keeps its secret_hash and the unique index on it of earlier
// versions.
//
// The operations on one key of one user read the key by _id and compare
// its user in Go, then update or delete it by _id only (a filter with
// user_id beside _id decodes the whole collection on FerretDB). A key never
// changes users, so what was compared still holds at the update.

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

// apiKeyHashDoc leads from the hash of a key's secret to the key.
type apiKeyHashDoc struct {
	ID     string        `bson:"_id"` // hashID(secret hash)
	KeyID  bson.ObjectID `bson:"key_id"`
	UserID string        `bson:"user_id"` // so that DeleteUser finds those a failure left behind
}

func hashID(hash []byte) string { return hex.EncodeToString(hash) }

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

// CreateAPIKey claims the key's hash, then inserts the key; when the key
// cannot be inserted the claim is withdrawn.
func (s *Store) CreateAPIKey(ctx context.Context, k *store.APIKey) error {
	oid, err := mustObjectID("API key", k.ID)
	if err != nil {
		return err
	}
	hid := hashID(k.SecretHash)
	if _, err := s.coll(collAPIKeyHashes).InsertOne(ctx, apiKeyHashDoc{ID: hid, KeyID: oid, UserID: k.UserID}); err != nil {
		return translate(ctx, err)
	}
	_, err = s.coll(collAPIKeys).InsertOne(ctx, apiKeyDoc{
		ID: oid, UserID: k.UserID, Name: k.Name, SecretHash: k.SecretHash, Disabled: k.Disabled, CreatedAt: k.CreatedAt,
	})
	if err != nil {
		err = translate(ctx, err)
		s.bestEffort(ctx, "withdraw the hash claim of a refused API key", func(ctx context.Context) error {
			_, err := s.coll(collAPIKeyHashes).DeleteOne(ctx, D{{Key: "_id", Value: hid}})
			return err
		})
		return err
	}
	return nil
}

// FindAPIKeyBySecretHash reads the hash's document, then the key it leads
// to: an unknown hash costs the first read only.
func (s *Store) FindAPIKeyBySecretHash(ctx context.Context, hash []byte) (*store.APIKey, error) {
	if len(hash) == 0 {
		return nil, store.ErrNotFound
	}
	h, err := findOne[apiKeyHashDoc](ctx, s.coll(collAPIKeyHashes), D{{Key: "_id", Value: hashID(hash)}})
	if err != nil {
		return nil, err
	}
	d, err := findOne[apiKeyDoc](ctx, s.coll(collAPIKeys), D{{Key: "_id", Value: h.KeyID}})
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(d.SecretHash, hash) {
		return nil, store.ErrNotFound
	}
	return d.key(), nil
}

// userKey reads one of the user's keys; another user's key is not found.
func (s *Store) userKey(ctx context.Context, userID, id string) (*apiKeyDoc, error) {
	oid, ok := objectID(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	d, err := findOne[apiKeyDoc](ctx, s.coll(collAPIKeys), D{{Key: "_id", Value: oid}})
	if err != nil {
		return nil, err
	}
	if d.UserID != userID {
		return nil, store.ErrNotFound
	}
	return d, nil
}

// GetAPIKey returns one of the user's keys.
func (s *Store) GetAPIKey(ctx context.Context, userID, id string) (*store.APIKey, error) {
	d, err := s.userKey(ctx, userID, id)
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
// update of a key document, so racing ones can only keep one of two flags
// set at once.
func (s *Store) SetAPIKeyDisabled(ctx context.Context, userID, id string, disabled bool) error {
	d, err := s.userKey(ctx, userID, id)
	if err != nil {
		return err
	}
	res, err := s.coll(collAPIKeys).UpdateOne(ctx, D{{Key: "_id", Value: d.ID}}, D{{Key: "$set", Value: D{{Key: "disabled", Value: disabled}}}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound // deleted since it was read
	}
	return nil
}

// DeleteAPIKey removes one of the user's keys, then its hash document, then
// the identity it logs in with and that identity's slot. An API key login
// finds the key by its secret first, so what a failure in between leaves
// behind logs nobody in.
func (s *Store) DeleteAPIKey(ctx context.Context, userID, id string) error {
	d, err := s.userKey(ctx, userID, id)
	if err != nil {
		return err
	}
	res, err := s.coll(collAPIKeys).DeleteOne(ctx, D{{Key: "_id", Value: d.ID}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.DeletedCount == 0 {
		return store.ErrNotFound // deleted since it was read
	}
	if _, err := s.coll(collAPIKeyHashes).DeleteOne(ctx, D{{Key: "_id", Value: hashID(d.SecretHash)}}); err != nil {
		return translate(ctx, err)
	}
	ident, err := s.deleteIdentity(ctx, identityKey(apiKeyProvider, id), func(x *identityDoc) bool { return x.UserID == userID })
	if err != nil || ident == nil {
		return err
	}
	if err := s.releaseIdentitySlots(ctx, userID, ident.Key, ident.ID); err != nil {
		return err
	}
	// Its copy in the earlier layout, found by the identity's id.
	_, err = s.coll(collLegacyIdentities).DeleteOne(ctx, D{{Key: "_id", Value: ident.ID}})
	return translate(ctx, err)
}

// deleteUserAPIKeys removes the user's keys and their hash documents, also those a failure left behind.
func (s *Store) deleteUserAPIKeys(ctx context.Context, userID string) error {
	byUser := D{{Key: "user_id", Value: userID}}
	if _, err := s.coll(collAPIKeyHashes).DeleteMany(ctx, byUser); err != nil {
		return translate(ctx, err)
	}
	_, err := s.coll(collAPIKeys).DeleteMany(ctx, byUser)
	return translate(ctx, err)
}
