package rules

import (
	"errors"
	"fmt"
	"maps"
	"strings"
)

// ErrDenied is wrapped by every refusal [Rules.Allow] returns.
var ErrDenied = errors.New("denied by the custom data rules")

// Caller is who asks.
type Caller struct {
	// UserID is the caller's user id (%%user.id).
	UserID string
	// UserType is "normal" or "server" (%%user.type).
	UserType string
	// Server marks a server principal: the App Services system user, always allowed. Set it for every
	// caller of type "server": Parse's check that users cannot write the custom data fields rules trust
	// counts only callers without it.
	Server bool
	// CustomData is the caller's own custom data document (%%user.custom_data): the one that wins under
	// the first-inserted-wins rule, as stored now, or nil when the caller has none. It is read, never
	// changed. A caller that leaves it nil makes every rule reading %%user.custom_data fail closed.
	CustomData map[string]any
}

// Op is an operation on the custom data document.
type Op int

// The operations the rules decide on.
const (
	Read Op = iota + 1
	Write
	Insert
	Delete
	Search
)

// String returns the operation's lower-case name.
func (o Op) String() string {
	switch o {
	case Read:
		return "read"
	case Write:
		return "write"
	case Insert:
		return "insert"
	case Delete:
		return "delete"
	case Search:
		return "search"
	}
	return fmt.Sprintf("operation(%d)", int(o))
}

// DeniedError is a refusal. Its text names the operation, the field for field-level write refusals, and
// a reason; it never contains document content, so it is safe to show to the client.
type DeniedError struct {
	// Op is the refused operation.
	Op Op
	// Field is the written field that was refused, if the refusal is about one field.
	Field string
	// Reason says which rule refused.
	Reason string
}

func (e *DeniedError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("custom data rules deny %s of field %q: %s", e.Op, e.Field, e.Reason)
	}
	return fmt.Sprintf("custom data rules deny %s: %s", e.Op, e.Reason)
}

// Unwrap returns [ErrDenied].
func (e *DeniedError) Unwrap() error { return ErrDenied }

func deny(op Op, field, reason string) error {
	return &DeniedError{Op: op, Field: field, Reason: reason}
}

// Rules is a parsed rule set for the custom data collection. Build one with [Parse] or [Preset].
type Rules struct {
	database, collection string
	roles                []*role
	filters              []*filter
}

type role struct {
	name                    string
	applyWhen               expr
	readFilter, writeFilter expr // nil when absent
	read, write             expr
	insert, del, search     expr
	fields                  map[string]fieldPerm
	additional              fieldPerm
}

type fieldPerm struct {
	read, write expr
}

type filter struct {
	name      string
	applyWhen expr
	query     expr
	proj      *projection // nil when absent
}

// projection is a filter's projection: an inclusion list (only those fields, plus _id unless idOff) or
// an exclusion list.
type projection struct {
	include map[string]bool // non-nil: inclusion mode
	exclude map[string]bool
	idOff   bool
}

func (p *projection) apply(doc map[string]any) {
	if p.include != nil {
		for k := range doc {
			if k == "_id" {
				if p.idOff {
					delete(doc, k)
				}
				continue
			}
			if !p.include[k] {
				delete(doc, k)
			}
		}
		return
	}
	for k := range p.exclude {
		delete(doc, k)
	}
}

// Database returns the rules.json "database" (empty for presets).
func (r *Rules) Database() string { return r.database }

// Collection returns the rules.json "collection" (empty for presets).
func (r *Rules) Collection() string { return r.collection }

// Allow decides whether c may perform op on doc. writtenFields lists the fields a Write or Insert changes
// (top-level names or dotted paths, as the client named them; fields Lanyard sets itself, such as the user
// id field, are not listed, but every other changed field must be: Parse's check that users cannot change
// what the rules trust depends on it); it is ignored for the other operations. For Insert, doc is the document as
// it would be after the write. It returns nil or a *[DeniedError] (wrapping [ErrDenied]).
func (r *Rules) Allow(op Op, c Caller, doc map[string]any, writtenFields []string) error {
	if c.Server {
		return nil
	}
	if op < Read || op > Search {
		return deny(op, "", "unknown operation")
	}
	e := &env{c: c, doc: doc}
	if op != Insert && !r.passesFilters(e) {
		return deny(op, "", "the document is outside the rules' filters for this user")
	}
	ro := r.roleFor(e)
	if ro == nil {
		return deny(op, "", "no role applies to this user and document")
	}
	switch op {
	case Read, Search:
		if op == Search && !ro.search.eval(e) {
			return deny(op, "", "the role does not allow search")
		}
		if !ro.docReadable(e) {
			return deny(op, "", "the role's document filter does not match")
		}
		if !ro.readsSomething(e) {
			return deny(op, "", "the role grants no read access")
		}
	case Write, Insert:
		if !ro.docWritable(e) {
			return deny(op, "", "the role's document filter does not match")
		}
		if op == Insert && !ro.insert.eval(e) {
			return deny(op, "", "the role does not allow inserting the document")
		}
		if len(writtenFields) == 0 {
			if !ro.writesSomething(e) {
				return deny(op, "", "the role grants no write access")
			}
			return nil
		}
		all := ro.write.eval(e)
		for _, f := range writtenFields {
			top, _, _ := strings.Cut(f, ".")
			if !all && !ro.fieldWritable(top, e) {
				return deny(op, f, "the role does not allow writing this field")
			}
		}
	case Delete:
		if !ro.docWritable(e) {
			return deny(op, "", "the role's document filter does not match")
		}
		if !ro.del.eval(e) {
			return deny(op, "", "the role does not allow deleting the document")
		}
	}
	return nil
}

// FilterRead returns a copy of doc without the top-level fields c may not read (and without what the
// applying filters' projections remove). The copy is shallow: nested values are shared with doc. A caller
// who may not read the document at all gets an empty map; a nil doc gives nil.
func (r *Rules) FilterRead(c Caller, doc map[string]any) map[string]any {
	if doc == nil {
		return nil
	}
	out := make(map[string]any, len(doc))
	if c.Server {
		maps.Copy(out, doc)
		return out
	}
	e := &env{c: c, doc: doc}
	if !r.passesFilters(e) {
		return out
	}
	ro := r.roleFor(e)
	if ro == nil || !ro.docReadable(e) {
		return out
	}
	all := ro.read.eval(e) || ro.write.eval(e)
	for k, v := range doc {
		if all || ro.fieldReadable(k, e) {
			out[k] = v
		}
	}
	for _, f := range r.filters {
		if f.proj != nil && f.applies(e) {
			f.proj.apply(out)
		}
	}
	return out
}

// roleFor returns the first role whose apply_when matches, or nil.
func (r *Rules) roleFor(e *env) *role {
	for _, ro := range r.roles {
		if ro.applyWhen.eval(e) {
			return ro
		}
	}
	return nil
}

// passesFilters reports whether the document matches the query of every filter that applies.
func (r *Rules) passesFilters(e *env) bool {
	for _, f := range r.filters {
		if f.applies(e) && !f.query.eval(e) {
			return false
		}
	}
	return true
}

// applies evaluates a filter's apply_when, which App Services evaluates before any document is read:
// without a document.
func (f *filter) applies(e *env) bool {
	return f.applyWhen.eval(&env{c: e.c})
}

// docReadable applies document_filters for reading: an absent read filter restricts nothing, and a
// matching write filter grants reading too.
func (ro *role) docReadable(e *env) bool {
	return ro.readFilter == nil || ro.readFilter.eval(e) || (ro.writeFilter != nil && ro.writeFilter.eval(e))
}

func (ro *role) docWritable(e *env) bool {
	return ro.writeFilter == nil || ro.writeFilter.eval(e)
}

func (ro *role) fieldReadable(name string, e *env) bool {
	if p, ok := ro.fields[name]; ok {
		return p.read.eval(e) || p.write.eval(e)
	}
	return ro.additional.read.eval(e) || ro.additional.write.eval(e)
}

func (ro *role) fieldWritable(name string, e *env) bool {
	if p, ok := ro.fields[name]; ok {
		return p.write.eval(e)
	}
	return ro.additional.write.eval(e)
}

// readsSomething reports whether the role lets the caller read at least one field of the document.
func (ro *role) readsSomething(e *env) bool {
	if ro.read.eval(e) || ro.write.eval(e) || ro.additional.read.eval(e) || ro.additional.write.eval(e) {
		return true
	}
	for _, p := range ro.fields {
		if p.read.eval(e) || p.write.eval(e) {
			return true
		}
	}
	return false
}

// writesSomething reports whether the role lets the caller write at least one field of the document.
func (ro *role) writesSomething(e *env) bool {
	if ro.write.eval(e) || ro.additional.write.eval(e) {
		return true
	}
	for _, p := range ro.fields {
		if p.write.eval(e) {
			return true
		}
	}
	return false
}
