package mongo

import (
	"context"
	"errors"
	"fmt"
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

// The store round trips of the hottest paths, counted and looked at.

// recorder keeps the commands a Store sends, the filters of its finds, and every query (of a find,
// update, delete or other command that selects documents) with its collection.
type recorder struct {
	mu       sync.Mutex
	commands []string
	filters  []bson.Raw
	queries  []query
}

// query is what one command selects documents of coll with. filter is nil for a command that selects
// without one (an aggregation).
type query struct {
	command, coll string
	filter        bson.Raw
}

func (q query) String() string { return fmt.Sprintf("%s %s %v", q.command, q.coll, q.filter) }

func (r *recorder) take() (commands []string, filters []bson.Raw) {
	r.mu.Lock()
	defer r.mu.Unlock()
	commands, filters = r.commands, r.filters
	r.commands, r.filters, r.queries = nil, nil, nil
	return commands, filters
}

func (r *recorder) takeQueries() []query {
	r.mu.Lock()
	defer r.mu.Unlock()
	qs := r.queries
	r.commands, r.filters, r.queries = nil, nil, nil
	return qs
}

// record notes the queries of a command.
func (r *recorder) record(cmd bson.Raw, name string) {
	coll, _ := cmd.Lookup(name).StringValueOK()
	doc := func(v bson.RawValue) bson.Raw {
		d, _ := v.DocumentOK()
		return bson.Raw(slices.Clone(d))
	}
	each := func(list, field string) {
		arr, _ := cmd.Lookup(list).ArrayOK()
		vals, _ := arr.Values()
		for _, v := range vals {
			stmt, _ := v.DocumentOK()
			r.queries = append(r.queries, query{name, coll, doc(stmt.Lookup(field))})
		}
	}
	switch name {
	case "find":
		r.queries = append(r.queries, query{name, coll, doc(cmd.Lookup("filter"))})
	case "update":
		each("updates", "q")
	case "delete":
		each("deletes", "q")
	case "findAndModify", "count", "distinct":
		r.queries = append(r.queries, query{name, coll, doc(cmd.Lookup("query"))})
	case "aggregate":
		r.queries = append(r.queries, query{name, coll, nil})
	}
}

// probeStore returns a Store on s's database whose client records every command.
func probeStore(t *testing.T, uri string, s *Store) (*Store, *recorder) {
	rec := &recorder{}
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		switch e.CommandName {
		case "hello", "isMaster", "ping", "endSessions":
			return
		case "find":
			f, _ := e.Command.Lookup("filter").DocumentOK()
			rec.filters = append(rec.filters, bson.Raw(slices.Clone(f)))
		}
		rec.record(e.Command, e.CommandName)
		rec.commands = append(rec.commands, e.CommandName)
	}}
	c, err := mongodriver.Connect(options.Client().ApplyURI(uri).SetMonitor(mon))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(context.Background()) })
	probe := &Store{client: c, db: c.Database(s.db.Name()), log: s.log, events: newEventSeq(), scansIn: s.scansIn, customData: s.customData}
	probe.customData.coll = c.Database(s.customData.coll.Database().Name()).Collection(s.customData.coll.Name())
	return probe, rec
}

// operators lists the query operators of a filter, at any depth.
func operators(d bson.Raw) []string {
	var out []string
	elems, _ := d.Elements()
	for _, e := range elems {
		if strings.HasPrefix(e.Key(), "$") {
			out = append(out, e.Key())
		}
		if sub, ok := e.Value().DocumentOK(); ok {
			out = append(out, operators(sub)...)
		}
	}
	return out
}

// byKey reports whether a filter is {_id: <string or ObjectId>}: the one filter FerretDB v1 on SQLite
// serves from the key. It answers any other (another field, _id beside another field, $in, a sort with
// a filter) by decoding every document of the collection.
func byKey(filter bson.Raw) bool {
	elems, err := filter.Elements()
	if err != nil || len(elems) != 1 || elems[0].Key() != "_id" {
		return false
	}
	t := elems[0].Value().Type
	return t == bson.TypeString || t == bson.TypeObjectID
}

// TestHotPathsReadByKey follows the store's side of the hot paths (a login of an existing user by its
// provider's subject, a profile, a password or API key lookup, a refresh, an authenticated call) and
// fails when any query of Lanyard's own collections is not by _id alone. It also counts them: each is a
// round trip.
func TestHotPathsReadByKey(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now, LastLoginAt: now}
		ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "oauth2-google", ProviderID: "subject", CreatedAt: now, LastLoginAt: now}
		mustDo(t, s.CreateUser(ctx, u, ident), "CreateUser")
		email := "ada@example.com"
		mustDo(t, s.CreatePassword(ctx, &store.Password{Email: email, UserID: u.ID, Hash: "$argon2id$x", Confirmed: true, CreatedAt: now}), "CreatePassword")
		key := &store.APIKey{ID: store.NewID(), UserID: u.ID, Name: "ci", SecretHash: []byte("hash"), CreatedAt: now}
		mustDo(t, s.CreateAPIKey(ctx, key), "CreateAPIKey")
		keyIdent := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: apiKeyProvider, ProviderID: key.ID, CreatedAt: now, LastLoginAt: now}
		mustDo(t, s.AddIdentity(ctx, keyIdent), "AddIdentity")
		live := &store.Session{ID: store.NewID(), UserID: u.ID, UserType: u.Type, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsed: now, Rotating: true}
		revoked := &store.Session{ID: store.NewID(), UserID: u.ID, UserType: u.Type, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsed: now}
		mustDo(t, s.CreateSession(ctx, live), "CreateSession")
		mustDo(t, s.CreateSession(ctx, revoked), "CreateSession")
		mustDo(t, s.RevokeSession(ctx, revoked.ID), "RevokeSession")
		mustDo(t, s.ClaimRotation(ctx, &store.Rotation{SessionID: live.ID, Generation: 0, CreatedAt: now, SuccessorHash: []byte{1}}), "ClaimRotation")

		probe, rec := probeStore(t, uri, s)
		notLanyards := map[string]bool{probe.customData.coll.Name(): true, collCustomDataClaims: true}
		cases := []struct {
			name    string
			queries int // round trips that select documents
			call    func() error
		}{
			{"a login by the provider's subject", 1 + 2 + 5 + 2, func() error {
				// FindIdentity, GetUser, ListIdentities (two slots, the missing third, two identities),
				// TouchLogin (the identity, the user), as authn's Login makes them.
				found, err := probe.FindIdentity(ctx, ident.ProviderType, ident.ProviderID)
				if err != nil {
					return err
				}
				user, err := probe.GetUser(ctx, found.UserID)
				if err != nil {
					return err
				}
				idents, err := probe.ListIdentities(ctx, user.ID)
				if err != nil {
					return err
				}
				if len(idents) != 2 {
					t.Errorf("ListIdentities = %d identities, want 2", len(idents))
				}
				user.LastLoginAt = now.Add(time.Minute)
				return probe.TouchLogin(ctx, user, found, map[string]any{"at": "login"})
			}},
			{"a profile", 5, func() error {
				got, idents, err := probe.UserWithIdentities(ctx, u.ID)
				if err == nil && (len(idents) != 2 || !got.LastLoginAt.Equal(now.Add(time.Minute))) {
					t.Errorf("profile after the login: %+v, %d identities", got, len(idents))
				}
				return err
			}},
			{"a password lookup", 1, func() error { _, err := probe.GetPassword(ctx, email); return err }},
			{"an API key lookup", 2, func() error {
				got, err := probe.FindAPIKeyBySecretHash(ctx, key.SecretHash)
				if err == nil && got.ID != key.ID {
					t.Errorf("FindAPIKeyBySecretHash = %s, want %s", got.ID, key.ID)
				}
				return err
			}},
			{"an unknown API key", 1, func() error {
				if _, err := probe.FindAPIKeyBySecretHash(ctx, []byte("random")); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("FindAPIKeyBySecretHash of an unknown key: %v", err)
				}
				return nil
			}},
			{"GetSession of a live session", 2, func() error {
				got, err := probe.GetSession(ctx, live.ID)
				if err == nil && got.Revoked {
					t.Error("live session read as revoked")
				}
				return err
			}},
			{"GetSession of a revoked session", 2, func() error {
				got, err := probe.GetSession(ctx, revoked.ID)
				if err == nil && !got.Revoked {
					t.Error("revoked session read as live")
				}
				return err
			}},
			{"SessionForRefresh", 3, func() error {
				_, rot, err := probe.SessionForRefresh(ctx, live.ID, 0)
				if err == nil && rot == nil {
					t.Error("SessionForRefresh missed the rotation of generation 0")
				}
				return err
			}},
			{"TouchSession", 1, func() error { return probe.TouchSession(ctx, live.ID, now.Add(time.Minute)) }},
			{"UserDisabled", 1, func() error { _, err := probe.UserDisabled(ctx, u.ID); return err }},
		}
		for _, c := range cases {
			rec.takeQueries()
			mustDo(t, c.call(), c.name)
			qs := rec.takeQueries()
			if len(qs) != c.queries {
				t.Errorf("%s: %d queries, want %d: %v", c.name, len(qs), c.queries, qs)
			}
			for _, q := range qs {
				if !notLanyards[q.coll] && (q.filter == nil || !byKey(q.filter)) {
					t.Errorf("%s: %s is not a read by _id alone", c.name, q)
				}
			}
		}
	})
}

// TestByKeyTellsKeyedFilters checks the judge of TestHotPathsReadByKey on filters it must refuse.
func TestByKeyTellsKeyedFilters(t *testing.T) {
	oid := bson.NewObjectID()
	for _, c := range []struct {
		filter bson.D
		keyed  bool
	}{
		{bson.D{{Key: "_id", Value: "a:1"}}, true},
		{bson.D{{Key: "_id", Value: oid}}, true},
		{bson.D{}, false},
		{bson.D{{Key: "sid", Value: "a"}}, false},
		{bson.D{{Key: "_id", Value: oid}, {Key: "user_id", Value: "u"}}, false},
		{bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{oid}}}}}, false},
		{bson.D{{Key: "_id", Value: int32(1)}}, false},
	} {
		raw, err := bson.Marshal(c.filter)
		mustDo(t, err, "marshal")
		if got := byKey(raw); got != c.keyed {
			t.Errorf("byKey(%v) = %v, want %v", c.filter, got, c.keyed)
		}
	}
}

// TestProfileIgnoresStaleAndForeignCopies checks that a profile reads the user document, not the copy on
// the identity of the latest login, when that login wrote no copy (an identity copied from the earlier
// layout, whose login was recorded by a version without copies) or wrote another user's (an identity
// removed and claimed again by a new owner).
func TestProfileIgnoresStaleAndForeignCopies(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now, LastLoginAt: now, Data: map[string]any{"v": "new"}}
		ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user", ProviderID: store.NewID(), CreatedAt: now, LastLoginAt: now}
		mustDo(t, s.CreateUser(ctx, u, ident), "CreateUser")
		uid, _ := objectID(u.ID)
		key := identityKey(ident.ProviderType, ident.ProviderID)

		later := now.Add(time.Minute)
		_, err := s.coll(collIdentities).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_login_at", Value: later}}}})
		mustDo(t, err, "update the identity as a login without a copy")
		_, err = s.coll(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: uid}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_login_at", Value: later}, {Key: "data", Value: bson.D{{Key: "v", Value: "old"}}}}}})
		mustDo(t, err, "update the user as a login without a copy")

		probe, rec := probeStore(t, uri, s)
		got, _, err := probe.UserWithIdentities(ctx, u.ID)
		mustDo(t, err, "UserWithIdentities")
		if !got.LastLoginAt.Equal(later) || got.Data["v"] != "old" {
			t.Errorf("profile = %v, %v; want the user document's %v, old", got.LastLoginAt, got.Data, later)
		}
		if _, filters := rec.take(); len(filters) != 4 {
			t.Errorf("%d queries, want 4 (the slot, the missing second, the identity, then the user)", len(filters))
		}

		// Another user's copy, with the time of the identity's latest login.
		foreign := &userDoc{ID: bson.NewObjectID(), Type: store.UserTypeServer, CreatedAt: now, LastLoginAt: later, Data: bson.D{{Key: "v", Value: "foreign"}}}
		_, err = s.coll(collIdentities).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "user", Value: foreign.copyAt(later)}}}})
		mustDo(t, err, "put another user's copy on the identity")
		got, _, err = probe.UserWithIdentities(ctx, u.ID)
		mustDo(t, err, "UserWithIdentities")
		if got.Type != store.UserTypeNormal || got.Data["v"] != "old" {
			t.Errorf("profile = %s, %v; want the user document's normal, old", got.Type, got.Data)
		}
	})
}

// TestEventAppendsOneInsertEach checks that appends in a row take one insert each, the first one
// reading the sequence once.
func TestEventAppendsOneInsertEach(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		probe, rec := probeStore(t, uri, openInternal(t, uri))
		for i := range 5 {
			evs := []*store.AuthEvent{{Type: store.EventCreate, At: time.Now()}, {Type: store.EventLogin, At: time.Now()}}
			mustDo(t, probe.AppendEvents(t.Context(), evs...), "AppendEvents")
			if evs[0].Seq != int64(2*i+1) || evs[1].Seq != int64(2*i+2) {
				t.Errorf("append %d: Seq %d, %d; want %d, %d", i, evs[0].Seq, evs[1].Seq, 2*i+1, 2*i+2)
			}
			want := []string{"insert"}
			if i == 0 {
				want = []string{"find", "insert"}
			}
			if got, _ := rec.take(); !slices.Equal(got, want) {
				t.Errorf("append %d sent %v, want %v", i, got, want)
			}
		}
	})
}

// TestCustomDataReadsAreEqualities checks how a user's document is found on FerretDB: by the string
// form of the user id first and, only when no document holds it, by the ObjectId form; never with an $in,
// which FerretDB answers by decoding the whole collection.
func TestCustomDataReadsAreEqualities(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		if mongodb := strings.HasSuffix(t.Name(), "/mongodb"); s.scansIn == mongodb {
			t.Fatalf("engine %s detected as FerretDB: %v", t.Name(), s.scansIn)
		} else if mongodb {
			return // one $in, on an index
		}
		probe, rec := probeStore(t, uri, s)
		byString, byOID, none := store.NewID(), store.NewID(), store.NewID()
		oid, _ := objectID(byOID)
		_, err := s.customData.coll.InsertMany(ctx, []any{
			bson.D{{Key: "user_id", Value: byString}, {Key: "form", Value: "string"}},
			bson.D{{Key: "user_id", Value: oid}, {Key: "form", Value: "objectid"}},
		})
		mustDo(t, err, "insert documents")
		for _, c := range []struct {
			user, form string
			finds      int
		}{{byString, "string", 1}, {byOID, "objectid", 2}, {none, "", 2}} {
			doc, err := probe.GetCustomData(ctx, c.user)
			mustDo(t, err, "GetCustomData")
			if got := string(doc.JSON); c.form != "" && !strings.Contains(got, `"form":"`+c.form+`"`) || c.form == "" && doc.JSON != nil && got != "{}" {
				t.Errorf("GetCustomData of the %q user = %s", c.form, got)
			}
			_, filters := rec.take()
			if len(filters) != c.finds {
				t.Errorf("GetCustomData of the %q user: %d queries, want %d", c.form, len(filters), c.finds)
			}
			for _, f := range filters {
				if ops := operators(f); len(ops) > 0 {
					t.Errorf("GetCustomData: query %s uses %v; want equality only", f, ops)
				}
			}
		}
	})
}

// TestSessionsWithoutSID reads sessions as the previous version wrote them (no sid, revocation claim
// only), and checks that deleting sessions takes their revocation markers along.
func TestSessionsWithoutSID(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		user := store.NewID()
		old := func(revoked bool) string {
			oid := bson.NewObjectID()
			_, err := s.coll(collSessions).InsertOne(ctx, bson.D{{Key: "_id", Value: oid}, {Key: "user_id", Value: user},
				{Key: "user_type", Value: store.UserTypeNormal}, {Key: "created_at", Value: now}, {Key: "expires_at", Value: now.Add(time.Minute)},
				{Key: "last_used", Value: now}, {Key: "rotating", Value: true}, {Key: "secret_hash", Value: []byte{1}}})
			mustDo(t, err, "insert a session without sid")
			if revoked {
				_, err := s.coll(collSessionRevocations).InsertOne(ctx, sessionRevocationDoc{ID: oid, UserID: user, At: now})
				mustDo(t, err, "insert a revocation claim")
			}
			return oid.Hex()
		}
		liveOld, revokedOld := old(false), old(true)
		for id, want := range map[string]bool{liveOld: false, revokedOld: true} {
			got, err := s.GetSession(ctx, id)
			mustDo(t, err, "GetSession of a session without sid")
			if got.Revoked != want || got.UserID != user || !got.Rotating {
				t.Errorf("session without sid %s: %+v, want revoked %v", id, got, want)
			}
			got, _, err = s.SessionForRefresh(ctx, id, -1)
			mustDo(t, err, "SessionForRefresh of a session without sid")
			if got.Revoked != want {
				t.Errorf("SessionForRefresh of session without sid %s: revoked %v, want %v", id, got.Revoked, want)
			}
		}
		mustDo(t, s.RevokeSession(ctx, liveOld), "RevokeSession of a session without sid")
		if got, err := s.GetSession(ctx, liveOld); err != nil || !got.Revoked {
			t.Errorf("after RevokeSession, session without sid: %+v, %v", got, err)
		}

		n, err := s.DeleteExpiredSessions(ctx, now.Add(time.Hour))
		mustDo(t, err, "DeleteExpiredSessions")
		if n != 2 {
			t.Errorf("DeleteExpiredSessions = %d, want 2", n)
		}
		left, err := s.coll(collSessions).CountDocuments(ctx, bson.D{})
		mustDo(t, err, "count sessions")
		if left != 0 {
			t.Errorf("%d documents left in sessions after deleting every session (revocation markers?)", left)
		}
	})
}
