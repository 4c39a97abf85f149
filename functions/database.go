package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/lanyardhq/lanyard/store"
)

// async makes a binding that does its Go work at once and returns an already settled Promise, as App
// Services' database methods return Promises.
func (r *runner) async(fn func(goja.FunctionCall) (goja.Value, error)) func(goja.FunctionCall) goja.Value {
	return func(c goja.FunctionCall) goja.Value {
		p, resolve, reject := r.rt.NewPromise()
		v, err := func() (v goja.Value, err error) {
			defer func() {
				if x := recover(); x != nil {
					switch t := x.(type) {
					case *goja.Object:
						v, err = nil, thrownValue{t}
					case *goja.Exception:
						if o, ok := t.Value().(*goja.Object); ok {
							v, err = nil, thrownValue{o}
						} else {
							v, err = nil, errors.New(safeText(t.Value().String(), 300))
						}
					case *goja.InterruptedError:
						panic(x)
					default:
						r.e.log.Error("functions: a database binding failed", "function", r.name, "panic", fmt.Sprint(x))
						v, err = nil, errors.New("internal error")
					}
				}
			}()
			return fn(c)
		}()
		if err != nil {
			var tv thrownValue
			if errors.As(err, &tv) {
				_ = reject(tv.o)
			} else {
				_ = reject(r.jsError(err.Error()))
			}
		} else {
			_ = resolve(v)
		}
		return r.rt.ToValue(p)
	}
}

// thrownValue carries a JavaScript exception a binding raised to the Promise it rejects.
type thrownValue struct{ o *goja.Object }

func (t thrownValue) Error() string { return t.o.String() }

// ns reads the database and collection names the prelude passes first.
func ns(c goja.FunctionCall) store.Namespace {
	return store.Namespace{Database: c.Argument(0).String(), Collection: c.Argument(1).String()}
}

// storeError maps what the store said to a message safe for a function (and its client) to see.
func (r *runner) storeError(op string, ns store.Namespace, err error) error {
	switch {
	case errors.Is(err, store.ErrNamespaceRefused), errors.Is(err, store.ErrInvalidDocument):
		return fmt.Errorf("%s: %s", op, strings.TrimPrefix(safeText(err.Error(), 300), "store: "))
	case errors.Is(err, store.ErrAlreadyExists):
		return fmt.Errorf("%s on %s.%s: duplicate key: a document with the same unique key already exists", op, ns.Database, ns.Collection)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%s on %s.%s: the call's deadline passed", op, ns.Database, ns.Collection)
	}
	r.e.log.Warn("functions: a database operation failed", "function", r.name, "operation", op,
		"database", ns.Database, "collection", ns.Collection, "error", err)
	return fmt.Errorf("%s on %s.%s failed", op, ns.Database, ns.Collection)
}

// document converts a JavaScript object argument (what = "filter", "document", ...) to Extended JSON;
// optional arguments that are absent give nil.
func (r *runner) document(op, what string, v goja.Value, optional bool) (json.RawMessage, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: the %s is missing", op, what)
	}
	o, ok := v.(*goja.Object)
	if !ok || o.ClassName() == "Array" {
		return nil, fmt.Errorf("%s: the %s must be an object", op, what)
	}
	if _, fn := goja.AssertFunction(o); fn {
		return nil, fmt.Errorf("%s: the %s must be an object", op, what)
	}
	raw, err := r.jsToExtJSON(v)
	if err != nil {
		return nil, fmt.Errorf("%s: the %s: %v", op, what, err)
	}
	return raw, nil
}

// fromDocuments converts the store's documents to JavaScript objects.
func (r *runner) fromDocument(raw json.RawMessage) (goja.Value, error) {
	var d bson.D
	if err := bson.UnmarshalExtJSON(raw, true, &d); err != nil {
		r.e.log.Warn("functions: the store returned a document that cannot be read", "function", r.name, "error", err)
		return nil, errors.New("a document could not be read")
	}
	return r.toJS(d, 0)
}

func (r *runner) fromDocuments(raws []json.RawMessage) (goja.Value, error) {
	items := make([]any, len(raws))
	for i, raw := range raws {
		v, err := r.fromDocument(raw)
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return r.rt.NewArray(items...), nil
}

// idValue converts an _id the store returned.
func (r *runner) idValue(raw json.RawMessage) (goja.Value, error) {
	v, err := fromExtJSON(raw)
	if err != nil {
		return nil, errors.New("an _id could not be read")
	}
	return r.toJS(v, 0)
}

func (r *runner) insertOne(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	doc, err := r.document("insertOne", "document", c.Argument(2), false)
	if err != nil {
		return nil, err
	}
	ids, err := r.e.cfg.Data.InsertDocuments(r.ctx, n, []json.RawMessage{doc})
	if err != nil {
		return nil, r.storeError("insertOne", n, err)
	}
	if len(ids) != 1 {
		return nil, r.storeError("insertOne", n, fmt.Errorf("the store returned %d ids for one document", len(ids)))
	}
	id, err := r.idValue(ids[0])
	if err != nil {
		return nil, err
	}
	out := r.rt.NewObject()
	_ = out.Set("insertedId", id)
	return out, nil
}

func (r *runner) insertMany(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	arr, ok := c.Argument(2).(*goja.Object)
	if !ok || arr.ClassName() != "Array" {
		return nil, errors.New("insertMany: the documents must be an array")
	}
	count := int(arr.Get("length").ToInteger())
	if count == 0 {
		return nil, errors.New("insertMany: the array of documents is empty")
	}
	docs := make([]json.RawMessage, count)
	for i := range count {
		d, err := r.document("insertMany", fmt.Sprintf("document at index %d", i), arr.Get(fmt.Sprint(i)), false)
		if err != nil {
			return nil, err
		}
		docs[i] = d
	}
	ids, err := r.e.cfg.Data.InsertDocuments(r.ctx, n, docs)
	if err != nil {
		return nil, r.storeError("insertMany", n, err)
	}
	items := make([]any, len(ids))
	for i, raw := range ids {
		v, err := r.idValue(raw)
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	out := r.rt.NewObject()
	_ = out.Set("insertedIds", r.rt.NewArray(items...))
	return out, nil
}

// count reads limit and skip, which must be whole numbers.
func (r *runner) count(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	filter, err := r.document("count", "filter", c.Argument(2), true)
	if err != nil {
		return nil, err
	}
	k, err := r.e.cfg.Data.CountDocuments(r.ctx, n, filter)
	if err != nil {
		return nil, r.storeError("count", n, err)
	}
	return r.rt.ToValue(k), nil
}

func wholeNumber(op, what string, v goja.Value) (int64, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return 0, nil
	}
	f, ok := v.Export().(float64)
	if i, isInt := v.Export().(int64); isInt {
		f, ok = float64(i), true
	}
	if !ok || f < 0 || f != float64(int64(f)) {
		return 0, fmt.Errorf("%s: %s must be a whole number, not %s", op, what, v.String())
	}
	return int64(f), nil
}

func (r *runner) query(op string, filter, projection, sortSpec, limit, skip goja.Value) (store.Query, error) {
	var q store.Query
	var err error
	if q.Filter, err = r.document(op, "filter", filter, true); err != nil {
		return q, err
	}
	if q.Projection, err = r.document(op, "projection", projection, true); err != nil {
		return q, err
	}
	if q.Sort, err = r.document(op, "sort", sortSpec, true); err != nil {
		return q, err
	}
	if q.Limit, err = wholeNumber(op, "limit", limit); err != nil {
		return q, err
	}
	if q.Skip, err = wholeNumber(op, "skip", skip); err != nil {
		return q, err
	}
	return q, nil
}

func (r *runner) findOne(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	var sortSpec, skip goja.Value
	if o, ok := c.Argument(4).(*goja.Object); ok {
		sortSpec, skip = o.Get("sort"), o.Get("skip")
	}
	q, err := r.query("findOne", c.Argument(2), c.Argument(3), sortSpec, nil, skip)
	if err != nil {
		return nil, err
	}
	q.Limit = 1
	docs, err := r.e.cfg.Data.FindDocuments(r.ctx, n, q)
	if err != nil {
		return nil, r.storeError("findOne", n, err)
	}
	if len(docs) == 0 {
		return goja.Null(), nil
	}
	return r.fromDocument(docs[0])
}

func (r *runner) find(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	q, err := r.query("find", c.Argument(2), c.Argument(3), c.Argument(4), c.Argument(5), c.Argument(6))
	if err != nil {
		return nil, err
	}
	docs, err := r.e.cfg.Data.FindDocuments(r.ctx, n, q)
	if err != nil {
		return nil, r.storeError("find", n, err)
	}
	return r.fromDocuments(docs)
}

func (r *runner) update(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	many := c.Argument(5).ToBoolean()
	op := "updateOne"
	if many {
		op = "updateMany"
	}
	filter, err := r.document(op, "filter", c.Argument(2), false)
	if err != nil {
		return nil, err
	}
	update, err := r.document(op, "update", c.Argument(3), false)
	if err != nil {
		return nil, err
	}
	upsert := false
	if o, ok := c.Argument(4).(*goja.Object); ok {
		if u := o.Get("upsert"); u != nil {
			upsert = u.ToBoolean()
		}
	}
	res, err := r.e.cfg.Data.UpdateDocuments(r.ctx, n, filter, update, many, upsert)
	if err != nil {
		return nil, r.storeError(op, n, err)
	}
	out := r.rt.NewObject()
	_ = out.Set("matchedCount", res.Matched)
	_ = out.Set("modifiedCount", res.Modified)
	if len(res.UpsertedID) > 0 {
		id, err := r.idValue(res.UpsertedID)
		if err != nil {
			return nil, err
		}
		_ = out.Set("upsertedId", id)
	}
	return out, nil
}

func (r *runner) deleteDocs(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	many := c.Argument(3).ToBoolean()
	op := "deleteOne"
	if many {
		op = "deleteMany"
	}
	filter, err := r.document(op, "filter", c.Argument(2), false)
	if err != nil {
		return nil, err
	}
	k, err := r.e.cfg.Data.DeleteDocuments(r.ctx, n, filter, many)
	if err != nil {
		return nil, r.storeError(op, n, err)
	}
	out := r.rt.NewObject()
	_ = out.Set("deletedCount", k)
	return out, nil
}

func (r *runner) aggregate(c goja.FunctionCall) (goja.Value, error) {
	n := ns(c)
	p, ok := c.Argument(2).(*goja.Object)
	if !ok || p.ClassName() != "Array" {
		return nil, errors.New("aggregate: the pipeline must be an array of stages")
	}
	raw, err := r.jsToExtJSON(p)
	if err != nil {
		return nil, fmt.Errorf("aggregate: the pipeline: %v", err)
	}
	docs, err := r.e.cfg.Data.AggregateDocuments(r.ctx, n, raw)
	if err != nil {
		return nil, r.storeError("aggregate", n, err)
	}
	return r.fromDocuments(docs)
}
