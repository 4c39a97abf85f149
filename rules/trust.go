package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The load-time check that no rule trusts what a user can change: a rule reading
// %%user.custom_data.<field> is only as strong as the guard on <field>, and these same rules are that
// guard, because the caller's custom data is the document they protect. If a role a user can hold may
// change the field, the user can give itself whatever the rule grants, so Parse refuses the file rather
// than leave the operator to notice.
//
// The analysis is conservative: an expression is taken as possibly true for a user unless it is the
// constant false or a test of %%user.type (with constant operands) that no non-server user passes.

// customRead is one place an expression reads the caller's custom data.
type customRead struct {
	x       expansion
	subject bool // the expansion is what a test compares (else it sits in the compared literal)
	pred    pred // the test, when subject
	slot    slot
	owner   string // the role or filter the expression belongs to, for the error
	role    int    // the index of that role, or -1 in a filter
}

// slot is where an expression sits, which says whether making it false could grant more.
type slot int

const (
	// A permission, document filter or filter query: only turning it true grants more.
	inPermission slot = iota
	// A role's apply_when: turning it false hands the user to a later role.
	inRoleApplyWhen
	// A filter's apply_when: turning it false lifts the filter.
	inFilterApplyWhen
)

func roleLabel(ro *role, i int) string {
	if ro.name == "" {
		return fmt.Sprintf("roles[%d]", i)
	}
	return fmt.Sprintf("role %q (roles[%d])", ro.name, i)
}

func filterLabel(f *filter, i int) string {
	if f.name == "" {
		return fmt.Sprintf("filters[%d]", i)
	}
	return fmt.Sprintf("filter %q (filters[%d])", f.name, i)
}

// customReads lists the reads of %%user.custom_data in the rules, in file order, leaving out the roles
// no user reaches (holders lists the others): for a user their expressions are never true or never
// evaluated, whatever the custom data.
func (r *Rules) customReads(holders []int) []customRead {
	var out []customRead
	add := func(x expr, s slot, owner string, role int) {
		walkCustomReads(x, func(c customRead) {
			c.slot, c.owner, c.role = s, owner, role
			out = append(out, c)
		})
	}
	for _, i := range holders {
		ro := r.roles[i]
		l := roleLabel(ro, i)
		add(ro.applyWhen, inRoleApplyWhen, l, i)
		for _, x := range []expr{ro.readFilter, ro.writeFilter, ro.read, ro.write, ro.insert, ro.del, ro.search,
			ro.additional.read, ro.additional.write} {
			add(x, inPermission, l, i)
		}
		for _, name := range slices.Sorted(maps.Keys(ro.fields)) {
			add(ro.fields[name].read, inPermission, l, i)
			add(ro.fields[name].write, inPermission, l, i)
		}
	}
	for i, f := range r.filters {
		l := filterLabel(f, i)
		add(f.applyWhen, inFilterApplyWhen, l, -1)
		add(f.query, inPermission, l, -1)
	}
	return out
}

func walkCustomReads(x expr, visit func(customRead)) {
	switch t := x.(type) {
	case andExpr:
		for _, s := range t {
			walkCustomReads(s, visit)
		}
	case orExpr:
		for _, s := range t {
			walkCustomReads(s, visit)
		}
	case testExpr:
		if s, ok := t.subject.(expansion); ok && s.name == "user.custom_data" {
			visit(customRead{x: s, subject: true, pred: t.pred})
		}
		predExpansions(t.pred, func(e expansion) {
			if e.name == "user.custom_data" {
				visit(customRead{x: e})
			}
		})
	}
}

// predExpansions calls f for every expansion in the operands of p.
func predExpansions(p pred, f func(expansion)) {
	switch t := p.(type) {
	case eqPred:
		literalExpansions(t.want, f)
	case nePred:
		literalExpansions(t.want, f)
	case cmpPred:
		literalExpansions(t.want, f)
	case inPred:
		literalExpansions(t.list, f)
	case allPred:
		for _, s := range t {
			predExpansions(s, f)
		}
	case anyPred:
		for _, s := range t {
			predExpansions(s, f)
		}
	}
}

func literalExpansions(v any, f func(expansion)) {
	switch t := v.(type) {
	case expansion:
		f(t)
	case []any:
		for _, el := range t {
			literalExpansions(el, f)
		}
	case map[string]any:
		for _, el := range t {
			literalExpansions(el, f)
		}
	}
}

// constantPred reports whether p's operands hold no expansion but %%true and %%false, so that it can be
// evaluated without a caller or a document.
func constantPred(p pred) bool {
	constant := true
	predExpansions(p, func(e expansion) {
		if e.name != "true" && e.name != "false" {
			constant = false
		}
	})
	return constant
}

// userMayMeet reports whether x may be true for a caller that is not a server principal. Only %%user.type
// is known for such a caller: it is "normal" (or, from a caller that did not say, empty).
func userMayMeet(x expr) bool {
	switch t := x.(type) {
	case nil:
		return true
	case constExpr:
		return bool(t)
	case andExpr:
		for _, s := range t {
			if !userMayMeet(s) {
				return false
			}
		}
		return true
	case orExpr:
		for _, s := range t {
			if userMayMeet(s) {
				return true
			}
		}
		return false
	case testExpr:
		s, ok := t.subject.(expansion)
		if !ok || (s.name != "user.type" && s.name != "true" && s.name != "false") || !constantPred(t.pred) {
			return true
		}
		for _, typ := range []string{"normal", ""} {
			if t.eval(&env{c: Caller{UserType: typ}}) {
				return true
			}
		}
		return false
	}
	return true
}

// absentMayMatch reports whether the read may pass once the field it reads is gone. An expansion inside a
// compared literal never does: a missing value makes the comparison false.
func (c customRead) absentMayMatch() bool {
	if !c.subject {
		return false
	}
	if !constantPred(c.pred) {
		return true
	}
	return c.pred.test(nil, false, &env{})
}

func (c customRead) expansionText() string {
	if len(c.x.path) == 0 {
		return "%%user.custom_data"
	}
	return "%%user.custom_data." + strings.Join(c.x.path, ".")
}

// holdable returns the indexes of the roles a user may hold: those whose apply_when may be true for it,
// up to the first that applies to everyone (the roles after it are never reached).
func (r *Rules) holdable() []int {
	var out []int
	for i, ro := range r.roles {
		if userMayMeet(ro.applyWhen) {
			out = append(out, i)
		}
		if alwaysTrue(ro.applyWhen) {
			break
		}
	}
	return out
}

func alwaysTrue(x expr) bool {
	switch t := x.(type) {
	case constExpr:
		return bool(t)
	case andExpr:
		return len(t) == 0 // {}
	}
	return false
}

// fieldWriter returns the JSON path of a permission through which a user holding ro may change the
// field at path (the whole document when path is empty), or "". Allow governs a write to a dotted path by
// its top-level field, so a permission on that field covers the path, its parents and its children alike.
func fieldWriter(ro *role, i int, path []string) string {
	at := fmt.Sprintf("roles[%d]", i)
	if userMayMeet(ro.write) {
		return at + ".write"
	}
	if len(path) == 0 {
		if userMayMeet(ro.additional.write) {
			return at + ".additional_fields.write"
		}
		for _, name := range slices.Sorted(maps.Keys(ro.fields)) {
			if userMayMeet(ro.fields[name].write) {
				return at + ".fields." + name + ".write"
			}
		}
		return ""
	}
	if fp, ok := ro.fields[path[0]]; ok {
		if userMayMeet(fp.write) {
			return at + ".fields." + path[0] + ".write"
		}
		return ""
	}
	if userMayMeet(ro.additional.write) {
		return at + ".additional_fields.write"
	}
	return ""
}

// checkTrust refuses rules in which a role a user can hold may change a custom data field that some
// expression reads through %%user.custom_data. A user changes its document by writing a field (write,
// fields.<f>.write, additional_fields.write, which also govern the fields of an insert), by creating it
// (insert), or by deleting it (delete), which makes every field absent.
func (p *parser) checkTrust(r *Rules) error {
	holders := r.holdable()
	reads := r.customReads(holders)
	for _, c := range reads {
		for k, j := range holders {
			w := r.roles[j]
			if w.writeFilter != nil && !userMayMeet(w.writeFilter) {
				continue // the role can neither write, insert nor delete
			}
			field := "its custom data document"
			if len(c.x.path) > 0 {
				field = fmt.Sprintf("%q in its own custom data document", strings.Join(c.x.path, "."))
			}
			how, perm := "change "+field, fieldWriter(w, j, c.x.path)
			fix := "in every role a user can hold, keep the role-level \"write\" false and the field's own write " +
				"false (its entry in \"fields\", else \"additional_fields\")"
			if perm == "" && len(c.x.path) == 0 && userMayMeet(w.insert) {
				how, perm = "create its custom data document", fmt.Sprintf("roles[%d].insert", j)
				fix = "let only server principals create custom data documents (\"insert\": false in every role a user can hold)"
			}
			if perm == "" && userMayMeet(w.del) && deleteMatters(c, j, k < len(holders)-1) {
				how, perm = "delete its custom data document, which removes what the expression reads",
					fmt.Sprintf("roles[%d].delete", j)
				fix = "let only server principals delete custom data documents (\"delete\": false in every role a user can hold)"
			}
			if perm == "" {
				continue
			}
			return p.errf(c.x.at, "%s reads %s, but a user can %s: %s allows it through %s, so a user could grant "+
				"itself what the rule grants. To trust it, %s; or test something users cannot change",
				c.owner, c.expansionText(), how, roleLabel(w, j), perm, fix)
		}
	}
	return nil
}

// deleteMatters reports whether a user holding roles[held] gains by deleting its document, as far as the
// read c can tell: the read may pass on an absent field, or failing it lifts a filter, or hands the user
// from its role (whose apply_when c is in) to a later one (laterHolder).
func deleteMatters(c customRead, held int, laterHolder bool) bool {
	switch {
	case c.absentMayMatch():
		return true
	case c.slot == inFilterApplyWhen:
		return true
	case c.slot == inRoleApplyWhen && c.role == held:
		return laterHolder
	}
	return false
}
