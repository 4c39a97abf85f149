package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
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

// maxAppendAttempts bounds the conflicts one write survives before giving up.
const maxAppendAttempts = 50

// appendTimeout bounds one combined write, which serves several callers and so cannot use any one
// caller's deadline.
const appendTimeout = 10 * time.Second

type eventDoc struct {
	Seq       int64     `bson:"_id"`
	Type      string    `bson:"type"`
	UserID    string    `bson:"user_id"`
	Providers []string  `bson:"providers"`
	At        time.Time `bson:"at"`
}

// eventSeq is the Store's knowledge of the sequence and the appends waiting to be written.
type eventSeq struct {
	// writer is held by the one goroutine writing (a one-element channel, so that waiting for it
	// honors ctx); last and known belong to it.
	writer chan struct{}
	last   int64 // the highest number known to be stored
	known  bool  // last was read or written since start or since a failure

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
	seq := &s.events
	for range maxAppendAttempts {
		if !seq.known {
			last, err := s.lastEventSeq(ctx)
			if err != nil {
				return err
			}
			seq.last, seq.known = last, true
		}
		docs := make([]any, len(pending))
		for i, e := range pending {
			d := eventDoc{Seq: seq.last + int64(i) + 1, Type: e.Type, UserID: e.UserID, Providers: e.Providers, At: e.At}
			if d.Providers == nil {
				d.Providers = []string{}
			}
			docs[i] = d
		}
		_, err := s.coll(collEvents).InsertMany(ctx, docs)
		stored := len(pending)
		if err != nil {
			stored = storedBeforeDuplicate(err)
			if stored < 0 {
				// Some may be stored all the same: read the sequence again next time.
				seq.known = false
				return translate(ctx, err)
			}
		}
		for i, e := range pending[:stored] {
			e.Seq = seq.last + int64(i) + 1
		}
		seq.last += int64(stored)
		if pending = pending[stored:]; len(pending) == 0 {
			return nil
		}
		seq.known = false // another writer took the next number
	}
	return fmt.Errorf("store: append auth events: %d sequence numbers taken by other writers in a row", maxAppendAttempts)
}

// storedBeforeDuplicate says how many documents of an ordered insert were stored before it stopped at a
// duplicate key, or -1 when err is anything else.
func storedBeforeDuplicate(err error) int {
	var bwe mongodriver.BulkWriteException
	if !errors.As(err, &bwe) || len(bwe.WriteErrors) != 1 || bwe.WriteConcernError != nil || !isDuplicateKey(bwe.WriteErrors[0]) {
		return -1
	}
	return bwe.WriteErrors[0].Index
}

// lastEventSeq returns the highest sequence number stored (0: none).
func (s *Store) lastEventSeq(ctx context.Context) (int64, error) {
	d, err := findOne[eventDoc](ctx, s.coll(collEvents), D{},
		options.FindOne().SetSort(D{{Key: "_id", Value: -1}}).SetProjection(D{{Key: "_id", Value: 1}}))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return d.Seq, nil
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
		out[i] = &store.AuthEvent{Seq: d.Seq, Type: d.Type, UserID: d.UserID, Providers: d.Providers, At: utc(d.At)}
	}
	return out, nil
}
