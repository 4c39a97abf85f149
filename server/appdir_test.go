package server

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	sampleApp    = "../examples/sample-app"
	sampleSecret = "sample-secret-of-at-least-32-bytes-0123456789"
)

// TestAppDirMapsTheSample: the sample export becomes a valid configuration whose rules the server
// accepts.
func TestAppDirMapsTheSample(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AppDir = sampleApp
	if err := applyAppDir(&cfg, env(map[string]string{"LANYARD_SECRET_SAMPLETOKENKEY": sampleSecret})); err != nil {
		t.Fatal(err)
	}
	if cfg.AppID != "sample-app" || !slices.Equal(cfg.CORSOrigins, []string{"http://localhost:3000"}) {
		t.Errorf("app id %q, origins %v", cfg.AppID, cfg.CORSOrigins)
	}
	if !slices.Equal(cfg.Providers, []string{"anon-user", "local-userpass", "api-key", "custom-token"}) || !cfg.UserpassAutoConfirm {
		t.Errorf("providers %v, auto-confirm %v", cfg.Providers, cfg.UserpassAutoConfirm)
	}
	if cfg.CustomTokenAlg != "HS256" || !slices.Equal(cfg.CustomTokenKeys, []string{sampleSecret}) || cfg.CustomTokenJWKSURL != "" ||
		!slices.Equal(cfg.CustomTokenAudience, []string{"sample-app"}) || cfg.CustomTokenAudienceAll ||
		cfg.CustomTokenMetadataFields != `[{"required":false,"name":"name","field_name":"name"},{"required":false,"name":"profile.email","field_name":"email"}]` {
		t.Errorf("custom token settings: %+v", cfg)
	}
	if !cfg.CustomDataEnabled || cfg.CustomDataDatabase != "sample" || cfg.CustomDataCollection != "custom_user_data" || cfg.CustomDataUserIDField != "user_id" ||
		cfg.CustomDataRules != filepath.Join(sampleApp, "data_sources", "mongodb-atlas", "sample", "custom_user_data", "rules.json") {
		t.Errorf("custom data settings: %+v", cfg)
	}
	cfg.PublicURL = "http://127.0.0.1:8080"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := loadRules(cfg); err != nil {
		t.Fatalf("the sample's rules: %v", err)
	}
	// The server builds the custom-token provider from the mapped settings.
	if ps, err := (&Server{cfg: cfg}).externalProviders(); err != nil || len(ps) != 1 || ps[0].Type() != "custom-token" {
		t.Fatalf("external providers: %v %v", ps, err)
	}
}

// TestAppDirPrecedence: settings the operator gave (environment, or a file or flag value other than
// the default) win over the export.
func TestAppDirPrecedence(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AppDir = sampleApp
	cfg.CustomDataDatabase = "mine"                  // as from --custom-data-database or the YAML file
	cfg.CustomTokenJWKSURL = "https://idp.test/jwks" // replaces the export's keys
	getenv := env(map[string]string{
		"LANYARD_SECRET_SAMPLETOKENKEY": sampleSecret,
		"LANYARD_APP_ID":                "lanyard", // equal to the default, but set: still wins
		"LANYARD_USERPASS_AUTO_CONFIRM": "true",
		"LANYARD_CUSTOM_DATA_RULES":     "owner",
		"LANYARD_CUSTOM_TOKEN_AUDIENCE": "other",
		"LANYARD_PROVIDERS":             "anon-user,custom-token",
	})
	cfg.CustomTokenAudience = []string{"other"}
	cfg.Providers = []string{"anon-user", "custom-token"}
	if err := applyAppDir(&cfg, getenv); err != nil {
		t.Fatal(err)
	}
	if cfg.AppID != "lanyard" || cfg.CustomDataDatabase != "mine" || cfg.CustomDataRules != "owner" ||
		!slices.Equal(cfg.CustomTokenAudience, []string{"other"}) || !slices.Equal(cfg.Providers, []string{"anon-user", "custom-token"}) {
		t.Errorf("given settings overridden: %+v", cfg)
	}
	if len(cfg.CustomTokenKeys) != 0 || cfg.CustomTokenJWKSURL != "https://idp.test/jwks" {
		t.Errorf("key source mixed: keys %v, JWKS %q", cfg.CustomTokenKeys, cfg.CustomTokenJWKSURL)
	}
	// Settings nobody gave still come from the export.
	if cfg.CustomDataCollection != "custom_user_data" || cfg.CustomTokenAlg != "HS256" || !slices.Equal(cfg.CORSOrigins, []string{"http://localhost:3000"}) {
		t.Errorf("export settings missing: %+v", cfg)
	}
}

// TestAppDirErrors: problems are reported at start, one line each, naming LANYARD_APP_DIR, the file
// and the key.
func TestAppDirErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AppDir = sampleApp
	err := applyAppDir(&cfg, env(nil))
	want := "LANYARD_APP_DIR: " + filepath.Join(sampleApp, "auth", "providers.json") +
		`: custom-token.secret_config.signingKeys[0]: secret "sampleTokenKey" has no value: set LANYARD_SECRET_SAMPLETOKENKEY`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %v\nwant %s", err, want)
	}

	// Several problems: every line names its origin.
	dir := t.TempDir()
	for _, f := range []string{"realm_config.json", "auth/custom_user_data.json"} {
		raw, err := os.ReadFile(filepath.Join(sampleApp, f))
		if err != nil {
			t.Fatal(err)
		}
		raw = []byte(strings.Replace(string(raw), `"on_user_creation_function_name": ""`, `"on_user_creation_function_name": "f"`, 1))
		_ = os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "auth", "providers.json"), []byte(`{"custom-function": {"type": "custom-function"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.AppDir = dir
	err = applyAppDir(&cfg, env(nil))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 problems: %v", err)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "LANYARD_APP_DIR: "+dir) {
			t.Errorf("line %q does not name LANYARD_APP_DIR and the file", l)
		}
	}
}

// TestAppDirWithoutRules: custom data enabled without rules for the collection gets the system preset.
func TestAppDirWithoutRules(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"realm_config.json", "auth/custom_user_data.json"} {
		raw, err := os.ReadFile(filepath.Join(sampleApp, f))
		if err != nil {
			t.Fatal(err)
		}
		_ = os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, f), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.AppDir = dir
	if err := applyAppDir(&cfg, env(nil)); err != nil {
		t.Fatal(err)
	}
	if cfg.CustomDataRules != "system" || !slices.Equal(cfg.Providers, DefaultConfig().Providers) {
		t.Errorf("rules %q, providers %v", cfg.CustomDataRules, cfg.Providers)
	}
}

// TestLoadConfigReadsAppDir: `lanyard serve --app DIR` (and LANYARD_APP_DIR) applies the export, under
// the operator's own settings.
func TestLoadConfigReadsAppDir(t *testing.T) {
	cfg, err := LoadConfig([]string{"--app", sampleApp, "--custom-data-database", "mine"},
		env(map[string]string{"LANYARD_SECRET_SAMPLETOKENKEY": sampleSecret}), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AppID != "sample-app" || cfg.CustomDataDatabase != "mine" || cfg.CustomTokenAlg != "HS256" {
		t.Errorf("config %+v", cfg)
	}
	_, err = LoadConfig(nil, env(map[string]string{"LANYARD_APP_DIR": sampleApp}), os.Stderr)
	if err == nil || !strings.Contains(err.Error(), "LANYARD_APP_DIR: ") || !strings.Contains(err.Error(), "LANYARD_SECRET_SAMPLETOKENKEY") {
		t.Errorf("missing secret: %v", err)
	}
}
