package mongo

import (
	"context"
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

// recorder keeps the commands a Store sends, and the filters of its finds.
type recorder struct {
	mu       sync.Mutex
	commands []string
	filters  []bson.Raw
}

func (r *recorder) take() (commands []string, filters []bson.Raw) {
	r.mu.Lock()
	defer r.mu.Unlock()
	commands, filters = r.commands, r.filters
	r.commands, r.filters = nil, nil
	return commands, filters
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
			rec.filters = append(rec.filters, bson.Raw(f))
		}
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

// TestHotReadsAreEqualities checks that the reads behind every refresh and profile are equality queries:
// FerretDB v1 hands equality filters to its backend and answers $in or $or by decoding the whole
// collection, which made refreshes slower with every session ever rotated.
func TestHotReadsAreEqualities(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now}
		ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user", ProviderID: store.NewID(), CreatedAt: now}
		mustDo(t, s.CreateUser(ctx, u, ident), "CreateUser")
		live := &store.Session{ID: store.NewID(), UserID: u.ID, UserType: u.Type, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsed: now, Rotating: true}
		revoked := &store.Session{ID: store.NewID(), UserID: u.ID, UserType: u.Type, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsed: now}
		mustDo(t, s.CreateSession(ctx, live), "CreateSession")
		mustDo(t, s.CreateSession(ctx, revoked), "CreateSession")
		mustDo(t, s.RevokeSession(ctx, revoked.ID), "RevokeSession")
		mustDo(t, s.ClaimRotation(ctx, &store.Rotation{SessionID: live.ID, Generation: 0, CreatedAt: now, SuccessorHash: []byte{1}}), "ClaimRotation")

		probe, rec := probeStore(t, uri, s)
		cases := []struct {
			name  string
			finds int
			call  func() error
		}{
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
			{"GetUser", 2, func() error { _, err := probe.GetUser(ctx, u.ID); return err }},
			{"UserWithIdentities", 1, func() error { _, _, err := probe.UserWithIdentities(ctx, u.ID); return err }},
			{"ListIdentities of one user", 1, func() error {
				ids, err := probe.ListIdentities(ctx, u.ID)
				if err == nil && len(ids) != 1 {
					t.Errorf("ListIdentities = %d identities, want 1", len(ids))
				}
				return err
			}},
		}
		for _, c := range cases {
			mustDo(t, c.call(), c.name)
			_, filters := rec.take()
			if len(filters) != c.finds {
				t.Errorf("%s: %d queries, want %d", c.name, len(filters), c.finds)
			}
			for _, f := range filters {
				if ops := operators(f); len(ops) > 0 {
					t.Errorf("%s: query %s uses %v; want equality only", c.name, f, ops)
				}
			}
		}
	})
}

// TestProfileOfAnOlderVersionsLogin checks that a login recorded without a copy of the user on its
// identity, as a replica of an older version records it during a rolling upgrade, makes the profile read
// the user document instead of the copy an earlier login left.
func TestProfileOfAnOlderVersionsLogin(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx := t.Context()
		s := openInternal(t, uri)
		now := time.Now().UTC().Truncate(time.Millisecond)
		u := &store.User{ID: store.NewID(), Type: store.UserTypeNormal, CreatedAt: now, LastLoginAt: now, Data: map[string]any{"v": "new"}}
		ident := &store.Identity{ID: store.NewID(), UserID: u.ID, ProviderType: "anon-user", ProviderID: store.NewID(), CreatedAt: now, LastLoginAt: now}
		mustDo(t, s.CreateUser(ctx, u, ident), "CreateUser")

		later := now.Add(time.Minute)
		uid, _ := objectID(u.ID)
		iid, _ := objectID(ident.ID)
		_, err := s.coll(collIdentities).UpdateOne(ctx, bson.D{{Key: "_id", Value: iid}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_login_at", Value: later}}}})
		mustDo(t, err, "update the identity as an older version does")
		_, err = s.coll(collUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: uid}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_login_at", Value: later}, {Key: "data", Value: bson.D{{Key: "v", Value: "old"}}}}}})
		mustDo(t, err, "update the user as an older version does")

		probe, rec := probeStore(t, uri, s)
		got, _, err := probe.UserWithIdentities(ctx, u.ID)
		mustDo(t, err, "UserWithIdentities")
		if !got.LastLoginAt.Equal(later) || got.Data["v"] != "old" {
			t.Errorf("profile = %v, %v; want the user document's %v, old", got.LastLoginAt, got.Data, later)
		}
		if _, filters := rec.take(); len(filters) != 2 {
			t.Errorf("%d queries, want 2 (identities, then the user)", len(filters))
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
