package customdata

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/lanyardhq/lanyard/store"
)

// update is a client's MongoDB update document, limited to what custom data writes can do exactly.
type update struct {
	set   map[string]json.RawMessage
	unset []string
	inc   map[string]json.RawMessage
	push  map[string][]any // values to append, $each unrolled
}

// parseUpdate reads {$set, $unset, $inc, $push}. Other operators, replacement documents and pipelines
// are refused rather than approximated.
func parseUpdate(raw json.RawMessage) (*update, error) {
	if raw == nil {
		return nil, invalid("update is missing")
	}
	var ops map[string]json.RawMessage
	if json.Unmarshal(raw, &ops) != nil || ops == nil {
		return nil, invalid("update must be an object of update operators ($set, $unset, $inc, $push)")
	}
	if len(ops) == 0 {
		return nil, invalid("update is empty")
	}
	u := &update{set: map[string]json.RawMessage{}, inc: map[string]json.RawMessage{}, push: map[string][]any{}}
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		var args map[string]json.RawMessage
		if !strings.HasPrefix(op, "$") {
			return nil, invalid("update: replacement documents are not supported; use $set (found field %q)", op)
		}
		if json.Unmarshal(ops[op], &args) != nil || args == nil {
			return nil, invalid("update: %s must be an object", op)
		}
		for _, path := range slices.Sorted(maps.Keys(args)) {
			if err := checkPath(op, path); err != nil {
				return nil, err
			}
			v := args[path]
			switch op {
			case "$set":
				u.set[path] = v
			case "$unset":
				u.unset = append(u.unset, path)
			case "$inc":
				u.inc[path] = v
			case "$push":
				vals, err := pushValues(path, v)
				if err != nil {
					return nil, err
				}
				u.push[path] = vals
			default:
				return nil, invalid("update: %s is not supported on custom user data (supported: $set, $unset, $inc, $push)", op)
			}
		}
	}
	return u, nil
}

func checkPath(op, path string) error {
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" || strings.HasPrefix(seg, "$") {
			return invalid("update: %s: %q is not a valid field path", op, path)
		}
	}
	if top(path) == "_id" {
		return invalid("update: %s: _id cannot be changed", op)
	}
	return nil
}

func top(path string) string {
	t, _, _ := strings.Cut(path, ".")
	return t
}

func decodeValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func pushValues(path string, raw json.RawMessage) ([]any, error) {
	v, err := decodeValue(raw)
	if err != nil {
		return nil, invalid("update: $push: %q is not JSON", path)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return []any{v}, nil
	}
	each, hasEach := m["$each"]
	if !hasEach {
		for k := range m {
			if strings.HasPrefix(k, "$") {
				return nil, invalid("update: $push: %q: %s is not supported (only $each)", path, k)
			}
		}
		return []any{v}, nil
	}
	if len(m) != 1 {
		return nil, invalid("update: $push: %q: only $each is supported ($slice, $sort and $position are not)", path)
	}
	list, ok := each.([]any)
	if !ok {
		return nil, invalid("update: $push: %q: $each must be an array", path)
	}
	return list, nil
}

// fields are the paths the update names, for the rules.
func (u *update) fields() []string {
	var out []string
	out = append(out, slices.Collect(maps.Keys(u.set))...)
	out = append(out, u.unset...)
	out = append(out, slices.Collect(maps.Keys(u.inc))...)
	out = append(out, slices.Collect(maps.Keys(u.push))...)
	slices.Sort(out)
	return out
}

// touches reports whether the update names the top-level field or a path inside it.
func (u *update) touches(field string) bool {
	return slices.ContainsFunc(u.fields(), func(p string) bool { return top(p) == field })
}

// apply turns the update into a custom data write on doc (the stored document, or the base of an
// upsert): top-level $set and $unset and $inc pass through; a dotted $set and $push rewrite the whole
// top-level field they are in, computed from doc, which is why the write must carry doc's version. It
// returns the write and doc as it would be after it, as far as the rules look at it.
func (u *update) apply(doc map[string]any, userIDField string) (store.CustomDataUpdate, map[string]any, error) {
	var w store.CustomDataUpdate
	set := map[string]json.RawMessage{}
	rewritten := map[string]any{}
	rewrite := func(path string) (any, error) {
		t := top(path)
		if _, ok := u.set[t]; ok {
			return nil, invalid("update: %q and %q conflict", t, path)
		}
		if v, ok := rewritten[t]; ok {
			return v, nil
		}
		v, err := deepCopy(doc[t])
		return v, err
	}
	for _, path := range slices.Sorted(maps.Keys(u.set)) {
		if !strings.Contains(path, ".") {
			set[path] = u.set[path]
			continue
		}
		v, err := decodeValue(u.set[path])
		if err != nil {
			return w, nil, invalid("update: $set: %q is not JSON", path)
		}
		t := top(path)
		cur, err := rewrite(path)
		if err != nil {
			return w, nil, err
		}
		if rewritten[t], err = setPath(cur, strings.Split(path, ".")[1:], v, path); err != nil {
			return w, nil, err
		}
	}
	for _, path := range slices.Sorted(maps.Keys(u.push)) {
		t := top(path)
		cur, err := rewrite(path)
		if err != nil {
			return w, nil, err
		}
		if rewritten[t], err = pushPath(cur, strings.Split(path, ".")[1:], u.push[path], path); err != nil {
			return w, nil, err
		}
	}
	for t, v := range rewritten {
		for _, p := range append(slices.Clone(u.unset), slices.Collect(maps.Keys(u.inc))...) {
			if top(p) == t {
				return w, nil, invalid("update: %q is changed by two operators", t)
			}
		}
		set[t] = mustJSON(v)
	}
	after := maps.Clone(doc)
	for k, raw := range set {
		v, err := decodeValue(raw)
		if err != nil {
			return w, nil, invalid("update: $set: %q is not JSON", k)
		}
		after[k] = v
	}
	for k, raw := range u.inc {
		if _, ok := after[k]; !ok && !strings.Contains(k, ".") {
			v, _ := decodeValue(raw)
			after[k] = v
		}
	}
	if len(set) > 0 {
		w.Set = mustJSON(set)
	}
	if len(u.inc) > 0 {
		w.Inc = mustJSON(u.inc)
	}
	w.Unset = u.unset
	return w, after, nil
}

func deepCopy(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeValue(raw)
}

// setPath sets rest inside v (a document, or nothing yet), creating documents on the way.
func setPath(v any, rest []string, val any, full string) (any, error) {
	if len(rest) == 0 {
		return val, nil
	}
	m, err := docAt(v, full)
	if err != nil {
		return nil, err
	}
	if m[rest[0]], err = setPath(m[rest[0]], rest[1:], val, full); err != nil {
		return nil, err
	}
	return m, nil
}

func pushPath(v any, rest []string, vals []any, full string) (any, error) {
	if len(rest) == 0 {
		if v == nil {
			return slices.Clone(vals), nil
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, invalid("update: $push: %q is not an array", full)
		}
		return append(arr, vals...), nil
	}
	m, err := docAt(v, full)
	if err != nil {
		return nil, err
	}
	if m[rest[0]], err = pushPath(m[rest[0]], rest[1:], vals, full); err != nil {
		return nil, err
	}
	return m, nil
}

func docAt(v any, full string) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok || isWrapper(m) {
		return nil, invalid("update: %q reaches into a value that is not a document (paths into arrays are not supported)", full)
	}
	return m, nil
}

// isWrapper tells an Extended JSON value ({"$oid": …}) from a document.
func isWrapper(m map[string]any) bool {
	for k := range m {
		if strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}
