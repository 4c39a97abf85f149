package embedded

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// socketName is FerretDB's socket in its private directory. The driver
// takes a host ending in ".sock" for a Unix socket.
const socketName = "ferretdb.sock"

// maxSocketPath keeps the socket's path under the smallest limit of the
// systems Go supports (sun_path: 104 bytes on macOS and the BSDs, 108 on
// Linux), NUL included.
const maxSocketPath = 100

// socketDirs remembers, per store, the private directory of the last engine
// started on it in this process, so that an engine started again on the
// same store listens at the same path: a driver client opened on an
// engine's URI (a Lanyard store) then reconnects by itself after a restart,
// as it did when FerretDB listened on a fixed TCP address.
var socketDirs = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// makeSocketDir creates the private directory (mode 0700) for the socket of
// an engine on the store named key: the one used last for key if it can be
// created again, or a new one.
func makeSocketDir(key string) (string, error) {
	socketDirs.Lock()
	defer socketDirs.Unlock()
	if dir, ok := socketDirs.m[key]; ok {
		// Mkdir fails if anything took the path in between; a new directory
		// is then made (and a client on the old URI does not reconnect).
		if err := os.Mkdir(dir, 0o700); err == nil {
			return dir, nil
		}
	}
	dir, err := os.MkdirTemp(socketBase(), "lanyard-")
	if err != nil {
		return "", fmt.Errorf("embedded: cannot create the engine's private socket directory: %w", err)
	}
	socketDirs.m[key] = dir
	return dir, nil
}

// socketBase is where the private directories go: the temporary directory,
// or /tmp when that is too long for a socket path (macOS's is ~50 bytes).
func socketBase() string {
	base := os.TempDir()
	if len(filepath.Join(base, "lanyard-0123456789", socketName)) >= maxSocketPath && runtime.GOOS != "windows" {
		return "/tmp"
	}
	return base
}

// socketURI returns the mongodb:// URI of a Unix socket: the driver takes
// the path percent-encoded as the host.
func socketURI(path string) string {
	return "mongodb://" + url.QueryEscape(path) + "/"
}
