package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Passwords, _id = the (lowercased) email: inserting the record is the
// claim of the email.
//
// Action tokens, _id = the token's id. Using one inserts {_id: token id}
// into action_token_uses: of racing uses exactly one insert wins. The
// token itself is deleted after its use, and uses whose token has expired
// are swept, since a replay then fails on expiry anyway.

type passwordDoc struct {
	Email     string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	Hash      string    `bson:"hash"`
	Confirmed bool      `bson:"confirmed"`
	CreatedAt time.Time `bson:"created_at"`
}

type actionTokenDoc struct {
	ID        bson.ObjectID `bson:"_id"`
	Kind      string        `bson:"kind"`
	Email     string        `bson:"email"`
	Hash      []byte        `bson:"hash"`
	ExpiresAt time.Time     `bson:"expires_at"`
}

type actionTokenUseDoc struct {
	ID        bson.ObjectID `bson:"_id"`
	UsedAt    time.Time     `bson:"used_at"`
	ExpiresAt time.Time     `bson:"expires_at"`
}

// CreatePassword inserts the record: its _id claims the email.
func (s *Store) CreatePassword(ctx context.Context, p *store.Password) error {
	_, err := s.coll(collPasswords).InsertOne(ctx, passwordDoc{
		Email: p.Email, UserID: p.UserID, Hash: p.Hash, Confirmed: p.Confirmed, CreatedAt: p.CreatedAt,
	})
	return translate(ctx, err)
}

// GetPassword returns the record of the email.
func (s *Store) GetPassword(ctx context.Context, email string) (*store.Password, error) {
	d, err := findOne[passwordDoc](ctx, s.coll(collPasswords), D{{Key: "_id", Value: email}})
	if err != nil {
		return nil, err
	}
	return &store.Password{Email: d.Email, UserID: d.UserID, Hash: d.Hash, Confirmed: d.Confirmed, CreatedAt: utc(d.CreatedAt)}, nil
}

// UpdatePassword replaces the user id, hash and confirmation of the record.
func (s *Store) UpdatePassword(ctx context.Context, p *store.Password) error {
	res, err := s.coll(collPasswords).UpdateOne(ctx, D{{Key: "_id", Value: p.Email}},
		D{{Key: "$set", Value: D{
			{Key: "user_id", Value: p.UserID},
			{Key: "hash", Value: p.Hash},
			{Key: "confirmed", Value: p.Confirmed},
		}}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeletePassword removes the record and its action tokens.
func (s *Store) DeletePassword(ctx context.Context, email string) error {
	if _, err := s.coll(collActionTokens).DeleteMany(ctx, D{{Key: "email", Value: email}}); err != nil {
		return translate(ctx, err)
	}
	_, err := s.coll(collPasswords).DeleteOne(ctx, D{{Key: "_id", Value: email}})
	return translate(ctx, err)
}

// deleteUserPasswords removes the password records of a user and their
// action tokens.
func (s *Store) deleteUserPasswords(ctx context.Context, userID string) error {
	docs, err := findAll[passwordDoc](ctx, s.coll(collPasswords), D{{Key: "user_id", Value: userID}},
		options.Find().SetProjection(D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	for _, d := range docs {
		if err := s.DeletePassword(ctx, d.Email); err != nil {
			return err
		}
	}
	return nil
}

// CreateActionToken stores t.
func (s *Store) CreateActionToken(ctx context.Context, t *store.ActionToken) error {
	oid, err := mustObjectID("action token", t.ID)
	if err != nil {
		return err
	}
	_, err = s.coll(collActionTokens).InsertOne(ctx, actionTokenDoc{
		ID: oid, Kind: t.Kind, Email: t.Email, Hash: t.Hash, ExpiresAt: t.ExpiresAt,
	})
	return translate(ctx, err)
}

// UseActionToken claims the token's use.
func (s *Store) UseActionToken(ctx context.Context, id string, now time.Time) (*store.ActionToken, error) {
	oid, ok := objectID(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	d, err := findOne[actionTokenDoc](ctx, s.coll(collActionTokens), D{{Key: "_id", Value: oid}})
	if err != nil {
		return nil, err
	}
	if !d.ExpiresAt.After(now) {
		return nil, store.ErrNotFound
	}
	_, err = s.coll(collActionTokenUses).InsertOne(ctx, actionTokenUseDoc{ID: oid, UsedAt: now, ExpiresAt: d.ExpiresAt})
	if err = translate(ctx, err); errors.Is(err, store.ErrAlreadyExists) {
		return nil, store.ErrNotFound // used
	}
	if err != nil {
		return nil, err
	}
	// Housekeeping; the claim above is what counts.
	s.bestEffort(ctx, "remove a used action token", func(ctx context.Context) error {
		if _, err := s.coll(collActionTokens).DeleteMany(ctx, D{{Key: "$or", Value: bson.A{
			D{{Key: "_id", Value: oid}},
			D{{Key: "expires_at", Value: D{{Key: "$lte", Value: now}}}},
		}}}); err != nil {
			return err
		}
		_, err := s.coll(collActionTokenUses).DeleteMany(ctx, D{{Key: "expires_at", Value: D{{Key: "$lte", Value: now}}}})
		return err
	})
	return &store.ActionToken{ID: id, Kind: d.Kind, Email: d.Email, Hash: d.Hash, ExpiresAt: utc(d.ExpiresAt)}, nil
}
