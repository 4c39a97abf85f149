package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// InsertTestDocument and FindTestDocument implement storetest.Hooks: they
// let the conformance suite check error translation against a real engine
// before the domain operations that rely on it exist. They touch only the
// named collection of Lanyard's database; production code does not call
// them.

// InsertTestDocument inserts {_id: id} into collection.
func (s *Store) InsertTestDocument(ctx context.Context, collection, id string) error {
	_, err := s.db.Collection(collection).InsertOne(ctx, bson.D{{Key: "_id", Value: id}})
	return translate(ctx, err)
}

// FindTestDocument looks up {_id: id} in collection.
func (s *Store) FindTestDocument(ctx context.Context, collection, id string) error {
	return translate(ctx, s.db.Collection(collection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err())
}
