package authn

import (
	"crypto/sha256"
	"sync"
	"unsafe"
)

// DefaultCacheSize is the number of entries NewVerifyCache(0) holds.
const DefaultCacheSize = 10_000

// cacheShards spreads locking: each shard has its own lock, so concurrent
// requests rarely wait on each other. A power of two.
const cacheShards = 16

// evictScan is how many entries an insert into a full shard looks at for an
// expired one before evicting the first of them. Go randomises map
// iteration, so that first entry is a cheap stand-in for a random choice.
const evictScan = 8

// VerifyCache remembers verified access tokens so that a client reusing its
// token for many calls pays for one signature check. Entries are keyed by
// the SHA-256 of the token, so memory holds no tokens and only byte-for-byte
// the same token hits; an entry is served only before the token's exp, after
// which the token goes through full verification again (which applies the
// leeway and answers ErrTokenExpired). It is safe for concurrent use.
//
// The cache knows nothing of revocation; callers check revoked sessions on
// every request, cached or not.
type VerifyCache struct {
	shards   []cacheShard
	perShard int
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]cacheEntry
}

type cacheEntry struct {
	claims *AccessClaims
	exp    int64 // unix seconds: served while now < exp
	kid    string
}

// NewVerifyCache returns a cache of at most maxEntries tokens (0 means
// DefaultCacheSize).
func NewVerifyCache(maxEntries int) *VerifyCache {
	if maxEntries <= 0 {
		maxEntries = DefaultCacheSize
	}
	n := cacheShards
	if maxEntries < n {
		n = 1
	}
	c := &VerifyCache{shards: make([]cacheShard, n), perShard: maxEntries / n}
	for i := range c.shards {
		c.shards[i].m = make(map[[sha256.Size]byte]cacheEntry)
	}
	return c
}

// Len returns the number of entries, expired ones not yet evicted included.
func (c *VerifyCache) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}

func (c *VerifyCache) shard(key *[sha256.Size]byte) *cacheShard {
	return &c.shards[int(key[0])%len(c.shards)]
}

func (c *VerifyCache) get(key *[sha256.Size]byte, now int64) (cacheEntry, bool) {
	s := c.shard(key)
	s.mu.RLock()
	e, ok := s.m[*key]
	s.mu.RUnlock()
	if !ok || now >= e.exp {
		return cacheEntry{}, false
	}
	return e, true
}

func (c *VerifyCache) put(key *[sha256.Size]byte, e cacheEntry, now int64) {
	if now >= e.exp {
		return
	}
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[*key]; !ok && len(s.m) >= c.perShard {
		var victim [sha256.Size]byte
		freed, seen := false, 0
		for k, old := range s.m {
			if seen == 0 {
				victim = k
			}
			if now >= old.exp {
				delete(s.m, k)
				freed = true
			}
			if seen++; seen == evictScan {
				break
			}
		}
		if !freed {
			delete(s.m, victim)
		}
	}
	s.m[*key] = e
}

// VerifyAccessCached is VerifyAccess through i.Cache (plain VerifyAccess when
// Cache is nil). The returned claims may be shared with other callers: treat
// them as read-only. A hit also requires the signing key to still be in the
// keyring, so removing a compromised key takes effect at once.
func (i *Issuer) VerifyAccessCached(token string) (*AccessClaims, error) {
	if i.Cache == nil || token == "" || len(token) > MaxTokenSize {
		return i.VerifyAccess(token)
	}
	key := tokenKey(token)
	now := i.now().Unix()
	if e, ok := i.Cache.get(&key, now); ok {
		if _, known := i.Keyring.key(e.kid); known {
			return e.claims, nil
		}
	}
	c, kid, err := i.verifyAccess(token)
	if err != nil {
		return nil, err
	}
	i.Cache.put(&key, cacheEntry{claims: c, exp: c.Expiry.Time().Unix(), kid: kid}, now)
	return c, nil
}

// tokenKey is the SHA-256 of token, hashed where it lies: []byte(token) would copy a token carrying a
// 4 KB document (6 KB) on every authenticated call only for the hash to read it, and Sum256 does not
// write to its input or keep it.
func tokenKey(token string) [sha256.Size]byte {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}
