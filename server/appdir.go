package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/lanyardhq/lanyard/appconfig"
)

// applyAppDir maps the App Services export named by cfg.AppDir (`--app DIR`, LANYARD_APP_DIR) onto
// cfg. LoadConfig calls it after the file, the environment and the flags are applied.
//
// Precedence: defaults < the export < the YAML file < LANYARD_* variables < flags. A setting the
// export would fill is left alone when the operator gave it: when its LANYARD_* variable is set, or its
// value differs from the default (so it came from the file, the environment or a flag). A file or flag
// value equal to the default cannot be told from the default and yields to the export; set the
// variable to force such a value. The custom-token key source (keys, key file, JWKS URL) counts as one
// setting: giving any of them replaces all of the export's.
//
// What the export maps to:
//
//   - app id: realm_config.json app_id, else the name of realm_config.json or root_config.json;
//     cors-origins: allowed_request_origins.
//   - providers: the enabled entries of auth/providers.json (when the file exists); with their
//     settings: local-userpass autoConfirm → userpass-auto-confirm; custom-token signingAlgorithm,
//     signingKeys (secrets), useJWKURI/jwkURI, audience, requireAnyAudience and metadata_fields;
//     oauth2-google clientId and metadata_fields; oauth2-facebook clientId, clientSecret (a secret) and
//     metadata_fields.
//   - auth/custom_user_data.json: enabled, database_name, collection_name, user_id_field; the rules are
//     the collection's rules.json (else the data source's default_rule.json). An export that enables
//     custom user data without rules for its collection gets the "system" preset (users read their own
//     document, only server principals write), the closest to App Services, where clients could not
//     write a collection without rules.
//   - functions/, values/, environments/ and triggers/, and the settings that name functions
//     (on_user_creation_function_name, the custom-function provider's authFunctionName, local-userpass
//     confirmation and reset functions): no setting carries them; the export itself is kept in Config
//     and the server compiles and runs them (functions.go).
//
// Secret values come from LANYARD_SECRET_<NAME> (see appconfig.SecretEnv) or a secrets.json (JSON or
// YAML) in the export directory. What Lanyard cannot honour (unknown providers, triggers other than
// AUTHENTICATION ones, missing secrets) is an error naming the file and the key; rules are parsed, and
// refused with the JSON path at fault, and functions compiled, when the server starts.
func applyAppDir(cfg *Config, getenv func(string) string) error {
	if cfg.AppDir == "" {
		return nil
	}
	app, err := appconfig.Load(cfg.AppDir, func(name string) (string, bool) {
		return lookupEnv(getenv, appconfig.SecretEnv(name))
	})
	if err != nil {
		return prefixErrors("LANYARD_APP_DIR: ", err)
	}
	cfg.app = app
	def := DefaultConfig()
	given := func(name string, isDefault bool) bool {
		_, set := lookupEnv(getenv, setting{name: name}.env())
		return set || !isDefault
	}
	str := func(name string, dst *string, def, v string) {
		if !given(name, *dst == def) {
			*dst = v
		}
	}
	list := func(name string, dst *[]string, def, v []string) {
		if !given(name, slices.Equal(*dst, def)) {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool, def, v bool) {
		if !given(name, *dst == def) {
			*dst = v
		}
	}
	fields := func(name string, dst *string, def string, v []appconfig.MetadataField) error {
		js := ""
		if len(v) > 0 {
			raw, err := json.Marshal(v)
			if err != nil {
				return err
			}
			js = string(raw)
		}
		str(name, dst, def, js)
		return nil
	}

	if app.ID != "" {
		str("app-id", &cfg.AppID, def.AppID, app.ID)
	}
	if len(app.AllowedRequestOrigins) > 0 {
		list("cors-origins", &cfg.CORSOrigins, def.CORSOrigins, app.AllowedRequestOrigins)
	}
	if app.HasProviders {
		list("providers", &cfg.Providers, def.Providers, app.Providers)
	}
	if up := app.UserPass; up != nil {
		boolean("userpass-auto-confirm", &cfg.UserpassAutoConfirm, def.UserpassAutoConfirm, up.AutoConfirm)
	}
	if ct := app.CustomToken; ct != nil {
		str("custom-token-alg", &cfg.CustomTokenAlg, def.CustomTokenAlg, ct.SigningAlgorithm)
		keysGiven := given("custom-token-keys", len(cfg.CustomTokenKeys) == 0) ||
			given("custom-token-key-file", cfg.CustomTokenKeyFile == "") || given("custom-token-jwks-url", cfg.CustomTokenJWKSURL == "")
		if !keysGiven {
			cfg.CustomTokenKeys, cfg.CustomTokenJWKSURL = ct.SigningKeys, ct.JWKURI
		}
		list("custom-token-audience", &cfg.CustomTokenAudience, def.CustomTokenAudience, ct.Audience)
		boolean("custom-token-audience-all", &cfg.CustomTokenAudienceAll, def.CustomTokenAudienceAll, ct.RequireAllAudiences)
		if err := fields("custom-token-metadata-fields", &cfg.CustomTokenMetadataFields, def.CustomTokenMetadataFields, ct.MetadataFields); err != nil {
			return err
		}
	}
	if g := app.Google; g != nil {
		str("google-client-id", &cfg.GoogleClientID, def.GoogleClientID, g.ClientID)
		if err := fields("google-metadata-fields", &cfg.GoogleMetadataFields, def.GoogleMetadataFields, g.MetadataFields); err != nil {
			return err
		}
	}
	if f := app.Facebook; f != nil {
		str("facebook-app-id", &cfg.FacebookAppID, def.FacebookAppID, f.ClientID)
		str("facebook-app-secret", &cfg.FacebookAppSecret, def.FacebookAppSecret, f.ClientSecret)
		if err := fields("facebook-metadata-fields", &cfg.FacebookMetadataFields, def.FacebookMetadataFields, f.MetadataFields); err != nil {
			return err
		}
	}
	if cud := app.CustomUserData; cud != nil {
		boolean("custom-data-enabled", &cfg.CustomDataEnabled, def.CustomDataEnabled, cud.Enabled)
		if cud.Enabled {
			str("custom-data-database", &cfg.CustomDataDatabase, def.CustomDataDatabase, cud.Database)
			str("custom-data-collection", &cfg.CustomDataCollection, def.CustomDataCollection, cud.Collection)
			str("custom-data-user-id-field", &cfg.CustomDataUserIDField, def.CustomDataUserIDField, cud.UserIDField)
			rules := app.RulesPath
			if rules == "" {
				rules = "system"
			}
			str("custom-data-rules", &cfg.CustomDataRules, def.CustomDataRules, rules)
		}
	}
	return nil
}

// prefixErrors puts prefix before every error of a joined error, so that each line names its origin.
func prefixErrors(prefix string, err error) error {
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return fmt.Errorf("%s%w", prefix, err)
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, fmt.Errorf("%s%w", prefix, e))
	}
	return errors.Join(out...)
}
