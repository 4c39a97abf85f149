package mongo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/store/mongo"
	"github.com/lanyardhq/lanyard/store/storetest"
)

// TestCustomDataConfig runs custom data in a database, collection and
// field of the operator's choosing, and turns enforce_unique on.
func TestCustomDataConfig(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, uri string) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cd := store.CustomDataConfig{Database: storetest.DatabaseName(t), Collection: "profiles", UserIDField: "owner"}
		name := cd.Database + ".profiles"
		db := storetest.DatabaseName(t)
		s := open(t, mongo.Config{URI: uri, Database: db, CustomData: cd})
		coll := collection(t, uri, cd.Database, cd.Collection)
		u := store.NewID()
		doc, err := s.UpdateCustomData(ctx, u, store.CustomDataUpdate{Set: json.RawMessage(`{"a": 1}`)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc.JSON), `"owner":"`+u+`"`) {
			t.Errorf("document %s should hold the user id in owner", doc.JSON)
		}
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "owner", Value: u}}); err != nil {
			t.Fatal(err)
		}

		cd.EnforceUnique = true
		_, err = mongo.Open(ctx, mongo.Config{URI: uri, Database: db, CustomData: cd, Logger: storetest.Logger(t)})
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "more than one document") {
			t.Fatalf("Open with enforce_unique over duplicates: %v, want an error naming %s", err, name)
		}
		t.Logf("Open with duplicates: %v", err)

		if _, err := coll.DeleteOne(ctx, bson.D{{Key: "owner", Value: u}, {Key: "a", Value: bson.D{{Key: "$exists", Value: false}}}}); err != nil {
			t.Fatal(err)
		}
		s2 := open(t, mongo.Config{URI: uri, Database: db, CustomData: cd})
		_, err = coll.InsertOne(ctx, bson.D{{Key: "owner", Value: u}})
		if !mongodriver.IsDuplicateKeyError(err) {
			t.Fatalf("insert of a second document with enforce_unique: %v, want a duplicate key error", err)
		}
		// Opening again is a no-op.
		open(t, mongo.Config{URI: uri, Database: db, CustomData: cd})
		if _, err := s2.UpdateCustomData(ctx, u, store.CustomDataUpdate{Inc: json.RawMessage(`{"a": 1}`)}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCustomDataConfigRefusesBadField(t *testing.T) {
	for _, f := range []string{"_id", "a.b", "$x", "_lanyard_version"} {
		// Checked before connecting: nothing listens there.
		_, err := mongo.Open(t.Context(), mongo.Config{URI: "mongodb://127.0.0.1:1", CustomData: store.CustomDataConfig{UserIDField: f}})
		if err == nil || !strings.Contains(err.Error(), "user id field") || !strings.Contains(err.Error(), f) {
			t.Errorf("user id field %q: %v, want an error naming it", f, err)
		}
	}
}
