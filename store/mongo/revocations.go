package mongo

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Revocations: an append-only log of ended sessions, _id = the sequence number, which every replica
// polls for the numbers after the last it has seen. Numbering by insertion rather than by time is what
// keeps the poll independent of clocks: a replica whose clock lags another's by more than the poll's
// overlap would otherwise write revocations that the other never reads.
//
// Numbers are claimed as for auth events (see numbered.go): an ordered insert of the numbers after the
// last one known, where the unique _id lets one writer win each number and a loser re-reads the last
// number and tries the next. A number is tried only once the one before it is stored, so a reader that
// sees n has every revocation up to n. Revocations are rare (logouts, admin actions): the writers of one
// Store take turns under a mutex instead of combining their writes.
//
// The log replaces the collection "revocations", which replicas of earlier versions poll by time and
// which this version neither writes nor reads: during a rolling upgrade, access tokens of a session
// ended on a replica of one version are refused by replicas of the other at their expiry at the latest
// (refreshes, which read the session records, are refused at once).

type revocationDoc struct {
	Seq int64     `bson:"_id"`
	SID string    `bson:"sid"`
	At  time.Time `bson:"at"`
}

// revocationSeq is what a Store knows of the log's numbering.
type revocationSeq struct {
	mu sync.Mutex
	numbering
}

// AddRevocations stores rs under the next sequence numbers, in order, and sets their Seq.
func (s *Store) AddRevocations(ctx context.Context, rs ...*store.Revocation) error {
	if len(rs) == 0 {
		return nil
	}
	seq := &s.revocations
	seq.mu.Lock()
	defer seq.mu.Unlock()
	return s.insertNumbered(ctx, collRevocationLog, &seq.numbering, len(rs),
		func(i int, num int64) any { return revocationDoc{Seq: num, SID: rs[i].SessionID, At: rs[i].At} },
		func(i int, num int64) { rs[i].Seq = num })
}

// RevocationsAfter returns the revocations numbered after after, in order, in one query.
func (s *Store) RevocationsAfter(ctx context.Context, after int64) ([]store.Revocation, error) {
	docs, err := findAll[revocationDoc](ctx, s.coll(collRevocationLog),
		D{{Key: "_id", Value: D{{Key: "$gt", Value: after}}}}, options.Find().SetSort(D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := make([]store.Revocation, len(docs))
	for i, d := range docs {
		out[i] = store.Revocation{Seq: d.Seq, SessionID: d.SID, At: utc(d.At)}
	}
	return out, nil
}

// DeleteRevocationsBefore removes the revocations before t, except the latest: were the log ever empty,
// its numbering would start again at 1, below what every replica has seen.
func (s *Store) DeleteRevocationsBefore(ctx context.Context, t time.Time) error {
	last, err := s.lastNumber(ctx, collRevocationLog)
	if err != nil {
		return err
	}
	_, err = s.coll(collRevocationLog).DeleteMany(ctx, D{
		{Key: "_id", Value: D{{Key: "$lt", Value: last}}},
		{Key: "at", Value: D{{Key: "$lt", Value: t}}},
	})
	return translate(ctx, err)
}
