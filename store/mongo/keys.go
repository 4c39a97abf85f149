package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Signing keys, one document per key, _id = kid.

type keyDoc struct {
	KID           string    `bson:"_id"`
	Alg           string    `bson:"alg"`
	PublicDER     []byte    `bson:"public_der"`
	SealedPrivate []byte    `bson:"sealed_private"`
	CreatedAt     time.Time `bson:"created_at"`
}

// InsertKey stores k.
func (s *Store) InsertKey(ctx context.Context, k *store.StoredKey) error {
	_, err := s.coll(collKeys).InsertOne(ctx, keyDoc{
		KID: k.KID, Alg: k.Alg, PublicDER: k.PublicDER, SealedPrivate: k.SealedPrivate, CreatedAt: k.CreatedAt,
	})
	return translate(ctx, err)
}

// ListKeys returns every key, oldest first.
func (s *Store) ListKeys(ctx context.Context) ([]*store.StoredKey, error) {
	docs, err := findAll[keyDoc](ctx, s.coll(collKeys), D{},
		options.Find().SetSort(D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := make([]*store.StoredKey, len(docs))
	for i, d := range docs {
		out[i] = &store.StoredKey{KID: d.KID, Alg: d.Alg, PublicDER: d.PublicDER, SealedPrivate: d.SealedPrivate, CreatedAt: utc(d.CreatedAt)}
	}
	return out, nil
}

// DeleteKey removes a key; a missing one is not an error.
func (s *Store) DeleteKey(ctx context.Context, kid string) error {
	_, err := s.coll(collKeys).DeleteOne(ctx, D{{Key: "_id", Value: kid}})
	return translate(ctx, err)
}
