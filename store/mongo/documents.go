package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/feed"
)

// Documents (store.Documents): the operator's collections, as App Services functions reach them.
//
// Everything that comes in is parsed here from Extended JSON (canonical or relaxed) and checked before it
// is sent: the namespace (never Lanyard's own database, nor one MongoDB reserves), the operators (none
// that runs code on the engine or writes elsewhere; only the aggregate stages and update operators
// listed below), the nesting depth of what a write stores (store.MaxCustomDataDepth, which FerretDB does
// not enforce), and on FerretDB the values that break it. What goes out is Canonical Extended JSON v2.
//
// Writes into the custom data collection are reported to the feed as the engine's operator port reports
// an outside tool's, before they run and again once answered (see package feed), so that the owner
// index of every store of the process hears of them.

// reservedDatabases are databases no function may reach: MongoDB's own.
var reservedDatabases = []string{"admin", "local", "config"}

// allowedStages are the aggregate stages a function may use: those that only read the namespace's own
// database. An allow-list, so that a stage added to MongoDB later (one that reads the whole cluster,
// say) is refused until looked at.
var allowedStages = map[string]bool{
	"$addFields": true, "$bucket": true, "$bucketAuto": true, "$count": true, "$densify": true,
	"$facet": true, "$fill": true, "$geoNear": true, "$graphLookup": true, "$group": true,
	"$limit": true, "$lookup": true, "$match": true, "$project": true, "$redact": true,
	"$replaceRoot": true, "$replaceWith": true, "$sample": true, "$set": true, "$setWindowFields": true,
	"$skip": true, "$sort": true, "$sortByCount": true, "$unionWith": true, "$unset": true, "$unwind": true,
}

// allowedUpdateOps are the update operators a function may use.
var allowedUpdateOps = map[string]bool{
	"$set": true, "$setOnInsert": true, "$unset": true, "$inc": true, "$mul": true, "$min": true,
	"$max": true, "$rename": true, "$currentDate": true, "$push": true, "$addToSet": true, "$pop": true,
	"$pull": true, "$pullAll": true, "$bit": true,
}

// codeOperators run JavaScript on the engine: refused wherever they appear.
var codeOperators = map[string]bool{"$where": true, "$function": true, "$accumulator": true}

// maxReportedUsers bounds the users one write reports to the feed; past it the write is reported as one
// nobody can interpret, which costs a read of the whole collection instead of one per user.
const maxReportedUsers = 1000

// checkNamespace refuses Lanyard's own database, MongoDB's, and names MongoDB refuses. Database names
// compare regardless of case: MongoDB refuses two databases differing only in case, and FerretDB on
// SQLite keeps each in a file, one file on a case-insensitive file system.
func (s *Store) checkNamespace(ns store.Namespace) error {
	refuse := func(why string) error {
		return fmt.Errorf("%w: %q: %s", store.ErrNamespaceRefused, ns.Database+"."+ns.Collection, why)
	}
	switch {
	case ns.Database == "":
		return refuse("the database name is empty")
	case strings.ContainsAny(ns.Database, "/\\. \"$\x00"):
		return refuse(`a database name may not contain / \ . space " $ or NUL`)
	case len(ns.Database) > 63:
		return refuse("the database name is longer than 63 bytes")
	case strings.EqualFold(ns.Database, s.db.Name()):
		return refuse("it is in Lanyard's own database")
	}
	for _, r := range reservedDatabases {
		if strings.EqualFold(ns.Database, r) {
			return refuse("the database is reserved by MongoDB")
		}
	}
	if err := checkCollectionName(ns.Collection); err != "" {
		return refuse(err)
	}
	return nil
}

// checkCollectionName says what is wrong with a collection name ("" if nothing).
func checkCollectionName(c string) string {
	switch {
	case c == "":
		return "the collection name is empty"
	case strings.ContainsAny(c, "$\x00"):
		return "a collection name may not contain $ or NUL"
	case strings.HasPrefix(c, "system."):
		return "system collections are reserved"
	case strings.HasPrefix(c, "."):
		return "a collection name may not start with a dot"
	}
	return ""
}

// invalidDoc wraps store.ErrInvalidDocument with what is wrong.
func invalidDoc(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrInvalidDocument, fmt.Sprintf(format, args...))
}

// parseObject reads one JSON object of Extended JSON; nil (or JSON null) is an empty document when
// optional. what names it in errors.
func parseEJSONObject(data json.RawMessage, what string, optional bool) (bson.Raw, error) {
	trimmed := strings.TrimSpace(string(data))
	if trimmed == "" || trimmed == "null" {
		if optional {
			return bson.Raw(emptyDocument), nil
		}
		return nil, invalidDoc("the %s is missing", what)
	}
	if !json.Valid(data) {
		return nil, invalidDoc("the %s is not valid JSON", what)
	}
	if trimmed[0] != '{' {
		return nil, invalidDoc("the %s is not a JSON object", what)
	}
	var raw bson.Raw
	if err := bson.UnmarshalExtJSON(data, false, &raw); err != nil {
		return nil, invalidDoc("the %s is not valid Extended JSON (a malformed wrapper such as {\"$oid\": …}, or nesting beyond 200 levels)", what)
	}
	return raw, nil
}

// parsePipeline reads a JSON array of stages.
func parsePipeline(data json.RawMessage) ([]bson.Raw, error) {
	trimmed := strings.TrimSpace(string(data))
	if trimmed == "" || trimmed == "null" {
		return nil, invalidDoc("the pipeline is missing")
	}
	if !json.Valid(data) {
		return nil, invalidDoc("the pipeline is not valid JSON")
	}
	if trimmed[0] != '[' {
		return nil, invalidDoc("the pipeline is not a JSON array")
	}
	// Valid JSON cannot break out of the wrapper.
	wrapped := append(append([]byte(`{"p":`), data...), '}')
	var raw bson.Raw
	if err := bson.UnmarshalExtJSON(wrapped, false, &raw); err != nil {
		return nil, invalidDoc("the pipeline is not valid Extended JSON (a malformed wrapper such as {\"$oid\": …}, or nesting beyond 200 levels)")
	}
	var stages []bson.Raw
	var err error
	forEach(raw.Lookup("p"), func(_ string, v bson.RawValue) bool {
		d, ok := v.DocumentOK()
		if !ok {
			err = invalidDoc("pipeline stage %d is not a JSON object", len(stages))
			return false
		}
		stages = append(stages, d)
		return true
	})
	return stages, err
}

var emptyDocument = []byte{5, 0, 0, 0, 0}

// forEach calls fn with each element of a document or array value until fn returns false.
func forEach(v bson.RawValue, fn func(key string, v bson.RawValue) bool) {
	var d bson.Raw
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		d = v.Document()
	case bson.TypeArray:
		d = bson.Raw(v.Array())
	default:
		return
	}
	elems, err := d.Elements()
	if err != nil {
		return
	}
	for _, e := range elems {
		if !fn(e.Key(), e.Value()) {
			return
		}
	}
}

func docValue(d bson.Raw) bson.RawValue {
	return bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: d}
}

// checkInput refuses, anywhere in v, the operators that run code, and on FerretDB the values that break
// it (Decimal128 and NaN: it panics decoding them, dropping the connection). what names v in errors.
func (s *Store) checkInput(v bson.RawValue, what string) error {
	var err error
	var walk func(v bson.RawValue) bool
	walk = func(v bson.RawValue) bool {
		switch v.Type {
		case bson.TypeDecimal128:
			if s.scansIn {
				err = invalidDoc("the %s holds a Decimal128 value, which this engine (FerretDB v1) cannot store", what)
				return false
			}
		case bson.TypeDouble:
			if f, ok := v.DoubleOK(); ok && math.IsNaN(f) && s.scansIn {
				err = invalidDoc("the %s holds NaN, which this engine (FerretDB v1) cannot store", what)
				return false
			}
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			ok := true
			forEach(v, func(k string, inner bson.RawValue) bool {
				if v.Type == bson.TypeEmbeddedDocument && codeOperators[k] {
					err = invalidDoc("the %s uses %s, which runs code on the engine: refused", what, k)
					ok = false
					return false
				}
				ok = walk(inner)
				return ok
			})
			return ok
		}
		return true
	}
	walk(v)
	return err
}

// nestsBeyond reports whether v, held at level, puts anything beyond store.MaxCustomDataDepth (counted
// as store.MaxCustomDataDepth says).
func nestsBeyond(v bson.RawValue, level int) bool {
	if level > store.MaxCustomDataDepth {
		return true
	}
	deep := false
	forEach(v, func(_ string, inner bson.RawValue) bool {
		deep = nestsBeyond(inner, level+1)
		return !deep
	})
	return deep
}

func segments(path string) int { return strings.Count(path, ".") + 1 }

// tooDeepDoc is the error of a write that would nest beyond the limit.
func tooDeepDoc(what string) error {
	return invalidDoc("the %s nests deeper than %d levels (MongoDB's limit)", what, store.MaxCustomDataDepth)
}

// checkUpdate checks an update document: operators only, each allowed, none storing a value beyond the
// depth limit.
func (s *Store) checkUpdate(u bson.Raw) error {
	elems, err := u.Elements()
	if err != nil || len(elems) == 0 {
		return invalidDoc("the update is empty: it needs update operators such as $set")
	}
	for _, e := range elems {
		op, v := e.Key(), e.Value()
		if !strings.HasPrefix(op, "$") {
			return invalidDoc("the update holds the field %q: it must hold update operators only (a replacement is not supported)", op)
		}
		if !allowedUpdateOps[op] {
			return invalidDoc("the update operator %s is not supported", op)
		}
		if v.Type != bson.TypeEmbeddedDocument {
			return invalidDoc("the operand of %s is not a document", op)
		}
		var bad error
		forEach(v, func(path string, val bson.RawValue) bool {
			level := segments(path)
			switch op {
			case "$unset", "$pop", "$pull", "$pullAll":
				// Remove only.
			case "$rename":
				to, ok := val.StringValueOK()
				if !ok {
					bad = invalidDoc("$rename of %q: the new name is not a string", path)
				} else if segments(to) > level {
					bad = invalidDoc("$rename of %q to %q: renaming into a deeper path is not supported (the value moved could nest beyond %d levels)", path, to, store.MaxCustomDataDepth)
				}
			case "$push", "$addToSet":
				if d, ok := val.DocumentOK(); ok {
					if each, err := d.LookupErr("$each"); err == nil {
						if nestsBeyond(each, level) {
							bad = tooDeepDoc("update")
						}
						break
					}
				}
				if nestsBeyond(val, level+1) {
					bad = tooDeepDoc("update")
				}
			default:
				if nestsBeyond(val, level) {
					bad = tooDeepDoc("update")
				}
			}
			return bad == nil
		})
		if bad != nil {
			return bad
		}
	}
	return nil
}

// checkUpsertSeeds refuses a filter whose equality conditions, which an upsert copies into the document
// it inserts, nest beyond the limit. Operator documents count as values: a slight over-count, on the
// safe side.
func checkUpsertSeeds(filter bson.RawValue) error {
	var bad error
	forEach(filter, func(k string, v bson.RawValue) bool {
		switch {
		case k == "$and" || k == "$or" || k == "$nor":
			forEach(v, func(_ string, clause bson.RawValue) bool {
				bad = checkUpsertSeeds(clause)
				return bad == nil
			})
		case strings.HasPrefix(k, "$"):
		case nestsBeyond(v, segments(k)):
			bad = tooDeepDoc("filter of the upsert")
		}
		return bad == nil
	})
	return bad
}

// checkPipeline checks the stages of a pipeline (nested ones included): each allowed, and those that
// read another collection reading one of the same database, by a valid name.
func checkPipeline(stages []bson.Raw, ferret bool) error {
	for i, st := range stages {
		elems, err := st.Elements()
		if err != nil || len(elems) != 1 {
			return invalidDoc("pipeline stage %d must hold exactly one stage operator", i)
		}
		name, v := elems[0].Key(), elems[0].Value()
		switch {
		case name == "$out" || name == "$merge":
			return invalidDoc("the stage %s writes to a collection: aggregate is read-only here", name)
		case !allowedStages[name]:
			return invalidDoc("the aggregate stage %q is not supported", name)
		}
		if ferret && name == "$group" {
			if err := checkGroup(v); err != nil {
				return err
			}
		}
		if ferret && (name == "$project" || name == "$addFields" || name == "$set") {
			if err := checkFieldPaths(v, name); err != nil {
				return err
			}
		}
		var nested []bson.RawValue
		switch name {
		case "$lookup", "$graphLookup", "$unionWith":
			target := bson.RawValue{}
			if name == "$unionWith" && v.Type == bson.TypeString {
				target = v
			} else if d, ok := v.DocumentOK(); ok {
				key := "from"
				if name == "$unionWith" {
					key = "coll"
				}
				target = d.Lookup(key)
				if p, err := d.LookupErr("pipeline"); err == nil {
					nested = append(nested, p)
				}
			} else {
				return invalidDoc("the operand of %s is not a document", name)
			}
			if target.Type != 0 {
				coll, ok := target.StringValueOK()
				if !ok {
					return invalidDoc("%s may only name a collection of the same database, by name", name)
				}
				if why := checkCollectionName(coll); why != "" {
					return fmt.Errorf("%w: %s of %q: %s", store.ErrNamespaceRefused, name, coll, why)
				}
			}
		case "$facet":
			forEach(v, func(_ string, p bson.RawValue) bool {
				nested = append(nested, p)
				return true
			})
		}
		for _, p := range nested {
			if p.Type != bson.TypeArray {
				return invalidDoc("a pipeline inside %s is not an array", name)
			}
			var inner []bson.Raw
			bad := false
			forEach(p, func(_ string, st bson.RawValue) bool {
				d, ok := st.DocumentOK()
				bad = !ok
				inner = append(inner, d)
				return ok
			})
			if bad {
				return invalidDoc("a stage inside %s is not a document", name)
			}
			if err := checkPipeline(inner, ferret); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkGroup refuses, on FerretDB, a $group stage with more than one accumulator: FerretDB v1 answers
// it with zeros for all but the first, a wrong result rather than an error.
func checkGroup(g bson.RawValue) error {
	n := 0
	forEach(g, func(k string, _ bson.RawValue) bool {
		if k != "_id" {
			n++
		}
		return true
	})
	if n > 1 {
		return invalidDoc("$group with more than one accumulator is not supported by this engine (FerretDB v1): use one $group per accumulator")
	}
	return nil
}

// checkFieldPaths refuses, on FerretDB, a field path ("$name") among the values of a projection or of
// fields to add: FerretDB v1 stores the string itself instead of the field's value, a wrong result rather
// than an error.
func checkFieldPaths(spec bson.RawValue, what string) error {
	var bad error
	var walk func(v bson.RawValue) bool
	walk = func(v bson.RawValue) bool {
		if str, ok := v.StringValueOK(); ok && strings.HasPrefix(str, "$") {
			bad = invalidDoc("field paths such as %q in %s are not supported by this engine (FerretDB v1)", str, what)
			return false
		}
		ok := true
		forEach(v, func(_ string, inner bson.RawValue) bool {
			ok = walk(inner)
			return ok
		})
		return ok
	}
	walk(spec)
	return bad
}

// documentsError maps an error of a Documents operation (op names it): the store's sentinels as every
// operation maps them, and otherwise, for an answer of the engine, a message that names its code but
// quotes nothing (an engine's message can quote the documents), for anything else none of the driver's.
func (s *Store) documentsError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	t := translate(ctx, err)
	switch {
	case errors.Is(t, store.ErrAlreadyExists):
		return fmt.Errorf("%w: the %s would duplicate a unique key", store.ErrAlreadyExists, op)
	case errors.Is(t, store.ErrUnavailable), errors.Is(t, store.ErrBusy), errors.Is(t, store.ErrNotFound),
		errors.Is(t, context.Canceled), errors.Is(t, context.DeadlineExceeded):
		return t
	}
	code, name := engineCode(err)
	switch {
	case code == 1 || code == 0 && name == "":
		s.log.Warn("store: documents: the engine failed", "operation", op, "error", oneLine(err.Error()))
		return fmt.Errorf("store: the engine failed the %s", op)
	case code == 238 || name == "NotImplemented":
		return invalidDoc("the engine does not support this %s (NotImplemented)", op)
	case name != "":
		return invalidDoc("the engine refused the %s (%s, code %d)", op, name, code)
	}
	return invalidDoc("the engine refused the %s (code %d)", op, code)
}

// engineCode returns the code (and its name, when the answer gives one) of the first error the engine
// answered with; 0 and "" when err is not an answer of the engine.
func engineCode(err error) (int, string) {
	var ce mongodriver.CommandError
	if errors.As(err, &ce) {
		return int(ce.Code), ce.Name
	}
	var we mongodriver.WriteException
	if errors.As(err, &we) {
		if len(we.WriteErrors) > 0 {
			return we.WriteErrors[0].Code, ""
		}
		if we.WriteConcernError != nil {
			return we.WriteConcernError.Code, we.WriteConcernError.Name
		}
	}
	var be mongodriver.BulkWriteException
	if errors.As(err, &be) {
		if len(be.WriteErrors) > 0 {
			return be.WriteErrors[0].Code, ""
		}
		if be.WriteConcernError != nil {
			return be.WriteConcernError.Code, be.WriteConcernError.Name
		}
	}
	return 0, ""
}

// render returns a document as Canonical Extended JSON v2.
func render(d bson.Raw) (json.RawMessage, error) {
	out, err := bson.MarshalExtJSON(d, true, false)
	if err != nil || !json.Valid(out) {
		return nil, errors.New("store: a stored document cannot be rendered as Extended JSON")
	}
	return out, nil
}

// renderValue returns one value as Canonical Extended JSON v2.
func renderValue(v any) (json.RawMessage, error) {
	out, err := bson.MarshalExtJSON(D{{Key: "v", Value: v}}, true, false)
	if err != nil {
		return nil, errors.New("store: a value cannot be rendered as Extended JSON")
	}
	var w struct {
		V json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(out, &w); err != nil {
		return nil, errors.New("store: a value cannot be rendered as Extended JSON")
	}
	return w.V, nil
}

// isCustomData reports whether ns is this store's custom data collection.
func (s *Store) isCustomData(ns store.Namespace) bool {
	cd := s.customData.cfg
	return ns.Collection == cd.Collection && strings.EqualFold(ns.Database, cd.Database)
}

// versionRefused is the error of a write naming Lanyard's version field in the custom data collection:
// the claims that order Lanyard's writes are keyed by it, so a version set by hand could pair a document
// with another document's claims.
func versionRefused() error {
	return invalidDoc("the field %s is Lanyard's own in the custom data collection", versionField)
}

// namesVersion reports whether an update names the version field (or a path in it) anywhere.
func namesVersion(u bson.Raw) bool {
	names := false
	elems, _ := u.Elements()
	for _, e := range elems {
		forEach(e.Value(), func(path string, val bson.RawValue) bool {
			to, _ := val.StringValueOK()
			for _, p := range []string{path, to} {
				if e.Key() != "$rename" && p == to {
					continue
				}
				if first, _, _ := strings.Cut(p, "."); first == versionField {
					names = true
				}
			}
			return !names
		})
	}
	return names
}

func (s *Store) documentsColl(ns store.Namespace) *mongodriver.Collection {
	return s.client.Database(ns.Database).Collection(ns.Collection)
}

// InsertDocuments inserts docs in order and returns their _ids. An _id is generated here (an ObjectId)
// for a document without one, so that it is known before the write: the feed is told of it. The insert
// stops at the first document that fails (a duplicate _id: ErrAlreadyExists); those before it stay.
func (s *Store) InsertDocuments(ctx context.Context, ns store.Namespace, docs []json.RawMessage) ([]json.RawMessage, error) {
	if err := s.checkNamespace(ns); err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, invalidDoc("no documents to insert")
	}
	raws := make([]any, len(docs))
	ids := make([]bson.RawValue, len(docs))
	for i, data := range docs {
		what := fmt.Sprintf("document %d", i)
		raw, err := parseEJSONObject(data, what, false)
		if err != nil {
			return nil, err
		}
		if err := s.checkInput(docValue(raw), what); err != nil {
			return nil, err
		}
		id, err := raw.LookupErr("_id")
		if err != nil {
			oid := bson.NewObjectID()
			raw = bson.Raw(bsoncore.BuildDocument(nil, bsoncore.AppendObjectIDElement(nil, "_id", oid), raw[4:len(raw)-1]))
			id = raw.Lookup("_id")
		}
		if nestsBeyond(docValue(raw), 0) {
			return nil, tooDeepDoc(what)
		}
		if _, err := raw.LookupErr(versionField); err == nil && s.isCustomData(ns) {
			return nil, versionRefused()
		}
		raws[i], ids[i] = raw, id
	}
	change := func(field string) feed.Change {
		var c feed.Change
		for i, raw := range raws {
			c.Docs = append(c.Docs, feed.DocOwner{ID: ids[i], Owner: lookupField(raw.(bson.Raw), field)})
		}
		return c
	}
	done := s.reportWrite(ns, change)
	_, err := s.documentsColl(ns).InsertMany(ctx, raws)
	done()
	if err != nil {
		return nil, s.documentsError(ctx, "insert", err)
	}
	out := make([]json.RawMessage, len(ids))
	for i, id := range ids {
		if out[i], err = renderValue(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindDocuments returns at most min(q.Limit, store.MaxDocumentsPerRead) documents (q.Limit <= 0: the
// latter).
func (s *Store) FindDocuments(ctx context.Context, ns store.Namespace, q store.Query) ([]json.RawMessage, error) {
	if err := s.checkNamespace(ns); err != nil {
		return nil, err
	}
	filter, err := s.parseChecked(q.Filter, "filter")
	if err != nil {
		return nil, err
	}
	opts := options.Find()
	limit := int64(store.MaxDocumentsPerRead)
	if q.Limit > 0 && q.Limit < limit {
		limit = q.Limit
	}
	opts.SetLimit(limit)
	if q.Skip < 0 {
		return nil, invalidDoc("skip is negative")
	}
	if q.Skip > 0 {
		opts.SetSkip(q.Skip)
	}
	if q.Projection != nil {
		p, err := s.parseChecked(q.Projection, "projection")
		if err != nil {
			return nil, err
		}
		if s.scansIn {
			if err := checkFieldPaths(docValue(p), "a projection"); err != nil {
				return nil, err
			}
		}
		opts.SetProjection(p)
	}
	if q.Sort != nil {
		so, err := s.parseChecked(q.Sort, "sort")
		if err != nil {
			return nil, err
		}
		opts.SetSort(so)
	}
	cur, err := s.documentsColl(ns).Find(ctx, filter, opts)
	if err != nil {
		return nil, s.documentsError(ctx, "find", err)
	}
	return s.readAll(ctx, cur, "find")
}

// readAll renders the documents of cur, at most store.MaxDocumentsPerRead.
func (s *Store) readAll(ctx context.Context, cur *mongodriver.Cursor, op string) ([]json.RawMessage, error) {
	defer cur.Close(context.WithoutCancel(ctx))
	out := []json.RawMessage{}
	for len(out) < store.MaxDocumentsPerRead && cur.Next(ctx) {
		doc, err := render(cur.Current)
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	if err := cur.Err(); err != nil {
		return nil, s.documentsError(ctx, op, err)
	}
	return out, nil
}

// parseChecked parses an optional document and checks it with checkInput.
func (s *Store) parseChecked(data json.RawMessage, what string) (bson.Raw, error) {
	raw, err := parseEJSONObject(data, what, true)
	if err != nil {
		return nil, err
	}
	if err := s.checkInput(docValue(raw), what); err != nil {
		return nil, err
	}
	return raw, nil
}

// CountDocuments counts the documents matching filter.
func (s *Store) CountDocuments(ctx context.Context, ns store.Namespace, filter json.RawMessage) (int64, error) {
	if err := s.checkNamespace(ns); err != nil {
		return 0, err
	}
	f, err := s.parseChecked(filter, "filter")
	if err != nil {
		return 0, err
	}
	n, err := s.documentsColl(ns).CountDocuments(ctx, f)
	if err != nil {
		return 0, s.documentsError(ctx, "count", err)
	}
	return n, nil
}

// UpdateDocuments applies an update of operators (no replacement, no pipeline).
func (s *Store) UpdateDocuments(ctx context.Context, ns store.Namespace, filter, update json.RawMessage, many, upsert bool) (*store.UpdateResult, error) {
	if err := s.checkNamespace(ns); err != nil {
		return nil, err
	}
	f, err := s.parseChecked(filter, "filter")
	if err != nil {
		return nil, err
	}
	u, err := parseEJSONObject(update, "update", false)
	if err != nil {
		return nil, err
	}
	if err := s.checkInput(docValue(u), "update"); err != nil {
		return nil, err
	}
	if err := s.checkUpdate(u); err != nil {
		return nil, err
	}
	if s.isCustomData(ns) && namesVersion(u) {
		return nil, versionRefused()
	}
	if upsert {
		if err := checkUpsertSeeds(docValue(f)); err != nil {
			return nil, err
		}
	}
	done := s.reportWrite(ns, func(field string) feed.Change { return updateOwners(f, u, upsert, field) })
	var res *mongodriver.UpdateResult
	c := s.documentsColl(ns)
	if many {
		res, err = c.UpdateMany(ctx, f, u, options.UpdateMany().SetUpsert(upsert))
	} else {
		res, err = c.UpdateOne(ctx, f, u, options.UpdateOne().SetUpsert(upsert))
	}
	done()
	if err != nil {
		return nil, s.documentsError(ctx, "update", err)
	}
	out := &store.UpdateResult{Matched: res.MatchedCount, Modified: res.ModifiedCount}
	if res.UpsertedID != nil {
		if out.UpsertedID, err = renderValue(res.UpsertedID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeleteDocuments deletes the first match, or all. Deletes are not reported to the feed: readers of
// the custom data check what the index names (see package feed).
func (s *Store) DeleteDocuments(ctx context.Context, ns store.Namespace, filter json.RawMessage, many bool) (int64, error) {
	if err := s.checkNamespace(ns); err != nil {
		return 0, err
	}
	f, err := s.parseChecked(filter, "filter")
	if err != nil {
		return 0, err
	}
	var res *mongodriver.DeleteResult
	if many {
		res, err = s.documentsColl(ns).DeleteMany(ctx, f)
	} else {
		res, err = s.documentsColl(ns).DeleteOne(ctx, f)
	}
	if err != nil {
		return 0, s.documentsError(ctx, "delete", err)
	}
	return res.DeletedCount, nil
}

// AggregateDocuments runs a read-only pipeline and returns at most store.MaxDocumentsPerRead documents:
// a $limit stage is added at its end.
func (s *Store) AggregateDocuments(ctx context.Context, ns store.Namespace, pipeline json.RawMessage) ([]json.RawMessage, error) {
	if err := s.checkNamespace(ns); err != nil {
		return nil, err
	}
	stages, err := parsePipeline(pipeline)
	if err != nil {
		return nil, err
	}
	p := make(bson.A, 0, len(stages)+1)
	for i, st := range stages {
		if err := s.checkInput(docValue(st), fmt.Sprintf("pipeline stage %d", i)); err != nil {
			return nil, err
		}
		p = append(p, st)
	}
	if err := checkPipeline(stages, s.scansIn); err != nil {
		return nil, err
	}
	p = append(p, D{{Key: "$limit", Value: int64(store.MaxDocumentsPerRead)}})
	cur, err := s.documentsColl(ns).Aggregate(ctx, p)
	if err != nil {
		return nil, s.documentsError(ctx, "aggregate", err)
	}
	return s.readAll(ctx, cur, "aggregate")
}

// reportWrite publishes, for each watched field of ns, what change(field) says the write about to run
// may do to owners, and returns what to call once the write is answered: the change published again
// (a reader that read the document before it was written and dropped it has it back), or, for a change
// nobody can interpret, its settling (see feed.Change).
func (s *Store) reportWrite(ns store.Namespace, change func(field string) feed.Change) (done func()) {
	if s.feed == nil {
		return func() {}
	}
	type pub struct {
		w feed.Watch
		c feed.Change
	}
	var pubs []pub
	for _, w := range s.feed.Watches() {
		if w.Coll != ns.Collection || !strings.EqualFold(w.DB, ns.Database) {
			continue
		}
		c := change(w.Field)
		if len(c.Users) > maxReportedUsers {
			c = feed.Change{All: true}
		}
		s.feed.Publish(w.DB, w.Coll, w.Field, c)
		pubs = append(pubs, pub{w, c})
	}
	return func() {
		for _, p := range pubs {
			c := p.c
			if c.All {
				c = feed.Change{Settled: true}
			}
			s.feed.Publish(p.w.DB, p.w.Coll, p.w.Field, c)
		}
	}
}

// lookupField returns the value at a dotted path of d; the zero value when there is none.
func lookupField(d bson.Raw, path string) bson.RawValue {
	v, err := d.LookupErr(strings.Split(path, ".")...)
	if err != nil {
		return bson.RawValue{}
	}
	return v
}

// updateOwners is what an update (checked: operators only, each allowed) may do to the owners of the
// watched field: the users its values may name, or All when nobody can tell. Losing an owner needs no
// report (readers check).
func updateOwners(filter, update bson.Raw, upsert bool, field string) feed.Change {
	var c feed.Change
	addUser := func(v bson.RawValue) {
		if u, ok := userOf(v); ok {
			c.Users = append(c.Users, u)
		}
	}
	if upsert {
		// The document an upsert inserts starts from the filter's equality conditions: every user the
		// filter names at the field is reported, whatever the operator around it.
		collectFilterUsers(docValue(filter), field, addUser)
	}
	elems, _ := update.Elements()
	for _, e := range elems {
		op := e.Key()
		forEach(e.Value(), func(path string, val bson.RawValue) bool {
			switch op {
			case "$set", "$setOnInsert", "$min", "$max":
				switch {
				case path == field:
					addUser(val)
				case strings.HasPrefix(field, path+"."):
					if d, ok := val.DocumentOK(); ok {
						addUser(lookupField(d, strings.TrimPrefix(field, path+".")))
					}
				}
			case "$rename":
				if to, _ := val.StringValueOK(); to == field || strings.HasPrefix(field, to+".") {
					c = feed.Change{All: true}
					return false
				}
			}
			return true
		})
		if c.All {
			return c
		}
	}
	return c
}

// collectFilterUsers calls add with every value the filter compares the field with, inside operators
// and logical clauses too.
func collectFilterUsers(filter bson.RawValue, field string, add func(bson.RawValue)) {
	var all func(v bson.RawValue)
	all = func(v bson.RawValue) {
		add(v)
		forEach(v, func(_ string, inner bson.RawValue) bool {
			all(inner)
			return true
		})
	}
	forEach(filter, func(k string, v bson.RawValue) bool {
		switch {
		case k == "$and" || k == "$or" || k == "$nor":
			forEach(v, func(_ string, clause bson.RawValue) bool {
				collectFilterUsers(clause, field, add)
				return true
			})
		case k == field:
			all(v)
		case strings.HasPrefix(field, k+"."):
			all(v)
		}
		return true
	})
}

// userOf returns the user id a field value names: a string, or an ObjectId's hex.
func userOf(v bson.RawValue) (string, bool) {
	if s, ok := v.StringValueOK(); ok {
		return s, true
	}
	if oid, ok := v.ObjectIDOK(); ok {
		return oid.Hex(), true
	}
	return "", false
}

var _ store.Documents = (*Store)(nil)
