package mongo

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// oldLayout is a database as the version before migration 6 left it, and the answers that version gave
// about it.
type oldLayout struct {
	users      map[string]*store.User       // the profile's user (UserWithIdentities), by id
	identities map[string][]*store.Identity // by user id, oldest first
	sessions   []*store.Session
	rotation   *store.Rotation
	keys       []*store.APIKey
}

// writeOldLayout writes, with the driver, users, identities, sessions and API keys as the previous version
// wrote them: identities under their own ids, found by provider and by user id; sessions with sid and the
// revocation markers; API keys found by their secret_hash field.
func writeOldLayout(t *testing.T, ctx context.Context, db *mongodriver.Database) *oldLayout {
	t.Helper()
	at := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
	old := &oldLayout{users: map[string]*store.User{}, identities: map[string][]*store.Identity{}}
	insert := func(coll string, doc any) {
		t.Helper()
		_, err := db.Collection(coll).InsertOne(ctx, doc)
		mustDo(t, err, "insert into "+coll)
	}
	user := func(typ string, data bson.D, plain map[string]any, lastLogin time.Time) *store.User {
		oid := bson.NewObjectID()
		insert(collUsers, bson.D{{Key: "_id", Value: oid}, {Key: "type", Value: typ}, {Key: "created_at", Value: at},
			{Key: "last_login_at", Value: lastLogin}, {Key: "data", Value: data}})
		u := &store.User{ID: oid.Hex(), Type: typ, CreatedAt: at, LastLoginAt: lastLogin, Data: plain}
		old.users[u.ID] = u
		return u
	}
	// identity writes an identity; copyOf is the user its latest login copied onto it, with the time of
	// that login (nil: none, as logins before copies wrote it).
	identity := func(u *store.User, ptype, pid string, created, lastLogin time.Time, data bson.D, plain map[string]any, copyOf *store.User, copyAt time.Time) {
		oid := bson.NewObjectID()
		doc := bson.D{{Key: "_id", Value: oid}, {Key: "user_id", Value: u.ID}, {Key: "provider_type", Value: ptype},
			{Key: "provider_id", Value: pid}, {Key: "data", Value: data}, {Key: "created_at", Value: created},
			{Key: "last_login_at", Value: lastLogin}}
		if copyOf != nil {
			doc = append(doc, bson.E{Key: "user", Value: bson.D{{Key: "at", Value: copyAt}, {Key: "type", Value: copyOf.Type},
				{Key: "created_at", Value: copyOf.CreatedAt}, {Key: "last_login_at", Value: copyOf.LastLoginAt}, {Key: "data", Value: copyOf.Data}}})
		}
		insert(collLegacyIdentities, doc)
		old.identities[u.ID] = append(old.identities[u.ID], &store.Identity{ID: oid.Hex(), UserID: u.ID, ProviderType: ptype,
			ProviderID: pid, Data: plain, CreatedAt: created, LastLoginAt: lastLogin})
	}

	// Ada: two identities; the latest login (through Google) left its copy, which the profile shows.
	// Bob's identity is written between hers, so that copies in batches of two part them.
	adaData := bson.D{{Key: "name", Value: "Ada"}, {Key: "n", Value: int32(3)}, {Key: "big", Value: int64(1) << 40},
		{Key: "nested", Value: bson.D{{Key: "list", Value: bson.A{"x", 1.5, bson.D{{Key: "deep", Value: true}}}}}}}
	adaPlain := map[string]any{"name": "Ada", "n": int32(3), "big": int64(1) << 40,
		"nested": map[string]any{"list": []any{"x", 1.5, map[string]any{"deep": true}}}}
	ada := user(store.UserTypeNormal, adaData, adaPlain, at.Add(2*time.Minute))
	identity(ada, "oauth2-google", "g-ada", at.Add(time.Second), at.Add(2*time.Minute),
		bson.D{{Key: "email", Value: "ada@example.com"}}, map[string]any{"email": "ada@example.com"}, ada, at.Add(2*time.Minute))

	// Bob: his latest login was recorded by a version without copies, after one that left a copy: the
	// copy is behind the identity's time, and the profile reads the user document.
	bob := user(store.UserTypeNormal, bson.D{{Key: "v", Value: "user document"}}, map[string]any{"v": "user document"}, at.Add(5*time.Minute))
	stale := &store.User{ID: bob.ID, Type: bob.Type, CreatedAt: at, LastLoginAt: at.Add(time.Minute), Data: map[string]any{"v": "copy"}}
	identity(bob, "custom-token", "bob:with:colons", at, at.Add(5*time.Minute), bson.D{}, map[string]any{}, stale, at.Add(time.Minute))

	identity(ada, "anon-user", bson.NewObjectID().Hex(), at, at.Add(time.Minute), bson.D{}, map[string]any{}, nil, time.Time{})

	// A server user logging in with an API key.
	srv := user(store.UserTypeServer, bson.D{{Key: "name", Value: "ci"}}, map[string]any{"name": "ci"}, at)
	key := &store.APIKey{ID: bson.NewObjectID().Hex(), UserID: srv.ID, Name: "ci", SecretHash: []byte("hash of the ci key"), CreatedAt: at}
	keyOID, _ := objectID(key.ID)
	insert(collAPIKeys, apiKeyDoc{ID: keyOID, UserID: key.UserID, Name: key.Name, SecretHash: key.SecretHash, CreatedAt: at})
	identity(srv, apiKeyProvider, key.ID, at, at, bson.D{{Key: "name", Value: "ci"}}, map[string]any{"name": "ci"}, srv, at)
	// Ada has a key of her own, without an identity (keys of normal users log in as them).
	adaKey := &store.APIKey{ID: bson.NewObjectID().Hex(), UserID: ada.ID, Name: "laptop", SecretHash: []byte("hash of ada's key"), Disabled: true, CreatedAt: at}
	adaKeyOID, _ := objectID(adaKey.ID)
	insert(collAPIKeys, apiKeyDoc{ID: adaKeyOID, UserID: ada.ID, Name: adaKey.Name, SecretHash: adaKey.SecretHash, Disabled: true, CreatedAt: at})
	old.keys = []*store.APIKey{key, adaKey}

	// Sessions: live with a rotation, revoked (markers, then the claim), and one from before sid.
	session := func(userID string, sid, revoked bool) *store.Session {
		oid := bson.NewObjectID()
		doc := bson.D{{Key: "_id", Value: oid}}
		if sid {
			doc = append(doc, bson.E{Key: "sid", Value: oid.Hex()})
		}
		doc = append(doc, bson.D{{Key: "user_id", Value: userID}, {Key: "user_type", Value: store.UserTypeNormal},
			{Key: "device_id", Value: "device"}, {Key: "created_at", Value: at}, {Key: "expires_at", Value: at.Add(48 * time.Hour)},
			{Key: "last_used", Value: at}, {Key: "rotating", Value: true}, {Key: "secret_hash", Value: []byte{1, 2}}}...)
		insert(collSessions, doc)
		if revoked {
			insert(collSessions, revokedMarkerDoc{ID: revokedKey(oid.Hex()), SID: oid.Hex(), At: at})
			insert(collRotations, rotationDoc{ID: revokedKey(oid.Hex()), SessionID: oid.Hex(), CreatedAt: at})
			insert(collSessionRevocations, sessionRevocationDoc{ID: oid, UserID: userID, At: at})
		}
		sess := &store.Session{ID: oid.Hex(), UserID: userID, UserType: store.UserTypeNormal, DeviceID: "device", CreatedAt: at,
			ExpiresAt: at.Add(48 * time.Hour), LastUsed: at, Rotating: true, SecretHash: []byte{1, 2}, Revoked: revoked}
		old.sessions = append(old.sessions, sess)
		return sess
	}
	live := session(ada.ID, true, false)
	session(ada.ID, true, true)
	session(bob.ID, false, false)
	session(bob.ID, false, true)
	old.rotation = &store.Rotation{SessionID: live.ID, Generation: 0, CreatedAt: at, SuccessorHash: []byte{9}, SealedSuccessor: []byte{8}}
	insert(collRotations, rotationDoc{ID: rotationKey(live.ID, 0), SessionID: live.ID, Generation: 0, CreatedAt: at,
		SuccessorHash: []byte{9}, SealedSuccessor: []byte{8}})

	// The profile of Bob is his user document's; Ada's and the server user's are their copies', which
	// equal their user documents.
	for _, ids := range old.identities {
		slices.SortFunc(ids, func(a, b *store.Identity) int { return a.CreatedAt.Compare(b.CreatedAt) })
	}
	return old
}

// migrateUpTo applies the migrations up to version v, as the previous version did.
func migrateUpTo(t *testing.T, ctx context.Context, db *mongodriver.Database, v int) {
	t.Helper()
	for _, m := range migrations {
		if m.version <= v {
			mustDo(t, applyMigration(ctx, db.Collection(migrationsCollection), m, "previous version"), m.name)
		}
	}
}

// checkOldAnswers asks s every read about old and fails t where an answer differs from the previous
// version's.
func checkOldAnswers(t *testing.T, ctx context.Context, s *Store, old *oldLayout) {
	t.Helper()
	same := func(got, want any, what string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
		}
	}
	var everyone []string
	var all []*store.Identity
	for userID, ids := range old.identities {
		everyone = append(everyone, userID)
		all = append(all, ids...)
		for _, id := range ids {
			got, err := s.FindIdentity(ctx, id.ProviderType, id.ProviderID)
			mustDo(t, err, "FindIdentity("+id.ProviderType+", "+id.ProviderID+")")
			same(got, id, "FindIdentity")
		}
		u, idents, err := s.UserWithIdentities(ctx, userID)
		mustDo(t, err, "UserWithIdentities")
		same(u, old.users[userID], "UserWithIdentities' user")
		same(idents, ids, "UserWithIdentities' identities")
		list, err := s.ListIdentities(ctx, userID)
		mustDo(t, err, "ListIdentities")
		same(list, ids, "ListIdentities")
	}
	slices.SortFunc(all, func(a, b *store.Identity) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	list, err := s.ListIdentities(ctx, everyone...)
	mustDo(t, err, "ListIdentities of every user")
	same(list, all, "ListIdentities of every user")
	for _, sess := range old.sessions {
		got, err := s.GetSession(ctx, sess.ID)
		mustDo(t, err, "GetSession")
		same(got, sess, "GetSession")
		got, rot, err := s.SessionForRefresh(ctx, sess.ID, 0)
		mustDo(t, err, "SessionForRefresh")
		same(got, sess, "SessionForRefresh's session")
		if sess.ID == old.rotation.SessionID {
			same(rot, old.rotation, "SessionForRefresh's rotation")
		} else if rot != nil {
			t.Errorf("SessionForRefresh of %s found rotation %+v", sess.ID, rot)
		}
	}
	for _, k := range old.keys {
		got, err := s.FindAPIKeyBySecretHash(ctx, k.SecretHash)
		mustDo(t, err, "FindAPIKeyBySecretHash")
		same(got, k, "FindAPIKeyBySecretHash")
	}
	if _, err := s.FindAPIKeyBySecretHash(ctx, []byte("unknown")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FindAPIKeyBySecretHash of an unknown hash: %v", err)
	}
}

// TestKeyedLayoutReadsAsBefore writes a database as the previous version left it, opens a store on it
// (which migrates it), and checks that every read answers as the previous version did, after a rerun of
// the copies too (a crash, a stale claim taken over); then that deleting a migrated user removes it
// from both layouts. The copies go two documents at a time, so that one user's identities are copied in
// two batches, the second finding its first slot taken.
func TestKeyedLayoutReadsAsBefore(t *testing.T) {
	saved := copyBatch
	copyBatch = 2
	t.Cleanup(func() { copyBatch = saved })
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		client, err := mongodriver.Connect(options.Client().ApplyURI(uri))
		mustDo(t, err, "connect")
		defer client.Disconnect(context.Background())
		name := storetest.DatabaseName(t)
		db := client.Database(name)
		migrateUpTo(t, ctx, db, 4)
		old := writeOldLayout(t, ctx, db)

		s, err := Open(ctx, Config{URI: uri, Database: name, Logger: storetest.Logger(t)})
		mustDo(t, err, "Open")
		defer s.Close(context.Background())
		checkOldAnswers(t, ctx, s, old)

		// A crash halfway: some identities copied without their slots, others not at all.
		ada, bob := "", ""
		for id, u := range old.users {
			switch u.Type {
			case store.UserTypeNormal:
				if len(old.identities[id]) == 2 {
					ada = id
				} else {
					bob = id
				}
			}
		}
		adaLast := slotID(ada, len(old.identities[ada]))
		_, err = s.coll(collUserIdentities).DeleteOne(ctx, bson.D{{Key: "_id", Value: adaLast}})
		mustDo(t, err, "delete Ada's last slot")
		bobsOnly := old.identities[bob][0]
		_, err = s.coll(collIdentities).DeleteOne(ctx, bson.D{{Key: "_id", Value: identityKey(bobsOnly.ProviderType, bobsOnly.ProviderID)}})
		mustDo(t, err, "delete Bob's identity")
		_, err = s.coll(collAPIKeyHashes).DeleteOne(ctx, bson.D{{Key: "_id", Value: hashID(old.keys[0].SecretHash)}})
		mustDo(t, err, "delete a key's hash document")
		for range 2 { // and once more, over a finished copy
			mustDo(t, copyIdentities(ctx, s.db, nil), "copy identities again")
			mustDo(t, copyAPIKeyHashes(ctx, s.db, nil), "copy API key hashes again")
		}
		checkOldAnswers(t, ctx, s, old)
		slots, err := s.coll(collUserIdentities).CountDocuments(ctx, bson.D{})
		mustDo(t, err, "count slots")
		if want := int64(len(old.identities[ada]) + len(old.identities[bob]) + 1); slots != want {
			t.Errorf("%d slots after the copies ran three times, want %d, one per identity", slots, want)
		}

		// The migrated layout takes new writes: a link lands after the copied slots.
		linked := &store.Identity{ID: store.NewID(), UserID: ada, ProviderType: "custom-token", ProviderID: "linked", CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
		mustDo(t, s.AddIdentity(ctx, linked), "AddIdentity to a migrated user")
		_, idents, err := s.UserWithIdentities(ctx, ada)
		mustDo(t, err, "UserWithIdentities")
		if len(idents) != 3 || idents[2].ID != linked.ID {
			t.Errorf("identities of a migrated user after a link: %+v", idents)
		}

		// Deleting migrated users removes them from both layouts.
		for userID := range old.users {
			mustDo(t, s.DeleteUser(ctx, userID), "DeleteUser of a migrated user")
			for _, id := range old.identities[userID] {
				if _, err := s.FindIdentity(ctx, id.ProviderType, id.ProviderID); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("FindIdentity(%s, %s) after DeleteUser: %v", id.ProviderType, id.ProviderID, err)
				}
			}
			if ids, err := s.ListIdentities(ctx, userID); err != nil || len(ids) != 0 {
				t.Errorf("ListIdentities after DeleteUser: %+v, %v", ids, err)
			}
			if _, _, err := s.UserWithIdentities(ctx, userID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UserWithIdentities after DeleteUser: %v", err)
			}
		}
		for _, k := range old.keys {
			if _, err := s.FindAPIKeyBySecretHash(ctx, k.SecretHash); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("FindAPIKeyBySecretHash after DeleteUser: %v", err)
			}
		}
		for _, sess := range old.sessions {
			if _, err := s.GetSession(ctx, sess.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetSession after DeleteUser: %v", err)
			}
		}
		for _, coll := range []string{collLegacyIdentities, collIdentities, collUserIdentities, collAPIKeys, collAPIKeyHashes, collUsers} {
			n, err := s.coll(coll).CountDocuments(ctx, bson.D{})
			mustDo(t, err, "count "+coll)
			if n != 0 {
				t.Errorf("%d documents left in %s after deleting every user", n, coll)
			}
		}
	})
}

// TestLongCopyKeepsItsClaim runs migration 6 over identities copied one at a time, each copy taking two
// thirds of staleClaim on a clock the test moves, and checks at every copy that a process starting then
// would find the migration's claim fresh and wait, rather than take it for a dead owner's and copy too.
func TestLongCopyKeepsItsClaim(t *testing.T) {
	saved := copyBatch
	copyBatch = 1
	t.Cleanup(func() { copyBatch = saved })
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		name := storetest.DatabaseName(t)
		reader, err := mongodriver.Connect(options.Client().ApplyURI(uri))
		mustDo(t, err, "connect")
		defer reader.Disconnect(context.Background())
		records := reader.Database(name).Collection(migrationsCollection)

		var (
			mu     sync.Mutex
			now    = time.Now()
			copies int
		)
		savedClock := migrationClock
		t.Cleanup(func() { migrationClock = savedClock })
		migrationClock = func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return now
		}
		// Each insert of identities is one batch of the copy: the clock moves, and a process starting now
		// looks at the claim.
		batchTakesLong := func(_ context.Context, e *event.CommandStartedEvent) {
			if e.CommandName != "insert" || e.Command.Lookup("insert").StringValue() != collIdentities {
				return
			}
			mu.Lock()
			now = now.Add(2 * staleClaim / 3)
			at := now
			copies++
			mu.Unlock()
			var rec migrationRecord
			if err := records.FindOne(context.Background(), bson.D{{Key: "_id", Value: 6}}).Decode(&rec); err != nil {
				t.Errorf("read the claim of migration 6: %v", err)
			} else if claimStale(&rec, at) {
				t.Errorf("at the copy of batch %d, the claim of %s made or renewed at %v is stale at %v", copies, rec.ClaimedBy, rec.ClaimedAt, at)
			}
		}
		client, err := mongodriver.Connect(options.Client().ApplyURI(uri).SetMonitor(&event.CommandMonitor{Started: batchTakesLong}))
		mustDo(t, err, "connect")
		defer client.Disconnect(context.Background())
		db := client.Database(name)
		migrateUpTo(t, ctx, db, 5)
		writeOldLayout(t, ctx, db)

		mu.Lock()
		copies = 0
		mu.Unlock()
		migrateUpTo(t, ctx, db, 6)
		if copies < 3 {
			t.Errorf("the copy took %d batches; want enough to outlast staleClaim", copies)
		}
		var rec migrationRecord
		mustDo(t, records.FindOne(ctx, bson.D{{Key: "_id", Value: 6}}).Decode(&rec), "read the record of migration 6")
		if rec.AppliedAt == nil || rec.AppliedBy != "previous version" {
			t.Errorf("record of migration 6 after the copy: %+v", rec)
		}
	})
}
