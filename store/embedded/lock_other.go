//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package embedded

// lockFile does not lock on the platforms left (none of Lanyard's release targets): nothing stops a
// second process on the same data dir there.
func lockFile(path string) (unlock func(), held bool, err error) {
	return func() {}, false, nil
}
