package customdata

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// MongoCall is one App Services "MongoDB Data Access" call (realm-web's
// user.mongoClient(service).db(database).collection(collection).<Action>(...)): the service call on
// functions/call. Query, Projection, Sort, Update and Document are JSON objects and Pipeline a JSON array,
// in Extended JSON; nil when absent.
type MongoCall struct {
	Service, Database, Collection string
	// Action is the collection method: findOne, find, count, aggregate, insertOne, updateOne,
	// updateMany, deleteOne or deleteMany.
	Action     string
	Query      json.RawMessage
	Projection json.RawMessage
	Sort       json.RawMessage
	Limit      int64 // 0: none
	Update     json.RawMessage
	Upsert     bool
	Document   json.RawMessage
	Pipeline   json.RawMessage
}

// Data access serves the custom data collection, and only it, under the rules. What a call can reach:
//
//   - One document per call: the winning custom data document (first inserted wins) of one user. That
//     user is the one the query names in its user id field (an equality to a string or an ObjectId, at the
//     top level or inside $and), else the caller. Naming another user is no way around the rules: that
//     user's document is judged by them like any other (the owner preset refuses it), and a refusal is an
//     error, not an empty answer, so that a client never mistakes "not yours" for "absent".
//   - The query is matched against what the caller may read of that document (field-level read rules and
//     filter projections applied; the user id field and _id, which select the document, always count), so
//     that no query reveals a field the caller cannot read. The shadowed documents of a user with several
//     are never reached: every read, write and token uses the winner.
//   - Reads answer that document or nothing: find returns at most one, count at most 1, sort changes
//     nothing. Projections name top-level fields. aggregate runs $match, $project, $sort, $skip, $limit
//     and $count; other stages (those that write among them) are refused.
//   - Writes go through the store's custom data writes, so they keep its guarantees (one document per
//     user, no lost update among Lanyard's writers, the size and depth limits) and notify watchers.
//     Updates take $set, $unset, $inc and $push (with $each). $inc is applied by the store; dotted $set
//     paths and $push rewrite the top-level field they are in, read and written at one version, retried
//     when another write comes between. A replacement document and other operators are refused.
//   - insertOne creates the document of the user its user id field names (required) when that user has
//     none; a user with one already is refused (Lanyard keeps one per user: update it). _id is the
//     store's choice. An upsert that matches nothing inserts the same way, copying the query's top-level
//     equalities into the new document as MongoDB does, and is refused when the user already has a
//     document the query did not match.
//   - deleteOne and deleteMany delete the matched document.
//
// A deliberate difference, inherited from the rules: an ObjectId equals its hex string in a query.
var mongoActions = []string{"findOne", "find", "count", "aggregate", "insertOne", "updateOne", "updateMany", "deleteOne", "deleteMany"}

// maxWriteAttempts bounds the retries of a read-modify-write that lost its version to another writer.
// Every round has a winner, so n writers racing on one document need at most n attempts each.
const maxWriteAttempts = 32

func invalid(format string, args ...any) error {
	return rpc.NewError(codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, fmt.Sprintf(format, args...))
}

// namespaceOK refuses calls to another service or namespace, and methods not served.
func (h *Service) namespaceOK(in MongoCall) error {
	if in.Service != h.serviceName {
		return rpc.NewError(codes.NotFound, lanyardv1.ErrorReason_ERROR_REASON_NOT_FOUND,
			fmt.Sprintf("service not found: %q (this server's MongoDB service is %q)", in.Service, h.serviceName), "resource", "service")
	}
	if in.Database != h.database || in.Collection != h.collection {
		return rpc.NewError(codes.PermissionDenied, lanyardv1.ErrorReason_ERROR_REASON_RULE_DENIED,
			fmt.Sprintf("no rule exists for namespace '%s.%s': Lanyard serves the custom user data collection '%s.%s' only",
				in.Database, in.Collection, h.database, h.collection))
	}
	if !slices.Contains(mongoActions, in.Action) {
		return rpc.NewError(codes.Unimplemented, lanyardv1.ErrorReason_ERROR_REASON_NOT_IMPLEMENTED,
			fmt.Sprintf("%s is not supported on the custom user data collection; supported: %s", in.Action, strings.Join(mongoActions, ", ")))
	}
	return nil
}

// CallMongo runs one data access call for the caller in ctx and returns its answer as JSON (Extended
// JSON where documents are concerned).
func (h *Service) CallMongo(ctx context.Context, in MongoCall) (json.RawMessage, error) {
	if !h.enabled {
		return nil, rpc.ErrCustomDataDisabled
	}
	if err := h.namespaceOK(in); err != nil {
		return nil, err
	}
	p, err := rpc.Caller(ctx)
	if err != nil {
		return nil, err
	}
	c := &customDataCall{p: p, userID: p.UserID, caller: rules.Caller{UserID: p.UserID, UserType: p.UserType, Server: p.IsServer()}}
	var out any
	switch in.Action {
	case "findOne", "find", "count":
		out, err = h.mongoFind(ctx, c, in)
	case "aggregate":
		out, err = h.mongoAggregate(ctx, c, in)
	case "insertOne":
		out, err = h.mongoInsert(ctx, c, in)
	case "updateOne", "updateMany":
		out, err = h.mongoUpdate(ctx, c, in)
	case "deleteOne", "deleteMany":
		out, err = h.mongoDelete(ctx, c, in)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// parseQuery compiles a query, its errors shown to the client as bad input.
func parseQuery(raw json.RawMessage) (*rules.Query, error) {
	q, err := rules.ParseQuery(raw)
	if err != nil {
		return nil, invalid("%v", err)
	}
	return q, nil
}

// target is the user a query is about: the one its user id field equals, else the caller. ok is false
// when the query names a user id that cannot be one (it then matches nothing).
func (h *Service) target(c *customDataCall, q *rules.Query) (id string, ok bool) {
	v, named := q.Equalities()[h.userIDField]
	if !named {
		return c.userID, true
	}
	return userIDOf(v)
}

// userIDOf reads a user id as a document or a query holds it: a string, or an ObjectId.
func userIDOf(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, store.ValidID(t)
	case map[string]any:
		if oid, isOID := t["$oid"].(string); isOID && len(t) == 1 {
			oid = strings.ToLower(oid)
			return oid, store.ValidID(oid)
		}
	}
	return "", false
}

// current is a user's winning document, decoded (nil when none), with its version and rendering.
type current struct {
	userID string
	doc    map[string]any
	raw    json.RawMessage
	ver    int64
}

func (h *Service) load(ctx context.Context, userID string) (*current, error) {
	d, err := h.store.GetCustomData(ctx, userID)
	if err != nil {
		return nil, err
	}
	cur := &current{userID: userID, raw: d.JSON, ver: d.Version}
	if d.JSON != nil {
		if cur.doc, err = decodeDoc(d.JSON); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// judge is the caller for a decision on doc, owned by owner: the caller's custom data
// (%%user.custom_data) is the document itself when it is the caller's own, and nothing for another
// user's, whose rules reading it then fail closed (reading the caller's own document too would cost a
// store read for every decision on someone else's).
func (c *customDataCall) judge(owner string, doc map[string]any) rules.Caller {
	caller := c.caller
	if owner == c.p.UserID {
		caller.CustomData = doc
	}
	return caller
}

// visible is what the caller may read of the document (an error when the rules refuse reading it), and
// the view a query is matched against.
func (h *Service) visible(c *customDataCall, owner string, doc map[string]any) (view, match map[string]any, err error) {
	caller := c.judge(owner, doc)
	if err := h.rules.Allow(rules.Read, caller, doc, nil); err != nil {
		return nil, nil, err
	}
	view = h.rules.FilterRead(caller, doc)
	match = maps.Clone(view)
	for _, k := range []string{"_id", h.userIDField} {
		if v, ok := doc[k]; ok {
			match[k] = v
		}
	}
	return view, match, nil
}

// selectDoc finds the document a query selects: the target user's winner, when it matches. For a
// document the caller may not read, the rules' refusal is returned.
func (h *Service) selectDoc(ctx context.Context, c *customDataCall, q *rules.Query) (cur *current, view map[string]any, matched bool, err error) {
	id, ok := h.target(c, q)
	if !ok {
		return &current{}, nil, false, nil
	}
	if cur, err = h.load(ctx, id); err != nil {
		return nil, nil, false, err
	}
	if cur.doc == nil {
		if id != c.userID {
			// Whether another user has a document is theirs to know: the rules judge the document that
			// user would have, so the answer is the same either way.
			if err := h.rules.Allow(rules.Read, c.judge(id, nil), map[string]any{h.userIDField: id}, nil); err != nil {
				return nil, nil, false, err
			}
		}
		return cur, nil, false, nil
	}
	view, match, err := h.visible(c, id, cur.doc)
	if err != nil {
		return nil, nil, false, err
	}
	return cur, view, q.Matches(match), nil
}

func (h *Service) mongoFind(ctx context.Context, c *customDataCall, in MongoCall) (any, error) {
	q, err := parseQuery(in.Query)
	if err != nil {
		return nil, err
	}
	proj, err := parseProjection(in.Projection, "project")
	if err != nil {
		return nil, err
	}
	if err := objectOrNone(in.Sort, "sort"); err != nil {
		return nil, err
	}
	if in.Limit < 0 {
		return nil, invalid("limit must not be negative")
	}
	_, view, matched, err := h.selectDoc(ctx, c, q)
	if err != nil {
		return nil, err
	}
	switch in.Action {
	case "count":
		if matched {
			return 1, nil
		}
		return 0, nil
	case "findOne":
		if !matched {
			return nil, nil
		}
		return proj.apply(view), nil
	}
	if !matched {
		return []any{}, nil
	}
	return []any{proj.apply(view)}, nil
}

func objectOrNone(raw json.RawMessage, name string) error {
	if raw == nil || string(raw) == "null" {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return invalid("%s must be an object", name)
	}
	return nil
}

// projection is a find projection on top-level fields: inclusion (only the named fields, and _id unless
// excluded) or exclusion.
type projection struct {
	include map[string]bool // nil: exclusion mode
	exclude map[string]bool
	idOff   bool
}

func parseProjection(raw json.RawMessage, name string) (*projection, error) {
	p := &projection{exclude: map[string]bool{}}
	if raw == nil || string(raw) == "null" {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return nil, invalid("%s must be an object", name)
	}
	inc := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k == "" || strings.ContainsAny(k, ".$") {
			return nil, invalid("%s: %q: only top-level field names are supported", name, k)
		}
		on, ok := truth(m[k])
		if !ok {
			return nil, invalid("%s: %q must be 1, 0, true or false (expressions are not supported)", name, k)
		}
		switch {
		case k == "_id":
			p.idOff = !on
		case on:
			inc[k] = true
		default:
			p.exclude[k] = true
		}
	}
	if len(inc) > 0 && len(p.exclude) > 0 {
		return nil, invalid("%s mixes included and excluded fields", name)
	}
	if len(inc) > 0 {
		p.include = inc
	}
	return p, nil
}

// truth reads a projection value: a boolean or a number, plain or in an Extended JSON wrapper.
func truth(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case json.Number:
		f, err := t.Float64()
		return f != 0, err == nil
	case map[string]any:
		if len(t) != 1 {
			return false, false
		}
		for _, k := range []string{"$numberInt", "$numberLong", "$numberDouble"} {
			if s, ok := t[k].(string); ok {
				f, err := strconv.ParseFloat(s, 64)
				return f != 0, err == nil
			}
		}
	}
	return false, false
}

func (p *projection) apply(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		switch {
		case k == "_id":
			if p.idOff {
				continue
			}
		case p.include != nil && !p.include[k], p.exclude[k]:
			continue
		}
		out[k] = v
	}
	return out
}

// mongoAggregate runs the read-only stages on the document the first $match selects (the caller's when
// the pipeline does not start with one naming a user).
func (h *Service) mongoAggregate(ctx context.Context, c *customDataCall, in MongoCall) (any, error) {
	var stages []map[string]json.RawMessage
	if json.Unmarshal(in.Pipeline, &stages) != nil {
		return nil, invalid("pipeline must be an array of stage documents")
	}
	first, _ := rules.ParseQuery(nil) // matches everything: never fails
	for i, st := range stages {
		if len(st) != 1 {
			return nil, invalid("pipeline[%d]: a stage has exactly one key", i)
		}
		if raw, ok := st["$match"]; ok && i == 0 {
			q, err := parseQuery(raw)
			if err != nil {
				return nil, err
			}
			first = q
		}
	}
	cur, view, _, err := h.selectDoc(ctx, c, first)
	if err != nil {
		return nil, err
	}
	docs := []map[string]any{}
	if cur.doc != nil {
		docs = append(docs, view)
	}
	for i, st := range stages {
		for name, raw := range st {
			switch name {
			case "$match":
				q, err := parseQuery(raw)
				if err != nil {
					return nil, err
				}
				docs = slices.DeleteFunc(docs, func(d map[string]any) bool {
					m := maps.Clone(d)
					for _, k := range []string{"_id", h.userIDField} {
						if v, ok := cur.doc[k]; ok {
							m[k] = v
						}
					}
					return !q.Matches(m)
				})
			case "$project":
				p, err := parseProjection(raw, fmt.Sprintf("pipeline[%d].$project", i))
				if err != nil {
					return nil, err
				}
				for j := range docs {
					docs[j] = p.apply(docs[j])
				}
			case "$sort":
				if err := objectOrNone(raw, fmt.Sprintf("pipeline[%d].$sort", i)); err != nil {
					return nil, err
				}
			case "$limit", "$skip":
				n, err := count(raw)
				if err != nil || n < 0 || (name == "$limit" && n < 1) {
					return nil, invalid("pipeline[%d].%s must be a whole number (at least 1 for $limit, 0 for $skip)", i, name)
				}
				if name == "$limit" && int64(len(docs)) > n || name == "$skip" && n > 0 {
					docs = docs[:0]
				}
			case "$count":
				var field string
				if json.Unmarshal(raw, &field) != nil || field == "" || strings.ContainsAny(field, ".$") {
					return nil, invalid("pipeline[%d].$count must name a field", i)
				}
				n := len(docs)
				docs = []map[string]any{}
				if n > 0 {
					docs = append(docs, map[string]any{field: n})
				}
			default:
				return nil, invalid("pipeline[%d]: %s is not supported on the custom user data collection "+
					"(supported: $match, $project, $sort, $skip, $limit, $count)", i, name)
			}
		}
	}
	return docs, nil
}

// count reads a whole number, plain or in an Extended JSON wrapper.
func count(raw json.RawMessage) (int64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.Int64()
	}
	var w map[string]string
	if err := json.Unmarshal(raw, &w); err != nil || len(w) != 1 {
		return 0, errors.New("not a number")
	}
	for _, k := range []string{"$numberInt", "$numberLong"} {
		if s, ok := w[k]; ok {
			return strconv.ParseInt(s, 10, 64)
		}
	}
	return 0, errors.New("not a whole number")
}

func (h *Service) mongoDelete(ctx context.Context, c *customDataCall, in MongoCall) (_ any, err error) {
	q, err := parseQuery(in.Query)
	if err != nil {
		return nil, err
	}
	cur, _, matched, err := h.selectDoc(ctx, c, q)
	if err != nil || !matched {
		return map[string]any{"deletedCount": 0}, err
	}
	defer func() { h.metrics.CustomDataWrite(err) }()
	if err := h.rules.Allow(rules.Delete, c.judge(cur.userID, cur.doc), cur.doc, nil); err != nil {
		return nil, err
	}
	deleted, err := h.store.DeleteCustomData(ctx, cur.userID)
	if err != nil {
		return nil, err
	}
	h.hub.changed(cur.userID)
	n := 0
	if deleted {
		n = 1
	}
	return map[string]any{"deletedCount": n}, nil
}

func (h *Service) mongoInsert(ctx context.Context, c *customDataCall, in MongoCall) (_ any, err error) {
	doc, err := decodeObject(in.Document, "document")
	if err != nil {
		return nil, err
	}
	if _, ok := doc["_id"]; ok {
		return nil, invalid("document: _id is chosen by the server; leave it out")
	}
	if doc[h.userIDField] == nil {
		return nil, invalid("document: %s must hold the id of the user the document belongs to", h.userIDField)
	}
	id, ok := userIDOf(doc[h.userIDField])
	if !ok {
		return nil, invalid("document: %s must hold a user id (a 24-digit hex string, or an ObjectId)", h.userIDField)
	}
	existing, err := h.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if existing.doc != nil {
		if id != c.userID {
			// The rules decide what the caller learns about another user's document.
			if err := h.rules.Allow(rules.Read, c.judge(id, existing.doc), existing.doc, nil); err != nil {
				return nil, err
			}
		}
		return nil, errOneDocument
	}
	defer func() { h.metrics.CustomDataWrite(err) }()
	set := maps.Clone(doc)
	delete(set, h.userIDField)
	fields := slices.Sorted(maps.Keys(set))
	whole := maps.Clone(set)
	whole[h.userIDField] = id
	// An insert is judged with no custom data, never with the document it would create.
	if err := h.rules.Allow(rules.Insert, c.judge(id, nil), whole, fields); err != nil {
		return nil, err
	}
	zero := int64(0)
	written, err := h.store.UpdateCustomData(ctx, id, store.CustomDataUpdate{Set: mustJSON(set), ExpectedVersion: &zero})
	if errors.Is(err, store.ErrVersionMismatch) {
		return nil, errOneDocument
	}
	if err != nil {
		return nil, err
	}
	h.hub.changed(id)
	return map[string]any{"insertedId": idOf(written.JSON)}, nil
}

var errOneDocument = rpc.NewError(codes.AlreadyExists, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT,
	"this user already has a custom data document; Lanyard keeps one per user: update it instead")

func decodeObject(raw json.RawMessage, name string) (map[string]any, error) {
	if raw == nil {
		return nil, invalid("%s is missing", name)
	}
	m, err := decodeDoc(raw)
	if err != nil || m == nil {
		return nil, invalid("%s must be an object", name)
	}
	return m, nil
}

func mustJSON(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		// Only values decoded from JSON reach here.
		panic(err)
	}
	return raw
}

// idOf is the _id of a rendered document, as it renders.
func idOf(raw json.RawMessage) json.RawMessage {
	var d struct {
		ID json.RawMessage `json:"_id"`
	}
	_ = json.Unmarshal(raw, &d)
	return d.ID
}

// mongoUpdate applies an update to the selected document, or upserts; a write that lost its version to
// another writer is decided again on the new state.
func (h *Service) mongoUpdate(ctx context.Context, c *customDataCall, in MongoCall) (_ any, err error) {
	q, err := parseQuery(in.Query)
	if err != nil {
		return nil, err
	}
	up, err := parseUpdate(in.Update)
	if err != nil {
		return nil, err
	}
	for range maxWriteAttempts {
		var res any
		res, err = h.updateOnce(ctx, c, q, up, in.Upsert)
		if !errors.Is(err, store.ErrVersionMismatch) {
			return res, err
		}
	}
	return nil, err
}

func (h *Service) updateOnce(ctx context.Context, c *customDataCall, q *rules.Query, up *update, upsert bool) (_ any, err error) {
	cur, _, matched, err := h.selectDoc(ctx, c, q)
	if err != nil {
		return nil, err
	}
	if !matched && (!upsert || cur.userID == "") {
		return map[string]any{"matchedCount": 0, "modifiedCount": 0}, nil
	}
	if !matched && cur.doc != nil {
		return nil, rpc.NewError(codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT,
			"the upsert matched no document, and this user already has a custom data document, which the query does not match; "+
				"Lanyard keeps one document per user: select it (by the user id field) to update it")
	}
	defer func() {
		if !errors.Is(err, store.ErrVersionMismatch) {
			h.metrics.CustomDataWrite(err)
		}
	}()
	base := cur.doc
	if base == nil {
		base = map[string]any{}
		for k, v := range q.Equalities() {
			if k != "_id" && k != h.userIDField {
				base[k] = v
			}
		}
	}
	u, after, err := up.apply(base, h.userIDField)
	if err != nil {
		return nil, err
	}
	if cur.doc == nil {
		// Fields the query set but the update does not touch are inserted too.
		setFields := map[string]json.RawMessage{}
		_ = json.Unmarshal(u.Set, &setFields)
		for k, v := range base {
			if _, ok := setFields[k]; !ok && !up.touches(k) {
				setFields[k] = mustJSON(v)
			}
		}
		u.Set = mustJSON(setFields)
		after[h.userIDField] = cur.userID
		fields := up.fields()
		for k := range base {
			if !slices.Contains(fields, k) {
				fields = append(fields, k)
			}
		}
		if err := h.rules.Allow(rules.Insert, c.judge(cur.userID, nil), after, fields); err != nil {
			return nil, err
		}
	} else if err := h.rules.Allow(rules.Write, c.judge(cur.userID, cur.doc), cur.doc, up.fields()); err != nil {
		return nil, err
	}
	v := cur.ver
	u.ExpectedVersion = &v
	written, err := h.store.UpdateCustomData(ctx, cur.userID, u)
	if err != nil {
		return nil, err
	}
	h.hub.changed(cur.userID)
	if cur.doc == nil {
		return map[string]any{"matchedCount": 0, "modifiedCount": 0, "upsertedId": idOf(written.JSON)}, nil
	}
	modified := 0
	if !bytes.Equal(written.JSON, cur.raw) {
		modified = 1
	}
	return map[string]any{"matchedCount": 1, "modifiedCount": modified}, nil
}
