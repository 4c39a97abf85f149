package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Revocations: an append-only list that every replica polls by time. Each
// revocation is a document of its own (driver-made ObjectId _id), so
// recording one never rewrites another.

type revocationDoc struct {
	ID   bson.ObjectID `bson:"_id"`
	Kind string        `bson:"kind"`
	Of   string        `bson:"id"`
	At   time.Time     `bson:"at"`
}

// AddRevocation records r.
func (s *Store) AddRevocation(ctx context.Context, r store.Revocation) error {
	_, err := s.coll(collRevocations).InsertOne(ctx, revocationDoc{ID: bson.NewObjectID(), Kind: r.Kind, Of: r.ID, At: r.At})
	return translate(ctx, err)
}

// RevocationsSince returns the revocations at or after t, oldest first.
func (s *Store) RevocationsSince(ctx context.Context, t time.Time) ([]store.Revocation, error) {
	docs, err := findAll[revocationDoc](ctx, s.coll(collRevocations),
		D{{Key: "at", Value: D{{Key: "$gte", Value: t}}}},
		options.Find().SetSort(D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := make([]store.Revocation, len(docs))
	for i, d := range docs {
		out[i] = store.Revocation{Kind: d.Kind, ID: d.Of, At: utc(d.At)}
	}
	return out, nil
}

// DeleteRevocationsBefore removes the revocations before t.
func (s *Store) DeleteRevocationsBefore(ctx context.Context, t time.Time) error {
	_, err := s.coll(collRevocations).DeleteMany(ctx, D{{Key: "at", Value: D{{Key: "$lt", Value: t}}}})
	return translate(ctx, err)
}
