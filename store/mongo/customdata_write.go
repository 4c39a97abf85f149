package mongo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/lanyardhq/lanyard/store"
)

// Writes of custom data, built on claims.
//
// FerretDB v1 applies an update by reading the document, changing it in Go
// and writing it back, so two concurrent updates of one document can lose
// one another, a compare-and-set can have several winners and racing
// upserts make several documents. Its unique-key inserts are atomic,
// though. So every write through Lanyard first inserts a claim into
// custom_data_claims (in Lanyard's own database) whose _id names exactly
// one transition, and only the claim's winner makes it:
//
//   - A write of version n of document X (X's _id in Extended JSON) claims
//     "X:n" with the complete new document, the version it was computed
//     from and a SHA-256 of the bytes it was computed from. Version v+1 is
//     claimed from version v: of writers that read the same version, one
//     wins; the others read again and compute their change on top of the
//     winner's. The winner replaces X, filtered by _id and version v.
//     Nothing ever applies a change to a document it was not computed
//     from, so no write through Lanyard is lost.
//   - A loser waits for the winner to apply its claim. Only when the
//     winner stays silent for HelpDelay (it died between claim and
//     replace, or is stuck) does a loser apply the claimed document itself
//     (helping). Helping late rather than at once matters on FerretDB: its
//     filtered replace is a read-then-write too, so a helper racing the
//     winner could write version n back over a version n+1 made in
//     between. Whoever may have raced that way (a helper; a winner slower
//     than HelpDelay) rolls the document forward afterwards along the
//     chain of claims (rollForward).
//   - A claim that was not computed from the document as it is now (an
//     earlier document with the same _id, or one an operator replaced and
//     whose version went back) is stale: it is never applied, and the
//     writer claims the number after the highest one taken instead.
//   - The first write of a user with no document claims
//     "create:<user id>:<k>" with the new document and its new _id (k: one
//     more than the latest creation claim of the user, so the number of
//     documents Lanyard created for the user). The winner inserts the
//     document, then the marker "made:<user id>:<k>". Other writers that
//     find the claim but no document insert the same document at once (an
//     insert cannot overwrite, and a second insert of one _id fails), so
//     N racing first writes make one document.
//   - A creation is spent, and the next write claims k+1, when its
//     document was made and is gone (deleted directly by an operator: it
//     must not come back), when DeleteCustomData left the tombstone
//     "gone:<user id>:<k>" (inserted before it deletes; whoever inserts a
//     created document checks for it afterwards and deletes what it
//     inserted, so a helper never brings a deleted document back), or when
//     the claim is older than StaleAfter. To leave room for clocks that
//     differ, nobody inserts a created document later than CreateWindow
//     after its claim. "Made but missing" is only trusted
//     when a later read of the user's documents still finds none: the
//     document may have been inserted just after the first read.
//
// The writes of one Store to one user queue (userLocks), so that the claims
// are contended by processes, not by every request. ExpectedVersion is
// checked against the version read, so of writers racing with the same
// expected version one wins and the others get ErrVersionMismatch.
//
// Writers outside Lanyard are not part of this: an update they make between
// Lanyard's read and replace of a document is lost (on FerretDB their own
// concurrent updates can lose one another anyway). SweepCustomDataClaims
// removes settled claims.

// collCustomDataClaims holds the claims (Lanyard's database).
const collCustomDataClaims = "custom_data_claims"

// Claim kinds.
const (
	claimWrite  = "write"
	claimCreate = "create"
	claimGone   = "gone"
	claimMade   = "made"
)

// ClaimTiming bounds the waits of the claims custom data writes make (see
// the comment at the top of customdata_write.go). A field <= 0 takes the
// default named in its comment. Each process compares
// the ages of claims other processes made with its own bounds, so every
// process writing to one database should run with the same values: the
// defaults. Tests shorten them to reach the recovery paths without waiting.
type ClaimTiming struct {
	// HelpDelay is how long a writer waits on another writer's claim before
	// it applies the claimed document itself (helps). 1 s: far longer than a
	// live winner takes from its claim to its replace (a round trip or two),
	// so that helpers, and the roll forward that repairs what they may have
	// raced, stay rare; short, as every write of the document waits that
	// long behind a writer that died.
	HelpDelay time.Duration

	// StaleAfter is the age at which a claim that is not applied never will
	// be (its writer gave up or died): nobody waits on it or applies it, and
	// a creation claim that old is spent. 30 s: longer than any live write
	// takes, and longer than CreateWindow by the difference between clocks
	// of processes that is tolerated.
	StaleAfter time.Duration

	// CreateWindow bounds how long after its claim a created document may
	// still be inserted. 20 s: it must stay shorter than StaleAfter, so that
	// nobody inserts a document that a process whose clock runs ahead
	// counts as spent already (and has created another for).
	CreateWindow time.Duration

	// MinSweepAge is the youngest a claim may be for SweepCustomDataClaims
	// to remove it, whatever the caller asks. 1 min: past StaleAfter, so
	// that the sweep only removes claims no writer acts on anymore (removing
	// a write claim frees its number for another).
	MinSweepAge time.Duration
}

// withDefaults fills in the zero fields.
func (t ClaimTiming) withDefaults() ClaimTiming {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.HelpDelay, time.Second)
	def(&t.StaleAfter, 30*time.Second)
	def(&t.CreateWindow, 20*time.Second)
	def(&t.MinSweepAge, time.Minute)
	return t
}

// Bounds of one write: claims lost to other writers, and rounds (reads of
// the document) in all.
const (
	maxLostClaims = 200
	maxRounds     = 2000
)

// writeClaim claims version N of the document DocKey.
type writeClaim struct {
	ID     string     `bson:"_id"` // DocKey:N
	Kind   string     `bson:"kind"`
	User   string     `bson:"user"`
	DocKey string     `bson:"doc_key"`
	N      int64      `bson:"n"`
	From   int64      `bson:"from"` // the version it was computed from
	Base   []byte     `bson:"base"` // SHA-256 of the document it was computed from
	Doc    claimedDoc `bson:"doc"`  // the whole new document
	At     time.Time  `bson:"at"`
}

// createClaim claims the creation of the user's document number N.
type createClaim struct {
	ID    string        `bson:"_id"` // create:User:N
	Kind  string        `bson:"kind"`
	User  string        `bson:"user"`
	N     int64         `bson:"n"`
	DocID bson.RawValue `bson:"doc_id"`
	Doc   claimedDoc    `bson:"doc"`
	At    time.Time     `bson:"at"`
}

// claimedDoc is the whole document a claim holds. It is stored as the
// bytes of a BSON binary, not as an embedded document: embedded, it would
// nest one level deeper in the claim than in its collection, and MongoDB
// would refuse the claim of a document nested to
// store.MaxCustomDataDepth. Claims written before held it embedded; they
// still read.
type claimedDoc bson.Raw

func (d claimedDoc) MarshalBSONValue() (byte, []byte, error) {
	return byte(bson.TypeBinary), bsoncore.AppendBinary(nil, bson.TypeBinaryGeneric, d), nil
}

func (d *claimedDoc) UnmarshalBSONValue(typ byte, data []byte) error {
	switch bson.Type(typ) {
	case bson.TypeBinary:
		_, b, _, ok := bsoncore.ReadBinary(data)
		if !ok {
			return errMalformed
		}
		*d = claimedDoc(bytes.Clone(b))
	case bson.TypeEmbeddedDocument:
		*d = claimedDoc(bytes.Clone(data))
	default:
		return fmt.Errorf("store: a claimed document stored as %s", bson.Type(typ))
	}
	return nil
}

// marker is the tombstone of creation N of the user ("gone:User:N",
// deleted through Lanyard), or the record that its document was inserted
// ("made:User:N").
type marker struct {
	ID   string    `bson:"_id"`
	Kind string    `bson:"kind"`
	User string    `bson:"user"`
	N    int64     `bson:"n"`
	At   time.Time `bson:"at"`
}

func writeKey(docKey string, n int64) string { return fmt.Sprintf("%s:%d", docKey, n) }
func createKey(user string, n int64) string  { return fmt.Sprintf("create:%s:%d", user, n) }
func goneKey(user string, n int64) string    { return fmt.Sprintf("gone:%s:%d", user, n) }
func madeKey(user string, n int64) string    { return fmt.Sprintf("made:%s:%d", user, n) }

// versionMismatch is ErrVersionMismatch (and ErrConflict) with the
// versions.
type versionMismatch struct{ expected, current int64 }

func (e *versionMismatch) Error() string {
	return fmt.Sprintf("%v: expected version %d, current version %d", store.ErrVersionMismatch, e.expected, e.current)
}

func (e *versionMismatch) Is(target error) bool {
	return target == store.ErrVersionMismatch || target == store.ErrConflict
}

// write is one write: mutate computes the new document from the current
// one (a tree, see tree; on creation, one holding only _id and the user id
// field). The user id field and the version are set after it.
type write struct {
	create   bool   // create the document when the user has none
	expected *int64 // see store.CustomDataUpdate.ExpectedVersion
	mutate   func(doc bson.D, creating bool) (bson.D, error)
}

// UpdateCustomData applies u to the user's winning document, creating it
// when the user has none.
func (s *Store) UpdateCustomData(ctx context.Context, userID string, u store.CustomDataUpdate) (*store.CustomDoc, error) {
	up, err := parseUpdate(u, s.reservedFields())
	if err != nil {
		return nil, err
	}
	return s.writeCustomData(ctx, userID, write{
		create:   true,
		expected: u.ExpectedVersion,
		mutate:   func(doc bson.D, _ bool) (bson.D, error) { return up.apply(doc) },
	})
}

// ReplaceCustomData replaces the whole document, keeping its _id, or
// creates it. The replacement may repeat the current _id and the user id,
// nothing else in their place.
func (s *Store) ReplaceCustomData(ctx context.Context, userID string, doc json.RawMessage) (*store.CustomDoc, error) {
	repl, err := parseDoc(doc, "document")
	if err != nil {
		return nil, err
	}
	field := s.customData.cfg.UserIDField
	if indexOf(repl, versionField) >= 0 {
		return nil, invalid("the document may not hold %q", versionField)
	}
	if i := indexOf(repl, field); i >= 0 && repl[i].Value != userID {
		return nil, invalid("%q must be the user id %q", field, userID)
	}
	givenID := indexOf(repl, "_id") >= 0
	return s.writeCustomData(ctx, userID, write{
		create: true,
		mutate: func(cur bson.D, creating bool) (bson.D, error) {
			id := cur[indexOf(cur, "_id")].Value
			if givenID && (creating || !sameValue(id, repl[indexOf(repl, "_id")].Value)) {
				return nil, invalid("_id cannot be chosen or changed (the current _id may be repeated)")
			}
			out := bson.D{{Key: "_id", Value: id}, {Key: field, Value: userID}}
			for _, e := range repl {
				if e.Key != "_id" && e.Key != field {
					out = append(out, e)
				}
			}
			return out, nil
		},
	})
}

// sameValue reports whether two values encode to the same BSON.
func sameValue(a, b any) bool {
	ta, va, errA := bson.MarshalValue(a)
	tb, vb, errB := bson.MarshalValue(b)
	return errA == nil && errB == nil && ta == tb && bytes.Equal(va, vb)
}

// reservedFields are the fields an update may not name.
func (s *Store) reservedFields() []string {
	return []string{"_id", s.customData.cfg.UserIDField, versionField}
}

// waiter is the state of one write across its rounds.
type waiter struct {
	rounds   int    // pauses since the document last changed
	lastSeen string // fingerprint of the document read last round
	lost     int    // claims lost to other writers

	inFlight *writeClaim // another writer's claim on the current state
	since    time.Time   // when this writer started waiting on it

	madeSeen string // creation claim seen made while its document was missing
}

// pause sleeps a short, growing, jittered time between rounds.
func (wt *waiter) pause(ctx context.Context) error {
	wt.rounds++
	d := time.Duration(1<<min(wt.rounds, 5)) * time.Millisecond
	d = d/2 + rand.N(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeCustomData runs a write until it is applied, refused, or given up.
func (s *Store) writeCustomData(ctx context.Context, userID string, w write) (*store.CustomDoc, error) {
	if userID == "" {
		return nil, invalid("empty user id")
	}
	unlock, err := s.customData.locks.lock(ctx, userID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var wt waiter
	for range maxRounds {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("store: custom data of user %s: gave up racing other writers: %w", userID, err)
		}
		cur, err := s.winner(ctx, userID)
		if err != nil {
			return nil, err
		}
		var doc *store.CustomDoc
		var done bool
		switch {
		case cur == nil && !w.create:
			return nil, nil
		case cur == nil:
			wt.lastSeen = ""
			doc, done, err = s.createStep(ctx, userID, w, &wt)
		default:
			if fp := cur.fingerprint(); fp != wt.lastSeen {
				wt.lastSeen, wt.rounds = fp, 0
			}
			doc, done, err = s.updateStep(ctx, userID, cur, w, &wt)
		}
		if err != nil || done {
			return doc, err
		}
		if wt.lost >= maxLostClaims {
			break
		}
		if err := wt.pause(ctx); err != nil {
			return nil, fmt.Errorf("store: custom data of user %s: gave up racing other writers: %w", userID, err)
		}
	}
	return nil, fmt.Errorf("store: custom data of user %s: other writers won %d claims; gave up", userID, wt.lost)
}

// userLocks serializes the writes of one Store to one user's custom data:
// they would otherwise mostly race one another for the same claims, and
// the work of N racing writers grows as N². Writers of different processes
// still race, and the claims keep them safe.
type userLocks struct {
	mu    sync.Mutex
	locks map[string]*userLock
	// off, set by tests before the first write, lets the writes of the
	// Store race one another for the same claims.
	off bool
}

type userLock struct {
	sem  chan struct{} // one element: held
	refs int           // holders and waiters
}

// lock waits for the user's lock (or ctx) and returns its release.
func (l *userLocks) lock(ctx context.Context, userID string) (func(), error) {
	if l.off {
		return func() {}, nil
	}
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*userLock{}
	}
	ul := l.locks[userID]
	if ul == nil {
		ul = &userLock{sem: make(chan struct{}, 1)}
		l.locks[userID] = ul
	}
	ul.refs++
	l.mu.Unlock()

	release := func() {
		l.mu.Lock()
		if ul.refs--; ul.refs == 0 {
			delete(l.locks, userID)
		}
		l.mu.Unlock()
	}
	select {
	case ul.sem <- struct{}{}:
		return func() { <-ul.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// nextDoc computes the next document from cur (nil: a new one), without
// its version.
func (s *Store) nextDoc(userID string, cur *current, w write) (bson.D, error) {
	field := s.customData.cfg.UserIDField
	var doc bson.D
	if cur == nil {
		oid := bson.NewObjectID()
		doc = bson.D{{Key: "_id", Value: bson.RawValue{Type: bson.TypeObjectID, Value: oid[:]}}, {Key: field, Value: userID}}
	} else {
		var err error
		if doc, err = tree(cur.raw); err != nil {
			return nil, err
		}
	}
	doc, err := w.mutate(doc, cur == nil)
	if err != nil {
		return nil, err
	}
	// The user id field always holds the string form: the one that wins.
	return setField(doc, field, userID), nil
}

// withVersion is doc with version n right after its _id. FerretDB v1
// compares a replacement with the stored document, field by field in
// order, before it writes it, and its comparison takes time exponential in
// how deeply arrays nest (a second at 20 levels, minutes at 30): any user
// could pin a core of the embedded engine with one write and the next.
// The version, which every write changes, placed second ends the
// comparison there. A new slice: callers encode one doc several times.
func withVersion(doc bson.D, n int64) bson.D {
	out := make(bson.D, 0, len(doc)+1)
	for _, e := range doc {
		if e.Key == versionField {
			continue
		}
		out = append(out, e)
		if e.Key == "_id" {
			out = append(out, bson.E{Key: versionField, Value: n})
		}
	}
	return out
}

// encodeVersion sets the version, checks the size limit and renders the
// document as the write will return it. Rendering before anything is
// stored means that a write never stores what reads cannot render: the
// update's own values are checked as they are parsed, so what fails here
// is a field the update leaves as another tool wrote it
// (store.ErrCustomDataUnreadable).
func (s *Store) encodeVersion(doc bson.D, n int64) (bson.Raw, *store.CustomDoc, error) {
	raw, err := bson.Marshal(withVersion(doc, n))
	if err != nil {
		return nil, nil, fmt.Errorf("store: encode custom data: %w", err)
	}
	if limit := s.customData.cfg.MaxSize; len(raw) > limit {
		return nil, nil, fmt.Errorf("%w: document would be %d bytes; the limit is %d bytes", store.ErrDocumentTooLarge, len(raw), limit)
	}
	j, err := encodeDoc(raw, versionField)
	if err != nil {
		return nil, nil, err
	}
	return raw, &store.CustomDoc{JSON: j, Version: n, Size: len(raw)}, nil
}

// updateStep tries to write the next version of cur. done false means:
// read the document again and retry.
func (s *Store) updateStep(ctx context.Context, userID string, cur *current, w write, wt *waiter) (*store.CustomDoc, bool, error) {
	if w.expected != nil && *w.expected != cur.version {
		return nil, false, &versionMismatch{expected: *w.expected, current: cur.version}
	}
	if c := wt.inFlight; c != nil && s.inFlightOn(c, cur) {
		// Nothing changed since the last round: still waiting.
		return nil, false, s.waitOrHelp(ctx, cur, c, wt)
	}
	doc, err := s.nextDoc(userID, cur, w)
	if err != nil {
		return nil, false, err
	}
	claims := s.coll(collCustomDataClaims)
	n := cur.version + 1
	for range 5 { // stale claims skipped in a row
		raw, result, err := s.encodeVersion(doc, n)
		if err != nil {
			return nil, false, err
		}
		c := &writeClaim{ID: writeKey(cur.idKey, n), Kind: claimWrite, User: userID, DocKey: cur.idKey, N: n,
			From: cur.version, Base: cur.hash(), Doc: claimedDoc(raw), At: time.Now()}
		start := time.Now()
		_, err = claims.InsertOne(ctx, c)
		switch err := translate(ctx, err); {
		case err == nil:
			return s.applyClaim(ctx, cur, c, start, result)
		case !errors.Is(err, store.ErrAlreadyExists):
			return nil, false, err
		}
		s.customData.claimLost(wt)
		other, err := findOne[writeClaim](ctx, claims, D{{Key: "_id", Value: c.ID}})
		if errors.Is(err, store.ErrNotFound) {
			return nil, false, nil // swept meanwhile
		}
		if err != nil {
			return nil, false, err
		}
		if s.inFlightOn(other, cur) {
			return nil, false, s.waitOrHelp(ctx, cur, other, wt)
		}
		// Stale: skip to the number after the highest claimed.
		latest, err := findOne[writeClaim](ctx, claims, D{{Key: "kind", Value: claimWrite}, {Key: "doc_key", Value: cur.idKey}},
			options.FindOne().SetSort(D{{Key: "n", Value: -1}}))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
		if latest != nil && s.inFlightOn(latest, cur) {
			return nil, false, s.waitOrHelp(ctx, cur, latest, wt)
		}
		if latest != nil && latest.N >= n {
			n = latest.N + 1
		} else {
			n++
		}
	}
	return nil, false, nil
}

// inFlightOn reports whether c was computed from the document as cur
// holds it and may still be applied.
func (s *Store) inFlightOn(c *writeClaim, cur *current) bool {
	return c.DocKey == cur.idKey && c.From == cur.version && bytes.Equal(c.Base, cur.hash()) &&
		time.Since(c.At) < s.customData.timing.StaleAfter
}

// replaceAt replaces cur with doc (a claimed document of user) if cur still has the version it was read
// with, and reports whether it did. On MongoDB the filter on the version makes that one atomic step. On
// FerretDB v1 a filtered replace is a read and a write anyway, and a filter on anything but _id alone
// decodes the whole collection: the version is read by _id and compared here, then the document replaced
// by _id. The window this leaves between read and write is the one FerretDB leaves itself, and it is
// closed the same way (rollForward, by whoever was slow).
func (s *Store) replaceAt(ctx context.Context, cur *current, user string, doc claimedDoc) (bool, error) {
	coll := s.customData.coll
	// The document names user as a string once replaced: news for the owner index, before the write.
	s.announce(cur.id, user)
	// And again once it is made, for stores that read the document before (see announce).
	defer s.announce(cur.id, user)
	if !s.scansIn {
		res, err := coll.ReplaceOne(ctx, cur.versionFilter(), bson.Raw(doc))
		if err != nil {
			return false, translate(ctx, err)
		}
		return res.MatchedCount > 0, nil
	}
	now, err := findOne[bson.Raw](ctx, coll, D{{Key: "_id", Value: cur.id}},
		options.FindOne().SetProjection(D{{Key: versionField, Value: 1}}))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if v := now.Lookup(versionField); !sameRaw(v, cur.vraw) {
		return false, nil
	}
	res, err := coll.ReplaceOne(ctx, D{{Key: "_id", Value: cur.id}}, bson.Raw(doc))
	if err != nil {
		return false, translate(ctx, err)
	}
	return res.MatchedCount > 0, nil
}

// waitOrHelp waits on another writer's claim c on cur, and applies it
// once this writer has waited HelpDelay for it.
func (s *Store) waitOrHelp(ctx context.Context, cur *current, c *writeClaim, wt *waiter) error {
	if wt.inFlight == nil || wt.inFlight.ID != c.ID {
		wt.inFlight, wt.since = c, time.Now()
		return nil
	}
	if time.Since(wt.since) < s.customData.timing.HelpDelay {
		return nil
	}
	wt.since = time.Now() // help again only after another HelpDelay
	if _, err := s.replaceAt(ctx, cur, c.User, c.Doc); err != nil {
		return err
	}
	return s.rollForward(ctx, cur.id)
}

// applyClaim makes the write this writer claimed (start: when it began to
// claim) and returns result, the claimed document rendered.
func (s *Store) applyClaim(ctx context.Context, cur *current, c *writeClaim, start time.Time, result *store.CustomDoc) (*store.CustomDoc, bool, error) {
	matched, err := s.replaceAt(ctx, cur, c.User, c.Doc)
	if err != nil {
		// The claim stays: a later writer applies it after HelpDelay.
		return nil, false, err
	}
	if !matched {
		// The document may hold an older version than cur, put back by a helper's late write: this claim
		// still follows, and whoever rolls the document forward applies it. Rolled forward first, so that
		// a claim that will land is never taken for lost, and its update claimed and applied again.
		if err := s.rollForward(ctx, cur.id); err != nil {
			return nil, false, err
		}
		landed, err := s.claimLanded(ctx, cur, c)
		if err != nil || !landed {
			return nil, false, err
		}
	}
	if time.Since(start) >= s.customData.timing.HelpDelay {
		// Slow enough that a helper may have written this version too,
		// possibly over a later one (see the comment at the top).
		if err := s.rollForward(ctx, cur.id); err != nil {
			s.log.Warn("store: custom data: roll forward after a slow write", "error", err.Error())
		}
	}
	return result, true, nil
}

// claimLanded reports whether the claimed write is in the document
// although this writer's replace matched nothing: a helper applied it
// (maybe with later writes on top), or the document was deleted since,
// which comes after the write.
func (s *Store) claimLanded(ctx context.Context, cur *current, c *writeClaim) (bool, error) {
	raw, err := findOne[bson.Raw](ctx, s.customData.coll, D{{Key: "_id", Value: cur.id}})
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	now, err := newCurrent(*raw)
	if err != nil {
		return false, err
	}
	if now.version == c.N {
		return true, nil
	}
	if now.version < c.N {
		return false, nil
	}
	// Later versions: built on this one if a claim was computed from it.
	return exists(ctx, s.coll(collCustomDataClaims), D{{Key: "kind", Value: claimWrite}, {Key: "doc_key", Value: c.DocKey}, {Key: "from", Value: c.N}})
}

// rollForward applies, one after the other, the claims computed from the
// document as it is, so that a late write of an older version (a helper's
// on FerretDB) is undone.
func (s *Store) rollForward(ctx context.Context, id bson.RawValue) error {
	for range 50 {
		raw, err := findOne[bson.Raw](ctx, s.customData.coll, D{{Key: "_id", Value: id}})
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		cur, err := newCurrent(*raw)
		if err != nil {
			return err
		}
		next, err := findOne[writeClaim](ctx, s.coll(collCustomDataClaims),
			D{{Key: "kind", Value: claimWrite}, {Key: "doc_key", Value: cur.idKey}, {Key: "from", Value: cur.version}, {Key: "base", Value: cur.hash()}})
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !s.inFlightOn(next, cur) {
			return nil
		}
		if _, err := s.replaceAt(ctx, cur, next.User, next.Doc); err != nil {
			return err
		}
	}
	return nil
}

// createStep tries to create the user's document. done false means: read
// again and retry.
func (s *Store) createStep(ctx context.Context, userID string, w write, wt *waiter) (*store.CustomDoc, bool, error) {
	if w.expected != nil && *w.expected != 0 {
		return nil, false, &versionMismatch{expected: *w.expected, current: 0}
	}
	claims := s.coll(collCustomDataClaims)
	latest, err := s.latestCreation(ctx, userID)
	if err != nil {
		return nil, false, err
	}
	if latest != nil {
		state, err := s.creationState(ctx, latest)
		if err != nil {
			return nil, false, err
		}
		switch {
		case state == creationPending:
			// Claimed, not inserted yet (or its writer died): insert it
			// (an insert cannot overwrite, so helping at once is safe),
			// then read again.
			_, err := s.insertCreated(ctx, latest)
			return nil, false, err
		case state == creationMade && wt.madeSeen != latest.ID:
			// Inserted, and missing when this round read: deleted, unless
			// it was inserted just after that read. A round that reads
			// after this one tells.
			wt.madeSeen = latest.ID
			return nil, false, nil
		}
		// Spent: this write creates the next document.
	}

	k := int64(1)
	if latest != nil {
		k = latest.N + 1
	}
	doc, err := s.nextDoc(userID, nil, w)
	if err != nil {
		return nil, false, err
	}
	raw, result, err := s.encodeVersion(doc, 1)
	if err != nil {
		return nil, false, err
	}
	c := &createClaim{ID: createKey(userID, k), Kind: claimCreate, User: userID, N: k, DocID: raw.Lookup("_id"), Doc: claimedDoc(raw), At: time.Now()}
	_, err = claims.InsertOne(ctx, c)
	switch err := translate(ctx, err); {
	case errors.Is(err, store.ErrAlreadyExists):
		s.customData.claimLost(wt)
		return nil, false, nil // the next round helps the winner
	case err != nil:
		return nil, false, err
	}
	if _, err := s.insertCreated(ctx, c); err != nil {
		return nil, false, err // the claim stays; other writers insert it
	}
	return result, true, nil
}

// latestCreation returns the user's creation claim with the highest number (nil: none), reading
// create:<user>:1, 2, ... by _id until one is missing: a query for the highest would decode every claim
// on FerretDB v1, and the claims hold one per user who ever had a document. The numbers have no gaps:
// each is claimed only after the one before it, and creation claims are never deleted while their user
// exists (SweepCustomDataClaims only empties the old ones).
func (s *Store) latestCreation(ctx context.Context, userID string) (*createClaim, error) {
	claims := s.coll(collCustomDataClaims)
	var latest *createClaim
	for n := int64(1); ; n++ {
		c, err := findOne[createClaim](ctx, claims, D{{Key: "_id", Value: createKey(userID, n)}})
		if errors.Is(err, store.ErrNotFound) {
			return latest, nil
		}
		if err != nil {
			return nil, err
		}
		latest = c
	}
}

// States of a creation claim whose document the user does not have.
const (
	creationPending = iota // may still be inserted
	creationMade           // was inserted (so it is gone now, or not the user's anymore)
	creationSpent          // deleted through Lanyard, or too old
)

func (s *Store) creationState(ctx context.Context, c *createClaim) (int, error) {
	if time.Since(c.At) > s.customData.timing.StaleAfter {
		return creationSpent, nil
	}
	claims := s.coll(collCustomDataClaims)
	if gone, err := exists(ctx, claims, D{{Key: "_id", Value: goneKey(c.User, c.N)}}); err != nil || gone {
		return creationSpent, err
	}
	if made, err := exists(ctx, claims, D{{Key: "_id", Value: madeKey(c.User, c.N)}}); err != nil || made {
		return creationMade, err
	}
	return creationPending, nil
}

// insertCreated inserts a claimed creation's document and then its
// "made" marker. It reports false when the _id was taken (inserted
// already) or the claim is too old to insert. A document inserted after
// its creation was deleted is deleted again.
func (s *Store) insertCreated(ctx context.Context, c *createClaim) (bool, error) {
	if time.Since(c.At) > s.customData.timing.CreateWindow {
		return false, nil
	}
	s.announce(c.DocID, c.User)
	_, err := s.customData.coll.InsertOne(ctx, bson.Raw(c.Doc))
	// Again now that it is stored: a store that read the _id before the insert ran dropped it.
	s.announce(c.DocID, c.User)
	inserted := true
	switch err := translate(ctx, err); {
	case errors.Is(err, store.ErrAlreadyExists):
		inserted = false
	case err != nil:
		return false, err
	}
	claims := s.coll(collCustomDataClaims)
	if inserted {
		gone, err := exists(ctx, claims, D{{Key: "_id", Value: goneKey(c.User, c.N)}})
		if err != nil {
			return true, err
		}
		if gone {
			s.bestEffort(ctx, "delete a custom data document created after its deletion", func(ctx context.Context) error {
				_, err := s.customData.coll.DeleteOne(ctx, D{{Key: "_id", Value: c.DocID}})
				return err
			})
			return true, nil
		}
	}
	_, err = claims.InsertOne(ctx, marker{ID: madeKey(c.User, c.N), Kind: claimMade, User: c.User, N: c.N, At: time.Now()})
	if err := translate(ctx, err); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return inserted, err
	}
	return inserted, nil
}

// DeleteCustomData deletes the user's winning document, after the
// tombstone of the user's latest creation claim.
func (s *Store) DeleteCustomData(ctx context.Context, userID string) (bool, error) {
	cur, err := s.winner(ctx, userID)
	if err != nil || cur == nil {
		return false, err
	}
	claims := s.coll(collCustomDataClaims)
	latest, err := s.latestCreation(ctx, userID)
	switch {
	case err == nil && latest != nil:
		_, err := claims.InsertOne(ctx, marker{ID: goneKey(userID, latest.N), Kind: claimGone, User: userID, N: latest.N, At: time.Now()})
		if err := translate(ctx, err); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
			return false, err
		}
	case err != nil:
		return false, err
	}
	res, err := s.customData.coll.DeleteOne(ctx, D{{Key: "_id", Value: cur.id}})
	if err != nil {
		return false, translate(ctx, err)
	}
	return res.DeletedCount > 0, nil
}

// SweepCustomDataClaims removes the claims made before olderThan (at most
// MinSweepAge ago, so that claims in use stay), except creation claims:
// those number the next creation of their user (see latestCreation), so the
// old ones, which nothing reads anymore but the number, only lose their
// document. It returns how many claims it removed or emptied. The server
// calls it periodically; it is not part of store.Store.
func (s *Store) SweepCustomDataClaims(ctx context.Context, olderThan time.Time) (int, error) {
	if limit := time.Now().Add(-s.customData.timing.MinSweepAge); olderThan.After(limit) {
		olderThan = limit
	}
	claims := s.coll(collCustomDataClaims)
	res, err := claims.DeleteMany(ctx, D{
		{Key: "kind", Value: D{{Key: "$in", Value: []string{claimWrite, claimGone, claimMade}}}},
		{Key: "at", Value: D{{Key: "$lt", Value: olderThan}}},
	})
	if err != nil {
		return 0, translate(ctx, err)
	}
	total := int(res.DeletedCount)

	creations, err := findAll[spentCreation](ctx, claims, D{{Key: "kind", Value: claimCreate}},
		options.Find().SetProjection(D{{Key: "user", Value: 1}, {Key: "n", Value: 1}, {Key: "at", Value: 1}, {Key: "spent", Value: 1}}))
	if err != nil {
		return total, err
	}
	latest := map[string]int64{}
	for _, c := range creations {
		latest[c.User] = max(latest[c.User], c.N)
	}
	for _, c := range creations {
		if c.Spent || !c.At.Before(olderThan) || c.N >= latest[c.User] {
			continue
		}
		// Only the sweep rewrites a creation claim, and only once its creation is long decided.
		c.Kind, c.Spent = claimCreate, true
		if _, err := claims.ReplaceOne(ctx, D{{Key: "_id", Value: c.ID}}, c); err != nil {
			return total, translate(ctx, err)
		}
		total++
	}
	return total, nil
}

// spentCreation is a creation claim without its document: what the sweep leaves of an old one.
type spentCreation struct {
	ID    string    `bson:"_id"`
	Kind  string    `bson:"kind"`
	User  string    `bson:"user"`
	N     int64     `bson:"n"`
	At    time.Time `bson:"at"`
	Spent bool      `bson:"spent"`
}

// fillCreationGaps gives back the creation claims that sweeps of earlier versions deleted (they kept
// only each user's latest), as spent ones, so that latestCreation, which reads the numbers in order,
// finds the latest. Idempotent: a number that exists is left alone.
func fillCreationGaps(ctx context.Context, db *mongodriver.Database) error {
	claims := db.Collection(collCustomDataClaims)
	creations, err := findAll[spentCreation](ctx, claims, D{{Key: "kind", Value: claimCreate}},
		options.Find().SetProjection(D{{Key: "user", Value: 1}, {Key: "n", Value: 1}}))
	if err != nil {
		return err
	}
	have := map[string]map[int64]bool{}
	for _, c := range creations {
		if have[c.User] == nil {
			have[c.User] = map[int64]bool{}
		}
		have[c.User][c.N] = true
	}
	for user, ns := range have {
		top := slices.Max(slices.Collect(maps.Keys(ns)))
		for n := int64(1); n < top; n++ {
			if ns[n] {
				continue
			}
			_, err := claims.InsertOne(ctx, spentCreation{ID: createKey(user, n), Kind: claimCreate, User: user, N: n, Spent: true})
			if err := translate(ctx, err); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
				return err
			}
		}
	}
	return nil
}
