package authn

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestVerifyCacheHit(t *testing.T) {
	iss, _ := newIssuer(t, sharedKey(t, AlgES256))
	iss.Cache = NewVerifyCache(10)
	tok := mintAccess(t, iss, testClaims())

	first, err := iss.VerifyAccessCached(tok)
	if err != nil {
		t.Fatal(err)
	}
	second, err := iss.VerifyAccessCached(tok)
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Fatal("second verification did not come from the cache")
	}
	if iss.Cache.Len() != 1 {
		t.Fatalf("Len = %d", iss.Cache.Len())
	}
	// Failures are not cached, and a near-miss of a cached token is not a
	// hit, not even one that decodes to the same bytes (the last character's
	// unused low bits flipped).
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	near := tok[:len(tok)-1] + string(alphabet[strings.IndexByte(alphabet, tok[len(tok)-1])^1])
	if _, err := iss.VerifyAccessCached(near); err == nil {
		t.Fatal("changed token verified")
	}
	if iss.Cache.Len() != 1 {
		t.Fatalf("Len = %d after a failure", iss.Cache.Len())
	}
}

func TestVerifyCacheExpiry(t *testing.T) {
	iss, clock := newIssuer(t, sharedKey(t, AlgES256))
	iss.Cache = NewVerifyCache(10)
	tok := mintAccess(t, iss, testClaims()) // exp = t0+30m
	cached, err := iss.VerifyAccessCached(tok)
	if err != nil {
		t.Fatal(err)
	}

	// At exp the entry is no longer served: the token is verified afresh
	// (still accepted here, within the leeway, as VerifyAccess would).
	clock.t = t0.Add(30 * time.Minute)
	again, err := iss.VerifyAccessCached(tok)
	if err != nil {
		t.Fatal(err)
	}
	if again == cached {
		t.Fatal("entry served at its exp")
	}
	clock.t = t0.Add(30*time.Minute + 31*time.Second)
	if _, err := iss.VerifyAccessCached(tok); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("expired token through the cache: %v", err)
	}

	// The cache itself, below the Issuer.
	c := NewVerifyCache(10)
	key := sha256.Sum256([]byte("t"))
	c.put(&key, cacheEntry{claims: cached, exp: 100}, 50)
	if _, ok := c.get(&key, 99); !ok {
		t.Fatal("miss before exp")
	}
	if _, ok := c.get(&key, 100); ok {
		t.Fatal("hit at exp")
	}
	c.put(&key, cacheEntry{claims: cached, exp: 100}, 100)
	other := sha256.Sum256([]byte("u"))
	c.put(&other, cacheEntry{claims: cached, exp: 100}, 100)
	if _, ok := c.get(&other, 0); ok {
		t.Fatal("an already expired entry was stored")
	}
}

func TestVerifyCacheKeyRemoved(t *testing.T) {
	k := newKey(t, AlgES256)
	iss, _ := newIssuer(t, k)
	iss.Cache = NewVerifyCache(10)
	tok := mintAccess(t, iss, testClaims())
	if _, err := iss.VerifyAccessCached(tok); err != nil {
		t.Fatal(err)
	}
	// Dropping a (compromised) key must end its tokens at once, cached or not.
	if err := iss.Keyring.Replace(newKey(t, AlgES256), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.VerifyAccessCached(tok); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("cached token of a removed key: %v", err)
	}
}

func TestVerifyCacheBound(t *testing.T) {
	for _, max := range []int{1, 10, 16, 100, 1000} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			c := NewVerifyCache(max)
			claims := testClaims()
			for i := range 5 * max {
				key := sha256.Sum256(fmt.Append(nil, i))
				c.put(&key, cacheEntry{claims: claims, exp: 1000}, 1)
				if n := c.Len(); n > max {
					t.Fatalf("Len = %d after %d puts, max %d", n, i+1, max)
				}
			}
			if c.Len() < max/2 {
				t.Fatalf("Len = %d: cache evicts too eagerly", c.Len())
			}
			// The newest entry survives its own insertion.
			last := sha256.Sum256(fmt.Append(nil, 5*max-1))
			if _, ok := c.get(&last, 1); !ok {
				t.Fatal("newest entry missing")
			}
		})
	}
	if NewVerifyCache(0).perShard*cacheShards != DefaultCacheSize-DefaultCacheSize%cacheShards {
		t.Fatal("default size not applied")
	}
}

func TestVerifyCacheConcurrent(t *testing.T) {
	iss, _ := newIssuer(t, sharedKey(t, AlgEdDSA))
	iss.Cache = NewVerifyCache(4)
	toks := make([]string, 8)
	for i := range toks {
		toks[i] = mintAccess(t, iss, testClaims())
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				tok := toks[(g+i)%len(toks)]
				if _, err := iss.VerifyAccessCached(tok); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if iss.Cache.Len() > 4 {
		t.Fatalf("Len = %d", iss.Cache.Len())
	}
}
