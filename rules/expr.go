package rules

// A compiled rule expression: a tree of logical nodes whose leaves test one subject (a document field
// or an expansion) with one predicate. Parsing lives in parse.go; values and comparisons in value.go.

// env is what an expression is evaluated against.
type env struct {
	c   Caller
	doc map[string]any
}

type expr interface {
	eval(e *env) bool
}

type constExpr bool

func (x constExpr) eval(*env) bool { return bool(x) }

type andExpr []expr

func (x andExpr) eval(e *env) bool {
	for _, s := range x {
		if !s.eval(e) {
			return false
		}
	}
	return true
}

type orExpr []expr

func (x orExpr) eval(e *env) bool {
	for _, s := range x {
		if s.eval(e) {
			return true
		}
	}
	return false
}

// testExpr applies a predicate to the values of a subject.
type testExpr struct {
	subject operand
	pred    pred
}

func (x testExpr) eval(e *env) bool {
	vals, present := x.subject.values(e)
	return x.pred.test(vals, present, e)
}

// operand is the left side of a test: the values it has in this environment, and whether it is present.
type operand interface {
	values(e *env) ([]any, bool)
}

// fieldOperand is a dotted path into the document.
type fieldOperand []string

func (f fieldOperand) values(e *env) ([]any, bool) {
	v := lookup(e.doc, f)
	return v, len(v) > 0
}

// expansion is a %%name with, for %%root and %%user.custom_data, an optional path into the document.
type expansion struct {
	name string   // "true", "false", "user.id", "user.type", "root", "user.custom_data"
	path []string // for root and user.custom_data
	at   string   // the JSON path of the expansion in the rules file, for the load-time checks' errors
}

// base returns the document the expansion's path starts from.
func (x expansion) base(e *env) map[string]any {
	if x.name == "user.custom_data" {
		return e.c.CustomData
	}
	return e.doc
}

func (x expansion) values(e *env) ([]any, bool) {
	if (x.name == "root" || x.name == "user.custom_data") && len(x.path) > 0 {
		v := lookup(x.base(e), x.path)
		return v, len(v) > 0
	}
	v, ok := x.resolve(e)
	if !ok {
		return nil, false
	}
	return []any{v}, true
}

// resolve returns the expansion's single value, and false when it has none.
func (x expansion) resolve(e *env) (any, bool) {
	switch x.name {
	case "true":
		return true, true
	case "false":
		return false, true
	case "user.id":
		return e.c.UserID, e.c.UserID != ""
	case "user.type":
		return e.c.UserType, e.c.UserType != ""
	case "root", "user.custom_data":
		doc := x.base(e)
		if len(x.path) == 0 {
			return doc, doc != nil
		}
		v := lookup(doc, x.path)
		if len(v) == 0 {
			return nil, false
		}
		return v[0], true
	}
	return nil, false
}

// materialize replaces the expansions in a literal by their values. It reports false when one of them
// has no value: the comparison using the literal is then false (fail closed).
func materialize(v any, e *env) (any, bool) {
	switch t := v.(type) {
	case expansion:
		return t.resolve(e)
	case []any:
		out := make([]any, len(t))
		for i, el := range t {
			m, ok := materialize(el, e)
			if !ok {
				return nil, false
			}
			out[i] = m
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, el := range t {
			m, ok := materialize(el, e)
			if !ok {
				return nil, false
			}
			out[k] = m
		}
		return out, true
	}
	return v, true
}

// pred is the right side of a test.
type pred interface {
	test(vals []any, present bool, e *env) bool
}

// eqPred: the subject equals the literal, or, being an array, contains it. A null literal also matches
// an absent subject (MongoDB semantics).
type eqPred struct{ want any }

func (p eqPred) test(vals []any, present bool, e *env) bool {
	w, ok := materialize(p.want, e)
	return ok && matchesEq(vals, present, w)
}

func matchesEq(vals []any, present bool, want any) bool {
	if scalar(want) == nil && !present {
		return true
	}
	for _, c := range candidates(vals) {
		if equal(c, want) {
			return true
		}
	}
	return false
}

type nePred struct{ want any }

func (p nePred) test(vals []any, present bool, e *env) bool {
	w, ok := materialize(p.want, e)
	return ok && !matchesEq(vals, present, w)
}

// inPred: the subject equals one of the list's elements. negate makes it $nin.
type inPred struct {
	list   any // []any literal or an expansion
	negate bool
}

func (p inPred) test(vals []any, present bool, e *env) bool {
	l, ok := materialize(p.list, e)
	if !ok {
		return false
	}
	arr, ok := asArray(l)
	if !ok {
		return false
	}
	in := false
	for _, w := range arr {
		if matchesEq(vals, present, w) {
			in = true
			break
		}
	}
	return in != p.negate
}

type existsPred bool

func (p existsPred) test(_ []any, present bool, _ *env) bool { return present == bool(p) }

// cmpPred is $gt, $gte, $lt, $lte: numbers with numbers, strings with strings.
type cmpPred struct {
	op   string
	want any
}

func (p cmpPred) test(vals []any, _ bool, e *env) bool {
	w, ok := materialize(p.want, e)
	if !ok {
		return false
	}
	for _, c := range candidates(vals) {
		o, ok := order(c, w)
		if !ok {
			continue
		}
		switch {
		case p.op == "$gt" && o > 0, p.op == "$gte" && o >= 0, p.op == "$lt" && o < 0, p.op == "$lte" && o <= 0:
			return true
		}
	}
	return false
}

type allPred []pred

func (p allPred) test(vals []any, present bool, e *env) bool {
	for _, s := range p {
		if !s.test(vals, present, e) {
			return false
		}
	}
	return true
}

type anyPred []pred

func (p anyPred) test(vals []any, present bool, e *env) bool {
	for _, s := range p {
		if s.test(vals, present, e) {
			return true
		}
	}
	return false
}
