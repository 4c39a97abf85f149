package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
	"time"
)

// Ids are ObjectIds in their 24-hex-character form (App Services user ids have this shape, and imported
// ids must keep it): a 4-byte timestamp, 5 random bytes fixed per process and a 3-byte counter, so ids
// made by one process sort by creation.
var (
	idProcess [5]byte
	idCounter atomic.Uint32
)

func init() {
	_, _ = rand.Read(idProcess[:])
	var c [4]byte
	_, _ = rand.Read(c[:])
	idCounter.Store(binary.BigEndian.Uint32(c[:]))
}

// NewID returns a new id.
func NewID() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(time.Now().Unix()))
	copy(b[4:9], idProcess[:])
	c := idCounter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s has the form of an id: 24 lowercase hex characters.
func ValidID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
