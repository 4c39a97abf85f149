package authn

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestHashVerifyPassword(t *testing.T) {
	ctx := context.Background()
	for _, pw := range []string{
		"correct horse battery staple",
		strings.Repeat("é", 128),  // 128 characters, 256 bytes
		strings.Repeat("x", 1024), // the byte limit
		"Ａｄａ",                     // full-width: never normalised
	} {
		phc, err := HashPassword(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("PHC = %s", phc)
		}
		ok, rehash, err := VerifyPassword(ctx, phc, pw)
		if err != nil || !ok || rehash {
			t.Fatalf("right password: ok %v rehash %v err %v", ok, rehash, err)
		}
		wrong := pw[:len(pw)-1]
		if pw == "Ａｄａ" {
			wrong = "Ada" // the NFKC form of the original
		}
		if ok, rehash, err := VerifyPassword(ctx, phc, wrong); err != nil || ok || rehash {
			t.Fatalf("wrong password: ok %v rehash %v err %v", ok, rehash, err)
		}
	}
	if _, err := HashPassword(ctx, strings.Repeat("x", 1025)); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("1025 bytes: %v", err)
	}
	a, _ := HashPassword(ctx, "same")
	b, _ := HashPassword(ctx, "same")
	if a == b {
		t.Fatal("two hashes of one password are equal (salt not random)")
	}
}

func TestPasswordRehash(t *testing.T) {
	ctx := context.Background()
	salt := []byte("0123456789abcdef")
	for _, p := range []argonParams{
		{memory: 12 * 1024, time: 3, threads: 1, saltLen: 16, keyLen: 32}, // OWASP alternative
		{memory: 19 * 1024, time: 1, threads: 1, saltLen: 16, keyLen: 32},
		{memory: 19 * 1024, time: 2, threads: 2, saltLen: 16, keyLen: 32},
		{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 16},
	} {
		key, err := runArgon2(ctx, []byte("pw"), salt, p)
		if err != nil {
			t.Fatal(err)
		}
		phc := encodePHC(p, salt, key)
		ok, rehash, err := VerifyPassword(ctx, phc, "pw")
		if err != nil || !ok || !rehash {
			t.Errorf("%s: ok %v rehash %v err %v", phc, ok, rehash, err)
		}
		if ok, rehash, _ := VerifyPassword(ctx, phc, "wrong"); ok || rehash {
			t.Errorf("%s: wrong password: ok %v rehash %v", phc, ok, rehash)
		}
	}
}

func TestPasswordRefusesBadHashes(t *testing.T) {
	const salt, hash = "MDEyMzQ1Njc4OWFiY2RlZg", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	occupyHashBudget(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The control: a well-formed hash does reach argon2.
	if _, _, err := VerifyPassword(ctx, "$argon2id$v=19$m=19456,t=2,p=1$"+salt+"$"+hash, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("control: %v", err)
	}
	for _, phc := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + hash,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + hash, // 4 GiB
		"$argon2id$v=19$m=65537,t=2,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=19456,t=1000000,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=19456,t=2,p=255$" + salt + "$" + hash,
		"$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + hash,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + hash,
		"$argon2id$v=19$m=4,t=2,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + hash,
		"$argon2id$v=19$m=19456,t=2,p=1$$" + hash,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + hash + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!!$" + hash,
		"$argon2id$v=19$m=19456,t=2,p=1$" + strings.Repeat("A", 100) + "$" + hash,
	} {
		// With the hash budget taken and a cancelled context, a hash that got
		// as far as argon2 would report context.Canceled instead.
		ok, _, err := VerifyPassword(ctx, phc, "pw")
		if ok || !errors.Is(err, ErrHashInvalid) {
			t.Errorf("%q: ok %v err %v", phc, ok, err)
		}
		if err != nil && phc != "" && strings.Contains(err.Error(), phc) {
			t.Errorf("error quotes the hash: %v", err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw   string
		min  int
		want error
	}{
		{"1234567", 8, ErrPasswordTooShort},
		{"12345678", 8, nil},
		{"ééééééé", 8, ErrPasswordTooShort}, // 14 bytes, 7 characters
		{"éééééééé", 8, nil},
		{"日本語のパスワ", 8, ErrPasswordTooShort},
		{"123456", 6, nil},
		{"", 0, nil},
		{strings.Repeat("é", 128), 8, nil},
		{strings.Repeat("a", 128), 8, nil},
		{strings.Repeat("a", 1024), 8, nil},
		{strings.Repeat("a", 1025), 8, ErrPasswordTooLong},
		{strings.Repeat("é", 513), 8, ErrPasswordTooLong}, // 513 characters, 1026 bytes
	} {
		if err := CheckPassword(tc.pw, tc.min); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("CheckPassword(%d bytes, %d) = %v, want %v", len(tc.pw), tc.min, err, tc.want)
		}
	}
}

// TestDummyVerifyCost checks that the unknown-user path does the work a real verification does. Work is
// counted as the bytes allocated, which argon2's memory cost dominates and which no load on the machine
// changes (a comparison of durations would fail on a busy one); skipping argon2 entirely would allocate
// almost nothing.
func TestDummyVerifyCost(t *testing.T) {
	ctx := context.Background()
	phc, err := HashPassword(ctx, "the password")
	if err != nil {
		t.Fatal(err)
	}
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	real := allocated(func() { VerifyPassword(ctx, phc, "a guess") })
	dummy := allocated(func() {
		ok, rehash, err := DummyVerify(ctx, "a guess")
		if ok || rehash || err != nil {
			t.Errorf("DummyVerify = %v %v %v", ok, rehash, err)
		}
	})
	if ratio := float64(dummy) / float64(real); ratio < 0.9 || ratio > 1.1 {
		t.Fatalf("DummyVerify allocated %d bytes, VerifyPassword %d", dummy, real)
	}
}
