package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Custom user data: reads, and the indexes Open creates. Writes, with the
// claims that keep them safe on FerretDB v1, are in customdata_write.go;
// the JSON encoding is in ejson.go.
//
// Which document is a user's (first inserted wins): the candidates are the
// documents whose user id field holds the user id as a string or as an
// ObjectId, fetched with one query; if any holds the string, only those
// count; among them the smallest _id in BSON order wins. Lanyard sorts the
// candidates itself (compareValues), so that the winner is the same on
// every engine, whatever the types of the _ids.

// Defaults of store.CustomDataConfig.
const (
	DefaultCustomDataCollection  = "custom_user_data"
	DefaultCustomDataUserIDField = "user_id"
	DefaultCustomDataMaxSize     = 16 * 1024
)

// versionField holds the version of a document written through Lanyard
// (int64; missing = 0). It is never shown: every read leaves it out.
const versionField = "_lanyard_version"

// Names of the indexes Lanyard creates in the custom data collection.
const (
	userIDIndex       = "lanyard_user_id"
	userIDUniqueIndex = "lanyard_user_id_unique"
)

// customData is the resolved configuration.
type customData struct {
	cfg    store.CustomDataConfig
	timing ClaimTiming             // with its defaults (see customdata_write.go)
	coll   *mongodriver.Collection // the operator's collection
	locks  *userLocks              // see customdata_write.go
	index  *ownerIndex             // nil without a feed (see customdata_index.go)
	// onClaimLost hears of every claim lost to another writer (Config.OnClaimLost); nil: no one does.
	onClaimLost func()
}

// claimLost records a claim lost to another writer.
func (c *customData) claimLost(wt *waiter) {
	wt.lost++
	if c.onClaimLost != nil {
		c.onClaimLost()
	}
}

// resolveCustomData applies the defaults and checks cfg. An empty Database
// means Lanyard's own database (the server passes
// LANYARD_CUSTOM_DATA_DATABASE, default "lanyard"; a store opened without
// it, as in tests, stays within its own database).
func resolveCustomData(cfg store.CustomDataConfig, lanyardDB string) (store.CustomDataConfig, error) {
	if cfg.Database == "" {
		cfg.Database = lanyardDB
	}
	if cfg.Collection == "" {
		cfg.Collection = DefaultCustomDataCollection
	}
	if cfg.UserIDField == "" {
		cfg.UserIDField = DefaultCustomDataUserIDField
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultCustomDataMaxSize
	}
	f := cfg.UserIDField
	if f == "_id" || f == versionField || strings.HasPrefix(f, "$") || strings.Contains(f, ".") {
		return cfg, fmt.Errorf("store: custom data user id field %q: it must be a top-level field other than _id and %s", f, versionField)
	}
	return cfg, nil
}

// openCustomData sets up custom data for Open: the configuration (resolved
// by resolveCustomData), the timing of the claims, the indexes (see
// customDataIndexes) and, when the engine reports writes (a feed), the
// owner index.
func (s *Store) openCustomData(ctx context.Context, cfg store.CustomDataConfig, timing ClaimTiming) error {
	s.customData = customData{cfg: cfg, timing: timing.withDefaults(), coll: s.client.Database(cfg.Database).Collection(cfg.Collection), locks: &userLocks{}}
	if err := s.customDataIndexes(ctx); err != nil {
		return err
	}
	if s.feed == nil {
		return nil
	}
	return s.openOwnerIndex(ctx, s.feed)
}

// customDataIndexes creates, one per command (see createIndexes), the
// indexes the claims' queries use on MongoDB, and an index on the user id
// field of the custom data collection: unique when EnforceUnique is set,
// else a plain one for the lookups, unless the operator has one already.
// Creating an existing index is a no-op, so this runs at every Open.
//
// Turning EnforceUnique off later leaves the unique index in place: only
// the operator can know that dropping it is wanted.
func (s *Store) customDataIndexes(ctx context.Context) error {
	claims := s.coll(collCustomDataClaims)
	for _, ix := range []mongodriver.IndexModel{
		{Keys: D{{Key: "kind", Value: 1}, {Key: "user", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetName("kind_user_n")},
		{Keys: D{{Key: "doc_key", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetName("doc_key_n")},
		{Keys: D{{Key: "at", Value: 1}}, Options: options.Index().SetName("at")},
	} {
		if err := createIndex(ctx, claims, ix); err != nil {
			return fmt.Errorf("store: create index of %s: %w", collCustomDataClaims, translate(ctx, err))
		}
	}

	cd := s.customData
	field := cd.cfg.UserIDField
	name := cd.cfg.Database + "." + cd.cfg.Collection
	existing, err := s.userIDIndex(ctx)
	if err != nil {
		return err
	}
	if !cd.cfg.EnforceUnique {
		if existing != nil {
			return nil // any index on the field serves the lookups
		}
		err := createIndex(ctx, cd.coll, mongodriver.IndexModel{Keys: D{{Key: field, Value: 1}}, Options: options.Index().SetName(userIDIndex)})
		if err != nil {
			return fmt.Errorf("store: create index %s of %s: %w", userIDIndex, name, translate(ctx, err))
		}
		return nil
	}

	if existing != nil && existing.Unique != nil && *existing.Unique {
		return nil
	}
	if existing != nil {
		if existing.Name != userIDIndex {
			return fmt.Errorf("store: custom data enforce_unique: %s already has a non-unique index on %q (%s); drop it first", name, field, existing.Name)
		}
		// Ours, from a start without enforce_unique: an engine keeps one
		// index per key pattern.
		if err := cd.coll.Indexes().DropOne(ctx, userIDIndex); err != nil {
			return fmt.Errorf("store: drop index %s of %s: %w", userIDIndex, name, translate(ctx, err))
		}
	}
	err = createIndex(ctx, cd.coll, mongodriver.IndexModel{
		Keys:    D{{Key: field, Value: 1}},
		Options: options.Index().SetName(userIDUniqueIndex).SetUnique(true),
	})
	switch err := translate(ctx, err); {
	case errors.Is(err, store.ErrAlreadyExists):
		return fmt.Errorf("store: custom data enforce_unique: cannot create a unique index on %q of %s: some users have more than one document (see ListShadowedCustomData)", field, name)
	case err != nil:
		return fmt.Errorf("store: create index %s of %s: %w", userIDUniqueIndex, name, err)
	}
	return nil
}

// userIDIndex returns the index on exactly {user id field: 1}, or nil.
func (s *Store) userIDIndex(ctx context.Context) (*mongodriver.IndexSpecification, error) {
	cd := s.customData
	specs, err := cd.coll.Indexes().ListSpecifications(ctx)
	var se mongodriver.ServerError
	if errors.As(err, &se) && se.HasErrorCode(26) { // NamespaceNotFound: no collection yet
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: list indexes of %s.%s: %w", cd.cfg.Database, cd.cfg.Collection, translate(ctx, err))
	}
	for i, spec := range specs {
		keys, err := spec.KeysDocument.Elements()
		if err != nil || len(keys) != 1 || keys[0].Key() != cd.cfg.UserIDField {
			continue
		}
		if n, ok := keys[0].Value().AsInt64OK(); ok && n == 1 {
			return &specs[i], nil
		}
	}
	return nil, nil
}

// current is the winning document of a user, as read.
type current struct {
	raw     bson.Raw
	id      bson.RawValue
	idKey   string        // id in Extended JSON: the document's name in claims
	version int64         // 0 when never written through Lanyard
	vraw    bson.RawValue // the stored version field (zero Type when missing)
	sum     []byte        // see hash
}

// hash is the SHA-256 of raw, which detects changes by any writer. It is computed when first asked
// for: reads, the most common use of a document, never need it.
func (c *current) hash() []byte {
	if c.sum == nil {
		h := sha256.Sum256(c.raw)
		c.sum = h[:]
	}
	return c.sum
}

func newCurrent(raw bson.Raw) (*current, error) {
	id, err := raw.LookupErr("_id")
	if err != nil {
		return nil, fmt.Errorf("store: custom data document without _id")
	}
	key, err := encodeValue(id)
	if err != nil {
		return nil, err
	}
	c := &current{raw: raw, id: id, idKey: key}
	if v, err := raw.LookupErr(versionField); err == nil {
		c.vraw = v
		c.version, _ = v.AsInt64OK()
	}
	return c, nil
}

// versionFilter matches the document only while it still has the version
// it was read with.
func (c *current) versionFilter() D {
	if c.vraw.Type == 0 {
		return D{{Key: "_id", Value: c.id}, {Key: versionField, Value: D{{Key: "$exists", Value: false}}}}
	}
	return D{{Key: "_id", Value: c.id}, {Key: versionField, Value: c.vraw}}
}

// fingerprint changes whenever the document does.
func (c *current) fingerprint() string {
	return c.idKey + ":" + hex.EncodeToString(c.hash()[:12])
}

func (c *current) customDoc() (*store.CustomDoc, error) {
	j, err := encodeDoc(c.raw, versionField)
	if err != nil {
		return nil, err
	}
	return &store.CustomDoc{JSON: j, Version: c.version, Size: len(c.raw)}, nil
}

// userFilterValues are the forms of a user id its documents may hold.
func userFilterValues(userID string) []any {
	if oid, ok := objectID(userID); ok {
		return []any{userID, oid}
	}
	return []any{userID}
}

// candidate is one document of a user, as found.
type candidate struct {
	raw      bson.Raw
	id       bson.RawValue
	byString bool // holds the user id as a string
}

// ownerOf returns whose document raw is ("": nobody's, e.g. a number).
func (cd *customData) ownerOf(raw bson.Raw) (string, bool) {
	v := raw.Lookup(cd.cfg.UserIDField)
	switch v.Type {
	case bson.TypeString:
		return v.StringValue(), true
	case bson.TypeObjectID:
		return v.ObjectID().Hex(), false
	}
	return "", false
}

// rank sorts candidates winner first: the string form before the
// ObjectId form, then by _id.
func rank(cands []candidate) {
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if a.byString != b.byString {
			if a.byString {
				return -1
			}
			return 1
		}
		return compareValues(a.id, b.id)
	})
}

// winner returns the user's winning document, or nil: through the owner
// index when the store has one, else with the query.
func (s *Store) winner(ctx context.Context, userID string) (*current, error) {
	if s.customData.index != nil {
		if cur, ok, err := s.indexedWinner(ctx, userID); ok {
			return cur, err
		}
	}
	values := userFilterValues(userID)
	if s.scansIn && len(values) > 1 {
		// One equality query per form, the string form first: when it finds documents, they are the
		// candidates, and the ObjectId form need not be asked.
		for _, v := range values {
			cands, err := s.candidatesOf(ctx, userID, v)
			if len(cands) > 0 || err != nil {
				return best(cands, err)
			}
		}
		return nil, nil
	}
	return best(s.candidatesOf(ctx, userID, oneOf(values)))
}

// queryCandidates reads every document of the user, in both forms, with the query on the user id field.
func (s *Store) queryCandidates(ctx context.Context, userID string) ([]candidate, error) {
	values := userFilterValues(userID)
	if !s.scansIn || len(values) == 1 {
		return s.candidatesOf(ctx, userID, oneOf(values))
	}
	var all []candidate
	for _, v := range values {
		cands, err := s.candidatesOf(ctx, userID, v)
		if err != nil {
			return nil, err
		}
		all = append(all, cands...)
	}
	return all, nil
}

// candidatesOf reads the documents of the user whose user id field matches match.
func (s *Store) candidatesOf(ctx context.Context, userID string, match any) ([]candidate, error) {
	cd := &s.customData
	docs, err := findRaw(ctx, cd.coll, D{{Key: cd.cfg.UserIDField, Value: match}})
	if err != nil {
		return nil, err
	}
	var cands []candidate
	for _, raw := range docs {
		if owner, byString := cd.ownerOf(raw); owner == userID {
			cands = append(cands, candidate{raw: raw, id: raw.Lookup("_id"), byString: byString})
		}
	}
	return cands, nil
}

// best returns the winner among candidates, or nil.
func best(cands []candidate, err error) (*current, error) {
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	rank(cands)
	return newCurrent(cands[0].raw)
}

// GetCustomData returns the user's winning document.
func (s *Store) GetCustomData(ctx context.Context, userID string) (*store.CustomDoc, error) {
	cur, err := s.winner(ctx, userID)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return &store.CustomDoc{}, nil
	}
	return cur.customDoc()
}

// CustomDataVersions fingerprints each user's winning document, with one
// query for all of them.
func (s *Store) CustomDataVersions(ctx context.Context, userIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	var in []any
	for _, id := range userIDs {
		out[id] = ""
		in = append(in, userFilterValues(id)...)
	}
	cd := &s.customData
	docs, err := findRaw(ctx, cd.coll, D{{Key: cd.cfg.UserIDField, Value: D{{Key: "$in", Value: in}}}})
	if err != nil {
		return nil, err
	}
	byUser := map[string][]candidate{}
	for _, raw := range docs {
		owner, byString := cd.ownerOf(raw)
		if _, asked := out[owner]; asked {
			byUser[owner] = append(byUser[owner], candidate{raw: raw, id: raw.Lookup("_id"), byString: byString})
		}
	}
	for user, cands := range byUser {
		rank(cands)
		cur, err := newCurrent(cands[0].raw)
		if err != nil {
			return nil, err
		}
		out[user] = cur.fingerprint()
	}
	return out, nil
}

// ListShadowedCustomData scans the user id field of every document (an
// admin operation: the string and ObjectId forms of one user cannot be
// grouped by one $group key, and FerretDB v1 scans anyway) and reports the
// users with more than one candidate, winner first.
func (s *Store) ListShadowedCustomData(ctx context.Context, afterUserID string, limit int) ([]store.ShadowedUser, error) {
	cd := &s.customData
	cur, err := cd.coll.Find(ctx, D{}, options.Find().SetProjection(D{{Key: "_id", Value: 1}, {Key: cd.cfg.UserIDField, Value: 1}}))
	if err != nil {
		return nil, translate(ctx, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	byUser := map[string][]candidate{}
	for cur.Next(ctx) {
		raw := slices.Clone(cur.Current)
		owner, byString := cd.ownerOf(raw)
		if owner != "" && owner > afterUserID {
			byUser[owner] = append(byUser[owner], candidate{raw: raw, id: raw.Lookup("_id"), byString: byString})
		}
	}
	if err := cur.Err(); err != nil {
		return nil, translate(ctx, err)
	}
	var users []string
	for u, cands := range byUser {
		if len(cands) > 1 {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	if limit > 0 && len(users) > limit {
		users = users[:limit]
	}
	out := make([]store.ShadowedUser, 0, len(users))
	for _, u := range users {
		cands := byUser[u]
		rank(cands)
		su := store.ShadowedUser{UserID: u}
		for _, c := range cands {
			key, err := encodeValue(c.id)
			if err != nil {
				return nil, err
			}
			su.DocumentIDs = append(su.DocumentIDs, key)
		}
		out = append(out, su)
	}
	return out, nil
}

// StampLastLogin sets last_login (a BSON date) on the user's winning
// document through the claims, like any write; a user without a document
// gets none.
func (s *Store) StampLastLogin(ctx context.Context, userID string, at time.Time) error {
	_, err := s.writeCustomData(ctx, userID, write{
		mutate: func(doc bson.D, _ bool) (bson.D, error) {
			return setField(doc, "last_login", bson.NewDateTimeFromTime(at)), nil
		},
	})
	return err
}
