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
//
// A profile (the user and its identities) is one query of the identities:
// every login writes the user as it leaves it (type, times, data) onto the
// identity it logged in with, in the update it makes there anyway, as well
// as onto the user. The copy on the identity of the latest login is the
// user's, provided it was written by that login: a login recorded by a
// version without copies (a rolling upgrade) leaves the identity's time
// ahead of its copy, and the profile is then read from the user document.
// Only CreateUser and TouchLogin write those fields of the user, so no
// other write can leave a copy behind.

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
	// User is the user as the login at LastLoginAt left it; absent on identities written before copies.
	User *userCopy `bson:"user,omitempty"`
}

// userCopy is a user's document as the login at At left it.
type userCopy struct {
	At          time.Time `bson:"at"`
	Type        string    `bson:"type"`
	CreatedAt   time.Time `bson:"created_at"`
	LastLoginAt time.Time `bson:"last_login_at"`
	Data        any       `bson:"data"`
}

func (d *userDoc) copyAt(at time.Time) *userCopy {
	return &userCopy{At: at, Type: d.Type, CreatedAt: d.CreatedAt, LastLoginAt: d.LastLoginAt, Data: d.Data}
}

// currentUser returns the user as its latest login left it (the later-created identity on a tie),
// or nil when that login wrote no copy.
func currentUser(userID string, docs []identityDoc) *store.User {
	var latest *identityDoc
	for i := range docs {
		if latest == nil || !docs[i].LastLoginAt.Before(latest.LastLoginAt) {
			latest = &docs[i]
		}
	}
	if latest == nil || latest.User == nil || !latest.User.At.Equal(latest.LastLoginAt) {
		return nil
	}
	c := latest.User
	return &store.User{ID: userID, Type: c.Type, CreatedAt: utc(c.CreatedAt), LastLoginAt: utc(c.LastLoginAt), Data: fromData(c.Data)}
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
	idoc.User = udoc.copyAt(first.LastLoginAt)
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

// UserWithIdentities reads the identities and, only when the latest login left no copy of the user on
// its identity, the user document; the disabled claim stays unread.
func (s *Store) UserWithIdentities(ctx context.Context, id string) (*store.User, []*store.Identity, error) {
	oid, ok := objectID(id)
	if !ok {
		return nil, nil, store.ErrNotFound
	}
	docs, err := s.findIdentities(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	u := currentUser(id, docs)
	if u == nil {
		d, err := findOne[userDoc](ctx, s.coll(collUsers), D{{Key: "_id", Value: oid}})
		if err != nil {
			return nil, nil, err
		}
		u = d.user(false)
	}
	return u, identities(docs), nil
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

// TouchLogin records a login on the identity, with a copy of the user as
// it leaves it, and on the user.
func (s *Store) TouchLogin(ctx context.Context, u *store.User, identityID string, identityData map[string]any) error {
	uid, ok := objectID(u.ID)
	iid, ok2 := objectID(identityID)
	if !ok || !ok2 {
		return store.ErrNotFound
	}
	udoc := &userDoc{ID: uid, Type: u.Type, CreatedAt: u.CreatedAt, LastLoginAt: u.LastLoginAt, Data: toData(u.Data)}
	res, err := s.coll(collIdentities).UpdateOne(ctx,
		D{{Key: "_id", Value: iid}, {Key: "user_id", Value: u.ID}},
		D{{Key: "$set", Value: D{{Key: "last_login_at", Value: u.LastLoginAt}, {Key: "data", Value: toData(identityData)},
			{Key: "user", Value: udoc.copyAt(u.LastLoginAt)}}}})
	if err != nil {
		return translate(ctx, err)
	}
	if res.MatchedCount == 0 {
		return store.ErrNotFound
	}
	res, err = s.coll(collUsers).UpdateOne(ctx,
		D{{Key: "_id", Value: uid}},
		D{{Key: "$set", Value: D{{Key: "last_login_at", Value: u.LastLoginAt}, {Key: "data", Value: udoc.Data}}}})
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

// AddIdentity claims the identity, then reads its user: a user deleted
// meanwhile (DeleteUser removes the user before its identities) takes the
// claim back; a user found is copied onto the new identity, whose time is
// now its latest login's.
func (s *Store) AddIdentity(ctx context.Context, id *store.Identity) error {
	d, err := newIdentityDoc(id)
	if err != nil {
		return err
	}
	if _, err := s.coll(collIdentities).InsertOne(ctx, d); err != nil {
		return translate(ctx, err)
	}
	uid, _ := objectID(id.UserID)
	u, err := findOne[userDoc](ctx, s.coll(collUsers), D{{Key: "_id", Value: uid}})
	if err == nil {
		// Without the copy the identity is still linked; profiles read the user document instead.
		s.bestEffort(ctx, "copy the user onto a new identity", func(ctx context.Context) error {
			_, err := s.coll(collIdentities).UpdateOne(ctx, D{{Key: "_id", Value: d.ID}},
				D{{Key: "$set", Value: D{{Key: "user", Value: u.copyAt(d.LastLoginAt)}}}})
			return err
		})
		return nil
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
	docs, err := s.findIdentities(ctx, userIDs...)
	return identities(docs), err
}

// findIdentities reads the identities of the users, oldest first, in one query.
func (s *Store) findIdentities(ctx context.Context, userIDs ...string) ([]identityDoc, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	return findAll[identityDoc](ctx, s.coll(collIdentities), D{{Key: "user_id", Value: oneOf(userIDs)}},
		options.Find().SetSort(D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
}

func identities(docs []identityDoc) []*store.Identity {
	out := make([]*store.Identity, len(docs))
	for i := range docs {
		out[i] = docs[i].identity()
	}
	return out
}
