// Package feed carries news of writes to a collection from where they are
// seen to the stores that keep an index of it.
//
// FerretDB v1 answers a query on any field but _id by decoding every
// document of the collection, so the custom data of a user (found by its
// user id field) cannot be looked up at a cost that stays flat as users
// grow. A store of the embedded engine keeps an index of that one field in
// memory instead, and the index is exact only if it hears of every write
// that can change who owns which document: the engine's operator port
// reports the writes of every client that connects through it (mongosh, an
// operator's backend, another Lanyard), and each store of the process
// reports its own. Both report before the write is answered, so a read that
// starts after a write was acknowledged sees its effect.
//
// Deletes are not reported: a reader reads the document its index names by
// _id and checks its owner, which catches documents deleted or changed since.
package feed

import (
	"cmp"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Change is what one write may have done to the owners of a watched
// collection's documents: the values of the watched field.
type Change struct {
	// Docs now hold Owner in the watched field; an Owner of Type 0 means
	// the field is gone (or holds something that names no user). A change
	// is published before its write runs, and the write may still fail or
	// match nothing (a duplicate _id, an update of a missing document): a
	// document may then still hold its former owner. So a subscriber adds
	// a document to Owner's entries but does not drop it from another
	// owner's on this news alone; reading the document settles it.
	Docs []DocOwner
	// Users may now own documents the write did not name (an upsert found
	// by another filter, an update of the field through a filter other than
	// _id). Each is a user id: a string value of the field, or an ObjectId's
	// hex.
	Users []string
	// All: the write may have changed owners in ways nobody can tell from
	// the write itself (an aggregation pipeline update, $rename into the
	// field, a collection renamed onto this one); subscribers must read the
	// whole collection again — once the write is Settled: it is published
	// before it runs, and a read before it ran would see the old owners.
	All bool
	// Settled: a write published with All before has been answered (or its
	// client left long enough ago for it to have run). Each All is followed
	// by one Settled, so a subscriber counts them to know when a read of the
	// whole collection sees every such write.
	Settled bool
}

// Empty reports whether c says nothing changed.
func (c Change) Empty() bool { return len(c.Docs) == 0 && len(c.Users) == 0 && !c.All && !c.Settled }

// DocOwner says that the document with _id ID holds Owner in the watched field.
type DocOwner struct {
	ID    bson.RawValue
	Owner bson.RawValue
}

// Feed routes changes to subscribers by namespace and field. The zero value
// is not usable; call New. It is safe for concurrent use.
type Feed struct {
	mu      sync.RWMutex
	next    int
	subs    map[int]subscription
	watches []Watch // what subs watch, for Watches
}

// Watch names a field that somebody watches in the collection DB.Coll.
type Watch struct {
	DB, Coll, Field string
}

type subscription struct {
	db, coll, field string
	fn              func(Change)
}

// New returns a feed without subscribers.
func New() *Feed { return &Feed{subs: map[int]subscription{}} }

// Subscribe has fn called with every change published for db.coll and field,
// until cancel is called. fn runs in the publisher's goroutine, before the
// write it describes is answered: it must be quick and must not block.
func (f *Feed) Subscribe(db, coll, field string, fn func(Change)) (cancel func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next
	f.next++
	f.subs[id] = subscription{db: db, coll: coll, field: field, fn: fn}
	f.indexWatches()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, id)
		f.indexWatches()
	}
}

// indexWatches rebuilds f.watches; f.mu is held for writing.
func (f *Feed) indexWatches() {
	var ws []Watch
	for _, s := range f.subs {
		if w := (Watch{DB: s.db, Coll: s.coll, Field: s.field}); !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	slices.SortFunc(ws, func(a, b Watch) int {
		return cmp.Or(cmp.Compare(a.DB, b.DB), cmp.Compare(a.Coll, b.Coll), cmp.Compare(a.Field, b.Field))
	})
	f.watches = ws
}

// Watches returns every watched collection and field, sorted, without
// duplicates; nil when nobody watches anything. It is for publishers that
// must tell which collections are watched without knowing their names (the
// engine's operator port matches database names regardless of case). The
// slice is shared: callers must not modify it.
func (f *Feed) Watches() []Watch {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.watches
}

// Watched returns the fields watched in db.coll, sorted, without
// duplicates; nil when nobody watches it.
func (f *Feed) Watched(db, coll string) []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var fields []string
	for _, s := range f.subs {
		if s.db == db && s.coll == coll && !slices.Contains(fields, s.field) {
			fields = append(fields, s.field)
		}
	}
	slices.Sort(fields)
	return fields
}

// Publish hands c to the subscribers of db.coll that watch field.
func (f *Feed) Publish(db, coll, field string, c Change) {
	if c.Empty() {
		return
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, s := range f.subs {
		if s.db == db && s.coll == coll && s.field == field {
			s.fn(c)
		}
	}
}
