package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Auth events, _id = the sequence number. Appending inserts the number
// after the last one this Store knows of; the unique _id makes exactly one
// of racing writers (in this process or another) win each number, and a
// loser re-reads the highest number and tries the next. A number is only
// ever tried once the one before it is stored, so the sequence has no gaps
// and a reader never sees a number before a smaller one.
//
// Appends of one Store are serialized (eventSem): they would otherwise
// mostly race each other for the same number. Writers then contend only
// across processes.

// maxAppendAttempts bounds the numbers one append tries before giving up.
const maxAppendAttempts = 50

type eventDoc struct {
	Seq       int64     `bson:"_id"`
	Type      string    `bson:"type"`
	UserID    string    `bson:"user_id"`
	Providers []string  `bson:"providers"`
	At        time.Time `bson:"at"`
}

// eventSeq is the Store's knowledge of the sequence; hold sem (a
// one-element channel, so that waiting for it honors ctx) to use it.
type eventSeq struct {
	sem   chan struct{}
	last  int64 // the highest number known to be stored
	known bool  // last was read or written since start or since a failure
}

func newEventSeq() eventSeq { return eventSeq{sem: make(chan struct{}, 1)} }

// AppendEvent stores e under the next sequence number and sets e.Seq.
func (s *Store) AppendEvent(ctx context.Context, e *store.AuthEvent) error {
	select {
	case s.events.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.events.sem }()

	seq := &s.events
	if !seq.known {
		last, err := s.lastEventSeq(ctx)
		if err != nil {
			return err
		}
		seq.last, seq.known = last, true
	}
	doc := eventDoc{Type: e.Type, UserID: e.UserID, Providers: e.Providers, At: e.At}
	if doc.Providers == nil {
		doc.Providers = []string{}
	}
	for range maxAppendAttempts {
		doc.Seq = seq.last + 1
		_, err := s.coll(collEvents).InsertOne(ctx, doc)
		err = translate(ctx, err)
		if err == nil {
			seq.last = doc.Seq
			e.Seq = doc.Seq
			return nil
		}
		if !errors.Is(err, store.ErrAlreadyExists) {
			// The insert may have happened all the same: read the
			// sequence again next time.
			seq.known = false
			return err
		}
		last, err := s.lastEventSeq(ctx)
		if err != nil {
			seq.known = false
			return err
		}
		seq.last = max(last, doc.Seq)
	}
	return fmt.Errorf("store: append auth event: %d sequence numbers taken by other writers in a row", maxAppendAttempts)
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
