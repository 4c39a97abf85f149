package mongo

import (
	"context"
	"errors"
	"fmt"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Numbered logs (auth events, revocations) have _id = a sequence number claimed with an ordered insert of
// the numbers after the last one known: the unique _id lets one writer win each number, and a loser
// re-reads the last number and tries the next. A number is tried only once the one before it is stored,
// so a reader that sees n has every entry up to n, whatever the writers' clocks say.

// maxAppendAttempts bounds the conflicts one write survives before giving up.
const maxAppendAttempts = 50

// numbering is what a Store knows of one log's numbers. Its writer (one at a time) owns it.
type numbering struct {
	last  int64 // the highest number known to be stored
	known bool  // last was read or written since start or since a failure
}

// insertNumbered stores n entries in coll under the next numbers, in order. doc builds entry i's document
// under number num; numbered tells entry i the number it was stored under.
func (s *Store) insertNumbered(ctx context.Context, coll string, seq *numbering, n int,
	doc func(i int, num int64) any, numbered func(i int, num int64)) error {
	done := 0
	for range maxAppendAttempts {
		if !seq.known {
			last, err := s.lastNumber(ctx, coll)
			if err != nil {
				return err
			}
			seq.last, seq.known = last, true
		}
		docs := make([]any, n-done)
		for i := range docs {
			docs[i] = doc(done+i, seq.last+int64(i)+1)
		}
		_, err := s.coll(coll).InsertMany(ctx, docs)
		stored := len(docs)
		if err != nil {
			if stored = storedBeforeDuplicate(err); stored < 0 {
				// Some may be stored all the same: read the numbering again next time.
				seq.known = false
				return translate(ctx, err)
			}
		}
		for i := range stored {
			numbered(done+i, seq.last+int64(i)+1)
		}
		seq.last += int64(stored)
		if done += stored; done == n {
			return nil
		}
		seq.known = false // another writer took the next number
	}
	return fmt.Errorf("store: %s: %d sequence numbers taken by other writers in a row", coll, maxAppendAttempts)
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

// lastNumber returns the highest number stored in coll (0: none).
func (s *Store) lastNumber(ctx context.Context, coll string) (int64, error) {
	type numberOnly struct {
		Seq int64 `bson:"_id"`
	}
	d, err := findOne[numberOnly](ctx, s.coll(coll), D{},
		options.FindOne().SetSort(D{{Key: "_id", Value: -1}}).SetProjection(D{{Key: "_id", Value: 1}}))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return d.Seq, nil
}
