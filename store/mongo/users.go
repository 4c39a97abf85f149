package mongo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Users and identities.
//
// FerretDB v1 on SQLite (the default engine) serves a query from its key
// only when the filter is exactly {_id: <string or ObjectId>}; any other
// filter decodes every document of the collection, so that a read by
// another field costs more with every user. Every read of a login, a
// refresh or a profile is therefore a read by _id.
//
// An identity's _id is its provider type and subject, "<provider
// type>:<provider id>" (identityKey; a ':' or '%' in the provider type is
// escaped, though none of Lanyard's has one, so that one key names one
// pair). Finding the identity of a login is one read by key, and inserting
// the identity is its claim: the unique _id lets exactly one of racing
// inserts win, on every engine. The identity's own id (an ObjectId, shown
// to clients) is a field.
//
// A user's identities are found through numbered slots in user_identities,
// {_id: "<user id>:<n>", key: an identity's _id} for n = 1, 2, …: a reader
// reads slot 1, 2, … up to the first missing one, then each identity by its
// key (slots.go has how slots are taken and freed). A slot is taken before
// the identity it points to is inserted, so that every identity of a user
// can be reached from the user's slots, by DeleteUser too, even after a
// crash between the two. Readers skip a free slot, and one that points to
// nothing the user has: its identity is not inserted yet, or is another
// user's (who won the claim), or was met at an earlier slot, or is missing
// with its slot not freed yet (or never, after a crash at the wrong moment,
// or when an earlier version left it).
//
// Why slots and not a list on the user document: FerretDB v1 applies an
// update by rewriting the whole document it read (see mongo.go), so two
// identities added at once to one list would lose one of them. What must
// not be lost is an insert or a delete. The disabled flag, likewise, is not
// a field of the user document but a document of its own in disabled_users,
// so that a TouchLogin racing SetUserDisabled cannot write the old flag
// back: disabling is an insert and enabling a delete. The updates left
// (TouchLogin's, of the user and of one identity, and the API key flag)
// only set fields where the last writer winning is right, but those of a
// slot, which slots.go leaves to one writer at a time.
//
// A profile (the user and its identities) reads no user document as a
// rule: every login writes the user as it leaves it (its id, type, times
// and data) onto the identity it logged in with, in the update it makes
// there anyway, as well as onto the user. The copy on the identity of the
// latest login is the user's, provided that login wrote it for that user:
// an identity copied from the earlier layout may hold a login recorded by a
// version without copies, which leaves the identity's time ahead of its
// copy, and an identity removed and claimed again may still hold its former
// owner's; the profile is then read from the user document. Only CreateUser
// and TouchLogin write those fields of the user, so no other write can
// leave a copy behind.
//
// Earlier versions kept identities in the identities collection (_id = the
// identity's id), found by (provider_type, provider_id) and by user_id,
// which FerretDB answers by decoding the collection. Migration 6 copied
// them into this layout; nothing else reads that collection, and DeleteUser
// and DeleteAPIKey remove what is left there of theirs.

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
	Key          string        `bson:"_id"` // identityKey(ProviderType, ProviderID)
	ID           bson.ObjectID `bson:"id"`
	UserID       string        `bson:"user_id"`
	ProviderType string        `bson:"provider_type"`
	ProviderID   string        `bson:"provider_id"`
	Data         any           `bson:"data"`
	CreatedAt    time.Time     `bson:"created_at"`
	LastLoginAt  time.Time     `bson:"last_login_at"`
	// User is the user as the login at LastLoginAt left it; absent on identities copied from logins
	// recorded before copies.
	User *userCopy `bson:"user,omitempty"`
}

// userCopy is a user's document as the login at At left it.
type userCopy struct {
	UserID      string    `bson:"user_id"` // whose copy it is (migration 6 names it on copies from before)
	At          time.Time `bson:"at"`
	Type        string    `bson:"type"`
	CreatedAt   time.Time `bson:"created_at"`
	LastLoginAt time.Time `bson:"last_login_at"`
	Data        any       `bson:"data"`
}

func (d *userDoc) copyAt(at time.Time) *userCopy {
	return &userCopy{UserID: d.ID.Hex(), At: at, Type: d.Type, CreatedAt: d.CreatedAt, LastLoginAt: d.LastLoginAt, Data: d.Data}
}

// keyEscaper makes identityKey one-to-one: an escaped provider type holds no ':', so the first ':' of a
// key ends it.
var keyEscaper = strings.NewReplacer("%", "%25", ":", "%3A")

// identityKey is the _id of the identity of a provider's subject.
func identityKey(providerType, providerID string) string {
	return keyEscaper.Replace(providerType) + ":" + providerID
}

// currentUser returns the user as its latest login left it (the later-created identity on a tie), or nil
// when that login wrote no copy of this user. docs are in creation order.
func currentUser(userID string, docs []identityDoc) *store.User {
	var latest *identityDoc
	for i := range docs {
		if latest == nil || !docs[i].LastLoginAt.Before(latest.LastLoginAt) {
			latest = &docs[i]
		}
	}
	if latest == nil || latest.User == nil || !latest.User.At.Equal(latest.LastLoginAt) || latest.User.UserID != userID {
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
		Key:          identityKey(id.ProviderType, id.ProviderID),
		ID:           oid,
		UserID:       id.UserID,
		ProviderType: id.ProviderType,
		ProviderID:   id.ProviderID,
		Data:         toData(id.Data),
		CreatedAt:    id.CreatedAt,
		LastLoginAt:  id.LastLoginAt,
	}, nil
}

// sortIdentities puts identities in creation order, by id on a tie.
func sortIdentities(docs []identityDoc) {
	slices.SortStableFunc(docs, func(a, b identityDoc) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
}

// disabledDoc is the claim that a user is disabled.
type disabledDoc struct {
	ID bson.ObjectID `bson:"_id"`
	At time.Time     `bson:"at"`
}

// CreateUser inserts the user, a slot for its first identity, then the
// identity, whose insert is the claim. When the claim is lost the user and
// its slot are withdrawn.
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
	slot, err := s.claimSlot(ctx, u.ID, idoc.Key, idoc.ID, 0)
	if err == nil {
		_, err = s.coll(collIdentities).InsertOne(ctx, idoc)
		err = translate(ctx, err)
	}
	if err != nil {
		// Nobody knows the user yet (no identity leads to it), so no slot of it can follow this one.
		s.bestEffort(ctx, "withdraw the user of a lost identity claim", func(ctx context.Context) error {
			if slot != 0 {
				if _, err := s.coll(collUserIdentities).DeleteOne(ctx, D{{Key: "_id", Value: slotID(u.ID, slot)}}); err != nil {
					return err
				}
			}
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
	docs, err := s.userIdentities(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	sortIdentities(docs)
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

// TouchLogin records a login on the identity, by its key, with a copy of the
// user as it leaves it, and on the user. The identity is the one the login
// found, so its user was compared before: by the time of the update it can
// have changed hands only if it was removed and claimed again meanwhile,
// and then the copy, which names its user, is not taken for the new
// owner's.
func (s *Store) TouchLogin(ctx context.Context, u *store.User, ident *store.Identity, identityData map[string]any) error {
	uid, ok := objectID(u.ID)
	if !ok || ident == nil || ident.UserID != u.ID {
		return store.ErrNotFound
	}
	udoc := &userDoc{ID: uid, Type: u.Type, CreatedAt: u.CreatedAt, LastLoginAt: u.LastLoginAt, Data: toData(u.Data)}
	res, err := s.coll(collIdentities).UpdateOne(ctx,
		D{{Key: "_id", Value: identityKey(ident.ProviderType, ident.ProviderID)}},
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
	if err := s.deleteIdentities(ctx, id); err != nil {
		return err
	}
	byUser := D{{Key: "user_id", Value: id}}
	if err := s.deleteSessions(ctx, byUser); err != nil {
		return err
	}
	// Revocation claims whose session went before them (a failed sweep).
	if _, err := s.coll(collSessionRevocations).DeleteMany(ctx, byUser); err != nil {
		return translate(ctx, err)
	}
	if err := s.deleteUserAPIKeys(ctx, id); err != nil {
		return err
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

// deleteIdentities removes the user's identities, what is left of them in
// the earlier layout, and then the user's slots, from the last one down.
func (s *Store) deleteIdentities(ctx context.Context, userID string) error {
	slots, err := s.slots(ctx, userID)
	if err != nil {
		return err
	}
	for _, sl := range slots {
		if sl.Free != "" {
			continue
		}
		if _, err := s.deleteIdentity(ctx, sl.Key, func(d *identityDoc) bool { return d.UserID == userID }); err != nil {
			return err
		}
	}
	if _, err := s.coll(collLegacyIdentities).DeleteMany(ctx, D{{Key: "user_id", Value: userID}}); err != nil {
		return translate(ctx, err)
	}
	for i := len(slots) - 1; i >= 0; i-- {
		if _, err := s.coll(collUserIdentities).DeleteOne(ctx, D{{Key: "_id", Value: slots[i].ID}}); err != nil {
			return translate(ctx, err)
		}
	}
	return nil
}

// deleteIdentity removes the identity of key if it is the one meant, as
// mine says of the document read, and returns what it removed (nil:
// nothing). The read and the delete are by _id: a filter on another field
// would decode the whole collection on FerretDB. An identity changes hands
// between the two only if its owner's deletion runs meanwhile and someone
// else claims the same subject at once.
func (s *Store) deleteIdentity(ctx context.Context, key string, mine func(*identityDoc) bool) (*identityDoc, error) {
	d, err := findOne[identityDoc](ctx, s.coll(collIdentities), D{{Key: "_id", Value: key}})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !mine(d) {
		return nil, nil
	}
	if _, err := s.coll(collIdentities).DeleteOne(ctx, D{{Key: "_id", Value: key}}); err != nil {
		return nil, translate(ctx, err)
	}
	return d, nil
}

// AddIdentity reads the user (for its copy on the identity, whose time is
// now its latest login's), takes a slot, claims the identity, and looks at
// the user again: a user deleted meanwhile takes the claim back. DeleteUser
// removes the user before it reads the slots, so either it finds this
// identity's slot or this look finds no user. A slot taken for an identity
// that does not go in, or is taken back, is freed.
func (s *Store) AddIdentity(ctx context.Context, id *store.Identity) error {
	d, err := newIdentityDoc(id)
	if err != nil {
		return err
	}
	uid, _ := objectID(id.UserID)
	u, err := findOne[userDoc](ctx, s.coll(collUsers), D{{Key: "_id", Value: uid}})
	if err != nil {
		return err
	}
	// An identity someone has is refused before a slot is spent on it.
	taken, err := exists(ctx, s.coll(collIdentities), D{{Key: "_id", Value: d.Key}})
	if err != nil {
		return err
	}
	if taken {
		return store.ErrAlreadyExists
	}
	slot, took, err := s.ensureSlot(ctx, id.UserID, d.Key, d.ID)
	if err != nil {
		return err
	}
	release := func(ctx context.Context) error {
		if !took {
			return nil
		}
		return s.releaseSlot(ctx, id.UserID, slot)
	}
	d.User = u.copyAt(d.LastLoginAt)
	if _, err := s.coll(collIdentities).InsertOne(ctx, d); err != nil {
		if err = translate(ctx, err); !errors.Is(err, store.ErrAlreadyExists) {
			return err // it may have gone in all the same: its slot stays
		}
		switch had, rerr := findOne[identityDoc](ctx, s.coll(collIdentities), D{{Key: "_id", Value: d.Key}}); {
		case rerr == nil && had.ID == d.ID:
			// The insert's retry found what its first attempt inserted.
		case rerr != nil && !errors.Is(rerr, store.ErrNotFound):
			return rerr // whose it is is unknown: its slot stays
		default:
			s.bestEffort(ctx, "free the identity slot of a lost claim", release)
			return err
		}
	}
	found, err := exists(ctx, s.coll(collUsers), D{{Key: "_id", Value: uid}})
	if err == nil && found {
		return nil
	}
	if err == nil {
		err = store.ErrNotFound
	}
	s.bestEffort(ctx, "withdraw an identity claim", func(ctx context.Context) error {
		gone, err := s.deleteIdentity(ctx, d.Key, func(x *identityDoc) bool { return x.ID == d.ID })
		if err != nil || gone == nil {
			return err
		}
		return release(ctx)
	})
	return err
}

// FindIdentity returns the identity of a provider's subject: one read by key.
func (s *Store) FindIdentity(ctx context.Context, providerType, providerID string) (*store.Identity, error) {
	d, err := findOne[identityDoc](ctx, s.coll(collIdentities), D{{Key: "_id", Value: identityKey(providerType, providerID)}})
	if err != nil {
		return nil, err
	}
	return d.identity(), nil
}

// ListIdentities returns the users' identities, oldest first, read by _id through their slots. One
// user's are read one document at a time: a few reads that cost the same at any size of the store, where
// a query on user_id would decode every identity on FerretDB. Those of several users (a page of an
// admin listing) are read, on MongoDB, a few queries for the whole page (see pageIdentities); FerretDB
// answers those $in queries by decoding the whole collection, so there each user's are read as one
// user's.
func (s *Store) ListIdentities(ctx context.Context, userIDs ...string) ([]*store.Identity, error) {
	users := make([]string, 0, len(userIDs))
	seen := make(map[string]bool, len(userIDs))
	for _, id := range userIDs {
		if !seen[id] && store.ValidID(id) {
			seen[id] = true
			users = append(users, id)
		}
	}
	var docs []identityDoc
	if len(users) > 1 && !s.scansIn {
		var err error
		if docs, err = s.pageIdentities(ctx, users); err != nil {
			return nil, err
		}
	} else {
		for _, id := range users {
			mine, err := s.userIdentities(ctx, id)
			if err != nil {
				return nil, err
			}
			docs = append(docs, mine...)
		}
	}
	sortIdentities(docs)
	return identities(docs), nil
}

// userIdentities reads the user's identities through its slots, in no particular order: its callers
// sort what they return once.
func (s *Store) userIdentities(ctx context.Context, userID string) ([]identityDoc, error) {
	slots, err := s.slots(ctx, userID)
	if err != nil {
		return nil, err
	}
	return ownIdentities(userID, slots, func(key string) (*identityDoc, error) {
		d, err := findOne[identityDoc](ctx, s.coll(collIdentities), D{{Key: "_id", Value: key}})
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return d, err
	})
}

// ownIdentities returns, each once, the identities the user's slots lead to that are the user's; read
// returns the identity of a key (nil: none).
func ownIdentities(userID string, slots []slotDoc, read func(key string) (*identityDoc, error)) ([]identityDoc, error) {
	var docs []identityDoc
	seen := make(map[string]bool, len(slots))
	for _, sl := range slots {
		if sl.Free != "" || seen[sl.Key] {
			continue
		}
		seen[sl.Key] = true
		d, err := read(sl.Key)
		if err != nil {
			return nil, err
		}
		if d != nil && d.UserID == userID {
			docs = append(docs, *d)
		}
	}
	return docs, nil
}

// slotWindow is how many slot numbers of each user one query of pageIdentities asks for: enough for
// most users' identities, so that most pages take one query of slots.
const slotWindow = 4

// pageIdentities reads the identities of several users in a few queries by _id with $in, which the key
// serves on MongoDB: the users' slots, slotWindow numbers of each at a time until each user's first
// missing one, then every identity they lead to at once.
func (s *Store) pageIdentities(ctx context.Context, users []string) ([]identityDoc, error) {
	slots := make(map[string][]slotDoc, len(users))
	open := users
	for first := 1; len(open) > 0; first += slotWindow {
		ids := make([]string, 0, len(open)*slotWindow)
		for _, u := range open {
			for n := first; n < first+slotWindow; n++ {
				ids = append(ids, slotID(u, n))
			}
		}
		found, err := findAll[slotDoc](ctx, s.coll(collUserIdentities), D{{Key: "_id", Value: D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return nil, err
		}
		byID := make(map[string]slotDoc, len(found))
		for _, sl := range found {
			byID[sl.ID] = sl
		}
		var more []string
		for _, u := range open {
			n := first
			for ; n < first+slotWindow; n++ {
				sl, ok := byID[slotID(u, n)]
				if !ok {
					break
				}
				sl.n = n
				slots[u] = append(slots[u], sl)
			}
			if n == first+slotWindow {
				more = append(more, u)
			}
		}
		open = more
	}

	var keys []string
	for _, u := range users {
		for _, sl := range slots[u] {
			if sl.Free == "" {
				keys = append(keys, sl.Key)
			}
		}
	}
	byKey := make(map[string]*identityDoc, len(keys))
	if len(keys) > 0 {
		slices.Sort(keys)
		found, err := findAll[identityDoc](ctx, s.coll(collIdentities), D{{Key: "_id", Value: D{{Key: "$in", Value: slices.Compact(keys)}}}})
		if err != nil {
			return nil, err
		}
		for i := range found {
			byKey[found[i].Key] = &found[i]
		}
	}
	var docs []identityDoc
	for _, u := range users {
		mine, _ := ownIdentities(u, slots[u], func(key string) (*identityDoc, error) { return byKey[key], nil })
		docs = append(docs, mine...)
	}
	return docs, nil
}

func identities(docs []identityDoc) []*store.Identity {
	out := make([]*store.Identity, len(docs))
	for i := range docs {
		out[i] = docs[i].identity()
	}
	return out
}
