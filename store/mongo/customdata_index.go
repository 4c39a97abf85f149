package mongo

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/feed"
)

// The owner index: which documents of the custom data collection name which user, kept in memory by a
// store whose engine reports every write to the collection (Config.Feed; see package feed). FerretDB v1
// finds a document by any field but _id by decoding the whole collection, so without the index every
// token, refresh and read of custom data would cost more with every user. With it, a user's document is
// one read by _id.
//
// The index may list more candidates than the collection holds, never fewer, and it never ranks a
// candidate below where it belongs:
//   - it is built from one read of the whole collection, made after subscribing to the feed; changes
//     published while that read runs are applied after it;
//   - a change only adds: a write is reported before it runs and may fail, so a document said to have a
//     new owner stays a candidate of its old one, and a candidate said to hold the string form keeps it
//     (the string form ranks first) until a read shows otherwise;
//   - a candidate is dropped, or its form corrected, only by a read of it by _id; a write that was still
//     on its way when the read found nothing is reported again once made (the writer, or the engine's
//     proxy when the answer passes), before anyone hears it is done;
//   - after a write nobody can interpret (All), reads use the query until the index has been built again
//     by a read of the whole collection that began after the write was answered (Settled).
//
// So the user's first candidate in the order of the rule (customdata.go) that a read confirms is the
// winner: every document that could win is listed at or above its place, and every candidate ranked
// before it was read and found not to be the user's. A user the feed can only name (an upsert found by
// another filter) is read with the full query once, which adds what it finds; after a change nobody can
// interpret, everyone is, until the index has been built again.
type ownerIndex struct {
	mu      sync.Mutex
	state   indexState
	pending []feed.Change // published while the index is built
	users   map[string][]indexed
	dirty   map[string]uint64 // users to read with the full query, by the number of their latest mark
	marks   uint64

	// unsettled counts the writes published with All that have not been answered yet: a read of the
	// whole collection before they ran would miss them, so the index is built again only when none is
	// left. generation counts the Alls, so that a build that one overtook is not installed.
	unsettled  int
	generation uint64

	unsubscribe func()
	rebuild     func() // starts a rebuild in the background (set by Open)
}

type indexState int

const (
	indexBuilding indexState = iota // changes queue in pending; reads use the query
	indexReady
	indexStale // a change could not be interpreted; reads use the query until rebuilt
)

// indexed is one candidate document of a user.
type indexed struct {
	id       bson.RawValue
	byString bool // holds the user id as a string, as far as the index knows (see above)
}

func newOwnerIndex() *ownerIndex {
	return &ownerIndex{state: indexBuilding, users: map[string][]indexed{}, dirty: map[string]uint64{}}
}

// apply records a published change.
func (x *ownerIndex) apply(c feed.Change) {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case c.All:
		x.unsettled++
		x.generation++
		x.state, x.pending = indexStale, nil
		return
	case c.Settled:
		if x.unsettled > 0 {
			x.unsettled--
		}
		if x.unsettled == 0 && x.state == indexStale {
			go x.rebuild()
		}
		return
	case x.state == indexBuilding:
		x.pending = append(x.pending, cloneChange(c))
		return
	}
	x.applyLocked(c)
}

func (x *ownerIndex) applyLocked(c feed.Change) {
	for _, d := range c.Docs {
		if user, byString, ok := ownerOfValue(d.Owner); ok {
			x.addLocked(user, cloneValue(d.ID), byString)
		}
	}
	for _, u := range c.Users {
		x.marks++
		x.dirty[u] = x.marks
	}
}

func (x *ownerIndex) addLocked(user string, id bson.RawValue, byString bool) {
	cands := x.users[user]
	for i := range cands {
		if sameRaw(cands[i].id, id) {
			cands[i].byString = cands[i].byString || byString
			return
		}
	}
	x.users[user] = append(cands, indexed{id: id, byString: byString})
}

// install replaces the index with what a read of the whole collection found, then applies the changes
// published meanwhile, unless a write published with All came since the read began (generation: what
// startBuild returned): the read may have missed it, and its settling builds again.
func (x *ownerIndex) install(users map[string][]indexed, generation uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.generation != generation || x.state != indexBuilding {
		return
	}
	x.users, x.dirty = users, map[string]uint64{}
	x.state = indexReady
	pending := x.pending
	x.pending = nil
	for _, c := range pending {
		x.applyLocked(c)
	}
}

// startBuild moves a stale index without unsettled writes to building, and returns the generation the
// build is for; false when it is not stale or a write is still unsettled (its settling builds).
func (x *ownerIndex) startBuild() (uint64, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.state != indexStale || x.unsettled > 0 {
		return 0, false
	}
	x.state, x.pending = indexBuilding, nil
	return x.generation, true
}

// lookup returns the user's candidates in the order of the rule, ok false when the index cannot answer
// for the user now, and the number of the user's dirty mark (0: none).
func (x *ownerIndex) lookup(user string) (cands []indexed, mark uint64, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.state != indexReady {
		return nil, 0, false
	}
	cands = slices.Clone(x.users[user])
	slices.SortStableFunc(cands, func(a, b indexed) int {
		if a.byString != b.byString {
			if a.byString {
				return -1
			}
			return 1
		}
		return compareValues(a.id, b.id)
	})
	return cands, x.dirty[user], true
}

// clean clears the user's dirty mark if it is still mark (no change named the user since).
func (x *ownerIndex) clean(user string, mark uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.dirty[user] == mark {
		delete(x.dirty, user)
	}
}

// settle records what a read of candidate id found: gone or another's (owned false), or the user's in
// the given form.
func (x *ownerIndex) settle(user string, id bson.RawValue, owned, byString bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	cands := x.users[user]
	i := slices.IndexFunc(cands, func(c indexed) bool { return sameRaw(c.id, id) })
	switch {
	case i < 0:
	case !owned:
		cands = slices.Delete(cands, i, i+1)
		if len(cands) == 0 {
			delete(x.users, user)
		} else {
			x.users[user] = cands
		}
	default:
		cands[i].byString = byString
	}
}

// addAll adds candidates found by a query.
func (x *ownerIndex) addAll(user string, found []candidate) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, c := range found {
		x.addLocked(user, cloneValue(c.id), c.byString)
	}
}

// openOwnerIndex subscribes to the feed and builds the index; the store's reads use it from then on.
func (s *Store) openOwnerIndex(ctx context.Context, f *feed.Feed) error {
	cd := &s.customData
	x := newOwnerIndex()
	x.unsubscribe = f.Subscribe(cd.cfg.Database, cd.cfg.Collection, cd.cfg.UserIDField, x.apply)
	x.rebuild = func() {
		generation, ok := x.startBuild()
		if !ok {
			return
		}
		users, err := s.readOwners(s.background)
		if err != nil && s.background.Err() != nil {
			return // closed
		}
		if err != nil {
			// Reads keep using the query; the next change nobody can interpret, or a restart, tries again.
			s.log.Warn("store: custom data: cannot rebuild the owner index; reading by query meanwhile", "error", err.Error())
			x.mu.Lock()
			if x.generation == generation {
				x.state, x.pending = indexStale, nil
			}
			x.mu.Unlock()
			return
		}
		x.install(users, generation)
	}
	users, err := s.readOwners(ctx)
	if err != nil {
		x.unsubscribe()
		return err
	}
	// Not installed if a write published with All came during the read: its settling reads again.
	x.install(users, 0)
	cd.index = x
	return nil
}

// readOwners reads the owner of every document of the custom data collection: the one read that scans
// it whole, at Open (and after a change nobody can interpret).
func (s *Store) readOwners(ctx context.Context) (map[string][]indexed, error) {
	cd := &s.customData
	cur, err := cd.coll.Find(ctx, D{}, options.Find().SetProjection(D{{Key: "_id", Value: 1}, {Key: cd.cfg.UserIDField, Value: 1}}))
	if err != nil {
		return nil, translate(ctx, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	users := map[string][]indexed{}
	for cur.Next(ctx) {
		owner, byString := cd.ownerOf(cur.Current)
		if owner == "" {
			continue
		}
		users[owner] = append(users[owner], indexed{id: cloneValue(cur.Current.Lookup("_id")), byString: byString})
	}
	if err := cur.Err(); err != nil {
		return nil, translate(ctx, err)
	}
	return users, nil
}

// indexedWinner finds the user's winning document through the index; ok false when the index cannot
// answer now (the caller reads with the query).
func (s *Store) indexedWinner(ctx context.Context, userID string) (cur *current, ok bool, err error) {
	x := s.customData.index
	cands, mark, ok := x.lookup(userID)
	if !ok {
		return nil, false, nil
	}
	if mark != 0 {
		// Named by a write the index could not follow: read the user's documents with the query once.
		found, err := s.queryCandidates(ctx, userID)
		if err != nil {
			return nil, true, err
		}
		x.addAll(userID, found)
		x.clean(userID, mark)
		if cands, _, ok = x.lookup(userID); !ok {
			return nil, false, nil
		}
	}
	cd := &s.customData
	for _, c := range cands {
		raw, err := findOne[bson.Raw](ctx, cd.coll, D{{Key: "_id", Value: c.id}})
		switch {
		case errors.Is(err, store.ErrNotFound):
			x.settle(userID, c.id, false, false)
			continue
		case err != nil:
			return nil, true, err
		}
		owner, byString := cd.ownerOf(*raw)
		if owner != userID {
			x.settle(userID, c.id, false, false)
			continue
		}
		if byString != c.byString {
			// In the other form than the index thought: rank again.
			x.settle(userID, c.id, true, byString)
			return s.indexedWinner(ctx, userID)
		}
		cur, err := newCurrent(*raw)
		return cur, true, err
	}
	return nil, true, nil
}

// announce reports a write of this store that makes userID (as a string) the owner of the document id:
// the other stores of the process index it too (the feed delivers to this one as well). A write is
// announced before it is made, so that no store misses it once it is acknowledged, and again after, so
// that a store that read the _id in between, found nothing and dropped the candidate, has it back.
func (s *Store) announce(id bson.RawValue, userID string) {
	if s.feed == nil {
		return
	}
	cd := &s.customData
	t, v, err := bson.MarshalValue(userID)
	if err != nil {
		return
	}
	s.feed.Publish(cd.cfg.Database, cd.cfg.Collection, cd.cfg.UserIDField, feed.Change{
		Docs: []feed.DocOwner{{ID: id, Owner: bson.RawValue{Type: t, Value: v}}},
	})
}

// ownerOfValue is whose document a value of the user id field makes it, and in which form.
func ownerOfValue(v bson.RawValue) (string, bool, bool) {
	switch v.Type {
	case bson.TypeString:
		s, ok := v.StringValueOK()
		return s, true, ok
	case bson.TypeObjectID:
		oid, ok := v.ObjectIDOK()
		return oid.Hex(), false, ok
	}
	return "", false, false
}

func sameRaw(a, b bson.RawValue) bool { return a.Type == b.Type && bytes.Equal(a.Value, b.Value) }

// cloneValue copies a value out of a buffer its publisher may reuse.
func cloneValue(v bson.RawValue) bson.RawValue {
	return bson.RawValue{Type: v.Type, Value: bytes.Clone(v.Value)}
}

func cloneChange(c feed.Change) feed.Change {
	out := feed.Change{All: c.All, Users: slices.Clone(c.Users)}
	for _, d := range c.Docs {
		out.Docs = append(out.Docs, feed.DocOwner{ID: cloneValue(d.ID), Owner: cloneValue(d.Owner)})
	}
	return out
}
