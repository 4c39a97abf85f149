package mongo

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestIndexesCoverEveryQuery runs the whole conformance suite with stores that take MongoDB's paths
// (no feed, no FerretDB workarounds), records the shape of every query they send (collection, the
// fields the filter names, the sort), and checks each against the indexes the stores created, read back
// from the engine: on MongoDB, where those indexes are what makes the queries cheap, no query may need
// a collection scan, except the few listed below that read a whole collection on purpose.
func TestIndexesCoverEveryQuery(t *testing.T) {
	var (
		mu        sync.Mutex
		shapes    = map[string]shape{}
		databases = map[string]bool{}
	)
	observe := func(e *event.CommandStartedEvent) {
		mu.Lock()
		defer mu.Unlock()
		databases[e.DatabaseName] = true
		for _, sh := range shapesOf(e.Command, e.CommandName) {
			shapes[sh.String()] = sh
		}
	}
	var indexes map[string][][]string
	storetest.ForEach(t, func(t *testing.T, e storetest.Engine) {
		if e.Name != "sqlite" {
			t.Skip("the shapes are the same on every engine; one suffices")
		}
		defer func() { indexes = declaredIndexes(t, e.URI) }()
		storetest.Run(t, e.Name, func(t *testing.T, database string) store.Store {
			s, err := Open(t.Context(), Config{URI: e.URI, Database: database, observe: observe})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close(context.Background()) })
			s.scansIn = false // MongoDB's paths
			return ownCollection{s}
		})
	})
	if indexes == nil {
		t.Fatal("the suite did not run")
	}

	var uncovered []string
	for _, sh := range shapes {
		if sh.covered(indexes[sh.coll]) || wholeCollectionReads[sh.coll] {
			continue
		}
		uncovered = append(uncovered, sh.String())
	}
	sort.Strings(uncovered)
	if len(uncovered) > 0 {
		t.Errorf("queries no index serves (a collection scan on MongoDB):\n  %s", strings.Join(uncovered, "\n  "))
	}
	if len(shapes) < 30 {
		t.Errorf("recorded only %d query shapes; the recorder is not seeing the suite", len(shapes))
	}
	t.Logf("%d query shapes over %d databases, each served by an index", len(shapes), len(databases))
}

// ownCollection hands the suite the store's own custom data collection (storetest.CustomDataHooks), so
// that the suite's direct reads and writes are recorded with the store's.
type ownCollection struct{ *Store }

func (s ownCollection) CustomDataTestCollection() *mongodriver.Collection { return s.customData.coll }

// wholeCollectionReads are collections Lanyard reads whole on purpose: the custom data collection when a
// store builds its owner index and for ListShadowedCustomData (an admin listing); the signing keys (a
// handful); and the collections of the previous layout, which a migration copies once (the old
// identities are also swept by user when a user is deleted, served by the index migration 2 made).
var wholeCollectionReads = map[string]bool{DefaultCustomDataCollection: true, collKeys: true, collLegacyIdentities: true, collAPIKeys: true}

// shape is what an index must serve of one query.
type shape struct {
	command, coll string
	fields        []string // named by the filter, sorted (all branches of $or/$and together)
	sort          []string
	whole         bool // no filter and no sort: reads the collection
}

func (s shape) String() string {
	return fmt.Sprintf("%s %s filter%v sort%v", s.command, s.coll, s.fields, s.sort)
}

// covered reports whether one of indexes (each a list of key fields) can serve s: its first field is
// one the filter names, or, with no filter, the first of the sort.
func (s shape) covered(indexes [][]string) bool {
	if slices.Contains(s.fields, "_id") || (len(s.fields) == 0 && len(s.sort) > 0 && s.sort[0] == "_id") {
		return true
	}
	for _, ix := range indexes {
		if slices.Contains(s.fields, ix[0]) || (len(s.fields) == 0 && len(s.sort) > 0 && s.sort[0] == ix[0]) {
			return true
		}
	}
	return false
}

// shapesOf returns the query shapes of a command.
func shapesOf(cmd bson.Raw, name string) []shape {
	coll, _ := cmd.Lookup(name).StringValueOK()
	one := func(filter, sortDoc bson.RawValue) shape {
		sh := shape{command: name, coll: coll}
		if d, ok := filter.DocumentOK(); ok {
			sh.fields = filterFields(d)
		}
		if d, ok := sortDoc.DocumentOK(); ok {
			els, _ := d.Elements()
			for _, e := range els {
				sh.sort = append(sh.sort, e.Key())
			}
		}
		sh.whole = len(sh.fields) == 0 && len(sh.sort) == 0
		return sh
	}
	each := func(list, q string) []shape {
		arr, _ := cmd.Lookup(list).ArrayOK()
		vals, _ := arr.Values()
		var out []shape
		for _, v := range vals {
			stmt, _ := v.DocumentOK()
			out = append(out, one(stmt.Lookup(q), bson.RawValue{}))
		}
		return out
	}
	switch name {
	case "find":
		return []shape{one(cmd.Lookup("filter"), cmd.Lookup("sort"))}
	case "update":
		return each("updates", "q")
	case "delete":
		return each("deletes", "q")
	case "findAndModify", "count", "distinct":
		return []shape{one(cmd.Lookup("query"), cmd.Lookup("sort"))}
	case "aggregate":
		stages, _ := cmd.Lookup("pipeline").ArrayOK()
		vals, _ := stages.Values()
		if len(vals) == 0 {
			return []shape{one(bson.RawValue{}, bson.RawValue{})}
		}
		st, _ := vals[0].DocumentOK()
		return []shape{one(st.Lookup("$match"), bson.RawValue{})}
	}
	return nil
}

// filterFields lists the fields a filter names, through $and, $or and $nor.
func filterFields(d bson.Raw) []string {
	var out []string
	els, _ := d.Elements()
	for _, e := range els {
		switch k := e.Key(); k {
		case "$and", "$or", "$nor":
			arr, _ := e.Value().ArrayOK()
			vals, _ := arr.Values()
			for _, v := range vals {
				if sub, ok := v.DocumentOK(); ok {
					out = append(out, filterFields(sub)...)
				}
			}
		default:
			if !strings.HasPrefix(k, "$") {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// declaredIndexes are the key fields of every index a store creates, by collection, read back from a
// store opened on a fresh database of the engine at uri.
func declaredIndexes(t *testing.T, uri string) map[string][][]string {
	t.Helper()
	ctx := t.Context()
	s, err := Open(ctx, Config{URI: uri, Database: storetest.DatabaseName(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	out := map[string][][]string{}
	for _, db := range []*mongodriver.Database{s.db, s.customData.coll.Database()} {
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			specs, err := db.Collection(name).Indexes().ListSpecifications(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, spec := range specs {
				els, _ := spec.KeysDocument.Elements()
				var keys []string
				for _, e := range els {
					keys = append(keys, e.Key())
				}
				out[name] = append(out[name], keys)
			}
		}
	}
	return out
}
