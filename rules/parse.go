package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Parse reads the content of an App Services rules.json (data_sources/<service>/<db>/<coll>/rules.json).
// Whatever it cannot enforce exactly is an error naming the JSON path, never silently ignored; see the
// package documentation for what is supported.
func Parse(raw []byte) (*Rules, error) {
	return parse(raw, "rules.json")
}

func parse(raw []byte, source string) (*Rules, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("%s: not valid JSON: %v", source, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: unexpected data after the JSON object", source)
	}
	p := &parser{source: source}
	return p.rules(top)
}

type parser struct {
	source string
	// query: the expression is a client's query, not a rule: it holds literals only, so strings that
	// begin with %% are plain strings, and the %-spellings of rules are not operators.
	query bool
}

// errf returns an error naming the source and the JSON path.
func (p *parser) errf(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path == "" {
		return fmt.Errorf("%s: %s", p.source, msg)
	}
	return fmt.Errorf("%s: %s: %s", p.source, path, msg)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func (p *parser) object(v any, path string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, p.errf(path, "must be a JSON object")
	}
	return m, nil
}

func (p *parser) array(v any, path string) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, p.errf(path, "must be a JSON array")
	}
	return a, nil
}

func (p *parser) str(v any, path string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", p.errf(path, "must be a string")
	}
	return s, nil
}

func (p *parser) rules(top any) (*Rules, error) {
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, p.errf("", "the top level must be a JSON object")
	}
	r := &Rules{}
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		var err error
		switch k {
		case "database":
			r.database, err = p.str(v, k)
		case "collection":
			r.collection, err = p.str(v, k)
		case "roles":
			var arr []any
			if arr, err = p.array(v, k); err == nil {
				for i, el := range arr {
					ro, err := p.role(el, index(k, i))
					if err != nil {
						return nil, err
					}
					r.roles = append(r.roles, ro)
				}
			}
		case "filters":
			var arr []any
			if arr, err = p.array(v, k); err == nil {
				for i, el := range arr {
					f, err := p.filter(el, index(k, i))
					if err != nil {
						return nil, err
					}
					r.filters = append(r.filters, f)
				}
			}
		case "_id":
			// An Admin API identifier; meaningless here.
		case "schema":
			// Old exports keep the collection's JSON schema here: validation, not access control.
			_, err = p.object(v, k)
		default:
			err = p.errf(k, "unknown key (a rules.json holds database, collection, roles and filters; Lanyard refuses what it does not understand rather than ignore it)")
		}
		if err != nil {
			return nil, err
		}
	}
	if err := p.checkTrust(r); err != nil {
		return nil, err
	}
	return r, nil
}

func (p *parser) role(v any, path string) (*role, error) {
	obj, err := p.object(v, path)
	if err != nil {
		return nil, err
	}
	f := constExpr(false)
	ro := &role{applyWhen: constExpr(true), read: f, write: f, insert: f, del: f, search: f,
		additional: fieldPerm{read: f, write: f}}
	for _, k := range sortedKeys(obj) {
		v, kp := obj[k], join(path, k)
		switch k {
		case "name":
			ro.name, err = p.str(v, kp)
		case "_id":
		case "apply_when":
			ro.applyWhen, err = p.expr(v, kp)
		case "document_filters":
			err = p.documentFilters(ro, v, kp)
		case "read":
			ro.read, err = p.expr(v, kp)
		case "write":
			ro.write, err = p.expr(v, kp)
		case "insert":
			ro.insert, err = p.expr(v, kp)
		case "delete":
			ro.del, err = p.expr(v, kp)
		case "search":
			ro.search, err = p.expr(v, kp)
		case "fields":
			var fields map[string]any
			if fields, err = p.object(v, kp); err != nil {
				break
			}
			ro.fields = make(map[string]fieldPerm, len(fields))
			for _, name := range sortedKeys(fields) {
				if name == "" || strings.ContainsAny(name, ".$") {
					return nil, p.errf(kp, "%q is not a top-level field name", name)
				}
				fp, err := p.fieldPerm(fields[name], join(kp, name))
				if err != nil {
					return nil, err
				}
				ro.fields[name] = fp
			}
		case "additional_fields":
			ro.additional, err = p.fieldPerm(v, kp)
		default:
			err = p.errf(kp, "unknown role key (roles have name, apply_when, document_filters, read, write, insert, delete, search, fields and additional_fields)")
		}
		if err != nil {
			return nil, err
		}
	}
	return ro, nil
}

func (p *parser) documentFilters(ro *role, v any, path string) error {
	obj, err := p.object(v, path)
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(obj) {
		kp := join(path, k)
		switch k {
		case "read":
			ro.readFilter, err = p.expr(obj[k], kp)
		case "write":
			ro.writeFilter, err = p.expr(obj[k], kp)
		default:
			err = p.errf(kp, "unknown key (document_filters has read and write)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) fieldPerm(v any, path string) (fieldPerm, error) {
	f := constExpr(false)
	fp := fieldPerm{read: f, write: f}
	obj, err := p.object(v, path)
	if err != nil {
		return fp, err
	}
	for _, k := range sortedKeys(obj) {
		kp := join(path, k)
		switch k {
		case "read":
			fp.read, err = p.expr(obj[k], kp)
		case "write":
			fp.write, err = p.expr(obj[k], kp)
		case "fields", "additional_fields":
			err = p.errf(kp, "field-level permissions for the fields of an embedded document are not supported; give the whole field one read and write permission")
		default:
			err = p.errf(kp, "unknown key (field permissions have read and write)")
		}
		if err != nil {
			return fp, err
		}
	}
	return fp, nil
}

func (p *parser) filter(v any, path string) (*filter, error) {
	obj, err := p.object(v, path)
	if err != nil {
		return nil, err
	}
	f := &filter{applyWhen: constExpr(true), query: constExpr(true)}
	for _, k := range sortedKeys(obj) {
		v, kp := obj[k], join(path, k)
		switch k {
		case "name":
			f.name, err = p.str(v, kp)
		case "_id":
		case "apply_when":
			f.applyWhen, err = p.expr(v, kp)
		case "query":
			f.query, err = p.expr(v, kp)
		case "projection":
			f.proj, err = p.projection(v, kp)
		default:
			err = p.errf(kp, "unknown filter key (filters have name, apply_when, query and projection)")
		}
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *parser) projection(v any, path string) (*projection, error) {
	obj, err := p.object(v, path)
	if err != nil {
		return nil, err
	}
	if len(obj) == 0 {
		return nil, nil
	}
	pr := &projection{}
	incl, excl := map[string]bool{}, map[string]bool{}
	idSeen, idOn := false, false
	for _, k := range sortedKeys(obj) {
		kp := join(path, k)
		if k == "" || strings.ContainsAny(k, ".$") {
			return nil, p.errf(path, "%q: only top-level field names can be projected", k)
		}
		on, err := p.projectionValue(obj[k], kp)
		if err != nil {
			return nil, err
		}
		switch {
		case k == "_id":
			idSeen, idOn = true, on
		case on:
			incl[k] = true
		default:
			excl[k] = true
		}
	}
	if len(incl) > 0 && len(excl) > 0 {
		return nil, p.errf(path, "mixes inclusions (1) and exclusions (0); only _id may differ")
	}
	if len(incl) > 0 || (idSeen && idOn && len(excl) == 0) {
		pr.include, pr.idOff = incl, idSeen && !idOn
		return pr, nil
	}
	if idSeen && !idOn {
		excl["_id"] = true
	}
	pr.exclude = excl
	return pr, nil
}

func (p *parser) projectionValue(v any, path string) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case json.Number:
		switch t.String() {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
	}
	return false, p.errf(path, "a projection value must be 0, 1, true or false")
}

// Expressions.

const knownExpansions = "%%user.id, %%user.type, %%user.custom_data, %%user.custom_data.<field>, %%true, %%false, %%root and %%root.<field>"

// expr compiles a permission or apply_when: a boolean, "%%true"/"%%false", or an expression object.
func (p *parser) expr(v any, path string) (expr, error) {
	switch t := v.(type) {
	case bool:
		return constExpr(t), nil
	case string:
		if strings.HasPrefix(t, "%%") {
			x, err := p.expansion(t, path)
			if err != nil {
				return nil, err
			}
			switch x.name {
			case "true":
				return constExpr(true), nil
			case "false":
				return constExpr(false), nil
			}
		}
		return nil, p.errf(path, "must be a boolean or an expression object, not the string %q", t)
	case map[string]any:
		return p.exprObject(t, path)
	case nil:
		return nil, p.errf(path, "must be a boolean or an expression object, not null")
	}
	return nil, p.errf(path, "must be a boolean or an expression object")
}

func (p *parser) exprObject(obj map[string]any, path string) (expr, error) {
	var all andExpr
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		switch {
		case k == "$and" || k == "$or" || (!p.query && (k == "%and" || k == "%or")):
			kp := join(path, k)
			arr, ok := v.([]any)
			if !ok || len(arr) == 0 {
				return nil, p.errf(kp, "must be a non-empty array of expressions")
			}
			subs := make([]expr, len(arr))
			for i, el := range arr {
				sub, err := p.expr(el, index(kp, i))
				if err != nil {
					return nil, err
				}
				subs[i] = sub
			}
			if k[1:] == "and" {
				all = append(all, andExpr(subs))
			} else {
				all = append(all, orExpr(subs))
			}
		case p.query && strings.HasPrefix(k, "%"):
			return nil, p.errf(path, "%q is not a supported field name in a query", k)
		case strings.HasPrefix(k, "%%"):
			x, err := p.expansion(k, path)
			if err != nil {
				return nil, err
			}
			x.at = join(path, k)
			pr, err := p.pred(v, join(path, k))
			if err != nil {
				return nil, err
			}
			all = append(all, testExpr{subject: x, pred: pr})
		case strings.HasPrefix(k, "%"):
			return nil, p.operatorErr(k, path)
		case strings.HasPrefix(k, "$"):
			return nil, p.errf(path, "%s is not supported here: the operators that combine expressions are $and and $or", k)
		default:
			fp, err := p.fieldPath(k, path)
			if err != nil {
				return nil, err
			}
			pr, err := p.pred(v, join(path, k))
			if err != nil {
				return nil, err
			}
			all = append(all, testExpr{subject: fieldOperand(fp), pred: pr})
		}
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return all, nil // empty: true
}

func (p *parser) operatorErr(op, path string) error {
	switch op {
	case "%function":
		return p.errf(path, "%%function is not supported: Lanyard does not run App Services functions")
	case "%stringToOid", "%oidToString":
		return p.errf(path, "%s is not supported: Lanyard compares an ObjectId with its hex string directly, so compare with the string", op)
	}
	return p.errf(path, "%s is not a supported operator", op)
}

// ejsonWrappers are Extended JSON keys that make a one-key object a literal value, not an operator
// document.
var ejsonWrappers = map[string]bool{"$oid": true, "$numberLong": true, "$numberInt": true, "$numberDouble": true,
	"$numberDecimal": true, "$date": true, "$binary": true, "$timestamp": true}

// pred compiles the value of an expression key.
func (p *parser) pred(v any, path string) (pred, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		lit, err := p.literal(v, path)
		if err != nil {
			return nil, err
		}
		return eqPred{want: lit}, nil
	}
	ops := 0
	for k := range obj {
		if strings.HasPrefix(k, "$") || strings.HasPrefix(k, "%") {
			ops++
		}
	}
	if ops == 0 || (len(obj) == 1 && ejsonWrappers[sortedKeys(obj)[0]]) {
		lit, err := p.literal(obj, path)
		if err != nil {
			return nil, err
		}
		return eqPred{want: lit}, nil
	}
	if ops != len(obj) {
		return nil, p.errf(path, "mixes operators and field names")
	}
	var preds allPred
	for _, k := range sortedKeys(obj) {
		arg, kp := obj[k], join(path, k)
		switch k {
		case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
			lit, err := p.literal(arg, kp)
			if err != nil {
				return nil, err
			}
			switch k {
			case "$eq":
				preds = append(preds, eqPred{want: lit})
			case "$ne":
				preds = append(preds, nePred{want: lit})
			default:
				preds = append(preds, cmpPred{op: k, want: lit})
			}
		case "$in", "$nin":
			var list any
			switch t := arg.(type) {
			case []any:
				lit, err := p.literal(t, kp)
				if err != nil {
					return nil, err
				}
				list = lit
			case string:
				if p.query || !strings.HasPrefix(t, "%%") {
					return nil, p.errf(kp, "must be an array")
				}
				x, err := p.expansion(t, kp)
				if err != nil {
					return nil, err
				}
				list = x
			default:
				return nil, p.errf(kp, "must be an array")
			}
			preds = append(preds, inPred{list: list, negate: k == "$nin"})
		case "$exists":
			switch t := arg.(type) {
			case bool:
				preds = append(preds, existsPred(t))
			case json.Number:
				preds = append(preds, existsPred(t.String() != "0"))
			default:
				return nil, p.errf(kp, "must be true or false")
			}
		case "%and", "%or":
			if p.query {
				return nil, p.errf(path, "%s is not a supported operator", k)
			}
			arr, ok := arg.([]any)
			if !ok || len(arr) == 0 {
				return nil, p.errf(kp, "must be a non-empty array of operator documents")
			}
			subs := make([]pred, len(arr))
			for i, el := range arr {
				sub, err := p.pred(el, index(kp, i))
				if err != nil {
					return nil, err
				}
				subs[i] = sub
			}
			if k == "%and" {
				preds = append(preds, allPred(subs))
			} else {
				preds = append(preds, anyPred(subs))
			}
		default:
			if strings.HasPrefix(k, "%") {
				return nil, p.operatorErr(k, path)
			}
			return nil, p.errf(path, "%s is not supported: the supported operators are $eq, $ne, $in, $nin, $exists, $gt, $gte, $lt and $lte", k)
		}
	}
	if len(preds) == 1 {
		return preds[0], nil
	}
	return preds, nil
}

// literal compiles a literal value, turning expansion strings into expansions.
func (p *parser) literal(v any, path string) (any, error) {
	switch t := v.(type) {
	case string:
		if !p.query && strings.HasPrefix(t, "%%") {
			return p.expansion(t, path)
		}
		return t, nil
	case []any:
		out := make([]any, len(t))
		for i, el := range t {
			lit, err := p.literal(el, index(path, i))
			if err != nil {
				return nil, err
			}
			out[i] = lit
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			// In a query, a literal document's keys are data.
			if !p.query && strings.HasPrefix(k, "%%") {
				return nil, p.errf(path, "%s: an expansion cannot be a field name inside a literal document", k)
			}
			if !p.query && strings.HasPrefix(k, "%") {
				return nil, p.operatorErr(k, path)
			}
			lit, err := p.literal(t[k], join(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = lit
		}
		return out, nil
	}
	return v, nil
}

// fieldPath splits a dotted document field path.
func (p *parser) fieldPath(s, path string) ([]string, error) {
	parts := strings.Split(s, ".")
	for _, seg := range parts {
		if seg == "" || strings.HasPrefix(seg, "$") {
			return nil, p.errf(path, "%q is not a valid field path", s)
		}
	}
	return parts, nil
}

// expansion parses a %%name, refusing every expansion Lanyard does not provide.
func (p *parser) expansion(s, path string) (expansion, error) {
	name := strings.TrimPrefix(s, "%%")
	name = strings.TrimSuffix(name, "%%") // the "%%user.id%%" spelling
	first, rest, _ := strings.Cut(name, ".")
	switch {
	case name == "true" || name == "false" || name == "user.id" || name == "user.type" || name == "root" ||
		name == "user.custom_data":
		return expansion{name: name, at: path}, nil
	case first == "root":
		fp, err := p.fieldPath(rest, path)
		if err != nil {
			return expansion{}, err
		}
		return expansion{name: "root", path: fp, at: path}, nil
	case strings.HasPrefix(name, "user.custom_data."):
		fp, err := p.fieldPath(strings.TrimPrefix(name, "user.custom_data."), path)
		if err != nil {
			return expansion{}, err
		}
		return expansion{name: "user.custom_data", path: fp, at: path}, nil
	case name == "user.data" || strings.HasPrefix(name, "user.data."):
		return expansion{}, p.errf(path, "%s is not supported: rules never read provider metadata (%%%%user.data), "+
			"which comes from the identity provider and may be influenced by the user; store what the rule needs "+
			"in the custom data document (for example from the user creation hook) and test that field", s)
	case first == "user":
		return expansion{}, p.errf(path, "%s is not supported: of the user, rules can read %%%%user.id, %%%%user.type "+
			"and %%%%user.custom_data", s)
	}
	why := ""
	switch first {
	case "values", "environment":
		why = "App Services values and environments are not imported; "
	case "request":
		why = "request metadata is not available to rules; "
	case "prevRoot", "prev":
		why = "each operation is judged on one document state; "
	}
	return expansion{}, p.errf(path, "%s is not supported: %sLanyard's rules know %s", s, why, knownExpansions)
}
