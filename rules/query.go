package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// Query is a client's MongoDB query filter, compiled with the grammar of rule expressions (see the
// package documentation) but holding literals only: field paths, $and, $or, and $eq, $ne, $in, $nin,
// $exists, $gt, $gte, $lt, $lte. Strings beginning with %% are plain strings here. Anything else is
// refused by [ParseQuery] with the path of the offending value, so that a query is never matched more
// loosely than MongoDB would match it.
type Query struct {
	x expr
}

// ParseQuery compiles a query filter given as a JSON object in Extended JSON; an empty raw (or null)
// matches every document.
func ParseQuery(raw []byte) (*Query, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return &Query{x: constExpr(true)}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, errors.New("query: not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("query: unexpected data after the JSON object")
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, errors.New("query: must be a JSON object")
	}
	p := &parser{source: "query", query: true}
	x, err := p.exprObject(obj, "")
	if err != nil {
		return nil, err
	}
	return &Query{x: x}, nil
}

// Matches reports whether doc matches the query.
func (q *Query) Matches(doc map[string]any) bool {
	return q.x.eval(&env{doc: doc})
}

// Equalities returns the top-level fields the query requires to equal a literal (directly or through
// $and), with those literals: what an upsert copies into the document it inserts, as MongoDB does.
func (q *Query) Equalities() map[string]any {
	out := map[string]any{}
	equalities(q.x, out)
	return out
}

func equalities(x expr, out map[string]any) {
	switch t := x.(type) {
	case andExpr:
		for _, s := range t {
			equalities(s, out)
		}
	case testExpr:
		f, ok := t.subject.(fieldOperand)
		if !ok || len(f) != 1 {
			return
		}
		if eq, ok := t.pred.(eqPred); ok {
			out[f[0]] = eq.want
		}
	}
}

// Equal reports whether two values are equal as the rules compare them (numbers by value, an ObjectId
// and its hex string alike).
func Equal(a, b any) bool { return equal(a, b) }
