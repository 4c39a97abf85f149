package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lanyardhq/lanyard/authn"
)

// masterKey returns the key that seals signing keys at rest: LANYARD_MASTER_KEY, the file named by
// LANYARD_MASTER_KEY_FILE, or, in embedded development mode only, a key generated once into the data dir
// (mode 0600). With a MongoDB URI the key must be given, so that every replica opens the same keys.
func (s *Server) masterKey() ([]byte, error) {
	switch {
	case s.cfg.MasterKey != "":
		k, err := authn.ParseMasterKey(s.cfg.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("LANYARD_MASTER_KEY: %v", err)
		}
		return k, nil
	case s.cfg.MasterKeyFile != "":
		raw, err := os.ReadFile(s.cfg.MasterKeyFile)
		if err != nil {
			return nil, fmt.Errorf("LANYARD_MASTER_KEY_FILE: %v", err)
		}
		k, err := authn.ParseMasterKey(string(raw))
		if err != nil {
			return nil, fmt.Errorf("LANYARD_MASTER_KEY_FILE: %v", err)
		}
		return k, nil
	}
	path := filepath.Join(s.cfg.DataDir, "master.key")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(s.cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("LANYARD_DATA_DIR: %v", err)
		}
		raw = []byte(authn.GenerateMasterKey() + "\n")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			return nil, fmt.Errorf("LANYARD_DATA_DIR: writing the development master key: %v", err)
		}
		s.log.Warn("generated a development master key in the data dir; set LANYARD_MASTER_KEY in production", "path", path)
	} else if err != nil {
		return nil, fmt.Errorf("LANYARD_DATA_DIR: reading the development master key: %v", err)
	}
	k, err := authn.ParseMasterKey(string(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return k, nil
}
