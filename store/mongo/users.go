package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Users and identities.
//
// An identity is claimed by inserting its document: the unique index on
// (provider_type, provider_id) (migration 2) lets exactly one insert win,
// on FerretDB as well. Both fields are always set, so FerretDB's leniency
// towards documents that lack a uniquely indexed field does not apply.
//
// The disabled flag is not a field of the user document but a document of
// its own in disabled_users: FerretDB v1 applies an update by rewriting the
// whole document it read, so a TouchLogin racing SetUserDisabled could
// write the old flag back. Disabling is an insert and enabling a delete,
// which no update of the user can undo.

type userDoc struct {
	ID          bson.ObjectID `bson:"_id"`
	Type        string        `bson:"type"`
	CreatedAt   time.Time     `bson:"created_at"`
	LastLoginAt time.Time     `bson:"last_login_at"`
	Data        any           `bson:"data"`
}

func (d *userDoc) user(disabled bool) *store.User {
	return &store.User{
		ID:          d.ID.Hex(),
		Type:        d.Type,
		Disabled:    disabled,
		CreatedAt:   utc(d.CreatedAt),
		LastLoginAt: utc(d.LastLoginAt),
		Data:        fromData(d.Data),
	}
}

type identityDoc struct {
	ID           bson.ObjectID `bson:"_id"`
	UserID       string        `bson:"user_id"`
	ProviderType string        `bson:"provider_type"`
	ProviderID   string        `bson:"provider_id"`
	Data         any           `bson:"data"`
	CreatedAt    time.Time     `bson:"created_at"`
	LastLoginAt  time.Time     `bson:"last_login_at"`
}

func (d *identityDoc) identity() *store.Identity {
	return &store.Identity{
		ID:           d.ID.Hex(),
		UserID:       d.UserID,
		ProviderType: d.ProviderType,
		ProviderID:   d.ProviderID,
		Data:         fromData(d.Data),
		CreatedAt:    utc(d.CreatedAt),
		LastLoginAt:  utc(d.LastLoginAt),
	}
}

func newIdentityDoc(id *store.Identity) (*identityDoc, error) {
	oid, err := mustObjectID("identity", id.ID)
	if err != nil {
		return nil, err
	}
	if _, err := mustObjectID("user", id.UserID); err != nil {
		return nil, err
	}
	return &identityDoc{
		ID:           oid,
		UserID:       id.UserID,
		ProviderType: id.ProviderType,
		ProviderID:   id.ProviderID,
		Data:         toData(id.Data),
		CreatedAt:    id.CreatedAt,
		LastLoginAt:  id.LastLoginAt,
	}, nil
}

// disabledDoc is the claim that a user is disabled.
type disabledDoc struct {
	ID bson.ObjectID `bson:"_id"`
	At time.Time     `bson:"at"`
}

// CreateUser claims the identity, then inserts the user. When the user
// cannot be inserted the claim is withdrawn.
func (s *Store) CreateUser(ctx context.Context, u *store.User, first *store.Identity) error {
	uid, err := mustObjectID("user", u.ID)
	if err != nil {
		return err
	}
	if first.UserID != u.ID {
		return fmt.Errorf("store: the first identity belongs to user %q, not %q", first.UserID, u.ID)
	}
	idoc, err := newIdentityDoc(first)
	if err != nil {
		return err
	}
	// The user goes in before the identity claim, so that whoever finds the identity finds its user: a
	// login that loses the race for the claim reads the winner's user at once.
	udoc := &userDoc{ID: uid, Type: u.Type, CreatedAt: u.CreatedAt, LastLoginAt: u.LastLoginAt, Data: toData(u.Data)}
	if _, err := s.coll(collUsers).InsertOne(ctx, udoc); err != nil {
		return translate(ctx, err)
	}
	if _, err := s.coll(collIdentities).InsertOne(ctx, idoc); err != nil {
		err = translate(ctx, err)
		s.bestEffort(ctx, "withdraw the user of a lost identity claim", func(ctx context.Context) error {
			_, err := s.coll(collUsers).DeleteOne(ctx, D{{Key: "_id", Value: uid}})
			return err
		})
		return err
	}
	if u.Disabled {
		return s.SetUserDisabled(ctx, u.ID, true)
	}
	return nil
}

// GetUser returns the user.
func (s *Store) GetUser(ctx context.Context, id string) (*store.User, error) {
	oid, ok := objectID(id)
	if !ok {
		return nil, store.ErrNotFound
	}
	d, err := findOne[userDoc](ctx, s.coll(collUsers), D{{Key: "_id", Value: oid}})
	if err != nil {
		return nil, err
	}
	disabled, err := exists(ctx, s.coll(collDisabledUsers), D{{Key: "_id", Value: oid}})
	if err != nil {
		return nil, err
	}
	return d.user(disabled), nil
}

// UserWithIdentities reads the user document and the identities, leaving the disabled claim unread.
func (s *Store) UserWithIdentities(ctx context.Context, id string) (*store.User, []*store.Identity, error) {
	oid, ok := objectID(id)
	if !ok {
		return nil, nil, store.ErrNotFound
	}
	d, err := findOne[userDoc](ctx, s.coll(collUsers), D{{Key: "_id", Value: oid}})
	if err != nil {
		return nil, nil, err
	}
	idents, err := s.ListIdentities(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return d.user(false), idents, nil
}

// UserDisabled reports whether the user is disabled: one look at the disabled claims.
func (s *Store) UserDisabled(ctx context.Context, id string) (bool, error) {
	oid, ok := objectID(id)
	if !ok {
		return false, store.ErrNotFound
	}
	return exists(ctx, s.coll(collDisabledUsers), D{{Key: "_id", Value: oid}})
}

// ListUsers returns a page of users in id order.
func (s *Store) ListUsers(ctx context.Context, afterID string, limit int) ([]*store.User, error) {
	filter := D{}
	if afterID != "" {
		oid, ok := objectID(afterID)
		if !ok {
			return nil, nil
		}
		filter = D{{Key: "_id", Value: D{{Key: "$gt", Value: oid}}}}
	}
	opts := options.Find().SetSort(D{{Key: "_id", Value: 1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	docs, err := findAll[userDoc](ctx, s.coll(collUsers), filter, opts)
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	ids := make([]bson.ObjectID, len(docs))
	for i := range docs {
		ids[i] = docs[i].ID
	}
	flags, err := findAll[disabledDoc](ctx, s.coll(collDisabledUsers), D{{Key: "_id", Value: D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	disabled := make(map[bson.ObjectID]bool, len(flags))
	for _, f := range flags {
		disabled[f.ID] = true
	}
	out := make([]*store.User, len(docs))
	for i := range docs {
		out[i] = docs[i].user(disabled[docs[i].ID])
	}
	return out, nil
}

// SetUserDisabled inserts or deletes the user's disabled claim.
func (s *Store) SetUserDisabled(ctx context.Context, id string, disabled bool) error {
	oid, ok := objectID(id)
	if !ok {
		return store.ErrNotFound
	}
	found, err := exists(ctx, s.coll(collUsers), D{{Key: "_id", Value: oid}})
	if err != nil {
		return err
	}
	if !found {
		return store.ErrNotFound
	}
	if !disabled {
		_, err := s.coll(collDisabledUsers).DeleteOne(ctx, D{{Key: "_id", Value: oid}})
		return translate(ctx, err)
	}
	_, err = s.coll(collDisabledUsers).InsertOne(ctx, disabledDoc{ID: oid, At: time.Now()})
	if err = translate(ctx, err); errors.Is(err, store.ErrAlreadyExists) {
		return nil // disabled already
	}
	return err
}

// TouchLogin records a login on the identity and on the user.
func (s *Store) TouchLogin(ctx context.Context, userID, identityID string, at time.Time, identityData, userData map[string]any) error {
	uid, ok := objectID(userID)
	iid, ok2 := objectID(identityID)
	if !ok || !ok2 {
		return store.ErrNotFound
	}
	res, err := s.coll(collIdentities).UpdateOne(ctx,
		D{{Key: "_id", Value: iid}, {Key: "user_id", Value: userID}},
		D{{Key: "$set", Value: D{{Key: "last_login_at", Value: at}, {Key: "data", Value: toData(identityData)}}}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	res, err = s.coll(collUsers).UpdateOne(ctx,
		D{{Key: "_id", Value: uid}},
		D{{Key: "$set", Value: D{{Key: "last_login_at", Value: at}, {Key: "data", Value: toData(userData)}}}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteUser deletes the user, then everything it owns. What it owns is
// swept even when the user is already gone, so that a retry after a
// partial failure finishes the job.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	oid, ok := objectID(id)
	if !ok {
		return store.ErrNotFound
	}
	res, err := s.coll(collUsers).DeleteOne(ctx, D{{Key: "_id", Value: oid}})
	if err != nil {
		return translate(ctx, err)
	}
	byUser := D{{Key: "user_id", Value: id}}
	if _, err := s.coll(collIdentities).DeleteMany(ctx, byUser); err != nil {
		return translate(ctx, err)
	}
	if err := s.deleteSessions(ctx, byUser); err != nil {
		return err
	}
	// Revocation claims whose session went before them (a failed sweep).
	if _, err := s.coll(collSessionRevocations).DeleteMany(ctx, byUser); err != nil {
		return translate(ctx, err)
	}
	if _, err := s.coll(collAPIKeys).DeleteMany(ctx, byUser); err != nil {
		return translate(ctx, err)
	}
	if err := s.deleteUserPasswords(ctx, id); err != nil {
		return err
	}
	if _, err := s.coll(collDisabledUsers).DeleteOne(ctx, D{{Key: "_id", Value: oid}}); err != nil {
		return translate(ctx, err)
	}
	if res.DeletedCount == 0 {
		return store.ErrNotFound
	}
	return nil
}

// AddIdentity claims the identity, then checks that its user exists: a
// user deleted meanwhile (DeleteUser removes the user before its
// identities) takes the claim back.
func (s *Store) AddIdentity(ctx context.Context, id *store.Identity) error {
	d, err := newIdentityDoc(id)
	if err != nil {
		return err
	}
	if _, err := s.coll(collIdentities).InsertOne(ctx, d); err != nil {
		return translate(ctx, err)
	}
	uid, _ := objectID(id.UserID)
	found, err := exists(ctx, s.coll(collUsers), D{{Key: "_id", Value: uid}})
	if err == nil && found {
		return nil
	}
	if err == nil {
		err = store.ErrNotFound
	}
	s.bestEffort(ctx, "withdraw an identity claim", func(ctx context.Context) error {
		_, err := s.coll(collIdentities).DeleteOne(ctx, D{{Key: "_id", Value: d.ID}})
		return err
	})
	return err
}

// FindIdentity returns the identity of a provider's subject.
func (s *Store) FindIdentity(ctx context.Context, providerType, providerID string) (*store.Identity, error) {
	d, err := findOne[identityDoc](ctx, s.coll(collIdentities),
		D{{Key: "provider_type", Value: providerType}, {Key: "provider_id", Value: providerID}})
	if err != nil {
		return nil, err
	}
	return d.identity(), nil
}

// ListIdentities returns the user's identities, oldest first.
func (s *Store) ListIdentities(ctx context.Context, userIDs ...string) ([]*store.Identity, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	docs, err := findAll[identityDoc](ctx, s.coll(collIdentities), D{{Key: "user_id", Value: oneOf(userIDs)}},
		options.Find().SetSort(D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := make([]*store.Identity, len(docs))
	for i := range docs {
		out[i] = docs[i].identity()
	}
	return out, nil
}
