package mongo

import (
	"context"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Auth events, _id = the sequence number. Appending inserts the numbers
// after the last one this Store knows of; the unique _id makes exactly one
// of racing writers (in this process or another) win each number, and a
// loser re-reads the highest number and tries the next. The inserts are
// ordered, so a number is only ever tried once the one before it is stored:
// the sequence has no gaps and a reader never sees a number before a
// smaller one.
//
// Appends of one Store are combined: one goroutine at a time writes, and it
// writes everything queued meanwhile in one insert, so that concurrent
// logins share a round trip instead of racing each other for the same
// number. Writers then contend only across processes.

// appendTimeout bounds one combined write, which serves several callers and so cannot use any one
// caller's deadline.
const appendTimeout = 10 * time.Second

type eventDoc struct {
	Seq       int64     `bson:"_id"`
	Type      string    `bson:"type"`
	UserID    string    `bson:"user_id"`
	Providers []string  `bson:"providers"`
	At        time.Time `bson:"at"`
	// User is kept on DELETE events only: the user is gone by the time anyone reads them.
	User *userSnapshotDoc `bson:"user,omitempty"`
}

type userSnapshotDoc struct {
	Type       string                `bson:"type"`
	Data       any                   `bson:"data"`
	Identities []identitySnapshotDoc `bson:"identities"`
}

type identitySnapshotDoc struct {
	ID           string `bson:"id"`
	ProviderType string `bson:"provider_type"`
	Data         any    `bson:"data"`
}

func toSnapshotDoc(u *store.UserSnapshot) *userSnapshotDoc {
	if u == nil {
		return nil
	}
	d := &userSnapshotDoc{Type: u.Type, Data: toData(u.Data), Identities: make([]identitySnapshotDoc, len(u.Identities))}
	for i, id := range u.Identities {
		d.Identities[i] = identitySnapshotDoc{ID: id.ID, ProviderType: id.ProviderType, Data: toData(id.Data)}
	}
	return d
}

func fromSnapshotDoc(d *userSnapshotDoc) *store.UserSnapshot {
	if d == nil {
		return nil
	}
	u := &store.UserSnapshot{Type: d.Type, Data: fromData(d.Data), Identities: make([]store.IdentitySnapshot, len(d.Identities))}
	for i, id := range d.Identities {
		u.Identities[i] = store.IdentitySnapshot{ID: id.ID, ProviderType: id.ProviderType, Data: fromData(id.Data)}
	}
	return u
}

// eventSeq is the Store's knowledge of the sequence and the appends waiting to be written.
type eventSeq struct {
	// writer is held by the one goroutine writing (a one-element channel, so that waiting for it
	// honors ctx); last and known belong to it.
	writer chan struct{}
	numbering

	mu     sync.Mutex
	queued []*eventAppend
}

// eventAppend is one caller's events and where its outcome goes.
type eventAppend struct {
	events []*store.AuthEvent
	done   chan error
}

func newEventSeq() eventSeq { return eventSeq{writer: make(chan struct{}, 1)} }

// AppendEvents stores events under the next sequence numbers, in order, and sets their Seq.
func (s *Store) AppendEvents(ctx context.Context, events ...*store.AuthEvent) error {
	if len(events) == 0 {
		return nil
	}
	seq := &s.events
	a := &eventAppend{events: events, done: make(chan error, 1)}
	seq.mu.Lock()
	seq.queued = append(seq.queued, a)
	seq.mu.Unlock()
	for {
		select {
		case err := <-a.done:
			return err
		case seq.writer <- struct{}{}:
			seq.mu.Lock()
			batch := seq.queued
			seq.queued = nil
			seq.mu.Unlock()
			if len(batch) > 0 { // empty when an earlier writer took the events of a too
				wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), appendTimeout)
				s.writeEvents(wctx, batch)
				cancel()
			}
			<-seq.writer
		case <-ctx.Done():
			seq.mu.Lock()
			i := slices.Index(seq.queued, a)
			if i >= 0 {
				seq.queued = slices.Delete(seq.queued, i, i+1)
			}
			seq.mu.Unlock()
			if i >= 0 {
				return ctx.Err()
			}
			return <-a.done // a writer has it: its write is bounded by appendTimeout
		}
	}
}

// writeEvents stores the events of batch in one ordered insert (more after conflicts) and tells each
// caller its outcome.
func (s *Store) writeEvents(ctx context.Context, batch []*eventAppend) {
	var pending []*store.AuthEvent
	for _, a := range batch {
		pending = append(pending, a.events...)
	}
	err := s.insertEvents(ctx, pending)
	for _, a := range batch {
		a.done <- err
	}
}

func (s *Store) insertEvents(ctx context.Context, pending []*store.AuthEvent) error {
	return s.insertNumbered(ctx, collEvents, &s.events.numbering, len(pending),
		func(i int, num int64) any {
			e := pending[i]
			d := eventDoc{Seq: num, Type: e.Type, UserID: e.UserID, Providers: e.Providers, At: e.At, User: toSnapshotDoc(e.User)}
			if d.Providers == nil {
				d.Providers = []string{}
			}
			return d
		},
		func(i int, num int64) { pending[i].Seq = num })
}

// EventsAfter returns up to limit events after the sequence number after.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]*store.AuthEvent, error) {
	opts := options.Find().SetSort(D{{Key: "_id", Value: 1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	docs, err := findAll[eventDoc](ctx, s.coll(collEvents), D{{Key: "_id", Value: D{{Key: "$gt", Value: after}}}}, opts)
	if err != nil {
		return nil, err
	}
	out := make([]*store.AuthEvent, len(docs))
	for i, d := range docs {
		out[i] = &store.AuthEvent{Seq: d.Seq, Type: d.Type, UserID: d.UserID, Providers: d.Providers, At: utc(d.At), User: fromSnapshotDoc(d.User)}
	}
	return out, nil
}

// LastEventSeq returns the highest sequence number stored.
func (s *Store) LastEventSeq(ctx context.Context) (int64, error) {
	return s.lastNumber(ctx, collEvents)
}
