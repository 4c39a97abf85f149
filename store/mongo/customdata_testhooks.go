package mongo

import mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

// CustomDataTestCollection implements storetest.CustomDataHooks: the
// driver's handle on the custom data collection, so that the conformance
// suite can write documents as an operator would and look at the stored
// BSON. Production code does not call it.
func (s *Store) CustomDataTestCollection() *mongodriver.Collection {
	return s.customData.coll
}
