package authn

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MaxPasswordBytes caps a password. The limit is in bytes, not characters,
// because it bounds work and storage; passwords are compared byte for byte,
// with no Unicode normalisation, exactly as the client sent them.
const MaxPasswordBytes = 1024

// Password errors. Their text is safe to show to the user.
var (
	ErrPasswordTooShort = errors.New("password is too short")
	ErrPasswordTooLong  = errors.New("password is too long")
	// ErrHashInvalid means a stored hash could not be used; it is an
	// operator problem, not a wrong password.
	ErrHashInvalid = errors.New("authn: stored password hash is invalid")
)

// argonParams are argon2id's cost parameters plus the sizes Lanyard uses.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	saltLen int
	keyLen  int
}

// currentParams follow OWASP's first argon2id recommendation: 19 MiB, two
// passes, one lane.
var currentParams = argonParams{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// Bounds on parameters read back from a stored hash. A hash string is data:
// one edited to ask for gigabytes of memory must not take the server down.
// The caps admit RFC 9106's second recommendation (64 MiB, t=3, p=4).
const (
	maxMemoryKiB = 64 * 1024
	maxTime      = 10
	maxThreads   = 8
)

// runArgon2 computes argon2id once the hash budget has room for it (see hashbudget.go), waiting no
// longer than ctx.
func runArgon2(ctx context.Context, password, salt []byte, p argonParams) ([]byte, error) {
	release, err := hashing().acquire(ctx, p.memory)
	if err != nil {
		return nil, err
	}
	defer release()
	return argon2.IDKey(password, salt, p.time, p.memory, p.threads, uint32(p.keyLen)), nil
}

// CheckPassword applies the length policy to a new password: at least min
// characters (Unicode code points, so a short passphrase in any script counts
// fairly) and at most MaxPasswordBytes bytes.
func CheckPassword(pw string, min int) error {
	if len(pw) > MaxPasswordBytes {
		return fmt.Errorf("%w: at most %d bytes", ErrPasswordTooLong, MaxPasswordBytes)
	}
	if utf8.RuneCountInString(pw) < min {
		return fmt.Errorf("%w: at least %d characters", ErrPasswordTooShort, min)
	}
	return nil
}

// HashPassword returns the argon2id hash of password as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, both in unpadded standard
// base64.
func HashPassword(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	p := currentParams
	salt := make([]byte, p.saltLen)
	rand.Read(salt)
	key, err := runArgon2(ctx, []byte(password), salt, p)
	if err != nil {
		return "", err
	}
	return encodePHC(p, salt, key), nil
}

func encodePHC(p argonParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword reports whether password matches the PHC hash, and whether
// the hash was made with other parameters than today's, so that the caller
// can store a fresh HashPassword while it has the plaintext. needsRehash is
// only ever true together with ok. err is ErrHashInvalid for an unusable
// hash, or ctx's error if the hash budget had no room in time.
func VerifyPassword(ctx context.Context, phc, password string) (ok, needsRehash bool, err error) {
	p, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, false, err
	}
	got, err := runArgon2(ctx, []byte(password), salt, p)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != currentParams, nil
}

var (
	dummySalt = make([]byte, currentParams.saltLen)
	dummyKey  = make([]byte, currentParams.keyLen)
)

// DummyVerify spends what VerifyPassword spends on a current hash and gives
// the answer of a wrong password. Call it when the user does not exist, so
// that neither the reply nor its timing reveals which accounts exist.
func DummyVerify(ctx context.Context, password string) (ok, needsRehash bool, err error) {
	got, err := runArgon2(ctx, []byte(password), dummySalt, currentParams)
	if err != nil {
		return false, false, err
	}
	subtle.ConstantTimeCompare(got, dummyKey)
	return false, false, nil
}

// parsePHC reads a PHC argon2id string, refusing anything outside the
// bounds above. Its errors never quote the string.
func parsePHC(phc string) (argonParams, []byte, []byte, error) {
	bad := func(detail string) (argonParams, []byte, []byte, error) {
		return argonParams{}, nil, nil, fmt.Errorf("%w: %s", ErrHashInvalid, detail)
	}
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("not a PHC argon2id string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported argon2 version")
	}
	var p argonParams
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return bad("malformed parameters")
	}
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return bad("malformed parameters")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("malformed parameters")
		}
		switch i {
		case 0:
			p.memory = uint32(n)
		case 1:
			p.time = uint32(n)
		case 2:
			if n > 255 {
				return bad("parameters out of bounds")
			}
			p.threads = uint8(n)
		}
	}
	if p.threads < 1 || p.threads > maxThreads || p.time < 1 || p.time > maxTime ||
		p.memory < 8*uint32(p.threads) || p.memory > maxMemoryKiB {
		return bad("parameters out of bounds")
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return bad("bad salt")
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return bad("bad hash")
	}
	p.saltLen, p.keyLen = len(salt), len(key)
	return p, salt, key, nil
}
