package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
)

// Identity slots: how a user's identities are found by _id alone (see
// users.go for why).
//
// A user's slots are the documents {_id: "<user id>:<n>", key: an
// identity's _id, ident: that identity's id} of user_identities, for n =
// 1, 2, …: a reader reads slot 1, 2, … up to the first missing one, then
// each identity by its key. A slot is taken before the identity it points
// to is inserted, so that every identity of a user can be reached from the
// user's slots, by DeleteUser too, even after a crash between the two. A
// slot missing in the middle would hide every later one, so slots are
// deleted only at the end (or with their user, by DeleteUser, from the last
// one down).
//
// A slot whose identity is gone would cost every reader two reads for
// nothing, for good; so the writer that knows its identity is gone (the
// writer that removed the identity, or the one whose insert of it lost or
// was taken back) frees the slot: it deletes it when it is the last, and
// the free slots left last by that, and otherwise marks it free ({key: "",
// free: a mark made anew at each freeing}), one read for readers until a
// new identity of the user takes it over. Only that writer writes a slot in
// use, so no other writer can be lost by it; freeing it means no writer
// will ever insert its identity, which is why a reader never frees a slot
// whose identity it finds missing (it may be a slot whose identity is about
// to be inserted).
//
// Every other write of a slot is one of these, each a claim, since
// FerretDB v1 makes no update atomic:
//
//   - a new number: the unique insert of the number after the last slot
//     read (of racing writers one wins it, the others try the next);
//   - taking over a free slot, or deleting it from the end: only while
//     holding the claim of its mark, {_id: "<slot _id>#<mark>"}, whose
//     unique insert lets one writer act on that free slot; it reads the
//     slot again once it holds the claim, since the slot may have been
//     taken over, and freed with another mark, since it was read.
//
// Deleting the last slot races adding one after it: a writer that read n
// slots inserts slot n+1 while slot n is deleted, which would hide the new
// one. Each side writes, then reads what the other writes: whoever deletes
// slot n reads slot n+1 afterwards, and puts slot n back, free, when it
// finds it; whoever inserts a slot (a new one, or one put back) reads the
// one before it afterwards and, when it is missing, inserts it free, and so
// on down. Of two such pairs of single-document operations, at least one
// side sees the other's write.
//
// Likewise for free slots left last. Whoever makes slot n free (marks it,
// or inserts it free: put back, or below a new slot) reads slot n+1
// afterwards, and deletes slot n when it is gone; whoever deletes slot n+1
// reads slot n afterwards, unless it puts slot n+1 back, and deletes it
// when it is free. So once every writer is done, the last slot is not
// free: take the last write that made it free, with some mark. Its writer
// then found the next slot gone, and it, or the writer that held that
// mark's claim before it, deleted this one (or took it over); or found the
// next slot there, and whoever deleted the next slot for good read this one
// afterwards, found it free with that mark, and the same follows. A writer
// that finds slot n gone after deleting n+1 can stop there: whoever writes
// slot n again, free, has the same duty as it.
//
// Slots made before slots named their identity (ident) point to whichever
// identity holds their key.

// slotDoc is one slot of a user. Its number is not stored apart from _id.
type slotDoc struct {
	ID    string        `bson:"_id"`             // slotID(user id, n)
	Key   string        `bson:"key"`             // the _id of the identity it leads to; "" when free
	Ident bson.ObjectID `bson:"ident,omitempty"` // the id of the identity it was taken for
	Free  string        `bson:"free,omitempty"`  // the mark of a free slot
	n     int
}

func slotID(userID string, n int) string { return userID + ":" + strconv.Itoa(n) }

// maxSlotAttempts bounds the slot numbers one claim tries past those it read.
const maxSlotAttempts = 50

// slots reads the user's slots in order, up to the first missing one.
func (s *Store) slots(ctx context.Context, userID string) ([]slotDoc, error) {
	var out []slotDoc
	for n := 1; ; n++ {
		d, err := s.slot(ctx, userID, n)
		if errors.Is(err, store.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
}

func (s *Store) slot(ctx context.Context, userID string, n int) (*slotDoc, error) {
	d, err := findOne[slotDoc](ctx, s.coll(collUserIdentities), D{{Key: "_id", Value: slotID(userID, n)}})
	if err != nil {
		return nil, err
	}
	d.n = n
	return d, nil
}

func (s *Store) slotExists(ctx context.Context, userID string, n int) (bool, error) {
	return exists(ctx, s.coll(collUserIdentities), D{{Key: "_id", Value: slotID(userID, n)}})
}

// ensureSlot gives the identity (key, ident) a slot of the user: one that points to it already (from a
// copy run before, or from before ident), or else one it takes. It returns the slot's number, and
// whether it took it: a slot it took is the caller's to free when the identity does not go in.
func (s *Store) ensureSlot(ctx context.Context, userID, key string, ident bson.ObjectID) (n int, took bool, err error) {
	slots, err := s.slots(ctx, userID)
	if err != nil {
		return 0, false, err
	}
	for _, sl := range slots {
		if sl.Key == key && (sl.Ident.IsZero() || sl.Ident == ident) {
			return sl.n, false, nil
		}
	}
	n, err = s.takeSlot(ctx, userID, key, ident, slots)
	return n, err == nil, err
}

// takeSlot points a slot of the user to the identity (key, ident): the first of the free ones read that
// it can claim, or else a new one after them.
func (s *Store) takeSlot(ctx context.Context, userID, key string, ident bson.ObjectID, slots []slotDoc) (int, error) {
	for _, sl := range slots {
		if sl.Free == "" {
			continue
		}
		took, err := s.holdFree(ctx, sl, func() (bool, error) {
			res, err := s.coll(collUserIdentities).UpdateOne(ctx, D{{Key: "_id", Value: sl.ID}}, D{
				{Key: "$set", Value: D{{Key: "key", Value: key}, {Key: "ident", Value: ident}}},
				{Key: "$unset", Value: D{{Key: "free", Value: ""}}}})
			if err != nil {
				return false, translate(ctx, err)
			}
			return res.MatchedCount == 1, nil // none: its user was deleted meanwhile
		})
		if err != nil {
			return 0, err
		}
		if took {
			return sl.n, nil
		}
	}
	n, err := s.claimSlot(ctx, userID, key, ident, len(slots))
	if err != nil {
		return 0, err
	}
	if err := s.fillBelow(ctx, userID, n); err != nil {
		s.bestEffort(ctx, "free an identity slot", func(ctx context.Context) error { return s.releaseSlot(ctx, userID, n) })
		return 0, err
	}
	return n, nil
}

// claimSlot inserts a slot of the user pointing to the identity (key, ident), at the first free number
// after the known slots, and returns that number. A number taken meanwhile by another writer is skipped.
func (s *Store) claimSlot(ctx context.Context, userID, key string, ident bson.ObjectID, known int) (int, error) {
	for n := known + 1; n <= known+maxSlotAttempts; n++ {
		_, err := s.coll(collUserIdentities).InsertOne(ctx, slotDoc{ID: slotID(userID, n), Key: key, Ident: ident})
		switch err := translate(ctx, err); {
		case err == nil:
			return n, nil
		case !errors.Is(err, store.ErrAlreadyExists):
			return 0, err
		}
	}
	return 0, fmt.Errorf("store: user %s: %d identity slots in a row taken by other writers", userID, maxSlotAttempts)
}

// fillBelow puts back, free, the slots below a new slot n that were deleted from the end meanwhile (see
// the top of this file), down to the first it finds.
func (s *Store) fillBelow(ctx context.Context, userID string, n int) error {
	return s.putBack(ctx, userID, n-1)
}

// putBack puts back, free, slot n of the user and the missing ones below it, down to the first it finds.
// Each one it puts back is settled as any slot made free (see settleFree): when the slot after it is gone
// by then, it goes again, and none below it needs putting back.
func (s *Store) putBack(ctx context.Context, userID string, n int) error {
	for i := n; i >= 1; i-- {
		found, err := s.slotExists(ctx, userID, i)
		if err != nil || found {
			return err
		}
		s.step("put back", i)
		mark, err := s.insertFree(ctx, userID, i)
		if err != nil {
			return err
		}
		if mark == "" {
			continue // put back by another writer, who settles it
		}
		if next, err := s.settleFree(ctx, userID, i, mark); err != nil || !next {
			return err
		}
	}
	return nil
}

// insertFree inserts slot n of the user, free, unless it exists, and returns the mark it gave it ("" when
// the slot existed).
func (s *Store) insertFree(ctx context.Context, userID string, n int) (string, error) {
	mark := bson.NewObjectID().Hex()
	_, err := s.coll(collUserIdentities).InsertOne(ctx, slotDoc{ID: slotID(userID, n), Free: mark})
	switch err = translate(ctx, err); {
	case errors.Is(err, store.ErrAlreadyExists):
		return "", nil
	case err != nil:
		return "", err
	}
	return mark, nil
}

// holdFree runs fn while holding the claim of the free slot sl, if sl is still free with the mark it was
// read with once the claim is held, and reports what fn reports (false when it did not run).
func (s *Store) holdFree(ctx context.Context, sl slotDoc, fn func() (bool, error)) (bool, error) {
	claimID := sl.ID + "#" + sl.Free
	_, err := s.coll(collUserIdentities).InsertOne(ctx, D{{Key: "_id", Value: claimID}})
	switch err := translate(ctx, err); {
	case errors.Is(err, store.ErrAlreadyExists):
		return false, nil // another writer acts on this free slot
	case err != nil:
		return false, err
	}
	// A claim left behind by a crash only keeps that mark's slot free; the slot's next mark is new.
	defer s.bestEffort(ctx, "withdraw the claim of a free identity slot", func(ctx context.Context) error {
		_, err := s.coll(collUserIdentities).DeleteOne(ctx, D{{Key: "_id", Value: claimID}})
		return err
	})
	now, err := findOne[slotDoc](ctx, s.coll(collUserIdentities), D{{Key: "_id", Value: sl.ID}})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	case now.Free != sl.Free:
		return false, nil // taken over, or freed again, since it was read
	}
	return fn()
}

// releaseSlot frees slot n of the user, which its caller knows leads to no identity of the user and
// never will (see the top of this file): it deletes it when it is the last slot, and then the free slots
// left last; otherwise it marks it free.
func (s *Store) releaseSlot(ctx context.Context, userID string, n int) error {
	next, err := s.slotExists(ctx, userID, n+1)
	if err != nil {
		return err
	}
	c := s.coll(collUserIdentities)
	if next {
		mark := bson.NewObjectID().Hex()
		_, err := c.UpdateOne(ctx, D{{Key: "_id", Value: slotID(userID, n)}}, D{
			{Key: "$set", Value: D{{Key: "key", Value: ""}, {Key: "free", Value: mark}}},
			{Key: "$unset", Value: D{{Key: "ident", Value: ""}}}})
		if err != nil {
			return translate(ctx, err)
		}
		_, err = s.settleFree(ctx, userID, n, mark)
		return err
	}
	s.step("delete last", n)
	if _, err := c.DeleteOne(ctx, D{{Key: "_id", Value: slotID(userID, n)}}); err != nil {
		return translate(ctx, err)
	}
	return s.afterDelete(ctx, userID, n)
}

// settleFree is what the writer that made slot n of the user free, with mark, does next (see the top of
// this file): it reads slot n+1, and when that is gone, deletes slot n under the claim of mark and goes on
// as afterDelete. It reports whether it found slot n+1.
func (s *Store) settleFree(ctx context.Context, userID string, n int, mark string) (bool, error) {
	next, err := s.slotExists(ctx, userID, n+1)
	if err != nil || next {
		return next, err
	}
	id := slotID(userID, n)
	deleted, err := s.holdFree(ctx, slotDoc{ID: id, Free: mark}, s.deleteSlot(ctx, id))
	if err != nil || !deleted {
		return false, err
	}
	return false, s.afterDelete(ctx, userID, n)
}

// afterDelete is what the writer that deleted slot n of the user does next (see the top of this file):
// it puts slot n back, free, when a slot after it was added meanwhile; otherwise it deletes the slot
// before it when that one is free, and so on down.
func (s *Store) afterDelete(ctx context.Context, userID string, n int) error {
	for {
		next, err := s.slotExists(ctx, userID, n+1)
		if err != nil {
			return err
		}
		if next {
			return s.putBack(ctx, userID, n)
		}
		if n--; n < 1 {
			return nil
		}
		sl, err := s.slot(ctx, userID, n)
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted by another writer, who goes on from there (see the top of this file)
		}
		if err != nil || sl.Free == "" {
			return err
		}
		deleted, err := s.holdFree(ctx, *sl, s.deleteSlot(ctx, sl.ID))
		if err != nil || !deleted {
			return err
		}
	}
}

// deleteSlot is what holdFree runs to delete the free slot with _id id.
func (s *Store) deleteSlot(ctx context.Context, id string) func() (bool, error) {
	return func() (bool, error) {
		_, err := s.coll(collUserIdentities).DeleteOne(ctx, D{{Key: "_id", Value: id}})
		return err == nil, translate(ctx, err)
	}
}

// step runs the hook a test set, if any, at the named point of the slot protocol, to order writers as the
// scheduler seldom does.
func (s *Store) step(name string, n int) {
	if s.slotStep != nil {
		s.slotStep(name, n)
	}
}

// releaseIdentitySlots frees the user's slots that lead to an identity just removed (key, ident), the
// last one first. A slot from before ident that holds the key is the removed identity's too: the
// identities removed this way (an API key's) are never added again.
func (s *Store) releaseIdentitySlots(ctx context.Context, userID, key string, ident bson.ObjectID) error {
	slots, err := s.slots(ctx, userID)
	if err != nil {
		return err
	}
	for i := len(slots) - 1; i >= 0; i-- {
		if sl := slots[i]; sl.Key == key && (sl.Ident.IsZero() || sl.Ident == ident) {
			if err := s.releaseSlot(ctx, userID, sl.n); err != nil {
				return err
			}
		}
	}
	return nil
}
