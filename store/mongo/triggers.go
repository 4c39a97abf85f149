package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Leases and trigger cursors are both logs of immutable documents whose current value is the one with the
// highest number, written only by unique-key inserts and trimmed only below that highest number. Neither
// is ever updated in place: FerretDB v1 applies an update by rewriting the document it read, so an update
// racing a delete and re-insert by another writer would write the old holder back over the new one.
//
// A lease is a sequence of terms {lease, term, holder, expires}, _id "name/term". The current term is the
// one with the highest number. Term n+1 is inserted only
//   - by the holder of term n (a renewal, or a release: a term with no holder, expired from the start), or
//   - by anyone once term n has expired by the inserter's clock, or when there is no term yet.
//
// The _id makes exactly one insert of each number win. Why two callers never both hold an unexpired lease
// at one instant of their clock:
//   - A caller holds only when its insert of some term k won and, read after that insert, k was the
//     highest term. The highest number never decreases: nothing but trimming deletes terms, and trimming
//     deletes only terms below one that exists. So an insert of a number below the highest (a caller that
//     read the terms long ago, before some were trimmed) can win its _id but never passes the check; it
//     withdraws its term.
//   - Once k is current, k+1 is won by k's holder (its renewal: it held k until now+ttl and holds k+1 from
//     the moment its insert won) or by another caller whose clock is past k's expiry, when k's holder
//     believes it holds no more. Numbers above k+1 need k+1 first. So the beliefs of different holders
//     never overlap, by the clock they share.
//   - A renewal or a take-over race for the same k+1: one insert wins; the loser reports not held, and a
//     holder whose renewal lost keeps no belief beyond the expiry it had.
//
// A cursor is a set of positions {cursor, seq}, _id "name/seq"; its value is the highest. Setting it
// inserts a position (a duplicate is a position set before) and trims those below, so it only moves forward
// however writers race.

// leaseDoc is one term of a lease.
type leaseDoc struct {
	ID      string    `bson:"_id"`
	Lease   string    `bson:"lease"`
	Term    int64     `bson:"term"`
	Holder  string    `bson:"holder"` // empty: released
	Expires time.Time `bson:"expires"`
}

// cursorDoc is one position of a trigger cursor.
type cursorDoc struct {
	ID     string `bson:"_id"`
	Cursor string `bson:"cursor"`
	Seq    int64  `bson:"seq"`
}

func numberedID(name string, n int64) string { return name + "/" + strconv.FormatInt(n, 10) }

// currentTerm returns the lease's term with the highest number; nil when it has none.
func (s *Store) currentTerm(ctx context.Context, name string) (*leaseDoc, error) {
	d, err := findOne[leaseDoc](ctx, s.coll(collLeases), D{{Key: "lease", Value: name}},
		options.FindOne().SetSort(D{{Key: "term", Value: -1}}))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return d, err
}

// AcquireLease takes, renews or fails to take the lease; see the comment above for why it is safe.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	switch {
	case name == "":
		return false, errors.New("store: a lease needs a name")
	case holder == "":
		return false, errors.New("store: a lease needs a holder")
	case ttl <= 0:
		return false, fmt.Errorf("store: lease %q: the time to live must be positive, not %s", name, ttl)
	}
	cur, err := s.currentTerm(ctx, name)
	if err != nil {
		return false, err
	}
	next := int64(1)
	if cur != nil {
		if cur.Holder != holder && now.Before(cur.Expires) {
			return false, nil // another's, unexpired
		}
		next = cur.Term + 1
	}
	return s.claimTerm(ctx, &leaseDoc{ID: numberedID(name, next), Lease: name, Term: next, Holder: holder, Expires: now.Add(ttl)})
}

// claimTerm inserts term d and reports whether it became the current one.
func (s *Store) claimTerm(ctx context.Context, d *leaseDoc) (bool, error) {
	if _, err := s.coll(collLeases).InsertOne(ctx, d); err != nil {
		if err := translate(ctx, err); !errors.Is(err, store.ErrAlreadyExists) {
			return false, err
		}
		return false, nil // another caller won this term
	}
	cur, err := s.currentTerm(ctx, d.Lease)
	if err != nil {
		// Whether the term is current is unknown: not held. A term of ours that is current blocks others
		// until its expiry at worst, as a crash would.
		return false, err
	}
	if cur == nil || cur.Term != d.Term {
		// A stale term, below the current one: withdraw it (trimming would remove it anyway).
		_, err := s.coll(collLeases).DeleteOne(ctx, D{{Key: "_id", Value: d.ID}})
		return false, translate(ctx, err)
	}
	// Trim the terms before: lookups sort every term of the lease. A failure leaves them for the next time.
	_, _ = s.coll(collLeases).DeleteMany(ctx, D{{Key: "lease", Value: d.Lease}, {Key: "term", Value: D{{Key: "$lt", Value: d.Term}}}})
	return true, nil
}

// ReleaseLease ends holder's term with a term that nobody holds.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if name == "" || holder == "" {
		return errors.New("store: releasing a lease needs its name and holder")
	}
	cur, err := s.currentTerm(ctx, name)
	if err != nil || cur == nil || cur.Holder != holder {
		return err
	}
	// The released term is expired from the start, so anyone may take the next one.
	_, err = s.claimTerm(ctx, &leaseDoc{ID: numberedID(name, cur.Term+1), Lease: name, Term: cur.Term + 1, Expires: time.Unix(0, 0).UTC()})
	return err
}

// TriggerCursor returns the highest position of the cursor.
func (s *Store) TriggerCursor(ctx context.Context, name string) (int64, error) {
	d, err := findOne[cursorDoc](ctx, s.coll(collTriggerCursors), D{{Key: "cursor", Value: name}},
		options.FindOne().SetSort(D{{Key: "seq", Value: -1}}))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return d.Seq, nil
}

// SetTriggerCursor inserts the position seq and trims the positions below it.
func (s *Store) SetTriggerCursor(ctx context.Context, name string, seq int64) error {
	if name == "" {
		return errors.New("store: a trigger cursor needs a name")
	}
	if seq < 0 {
		return fmt.Errorf("store: trigger cursor %q: position %d is negative", name, seq)
	}
	_, err := s.coll(collTriggerCursors).InsertOne(ctx, cursorDoc{ID: numberedID(name, seq), Cursor: name, Seq: seq})
	if err := translate(ctx, err); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return err
	}
	// Positions below seq no longer count; those above (a racing writer's) stay.
	_, err = s.coll(collTriggerCursors).DeleteMany(ctx, D{{Key: "cursor", Value: name}, {Key: "seq", Value: D{{Key: "$lt", Value: seq}}}})
	return translate(ctx, err)
}
