package mongo

import (
	"bytes"
	"cmp"
	"math"
	"math/big"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// compareValues orders two BSON values as MongoDB sorts them (the "BSON
// order" of the first-inserted-wins rule): first by type class, then by
// value within the class. Lanyard sorts the candidate documents of a user
// itself, so that the winner does not depend on how an engine sorts mixed
// types. Strings compare bytewise (the simple collation).
func compareValues(a, b bson.RawValue) int {
	if c := cmp.Compare(typeClass(a.Type), typeClass(b.Type)); c != 0 {
		return c
	}
	switch a.Type {
	case bson.TypeDouble, bson.TypeInt32, bson.TypeInt64, bson.TypeDecimal128:
		return compareNumbers(a, b)
	case bson.TypeString, bson.TypeSymbol:
		return cmp.Compare(stringOf(a), stringOf(b))
	case bson.TypeEmbeddedDocument:
		return compareDocs(a.Document(), b.Document())
	case bson.TypeArray:
		return compareDocs(bson.Raw(a.Array()), bson.Raw(b.Array()))
	case bson.TypeBinary:
		sa, da := a.Binary()
		sb, db := b.Binary()
		if c := cmp.Compare(len(da), len(db)); c != 0 {
			return c
		}
		if c := cmp.Compare(sa, sb); c != 0 {
			return c
		}
		return bytes.Compare(da, db)
	case bson.TypeObjectID:
		oa, ob := a.ObjectID(), b.ObjectID()
		return bytes.Compare(oa[:], ob[:])
	case bson.TypeBoolean:
		return cmp.Compare(boolRank(a.Boolean()), boolRank(b.Boolean()))
	case bson.TypeDateTime:
		return cmp.Compare(a.DateTime(), b.DateTime())
	case bson.TypeTimestamp:
		ta, ia := a.Timestamp()
		tb, ib := b.Timestamp()
		if c := cmp.Compare(ta, tb); c != 0 {
			return c
		}
		return cmp.Compare(ia, ib)
	case bson.TypeRegex:
		pa, oa := a.Regex()
		pb, ob := b.Regex()
		if c := cmp.Compare(pa, pb); c != 0 {
			return c
		}
		return cmp.Compare(oa, ob)
	}
	// Null, MinKey, MaxKey and Undefined are alone in their class; the
	// deprecated rest is compared by bytes, which is at least stable.
	return bytes.Compare(a.Value, b.Value)
}

// typeClass is MongoDB's canonical type order (canonicalizeBSONType).
func typeClass(t bson.Type) int {
	switch t {
	case bson.TypeMinKey:
		return -1
	case bson.TypeUndefined:
		return 0
	case bson.TypeNull:
		return 5
	case bson.TypeDouble, bson.TypeInt32, bson.TypeInt64, bson.TypeDecimal128:
		return 10
	case bson.TypeString, bson.TypeSymbol:
		return 15
	case bson.TypeEmbeddedDocument:
		return 20
	case bson.TypeArray:
		return 25
	case bson.TypeBinary:
		return 30
	case bson.TypeObjectID:
		return 35
	case bson.TypeBoolean:
		return 40
	case bson.TypeDateTime:
		return 45
	case bson.TypeTimestamp:
		return 47
	case bson.TypeRegex:
		return 50
	case bson.TypeDBPointer:
		return 55
	case bson.TypeJavaScript:
		return 60
	case bson.TypeCodeWithScope:
		return 65
	case bson.TypeMaxKey:
		return 127
	}
	return 100
}

func stringOf(v bson.RawValue) string {
	if v.Type == bson.TypeSymbol {
		return v.Symbol()
	}
	return v.StringValue()
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compareDocs compares element by element: the type class of the values,
// then the field names, then the values; a prefix sorts first.
func compareDocs(a, b bson.Raw) int {
	ea, _ := a.Elements()
	eb, _ := b.Elements()
	for i := 0; i < len(ea) && i < len(eb); i++ {
		va, vb := ea[i].Value(), eb[i].Value()
		if c := cmp.Compare(typeClass(va.Type), typeClass(vb.Type)); c != 0 {
			return c
		}
		if c := cmp.Compare(ea[i].Key(), eb[i].Key()); c != 0 {
			return c
		}
		if c := compareValues(va, vb); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ea), len(eb))
}

// compareNumbers compares numbers of any type exactly; NaN sorts before
// every other number, as in MongoDB.
func compareNumbers(a, b bson.RawValue) int {
	fa, nanA := bigNumber(a)
	fb, nanB := bigNumber(b)
	switch {
	case nanA || nanB:
		return cmp.Compare(boolRank(!nanA), boolRank(!nanB))
	}
	return fa.Cmp(fb)
}

func bigNumber(v bson.RawValue) (*big.Float, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return new(big.Float).SetInt64(int64(v.Int32())), false
	case bson.TypeInt64:
		return new(big.Float).SetInt64(v.Int64()), false
	case bson.TypeDouble:
		f := v.Double()
		if math.IsNaN(f) {
			return nil, true
		}
		return new(big.Float).SetFloat64(f), false // ±Inf are valid big.Floats
	case bson.TypeDecimal128:
		// Rare as an _id (and unsupported on FerretDB): close enough.
		f, _, err := big.ParseFloat(v.Decimal128().String(), 10, 128, big.ToNearestEven)
		if err != nil {
			return nil, true
		}
		return f, false
	}
	return new(big.Float), false
}
