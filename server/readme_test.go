package server

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeDocumentsEverySetting keeps the configuration reference honest: every setting's environment
// name appears in the README.
func TestReadmeDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	for _, s := range c.settings() {
		if !strings.Contains(string(readme), "`"+s.env()+"`") {
			t.Errorf("README.md does not document %s", s.env())
		}
	}
}
