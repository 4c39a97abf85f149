package appconfig_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lanyardhq/lanyard/appconfig"
	"github.com/lanyardhq/lanyard/rules"
)

const sampleDir = "../examples/sample-app"

const sampleSecret = "sample-secret-of-at-least-32-bytes-0123456789"

func sampleSecrets(name string) (string, bool) {
	if name == "sampleTokenKey" {
		return sampleSecret, true
	}
	return "", false
}

func noSecrets(string) (string, bool) { return "", false }

// copySample copies the sample export to a temporary directory that a test may change.
func copySample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(sampleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sampleDir, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), raw, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// editJSON rewrites one JSON file of dir.
func editJSON(t *testing.T, dir, rel string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func provider(m map[string]any, name string) map[string]any { return m[name].(map[string]any) }

func config(m map[string]any, name string) map[string]any {
	return provider(m, name)["config"].(map[string]any)
}

func TestLoadSample(t *testing.T) {
	app, err := appconfig.Load(sampleDir, sampleSecrets)
	if err != nil {
		t.Fatal(err)
	}
	if app.ID != "sample-app" || !slices.Equal(app.AllowedRequestOrigins, []string{"http://localhost:3000"}) {
		t.Errorf("app id %q, origins %v", app.ID, app.AllowedRequestOrigins)
	}
	// Disabled entries (Google, custom-function) are ignored.
	if !app.HasProviders || !slices.Equal(app.Providers, []string{"anon-user", "local-userpass", "api-key", "custom-token"}) {
		t.Errorf("providers %v", app.Providers)
	}
	if app.Google != nil || app.Facebook != nil {
		t.Errorf("disabled providers configured: %+v %+v", app.Google, app.Facebook)
	}
	if app.UserPass == nil || !app.UserPass.AutoConfirm {
		t.Errorf("userpass %+v", app.UserPass)
	}
	ct := app.CustomToken
	if ct == nil || ct.SigningAlgorithm != "HS256" || !slices.Equal(ct.SigningKeys, []string{sampleSecret}) || ct.JWKURI != "" ||
		!slices.Equal(ct.Audience, []string{"sample-app"}) || ct.RequireAllAudiences {
		t.Fatalf("custom token %+v", ct)
	}
	wantFields := []appconfig.MetadataField{{Name: "name", FieldName: "name"}, {Name: "profile.email", FieldName: "email"}}
	if !slices.Equal(ct.MetadataFields, wantFields) {
		t.Errorf("metadata fields %+v", ct.MetadataFields)
	}
	cud := app.CustomUserData
	if cud == nil || !cud.Enabled || cud.ServiceName != "mongodb-atlas" || cud.Database != "sample" || cud.Collection != "custom_user_data" || cud.UserIDField != "user_id" {
		t.Errorf("custom user data %+v", cud)
	}
	wantRules := filepath.Join(sampleDir, "data_sources", "mongodb-atlas", "sample", "custom_user_data", "rules.json")
	if app.RulesPath != wantRules {
		t.Fatalf("rules path %q, want %q", app.RulesPath, wantRules)
	}
	raw, err := os.ReadFile(app.RulesPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rules.Parse(raw)
	if err != nil {
		t.Fatalf("the sample's rules: %v", err)
	}
	// Owner rules: a user writes its own document, but not its user_id; nobody else's.
	me := rules.Caller{UserID: "65a1b2c3d4e5f60718293a4b"}
	doc := map[string]any{"user_id": me.UserID, "plan": "free"}
	if err := r.Allow(rules.Write, me, doc, []string{"plan"}); err != nil {
		t.Errorf("owner write: %v", err)
	}
	if err := r.Allow(rules.Write, me, doc, []string{"user_id"}); err == nil {
		t.Error("owner may rewrite user_id")
	}
	if err := r.Allow(rules.Read, rules.Caller{UserID: "65a1b2c3d4e5f60718293a4c"}, doc, nil); err == nil {
		t.Error("another user reads the document")
	}
}

func TestSecretsResolution(t *testing.T) {
	if got := appconfig.SecretEnv("customTokenKey"); got != "LANYARD_SECRET_CUSTOMTOKENKEY" {
		t.Errorf("SecretEnv = %q", got)
	}
	if got := appconfig.SecretEnv("jwt-public.key_2"); got != "LANYARD_SECRET_JWT_PUBLIC_KEY_2" {
		t.Errorf("SecretEnv = %q", got)
	}

	t.Run("json file", func(t *testing.T) {
		dir := copySample(t)
		writeFile(t, dir, "secrets.json", `{"sampleTokenKey": "from-the-json-file-0123456789abcdef"}`)
		app, err := appconfig.Load(dir, noSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(app.CustomToken.SigningKeys, []string{"from-the-json-file-0123456789abcdef"}) {
			t.Errorf("keys %v", app.CustomToken.SigningKeys)
		}
		// The lookup (the environment) wins over the file.
		app, err = appconfig.Load(dir, sampleSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(app.CustomToken.SigningKeys, []string{sampleSecret}) {
			t.Errorf("keys %v", app.CustomToken.SigningKeys)
		}
	})
	t.Run("yaml file", func(t *testing.T) {
		dir := copySample(t)
		writeFile(t, dir, "secrets.yaml", "sampleTokenKey: from-the-yaml-file-0123456789abcdef\n")
		app, err := appconfig.Load(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(app.CustomToken.SigningKeys, []string{"from-the-yaml-file-0123456789abcdef"}) {
			t.Errorf("keys %v", app.CustomToken.SigningKeys)
		}
	})
	t.Run("bad file", func(t *testing.T) {
		dir := copySample(t)
		writeFile(t, dir, "secrets.json", `{"sampleTokenKey": 42}`)
		_, err := appconfig.Load(dir, sampleSecrets)
		wantErr(t, err, filepath.Join(dir, "secrets.json")+": sampleTokenKey: the value must be a string")
	})
}

func wantErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
}

// TestErrorsNameFileAndKey: what Lanyard cannot honour is refused, naming the file and the JSON key.
func TestErrorsNameFileAndKey(t *testing.T) {
	providers := filepath.Join("auth", "providers.json")
	cases := []struct {
		name    string
		edit    func(t *testing.T, dir string)
		secrets func(string) (string, bool)
		file    string
		want    []string
	}{
		{"user creation function not in the export", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) { m["on_user_creation_function_name"] = "onUserCreation" })
		}, sampleSecrets, filepath.Join("auth", "custom_user_data.json"),
			[]string{"on_user_creation_function_name: names function \"onUserCreation\", which the export does not have"}},
		{"unknown provider", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
				m["oauth2-apple"] = map[string]any{"name": "oauth2-apple", "type": "oauth2-apple", "disabled": false}
			})
		}, sampleSecrets, providers, []string{"oauth2-apple.type: \"oauth2-apple\" is not a provider Lanyard offers"}},
		{"custom function provider without its function", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) { provider(m, "custom-function")["disabled"] = false })
		}, sampleSecrets, providers, []string{"custom-function.config.authFunctionName: names function \"authFunc\", which the export does not have"}},
		{"custom function provider naming no function", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
				provider(m, "custom-function")["disabled"] = false
				delete(config(m, "custom-function"), "authFunctionName")
			})
		}, sampleSecrets, providers, []string{"custom-function.config.authFunctionName: must name a function"}},
		{"confirmation function not in the export", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
				config(m, "local-userpass")["runConfirmationFunction"] = true
				config(m, "local-userpass")["confirmationFunctionName"] = "confirm"
			})
		}, sampleSecrets, providers, []string{"local-userpass.config.confirmationFunctionName: names function \"confirm\", which the export does not have"}},
		{"reset function without a name", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) { config(m, "local-userpass")["runResetFunction"] = true })
		}, sampleSecrets, providers, []string{"local-userpass.config.resetFunctionName: must name a function when runResetFunction is true"}},
		{"missing secret", func(t *testing.T, dir string) {}, noSecrets, providers,
			[]string{"custom-token.secret_config.signingKeys[0]: secret \"sampleTokenKey\" has no value: set LANYARD_SECRET_SAMPLETOKENKEY"}},
		{"google without OpenID", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
				provider(m, "oauth2-google")["disabled"] = false
				config(m, "oauth2-google")["openId"] = false
			})
		}, sampleSecrets, providers, []string{"oauth2-google.config.openId: must be true"}},
		{"facebook secret", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
				m["oauth2-facebook"] = map[string]any{"name": "oauth2-facebook", "type": "oauth2-facebook", "disabled": false,
					"config": map[string]any{"clientId": "fb-app"}, "secret_config": map[string]any{"clientSecret": "fbSecret"}}
			})
		}, sampleSecrets, providers, []string{"oauth2-facebook.secret_config.clientSecret: secret \"fbSecret\" has no value: set LANYARD_SECRET_FBSECRET"}},
		{"JWK URI missing", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
				config(m, "custom-token")["useJWKURI"] = true
				config(m, "custom-token")["signingAlgorithm"] = "RS256"
			})
		}, sampleSecrets, providers, []string{"custom-token.config.jwkURI: must be set when useJWKURI is true"}},
		{"rules of another collection", func(t *testing.T, dir string) {
			editJSON(t, dir, "data_sources/mongodb-atlas/sample/custom_user_data/rules.json", func(m map[string]any) { m["collection"] = "other" })
		}, sampleSecrets, filepath.Join("data_sources", "mongodb-atlas", "sample", "custom_user_data", "rules.json"),
			[]string{"collection: is \"other\""}},
		{"custom data without a collection", func(t *testing.T, dir string) {
			editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) { delete(m, "collection_name") })
		}, sampleSecrets, filepath.Join("auth", "custom_user_data.json"), []string{"collection_name: must be set when enabled is true"}},
		{"not JSON", func(t *testing.T, dir string) {
			writeFile(t, dir, "auth/providers.json", "{not json")
		}, sampleSecrets, providers, []string{"not a JSON object"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copySample(t)
			c.edit(t, dir)
			app, err := appconfig.Load(dir, c.secrets)
			if app != nil {
				t.Error("an App came back with the error")
			}
			// The first part names the file and the key; the rest is said somewhere in the message.
			c.want[0] = filepath.Join(dir, c.file) + ": " + c.want[0]
			wantErr(t, err, c.want...)
			var e *appconfig.Error
			if !errors.As(err, &e) || e.File != filepath.Join(dir, c.file) {
				t.Errorf("not an *appconfig.Error for %s: %#v", c.file, err)
			}
		})
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	dir := copySample(t)
	editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
		config(m, "local-userpass")["runResetFunction"] = true
		provider(m, "custom-function")["disabled"] = false
	})
	editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) { m["on_user_creation_function_name"] = "f" })
	_, err := appconfig.Load(dir, noSecrets)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 problems, got %d:\n%v", len(lines), err)
	}
	if !slices.IsSorted(lines) {
		t.Errorf("problems not in file and key order:\n%v", err)
	}
}

func TestOtherExportShapes(t *testing.T) {
	t.Run("root_config.json", func(t *testing.T) {
		dir := copySample(t)
		if err := os.Remove(filepath.Join(dir, "realm_config.json")); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, "root_config.json", `{"name": "sample", "deployment_model": "GLOBAL", "provider_region": "aws-us-east-1", "environment": ""}`)
		app, err := appconfig.Load(dir, sampleSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if app.ID != "sample" {
			t.Errorf("app id %q", app.ID)
		}
	})
	t.Run("providers as an array, JWK URI, one audience string", func(t *testing.T) {
		dir := copySample(t)
		writeFile(t, dir, "auth/providers.json", `[
			{"name": "custom-token", "type": "custom-token", "disabled": false,
			 "config": {"useJWKURI": true, "jwkURI": "https://idp.example/jwks", "audience": "aud-1"},
			 "secret_config": {"signingKeys": []}},
			{"name": "oauth2-facebook", "type": "oauth2-facebook", "disabled": false,
			 "config": {"clientId": "fb-app"}, "secret_config": {"clientSecret": "sampleTokenKey"},
			 "metadata_fields": [{"required": true, "name": "email"}]}
		]`)
		app, err := appconfig.Load(dir, sampleSecrets)
		if err != nil {
			t.Fatal(err)
		}
		ct := app.CustomToken
		if ct.SigningAlgorithm != "RS256" || ct.JWKURI != "https://idp.example/jwks" || len(ct.SigningKeys) != 0 ||
			!slices.Equal(ct.Audience, []string{"aud-1"}) {
			t.Errorf("custom token %+v", ct)
		}
		if f := app.Facebook; f == nil || f.ClientID != "fb-app" || f.ClientSecret != sampleSecret ||
			!slices.Equal(f.MetadataFields, []appconfig.MetadataField{{Required: true, Name: "email"}}) {
			t.Errorf("facebook %+v", f)
		}
		if !slices.Equal(app.Providers, []string{"custom-token", "oauth2-facebook"}) {
			t.Errorf("providers %v", app.Providers)
		}
	})
	t.Run("audiences: all unless requireAnyAudience", func(t *testing.T) {
		dir := copySample(t)
		editJSON(t, dir, "auth/providers.json", func(m map[string]any) {
			config(m, "custom-token")["audience"] = []string{"a", "b"}
			delete(config(m, "custom-token"), "requireAnyAudience")
		})
		app, err := appconfig.Load(dir, sampleSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if !app.CustomToken.RequireAllAudiences {
			t.Error("two audiences without requireAnyAudience must all be required")
		}
	})
	t.Run("default rule, then no rules", func(t *testing.T) {
		dir := copySample(t)
		if err := os.RemoveAll(filepath.Join(dir, "data_sources", "mongodb-atlas", "sample")); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, "data_sources/mongodb-atlas/default_rule.json", `{"roles": [{"name": "readAll", "apply_when": {}, "read": true}], "filters": []}`)
		app, err := appconfig.Load(dir, sampleSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, "data_sources", "mongodb-atlas", "default_rule.json"); app.RulesPath != want {
			t.Errorf("rules path %q, want %q", app.RulesPath, want)
		}
		if err := os.Remove(filepath.Join(dir, "data_sources", "mongodb-atlas", "default_rule.json")); err != nil {
			t.Fatal(err)
		}
		if app, err = appconfig.Load(dir, sampleSecrets); err != nil || app.RulesPath != "" {
			t.Errorf("rules path %q, %v", app.RulesPath, err)
		}
	})
	t.Run("no providers file, custom data disabled", func(t *testing.T) {
		dir := copySample(t)
		if err := os.Remove(filepath.Join(dir, "auth", "providers.json")); err != nil {
			t.Fatal(err)
		}
		editJSON(t, dir, "auth/custom_user_data.json", func(m map[string]any) {
			m["enabled"] = false
			m["on_user_creation_function_name"] = "notRunWhenDisabled"
		})
		app, err := appconfig.Load(dir, noSecrets)
		if err != nil {
			t.Fatal(err)
		}
		if app.HasProviders || app.Providers != nil || app.CustomUserData.Enabled || app.RulesPath != "" {
			t.Errorf("app %+v", app)
		}
	})
	t.Run("not an export", func(t *testing.T) {
		dir := t.TempDir()
		_, err := appconfig.Load(dir, nil)
		wantErr(t, err, "realm_config.json: not found", "is not an exported App Services app")
		_, err = appconfig.Load(filepath.Join(dir, "missing"), nil)
		wantErr(t, err, "app directory")
	})
}
