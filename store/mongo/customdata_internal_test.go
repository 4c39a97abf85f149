package mongo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// The claims' recovery paths, which racing writers rarely take: provoked
// here by writing claims as a writer that died would have left them.

func openInternal(t *testing.T, uri string) *Store {
	t.Helper()
	return openTimed(t, uri, ClaimTiming{})
}

// openTimed opens a store whose claims wait as timing says.
func openTimed(t *testing.T, uri string, timing ClaimTiming) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, Config{URI: uri, Database: storetest.DatabaseName(t), Logger: storetest.Logger(t), ClaimTiming: timing})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// TestClaimTimingDefaults holds the zero ClaimTiming to the values its fields document, which lean on
// one another, and a field that is set to what it says.
func TestClaimTimingDefaults(t *testing.T) {
	d := ClaimTiming{}.withDefaults()
	if want := (ClaimTiming{HelpDelay: time.Second, StaleAfter: 30 * time.Second, CreateWindow: 20 * time.Second, MinSweepAge: time.Minute}); d != want {
		t.Errorf("defaults %+v, want %+v", d, want)
	}
	// Helping comes before a claim is stale; inserts of a creation stop before it is spent; the sweep
	// takes only claims nobody acts on.
	if !(d.HelpDelay < d.StaleAfter && d.CreateWindow < d.StaleAfter && d.StaleAfter < d.MinSweepAge) {
		t.Errorf("defaults %+v: want HelpDelay and CreateWindow < StaleAfter < MinSweepAge", d)
	}
	if got := (ClaimTiming{HelpDelay: 50 * time.Millisecond}).withDefaults(); got.HelpDelay != 50*time.Millisecond || got.StaleAfter != d.StaleAfter {
		t.Errorf("HelpDelay set alone: %+v, want it kept and the rest defaulted", got)
	}
}

func mustDo(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func field(t *testing.T, doc *store.CustomDoc, name string) string {
	t.Helper()
	var m map[string]json.RawMessage
	mustDo(t, json.Unmarshal(doc.JSON, &m), "decode "+string(doc.JSON))
	return string(m[name])
}

func setUpdate(js string) store.CustomDataUpdate {
	return store.CustomDataUpdate{Set: json.RawMessage(js)}
}

// TestCustomDataRawContention races 20 writers of one Store for the same
// claims, without the Store's per-user queue: the claims alone keep one
// document and every update.
func TestCustomDataRawContention(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		s := openInternal(t, uri)
		s.customData.locks.off = true
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		u := store.NewID()
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = s.UpdateCustomData(ctx, u, store.CustomDataUpdate{
					Set: json.RawMessage(fmt.Sprintf(`{"f%d": true}`, i)),
					Inc: json.RawMessage(`{"counter": 1}`),
				})
			})
		}
		began := time.Now()
		close(start)
		wg.Wait()
		t.Logf("%d racing writes took %v", n, time.Since(began).Round(time.Millisecond))
		for i, err := range errs {
			mustDo(t, err, "UpdateCustomData "+strconv.Itoa(i))
		}
		count, err := s.customData.coll.CountDocuments(ctx, D{{Key: "user_id", Value: u}})
		mustDo(t, err, "count")
		if count != 1 {
			t.Fatalf("%d documents, want 1", count)
		}
		doc, err := s.GetCustomData(ctx, u)
		mustDo(t, err, "GetCustomData")
		if got := field(t, doc, "counter"); got != strconv.Itoa(n) {
			t.Errorf("counter = %s, want %d", got, n)
		}
		for i := range n {
			if field(t, doc, "f"+strconv.Itoa(i)) != "true" {
				t.Errorf("f%d lost", i)
			}
		}
	})
}

func TestCustomDataClaimRecovery(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		s := openTimed(t, uri, ClaimTiming{HelpDelay: 50 * time.Millisecond})
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		claims := s.coll(collCustomDataClaims)

		// claimNext writes the claim of the next version of u's document
		// with field set, as a writer that died before applying it.
		claimNext := func(u, key string, value int) *writeClaim {
			t.Helper()
			cur, err := s.winner(ctx, u)
			mustDo(t, err, "winner")
			doc, err := tree(cur.raw)
			mustDo(t, err, "tree")
			doc = setField(doc, key, int32(value))
			raw, _, err := s.encodeVersion(doc, cur.version+1)
			mustDo(t, err, "encode")
			c := &writeClaim{ID: writeKey(cur.idKey, cur.version+1), Kind: claimWrite, User: u, DocKey: cur.idKey,
				N: cur.version + 1, From: cur.version, Base: cur.hash(), Doc: claimedDoc(raw), At: time.Now()}
			_, err = claims.InsertOne(ctx, c)
			mustDo(t, err, "insert claim")
			return c
		}

		t.Run("WriteClaimOfADeadWriterIsApplied", func(t *testing.T) {
			u := store.NewID()
			_, err := s.UpdateCustomData(ctx, u, setUpdate(`{"a": 1}`))
			mustDo(t, err, "UpdateCustomData")
			claimNext(u, "dead", 1)
			began := time.Now()
			doc, err := s.UpdateCustomData(ctx, u, setUpdate(`{"b": 2}`))
			mustDo(t, err, "UpdateCustomData after the dead claim")
			if field(t, doc, "dead") != "1" || field(t, doc, "b") != "2" || doc.Version != 3 {
				t.Errorf("document %s (version %d), want the dead claim's write and then this one", doc.JSON, doc.Version)
			}
			if waited, delay := time.Since(began), s.customData.timing.HelpDelay; waited < delay {
				t.Errorf("helped after %v, before HelpDelay (%v)", waited, delay)
			}
		})

		t.Run("StaleClaimIsNeverApplied", func(t *testing.T) {
			u := store.NewID()
			var first *store.CustomDoc
			for i := range 3 { // versions 1 (a creation), 2 and 3
				doc, err := s.UpdateCustomData(ctx, u, setUpdate(fmt.Sprintf(`{"a": %d}`, i)))
				mustDo(t, err, "UpdateCustomData")
				if first == nil {
					first = doc
				}
			}
			// An operator restores an old copy holding version 1: claim 2
			// of this _id was computed from other contents.
			cur, err := s.winner(ctx, u)
			mustDo(t, err, "winner")
			_, err = s.customData.coll.ReplaceOne(ctx, D{{Key: "_id", Value: cur.id}},
				D{{Key: "user_id", Value: u}, {Key: "op", Value: "x"}, {Key: versionField, Value: int64(1)}})
			mustDo(t, err, "replace directly")
			doc, err := s.UpdateCustomData(ctx, u, setUpdate(`{"c": 3}`))
			mustDo(t, err, "UpdateCustomData after the direct replace")
			if field(t, doc, "a") != "" || field(t, doc, "op") != `"x"` || field(t, doc, "c") != "3" {
				t.Errorf("document %s: a stale claim was applied", doc.JSON)
			}
			if doc.Version != 4 || field(t, doc, "_id") != field(t, first, "_id") {
				t.Errorf("version %d, _id %s; want 4 (past the stale claims) and the same _id", doc.Version, field(t, doc, "_id"))
			}
		})

		t.Run("RollForwardUndoesALateWrite", func(t *testing.T) {
			u := store.NewID()
			for i := range 3 {
				_, err := s.UpdateCustomData(ctx, u, setUpdate(fmt.Sprintf(`{"v%d": %d}`, i, i)))
				mustDo(t, err, "UpdateCustomData")
			}
			cur, err := s.winner(ctx, u)
			mustDo(t, err, "winner")
			// A helper's late write of version 2 lands over version 3.
			c2, err := findOne[writeClaim](ctx, claims, D{{Key: "_id", Value: writeKey(cur.idKey, 2)}})
			mustDo(t, err, "claim 2")
			_, err = s.customData.coll.ReplaceOne(ctx, D{{Key: "_id", Value: cur.id}}, bson.Raw(c2.Doc))
			mustDo(t, err, "replace with version 2")
			mustDo(t, s.rollForward(ctx, cur.id), "rollForward")
			doc, err := s.GetCustomData(ctx, u)
			mustDo(t, err, "GetCustomData")
			if doc.Version != 3 || field(t, doc, "v2") != "2" {
				t.Errorf("after rollForward: %s (version %d), want version 3", doc.JSON, doc.Version)
			}
		})

		// A writer whose replace finds an older version than the one it read (a helper's late write put
		// it back) must not give up on its claim: the claim still follows that version's successor, and
		// a roll forward applies it, so a writer that claimed again would apply its update twice.
		t.Run("ClaimBehindALateWriteIsNotGivenUp", func(t *testing.T) {
			u := store.NewID()
			for i := range 3 { // versions 1, 2 and 3
				_, err := s.UpdateCustomData(ctx, u, setUpdate(fmt.Sprintf(`{"v%d": %d}`, i, i)))
				mustDo(t, err, "UpdateCustomData")
			}
			cur, err := s.winner(ctx, u)
			mustDo(t, err, "winner")
			c := claimNext(u, "mine", 1) // version 4, computed from 3
			c2, err := findOne[writeClaim](ctx, claims, D{{Key: "_id", Value: writeKey(cur.idKey, 2)}})
			mustDo(t, err, "claim 2")
			_, err = s.customData.coll.ReplaceOne(ctx, D{{Key: "_id", Value: cur.id}}, bson.Raw(c2.Doc))
			mustDo(t, err, "replace with version 2")
			_, done, err := s.applyClaim(ctx, cur, c, time.Now(), nil)
			mustDo(t, err, "applyClaim")
			if !done {
				t.Error("the writer gave up a claim that a roll forward applies")
			}
			doc, err := s.GetCustomData(ctx, u)
			mustDo(t, err, "GetCustomData")
			if doc.Version != 4 || field(t, doc, "mine") != "1" {
				t.Errorf("document %s (version %d), want the claim applied as version 4", doc.JSON, doc.Version)
			}
		})

		t.Run("CreationClaimOfADeadWriterIsInserted", func(t *testing.T) {
			u := store.NewID()
			oid := bson.NewObjectID()
			raw, err := bson.Marshal(D{{Key: "_id", Value: oid}, {Key: "user_id", Value: u}, {Key: "hook", Value: "yes"}, {Key: versionField, Value: int64(1)}})
			mustDo(t, err, "marshal")
			_, err = claims.InsertOne(ctx, createClaim{ID: createKey(u, 1), Kind: claimCreate, User: u, N: 1,
				DocID: bson.RawValue{Type: bson.TypeObjectID, Value: oid[:]}, Doc: raw, At: time.Now()})
			mustDo(t, err, "insert creation claim")
			doc, err := s.UpdateCustomData(ctx, u, setUpdate(`{"b": 2}`))
			mustDo(t, err, "UpdateCustomData")
			if field(t, doc, "hook") != `"yes"` || field(t, doc, "b") != "2" || field(t, doc, "_id") != `{"$oid":"`+oid.Hex()+`"}` {
				t.Errorf("document %s, want the claimed creation with this write on top", doc.JSON)
			}
			// Deleted through Lanyard: the claim is never inserted again.
			deleted, err := s.DeleteCustomData(ctx, u)
			mustDo(t, err, "DeleteCustomData")
			if !deleted {
				t.Fatal("nothing deleted")
			}
			inserted, err := s.insertCreated(ctx, &createClaim{ID: createKey(u, 1), User: u, N: 1,
				DocID: bson.RawValue{Type: bson.TypeObjectID, Value: oid[:]}, Doc: raw, At: time.Now()})
			mustDo(t, err, "insertCreated")
			if !inserted {
				t.Fatal("insertCreated did not insert")
			}
			doc, err = s.GetCustomData(ctx, u)
			mustDo(t, err, "GetCustomData")
			if doc.JSON != nil {
				t.Errorf("a late helper brought a deleted document back: %s", doc.JSON)
			}
		})

		// MongoDB refuses a document nested deeper than its limit, a claim included: a claim must nest no
		// deeper than the document it holds.
		t.Run("ClaimsOfADocumentAtTheDepthLimitNestNoDeeper", func(t *testing.T) {
			u := store.NewID()
			deep := `{"deep": ` + strings.Repeat(`{"a": `, store.MaxCustomDataDepth-1) + "1" + strings.Repeat("}", store.MaxCustomDataDepth) // a creation, then a write
			for i := range 2 {
				_, err := s.UpdateCustomData(ctx, u, store.CustomDataUpdate{Set: json.RawMessage(deep), Inc: json.RawMessage(fmt.Sprintf(`{"n": %d}`, i))})
				mustDo(t, err, "UpdateCustomData nested to the limit")
			}
			raws, err := findRaw(ctx, claims, D{{Key: "user", Value: u}})
			mustDo(t, err, "list claims")
			kinds := map[string]bool{}
			for _, raw := range raws {
				kinds[raw.Lookup("kind").StringValue()] = true
				if _, err := encodeDoc(raw, ""); err != nil {
					t.Errorf("claim %s: %v", raw.Lookup("_id"), err)
				}
			}
			if !kinds[claimCreate] || !kinds[claimWrite] {
				t.Errorf("claims of kinds %v, want a creation and a write", kinds)
			}
		})

		// Claims written before documents were held as binary held them embedded.
		t.Run("EmbeddedClaimOfAnEarlierVersionIsInserted", func(t *testing.T) {
			u := store.NewID()
			oid := bson.NewObjectID()
			doc := D{{Key: "_id", Value: oid}, {Key: "user_id", Value: u}, {Key: "old", Value: "yes"}, {Key: versionField, Value: int64(1)}}
			_, err := claims.InsertOne(ctx, D{{Key: "_id", Value: createKey(u, 1)}, {Key: "kind", Value: claimCreate}, {Key: "user", Value: u},
				{Key: "n", Value: int64(1)}, {Key: "doc_id", Value: oid}, {Key: "doc", Value: doc}, {Key: "at", Value: time.Now()}})
			mustDo(t, err, "insert an embedded creation claim")
			got, err := s.UpdateCustomData(ctx, u, setUpdate(`{"b": 2}`))
			mustDo(t, err, "UpdateCustomData")
			if field(t, got, "old") != `"yes"` || field(t, got, "b") != "2" {
				t.Errorf("document %s, want the embedded claim's creation with this write on top", got.JSON)
			}
		})

		t.Run("SweepEmptiesOldCreations", func(t *testing.T) {
			// A store of its own: the default MinSweepAge would keep these claims, made just now.
			s := openTimed(t, uri, ClaimTiming{MinSweepAge: time.Nanosecond})
			claims := s.coll(collCustomDataClaims)
			u := store.NewID()
			_, err := s.UpdateCustomData(ctx, u, setUpdate(`{"a": 1}`))
			mustDo(t, err, "UpdateCustomData")
			_, err = s.DeleteCustomData(ctx, u)
			mustDo(t, err, "DeleteCustomData")
			_, err = s.UpdateCustomData(ctx, u, setUpdate(`{"b": 1}`))
			mustDo(t, err, "UpdateCustomData")
			_, err = s.UpdateCustomData(ctx, u, setUpdate(`{"c": 1}`))
			mustDo(t, err, "UpdateCustomData")
			n, err := s.SweepCustomDataClaims(ctx, time.Now().Add(time.Second))
			mustDo(t, err, "SweepCustomDataClaims")
			left, err := findAll[createClaim](ctx, claims, D{{Key: "user", Value: u}}, options.Find().SetSort(D{{Key: "n", Value: 1}}))
			mustDo(t, err, "list claims")
			// Creation 1 keeps its number (latestCreation reads the numbers in order) without its document.
			if n == 0 || len(left) != 2 || left[0].ID != createKey(u, 1) || left[0].Doc != nil || left[1].ID != createKey(u, 2) || left[1].Doc == nil {
				t.Fatalf("swept %d; left %+v, want %s without its document and %s with it", n, left, createKey(u, 1), createKey(u, 2))
			}
			doc, err := s.UpdateCustomData(ctx, u, setUpdate(`{"d": 1}`))
			mustDo(t, err, "UpdateCustomData after the sweep")
			if field(t, doc, "a") != "" || field(t, doc, "c") != "1" || field(t, doc, "d") != "1" || doc.Version != 3 {
				t.Errorf("after the sweep: %s (version %d)", doc.JSON, doc.Version)
			}
			count, err := s.customData.coll.CountDocuments(ctx, D{{Key: "user_id", Value: u}})
			mustDo(t, err, "count")
			if count != 1 {
				t.Errorf("%d documents after the sweep, want 1", count)
			}
		})
	})
}
