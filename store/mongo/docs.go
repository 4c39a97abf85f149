package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/lanyardhq/lanyard/store"
)

// Collections of Lanyard's database. Their documents are the bson structs
// of each record group's file; the structs never leave this package.
const (
	collUsers              = "users"
	collDisabledUsers      = "disabled_users"      // claims: {_id: user id}
	collIdentities         = "provider_identities" // claims: {_id: "provider type:provider id"} (see users.go)
	collUserIdentities     = "user_identities"     // claims: {_id: "user id:n", key: an identity's _id} (see slots.go)
	collLegacyIdentities   = "identities"          // {_id: identity id}: read by earlier versions; copied by migration 6
	collSessions           = "sessions"
	collSessionRevocations = "session_revocations" // claims: {_id: session id}
	collRotations          = "rotations"           // claims: {_id: "session id:generation"}
	collRevocations        = "revocations"         // polled by time by earlier versions; unused now
	collRevocationLog      = "revocation_log"      // {_id: seq}
	collKeys               = "signing_keys"
	collAPIKeys            = "api_keys"
	collAPIKeyHashes       = "api_key_hashes" // claims: {_id: hex of a key's secret hash, key_id: the key's id}
	collPasswords          = "passwords"      // {_id: email}
	collActionTokens       = "action_tokens"
	collActionTokenUses    = "action_token_uses" // claims: {_id: token id}
	collEvents             = "auth_events"       // {_id: seq}
	collLeases             = "leases"            // claims: {_id: "lease name/term"} (see triggers.go)
	collTriggerCursors     = "trigger_cursors"   // claims: {_id: "cursor name/seq"} (see triggers.go)
)

// D shortens the filters and updates below.
type D = bson.D

func (s *Store) coll(name string) *mongodriver.Collection { return s.db.Collection(name) }

// objectID parses an id of package store (see store.ValidID).
func objectID(id string) (bson.ObjectID, bool) {
	if !store.ValidID(id) {
		return bson.ObjectID{}, false
	}
	oid, err := bson.ObjectIDFromHex(id)
	return oid, err == nil
}

// mustObjectID parses the id of a record about to be inserted.
func mustObjectID(kind, id string) (bson.ObjectID, error) {
	oid, ok := objectID(id)
	if !ok {
		return oid, fmt.Errorf("store: %s id %q is not an id (24 lowercase hex characters)", kind, id)
	}
	return oid, nil
}

// utc gives the times read back one location (the driver may decode them
// in the local one).
func utc(t time.Time) time.Time { return t.UTC() }

// fromData turns a document's data field, as the driver decodes it
// (bson.D, bson.M, bson.A, nested), back into the plain Go values callers
// stored: map[string]any and []any. It never returns nil.
func fromData(v any) map[string]any {
	if m, ok := plain(v).(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// toData is what is stored for a data map: never null, so that the field
// always decodes to a document.
func toData(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func plain(v any) any {
	switch v := v.(type) {
	case bson.D:
		m := make(map[string]any, len(v))
		for _, e := range v {
			m[e.Key] = plain(e.Value)
		}
		return m
	case bson.M:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = plain(x)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = plain(x)
		}
		return m
	case bson.A:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = plain(x)
		}
		return a
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = plain(x)
		}
		return a
	}
	return v
}

// findAll runs a query and decodes every document into a T.
func findAll[T any](ctx context.Context, c *mongodriver.Collection, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, translate(ctx, err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, translate(ctx, err)
	}
	return out, nil
}

// findRaw returns the documents of a query as they came, one copy each: cur.All would decode each of
// them again, through reflection, to copy it (a tenth of a 4 KB custom data read's CPU).
func findRaw(ctx context.Context, c *mongodriver.Collection, filter any, opts ...options.Lister[options.FindOptions]) ([]bson.Raw, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, translate(ctx, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var out []bson.Raw
	for cur.Next(ctx) {
		out = append(out, slices.Clone(cur.Current))
	}
	if err := cur.Err(); err != nil {
		return nil, translate(ctx, err)
	}
	return out, nil
}

// findOne decodes the first document of a query into a T; ErrNotFound
// when there is none.
func findOne[T any](ctx context.Context, c *mongodriver.Collection, filter any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	var doc T
	if err := c.FindOne(ctx, filter, opts...).Decode(&doc); err != nil {
		return nil, translate(ctx, err)
	}
	return &doc, nil
}

// exists reports whether a document matches filter.
func exists(ctx context.Context, c *mongodriver.Collection, filter any) (bool, error) {
	err := translate(ctx, c.FindOne(ctx, filter, options.FindOne().SetProjection(D{{Key: "_id", Value: 1}})).Err())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	}
	return false, err
}

// bestEffort runs a compensating or housekeeping write even when ctx is
// done (the caller gave up, but what was half written must not stay),
// bounded in time. A failure is logged, not returned: the caller reports
// the outcome of its own operation.
func (s *Store) bestEffort(ctx context.Context, what string, fn func(ctx context.Context) error) {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := fn(uctx); err != nil {
		s.log.Warn("store: cannot "+what, "error", translate(uctx, err).Error())
	}
}

// oneOf matches a field against values: plain equality when there is one value, $in otherwise.
// FerretDB v1 hands equality to its backend's SQL but answers $in by decoding every document of the
// collection, so the common single-value lookup must not be an $in.
func oneOf[T any](values []T) any {
	if len(values) == 1 {
		return values[0]
	}
	return D{{Key: "$in", Value: values}}
}
