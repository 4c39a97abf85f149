package authn

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// sealAESGCMForTest writes a blob in the format earlier versions wrote: version 1, a 96-bit nonce,
// AES-256-GCM under the same derived key.
func sealAESGCMForTest(t *testing.T, master []byte, info string, aad, plain []byte) []byte {
	t.Helper()
	key, err := sealKey(master, info)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 1+gcm.NonceSize())
	out[0] = 1
	_, _ = rand.Read(out[1:])
	return gcm.Seal(out, out[1:], plain, aad)
}

// TestSealXChaCha: version 2 blobs are XChaCha20-Poly1305 with a 192-bit nonce under the derived key.
// (TestRotationSealedBeforeUpgrade checks that refresh successors are sealed so.)
func TestSealXChaCha(t *testing.T) {
	master, _ := ParseMasterKey(GenerateMasterKey())
	aad, plain := []byte("sid:0"), []byte("the successor refresh token")
	sealed, err := seal(master, sealXChaCha, sealInfoRefresh, aad, plain)
	if err != nil {
		t.Fatal(err)
	}
	if sealed[0] != 2 || len(sealed) != 1+chacha20poly1305.NonceSizeX+len(plain)+chacha20poly1305.Overhead {
		t.Fatalf("sealed blob: version %d, %d bytes; want version 2 with a 24-byte nonce", sealed[0], len(sealed))
	}
	key, _ := sealKey(master, sealInfoRefresh)
	x, _ := chacha20poly1305.NewX(key)
	got, err := x.Open(nil, sealed[1:25], sealed[25:], aad)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("not XChaCha20-Poly1305 under the derived key: %q %v", got, err)
	}
	if got, err := open(master, sealInfoRefresh, aad, sealed); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %v", got, err)
	}
}

// TestOpenAESGCMBlobs: blobs sealed by earlier versions (rotation records, signing keys) still open after
// an upgrade, and only with their own key, record and bytes.
func TestOpenAESGCMBlobs(t *testing.T) {
	master, _ := ParseMasterKey(GenerateMasterKey())
	aad, plain := []byte("sid:3"), []byte("a successor sealed before the upgrade")
	old := sealAESGCMForTest(t, master, sealInfoRefresh, aad, plain)
	got, err := open(master, sealInfoRefresh, aad, old)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open of a version 1 blob: %q %v", got, err)
	}
	other, _ := ParseMasterKey(GenerateMasterKey())
	flipped := bytes.Clone(old)
	flipped[len(flipped)-1] ^= 1
	for name, tc := range map[string]struct {
		master []byte
		info   string
		aad    []byte
		sealed []byte
	}{
		"wrong master key":  {other, sealInfoRefresh, aad, old},
		"other purpose":     {master, sealInfoSigningKey, aad, old},
		"other record":      {master, sealInfoRefresh, []byte("sid:4"), old},
		"flipped bit":       {master, sealInfoRefresh, aad, flipped},
		"truncated":         {master, sealInfoRefresh, aad, old[:20]},
		"read as version 2": {master, sealInfoRefresh, aad, append([]byte{2}, old[1:]...)},
		"empty":             {master, sealInfoRefresh, aad, nil},
	} {
		if _, err := open(tc.master, tc.info, tc.aad, tc.sealed); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}
