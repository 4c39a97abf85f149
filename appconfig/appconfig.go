// Package appconfig reads an exported Atlas App Services app (the directory `appservices pull`,
// `realm-cli pull` or the App Services UI's export produce) into a plain [App], for `lanyard serve --app
// DIR`. It knows nothing of Lanyard's configuration: the server maps an App onto its settings.
//
// # What it reads
//
//   - realm_config.json (App Services CLI / realm-cli v2 format: app_id, name, allowed_request_origins,
//     environment) or, when that file is absent, root_config.json (the newest format: name,
//     allowed_request_origins, environment).
//     The app id is app_id when present (the client app id, "myapp-abcde", that the SDKs put in their
//     URLs), else name. root_config.json has no app_id: migrated clients keep working only if the app
//     id is set to their old client app id (LANYARD_APP_ID).
//   - auth/providers.json: an object keyed by provider name (an array of the same entries is accepted
//     too). Each entry has name, type, disabled, config, secret_config and metadata_fields. Disabled
//     entries are ignored entirely, whatever their type.
//     The provider settings that name functions are read: custom-function config.authFunctionName,
//     local-userpass confirmationFunctionName and resetFunctionName (only when runConfirmationFunction
//     or runResetFunction is true, as App Services runs them only then).
//   - auth/custom_user_data.json: enabled, mongo_service_name, database_name, collection_name,
//     user_id_field, on_user_creation_function_name.
//   - the rules of the custom data collection: data_sources/<mongo_service_name>/<database>/<collection>/
//     rules.json, else that data source's default_rule.json (App Services applies it to collections
//     without rules of their own). The file is only located here; the rules package parses it.
//   - functions/config.json (the manifest: name, private) and each function's source,
//     functions/<name>.js, where a name with "/" is a function in a folder. A source file the
//     manifest does not list is a function with the default settings, as App Services adds it on
//     import. functions/node_modules, when present, is where functions require packages from.
//   - values/*.json (name, value, from_secret): a value from a secret takes the secret's value,
//     resolved as below.
//   - the environment: the environment field of the app file ("", development, testing, qa or
//     production) selects environments/<environment>.json (no-environment.json for ""); its values
//     object is the app's environment values, empty when the file is absent.
//   - data_sources/*/config.json: the name of the MongoDB data source (type mongodb-atlas), which
//     functions reach with context.services.get; "mongodb-atlas" when the export has none.
//   - triggers/*.json: enabled AUTHENTICATION triggers (config.operation_type CREATE, LOGIN or DELETE,
//     config.providers, and the function: function_name or event_processors.FUNCTION.config.
//     function_name). Disabled triggers are ignored entirely, whatever their type.
//
// Every function a setting or trigger names must be one of the export's functions. Everything else in
// an export (sync, hosting, HTTPS endpoints, other services, other collections' rules) is not read: it
// concerns features Lanyard does not serve. This package only reads functions; it runs none.
//
// # What it refuses
//
// What an export asks for and Lanyard cannot do is an error naming the file and the JSON key, never
// silently dropped: an enabled provider of a type Lanyard does not offer (oauth2-apple, ...), Google
// sign-in without OpenID Connect (authorization codes) or with domain restrictions, an enabled trigger
// other than AUTHENTICATION (DATABASE, SCHEDULED: Lanyard sees no database changes and keeps no
// schedule) or one that sends its events elsewhere than to a function (AWS_EVENTBRIDGE), a setting or
// trigger naming a function the export does not have, a configured function without its source file,
// functions in the realm-cli v1 layout (functions/<name>/config.json and source.js), an enabled
// custom_user_data.json whose mongo_service_name is none of the export's MongoDB data sources, several
// MongoDB data sources that it does not choose between, and secrets that cannot be resolved. Every
// problem is reported at once ([errors.Join] of [*Error] values, in file and key order).
//
// # Secrets
//
// secret_config maps a setting to the name of an App Services secret; exports never contain secret
// values. Load resolves each name with the lookup function its caller passes (Lanyard passes the
// environment variable [SecretEnv] of the name: LANYARD_SECRET_ + the name uppercased with every
// character other than a letter or digit replaced by _), then, when the caller does not know it, in a
// secrets file in the export directory: secrets.json (JSON or YAML), secrets.yaml or secrets.yml, a flat
// object of name: value strings. Keep that file out of version control. Only the secrets an enabled
// provider or a value uses are resolved: custom-token signingKeys, oauth2-facebook clientSecret and the
// values with from_secret (the Google clientSecret is not needed to verify ID tokens and is not read).
package appconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Provider types (App Services names), in the order Lanyard lists them.
const (
	ProviderAnonymous      = "anon-user"
	ProviderUserPass       = "local-userpass"
	ProviderAPIKey         = "api-key"
	ProviderCustomToken    = "custom-token"
	ProviderCustomFunction = "custom-function"
	ProviderGoogle         = "oauth2-google"
	ProviderFacebook       = "oauth2-facebook"
)

var providerOrder = []string{ProviderAnonymous, ProviderUserPass, ProviderAPIKey, ProviderCustomToken, ProviderCustomFunction, ProviderGoogle, ProviderFacebook}

// The files Load reads, relative to the export directory.
const (
	FileRealmConfig    = "realm_config.json"
	FileRootConfig     = "root_config.json"
	FileProviders      = "auth/providers.json"
	FileCustomUserData = "auth/custom_user_data.json"
)

// App is what Lanyard takes from an export.
type App struct {
	// Dir is the export directory, as given to Load.
	Dir string
	// ID is the application id: app_id of realm_config.json, else its name or root_config.json's.
	ID string
	// AllowedRequestOrigins are the browser origins the app accepted (allowed_request_origins).
	AllowedRequestOrigins []string

	// HasProviders reports whether auth/providers.json exists; Providers and the provider settings
	// below are only meaningful when it does.
	HasProviders bool
	// Providers are the enabled provider types, in the order anon-user, local-userpass, api-key,
	// custom-token, custom-function, oauth2-google, oauth2-facebook.
	Providers []string
	// The settings of the enabled providers that have some; nil when the provider is not enabled.
	UserPass       *UserPass
	CustomToken    *CustomToken
	CustomFunction *CustomFunction
	Google         *Google
	Facebook       *Facebook

	// CustomUserData is auth/custom_user_data.json; nil when the file is absent.
	CustomUserData *CustomUserData
	// RulesPath is the rules file of the custom data collection (see the package documentation); empty
	// when custom user data is not enabled or the export has no rules for the collection.
	RulesPath string

	// Functions are the export's functions, those of functions/config.json first (in its order), then
	// source files it does not list (in path order).
	Functions []Function
	// NodeModules is the functions/node_modules directory (the export directory joined with it) that
	// functions require packages from; empty when there is none.
	NodeModules string
	// Values are the values of values/*.json by name, a secret's value for those from a secret; empty,
	// never nil, when there are none.
	Values map[string]any
	// Environment is the app's environment and its values.
	Environment Environment
	// MongoServiceName is the name of the export's MongoDB data source, which functions pass to
	// context.services.get; "mongodb-atlas" when the export has none.
	MongoServiceName string
	// Triggers are the enabled AUTHENTICATION triggers, in file name order.
	Triggers []Trigger
}

// MetadataField is one entry of metadata_fields, in App Services' shape.
type MetadataField struct {
	Required  bool   `json:"required"`
	Name      string `json:"name"`
	FieldName string `json:"field_name,omitempty"`
}

// UserPass is the local-userpass provider's configuration.
type UserPass struct {
	// AutoConfirm confirms new users without an email (config.autoConfirm; false when absent, as in
	// App Services).
	AutoConfirm bool
	// ConfirmationFunction is config.confirmationFunctionName when config.runConfirmationFunction is
	// true: the function that decides whether a new user is confirmed; empty otherwise.
	ConfirmationFunction string
	// ResetFunction is config.resetFunctionName when config.runResetFunction is true: the function that
	// decides a password reset; empty otherwise.
	ResetFunction string
}

// CustomToken is the custom-token (custom JWT) provider's configuration.
type CustomToken struct {
	// SigningAlgorithm is config.signingAlgorithm: HS256 (the default) or RS256; RS256 when a JWK URI
	// is used and no algorithm is named.
	SigningAlgorithm string
	// SigningKeys are the resolved values of secret_config.signingKeys (HS256 secrets or PEM public
	// keys); empty when JWKURI is set.
	SigningKeys []string
	// JWKURI is config.jwkURI when config.useJWKURI is true.
	JWKURI string
	// Audience is config.audience (a string or a list).
	Audience []string
	// RequireAllAudiences is set when several audiences are listed and config.requireAnyAudience is not
	// true: App Services then requires every listed audience in the token.
	RequireAllAudiences bool
	// MetadataFields are the claims copied into the identity's data.
	MetadataFields []MetadataField
}

// Google is the oauth2-google provider's configuration.
type Google struct {
	// ClientID is config.clientId: the audience of the ID tokens.
	ClientID       string
	MetadataFields []MetadataField
}

// Facebook is the oauth2-facebook provider's configuration.
type Facebook struct {
	// ClientID is config.clientId: the Facebook app id.
	ClientID string
	// ClientSecret is the resolved value of secret_config.clientSecret: the app secret.
	ClientSecret   string
	MetadataFields []MetadataField
}

// CustomUserData is auth/custom_user_data.json.
type CustomUserData struct {
	Enabled     bool
	ServiceName string // mongo_service_name: the data source holding the collection
	Database    string // database_name
	Collection  string // collection_name
	UserIDField string // user_id_field
	// OnUserCreationFunction is on_user_creation_function_name when custom user data is enabled: the
	// function run when a user is created; empty otherwise.
	OnUserCreationFunction string
}

// Error is one problem of an export: the file (the export directory joined with the file's path) and
// the JSON key at fault.
type Error struct {
	File string
	Key  string // a JSON path such as custom-token.secret_config.signingKeys[0]; empty for the whole file
	Msg  string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + e.Key + ": " + e.Msg
}

// SecretEnv is the environment variable Lanyard reads an App Services secret from:
// LANYARD_SECRET_ followed by the name uppercased, every character other than an ASCII letter or digit
// replaced by _ (customTokenKey → LANYARD_SECRET_CUSTOMTOKENKEY, jwt-public.key →
// LANYARD_SECRET_JWT_PUBLIC_KEY).
func SecretEnv(name string) string {
	var b strings.Builder
	b.WriteString("LANYARD_SECRET_")
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// loader carries the state of one Load.
type loader struct {
	dir      string
	secrets  func(string) (string, bool)
	file     map[string]string // the secrets file's values; nil when there is none
	fileRel  string            // the secrets file's name
	errs     []*Error
	refs     []functionRef   // the settings that name functions, checked once the functions are read
	declared map[string]bool // the names of the export's functions
}

func (l *loader) path(rel string) string { return filepath.Join(l.dir, filepath.FromSlash(rel)) }

func (l *loader) fail(rel, key, format string, a ...any) {
	l.errs = append(l.errs, &Error{File: l.path(rel), Key: key, Msg: fmt.Sprintf(format, a...)})
}

// Load reads the export in dir. secrets resolves a secret name to its value (nil: only the secrets
// file is consulted). Every problem found is returned at once; the App is nil then.
func Load(dir string, secrets func(name string) (string, bool)) (*App, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("app directory: %v", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("app directory: %s is not a directory", dir)
	}
	l := &loader{dir: dir, secrets: secrets, declared: map[string]bool{}}
	app := &App{Dir: dir}
	l.loadSecretsFile()
	tag, tagFile := l.loadAppFile(app)
	l.loadProviders(app)
	l.loadCustomUserData(app)
	l.loadFunctions(app)
	l.loadValues(app)
	l.loadEnvironment(app, tag, tagFile)
	l.loadDataSources(app)
	l.loadTriggers(app)
	l.checkFunctionRefs(app)
	if len(l.errs) > 0 {
		sort.SliceStable(l.errs, func(i, j int) bool {
			if l.errs[i].File != l.errs[j].File {
				return l.errs[i].File < l.errs[j].File
			}
			return l.errs[i].Key < l.errs[j].Key
		})
		errs := make([]error, len(l.errs))
		for i, e := range l.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return app, nil
}

// readJSON decodes the file rel into v. It returns false, without an error, when the file does not
// exist.
func (l *loader) readJSON(rel string, v any) bool {
	raw, err := os.ReadFile(l.path(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		l.fail(rel, "", "%v", err)
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		l.fail(rel, "", "not valid JSON of the expected shape: %v", err)
		return false
	}
	return true
}

func (l *loader) exists(rel string) bool {
	_, err := os.Stat(l.path(rel))
	return err == nil
}

// loadSecretsFile reads secrets.json, secrets.yaml or secrets.yml when one exists.
func (l *loader) loadSecretsFile() {
	var found []string
	for _, name := range []string{"secrets.json", "secrets.yaml", "secrets.yml"} {
		if l.exists(name) {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		return
	}
	if len(found) > 1 {
		l.fail(found[1], "", "only one secrets file may exist; %s is there too", found[0])
		return
	}
	l.fileRel = found[0]
	raw, err := os.ReadFile(l.path(l.fileRel))
	if err != nil {
		l.fail(l.fileRel, "", "%v", err)
		return
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil { // YAML is a superset of JSON
		l.fail(l.fileRel, "", "not a JSON or YAML object of secret names and values: %v", err)
		return
	}
	l.file = map[string]string{}
	for k, v := range doc {
		s, ok := v.(string)
		if !ok {
			l.fail(l.fileRel, k, "the value must be a string")
			continue
		}
		l.file[k] = s
	}
}

// secret resolves a secret name used at key of rel.
func (l *loader) secret(rel, key, name string) (string, bool) {
	if name == "" {
		l.fail(rel, key, "names no secret")
		return "", false
	}
	if l.secrets != nil {
		if v, ok := l.secrets(name); ok {
			return v, true
		}
	}
	if v, ok := l.file[name]; ok && v != "" {
		return v, true
	}
	l.fail(rel, key, "secret %q has no value: set %s or add it to secrets.json in the app directory", name, SecretEnv(name))
	return "", false
}

// appFile is realm_config.json or root_config.json.
type appFile struct {
	AppID                 string   `json:"app_id"`
	Name                  string   `json:"name"`
	AllowedRequestOrigins []string `json:"allowed_request_origins"`
	Environment           string   `json:"environment"`
}

// loadAppFile reads realm_config.json or root_config.json. It returns the environment tag and the file
// it came from.
func (l *loader) loadAppFile(app *App) (tag, rel string) {
	rel = FileRealmConfig
	if !l.exists(rel) {
		rel = FileRootConfig
	}
	if !l.exists(rel) {
		if l.exists("config.json") && l.exists("auth_providers") {
			l.fail("config.json", "", "this is a realm-cli v1 export, which Lanyard does not read: export the app again with the App Services CLI (appservices pull) or the App Services UI")
			return "", rel
		}
		l.fail(FileRealmConfig, "", "not found (nor %s): %s is not an exported App Services app", FileRootConfig, l.dir)
		return "", rel
	}
	var f appFile
	if !l.readJSON(rel, &f) {
		return "", rel
	}
	switch {
	case f.AppID != "":
		app.ID = f.AppID
	case f.Name != "":
		app.ID = f.Name
	default:
		l.fail(rel, "app_id", "neither app_id nor name is set")
	}
	app.AllowedRequestOrigins = f.AllowedRequestOrigins
	return f.Environment, rel
}

// providerEntry is one entry of auth/providers.json.
type providerEntry struct {
	Name               string                     `json:"name"`
	Type               string                     `json:"type"`
	Disabled           bool                       `json:"disabled"`
	Config             map[string]json.RawMessage `json:"config"`
	SecretConfig       map[string]json.RawMessage `json:"secret_config"`
	MetadataFields     []MetadataField            `json:"metadata_fields"`
	DomainRestrictions []string                   `json:"domain_restrictions"`
}

func (l *loader) loadProviders(app *App) {
	raw, err := os.ReadFile(l.path(FileProviders))
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		l.fail(FileProviders, "", "%v", err)
		return
	}
	app.HasProviders = true
	// The file is an object keyed by provider name; an array of entries is accepted too.
	type keyed struct {
		key   string
		entry json.RawMessage
	}
	var entries []keyed
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			l.fail(FileProviders, "", "not valid JSON: %v", err)
			return
		}
		for i, e := range arr {
			entries = append(entries, keyed{fmt.Sprintf("[%d]", i), e})
		}
	} else {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			l.fail(FileProviders, "", "not a JSON object of providers keyed by name: %v", err)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			entries = append(entries, keyed{k, obj[k]})
		}
	}
	seen := map[string]string{} // type -> key of the enabled entry
	for _, e := range entries {
		var p providerEntry
		if err := json.Unmarshal(e.entry, &p); err != nil {
			l.fail(FileProviders, e.key, "not a provider entry: %v", err)
			continue
		}
		if p.Disabled {
			continue
		}
		typ := p.Type
		if typ == "" {
			typ = p.Name
		}
		if typ == "" && !strings.HasPrefix(e.key, "[") {
			typ = e.key
		}
		if prev, dup := seen[typ]; dup {
			l.fail(FileProviders, e.key, "a second enabled %s provider (the first is %s)", typ, prev)
			continue
		}
		seen[typ] = e.key
		pp := &provider{l: l, key: e.key, entry: &p}
		switch typ {
		case ProviderAnonymous, ProviderAPIKey:
		case ProviderUserPass:
			app.UserPass = pp.userPass()
		case ProviderCustomToken:
			app.CustomToken = pp.customToken()
		case ProviderCustomFunction:
			app.CustomFunction = pp.customFunction()
		case ProviderGoogle:
			app.Google = pp.google()
		case ProviderFacebook:
			app.Facebook = pp.facebook()
		default:
			l.fail(FileProviders, e.key+".type", "%q is not a provider Lanyard offers (it offers %s): disable it in the export", typ, strings.Join(providerOrder, ", "))
			continue
		}
	}
	for _, t := range providerOrder {
		if _, ok := seen[t]; ok {
			app.Providers = append(app.Providers, t)
		}
	}
}

// provider reads one enabled entry's settings.
type provider struct {
	l     *loader
	key   string
	entry *providerEntry
}

func (p *provider) k(parts ...string) string { return p.key + "." + strings.Join(parts, ".") }

func (p *provider) fail(key, format string, a ...any) { p.l.fail(FileProviders, key, format, a...) }

// config decodes config[name] into v; it reports whether the key is present (and decoded).
func (p *provider) config(name string, v any) bool {
	raw, ok := p.entry.Config[name]
	if !ok || string(raw) == "null" {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		p.fail(p.k("config", name), "has the wrong type: %v", err)
		return false
	}
	return true
}

func (p *provider) configString(name string) string {
	var s string
	p.config(name, &s)
	return s
}

func (p *provider) configBool(name string) bool {
	var b bool
	p.config(name, &b)
	return b
}

// stringOrList decodes a JSON string or list of strings.
func stringOrList(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if one == "" {
			return nil, nil
		}
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("must be a string or a list of strings")
	}
	return list, nil
}

// secretNames returns the secret names of secret_config[name] (a string or a list).
func (p *provider) secretNames(name string) []string {
	raw, ok := p.entry.SecretConfig[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	names, err := stringOrList(raw)
	if err != nil {
		p.fail(p.k("secret_config", name), "%v", err)
	}
	return names
}

func (p *provider) metadataFields() []MetadataField {
	for i, f := range p.entry.MetadataFields {
		if f.Name == "" {
			p.fail(fmt.Sprintf("%s.metadata_fields[%d].name", p.key, i), "must be set")
		}
	}
	return p.entry.MetadataFields
}

func (p *provider) userPass() *UserPass {
	up := &UserPass{AutoConfirm: p.configBool("autoConfirm")}
	// A function name alone (with run* false) is not run by App Services either, so it is neither read
	// nor checked.
	if p.configBool("runConfirmationFunction") {
		up.ConfirmationFunction = p.functionName("confirmationFunctionName", "runConfirmationFunction")
	}
	if p.configBool("runResetFunction") {
		up.ResetFunction = p.functionName("resetFunctionName", "runResetFunction")
	}
	return up
}

// functionName reads config[name], the name of a function that must exist; why is the setting that
// makes it required.
func (p *provider) functionName(name, why string) string {
	fn := p.configString(name)
	if fn == "" {
		p.fail(p.k("config", name), "must name a function when %s is true", why)
		return ""
	}
	p.l.refs = append(p.l.refs, functionRef{FileProviders, p.k("config", name), fn})
	return fn
}

func (p *provider) customFunction() *CustomFunction {
	return &CustomFunction{FunctionName: p.functionName("authFunctionName", "the custom-function provider is enabled")}
}

func (p *provider) customToken() *CustomToken {
	ct := &CustomToken{MetadataFields: p.metadataFields()}
	useJWK := p.configBool("useJWKURI")
	ct.SigningAlgorithm = p.configString("signingAlgorithm")
	switch {
	case ct.SigningAlgorithm == "" && useJWK:
		ct.SigningAlgorithm = "RS256"
	case ct.SigningAlgorithm == "":
		ct.SigningAlgorithm = "HS256"
	case !slices.Contains([]string{"HS256", "RS256", "ES256", "EdDSA"}, ct.SigningAlgorithm):
		p.fail(p.k("config", "signingAlgorithm"), "%q is not HS256, RS256, ES256 or EdDSA", ct.SigningAlgorithm)
	}
	if raw, ok := p.entry.Config["audience"]; ok && string(raw) != "null" {
		aud, err := stringOrList(raw)
		if err != nil {
			p.fail(p.k("config", "audience"), "%v", err)
		}
		ct.Audience = aud
	}
	ct.RequireAllAudiences = len(ct.Audience) > 1 && !p.configBool("requireAnyAudience")
	names := p.secretNames("signingKeys")
	if useJWK {
		ct.JWKURI = p.configString("jwkURI")
		if ct.JWKURI == "" {
			p.fail(p.k("config", "jwkURI"), "must be set when useJWKURI is true")
		}
		if ct.SigningAlgorithm == "HS256" {
			p.fail(p.k("config", "signingAlgorithm"), "HS256 cannot be used with a JWK URI")
		}
		return ct
	}
	if len(names) == 0 {
		p.fail(p.k("secret_config", "signingKeys"), "names no secret: the provider needs signing keys or a JWK URI (useJWKURI, jwkURI)")
	}
	for i, n := range names {
		if v, ok := p.l.secret(FileProviders, fmt.Sprintf("%s[%d]", p.k("secret_config", "signingKeys"), i), n); ok {
			ct.SigningKeys = append(ct.SigningKeys, v)
		}
	}
	return ct
}

func (p *provider) google() *Google {
	g := &Google{ClientID: p.configString("clientId"), MetadataFields: p.metadataFields()}
	if g.ClientID == "" {
		p.fail(p.k("config", "clientId"), "must be set")
	}
	var openID bool
	if !p.config("openId", &openID) || !openID {
		p.fail(p.k("config", "openId"), "must be true: Lanyard signs Google users in with ID tokens (OpenID Connect), not with authorization codes; have clients send the ID token")
	}
	if len(p.entry.DomainRestrictions) > 0 {
		p.fail(p.key+".domain_restrictions", "Lanyard does not restrict Google sign-in to domains; remove the restriction, or check the hd claim in a user creation hook")
	}
	return g
}

func (p *provider) facebook() *Facebook {
	f := &Facebook{ClientID: p.configString("clientId"), MetadataFields: p.metadataFields()}
	if f.ClientID == "" {
		p.fail(p.k("config", "clientId"), "must be set")
	}
	names := p.secretNames("clientSecret")
	if len(names) != 1 {
		p.fail(p.k("secret_config", "clientSecret"), "must name the one secret that holds the Facebook app secret")
		return f
	}
	f.ClientSecret, _ = p.l.secret(FileProviders, p.k("secret_config", "clientSecret"), names[0])
	return f
}

// customUserDataFile is auth/custom_user_data.json.
type customUserDataFile struct {
	Enabled                    bool   `json:"enabled"`
	MongoServiceName           string `json:"mongo_service_name"`
	DatabaseName               string `json:"database_name"`
	CollectionName             string `json:"collection_name"`
	UserIDField                string `json:"user_id_field"`
	OnUserCreationFunctionName string `json:"on_user_creation_function_name"`
}

func (l *loader) loadCustomUserData(app *App) {
	var f customUserDataFile
	if !l.readJSON(FileCustomUserData, &f) {
		return
	}
	app.CustomUserData = &CustomUserData{Enabled: f.Enabled, ServiceName: f.MongoServiceName, Database: f.DatabaseName,
		Collection: f.CollectionName, UserIDField: f.UserIDField}
	if !f.Enabled {
		return
	}
	if f.OnUserCreationFunctionName != "" {
		app.CustomUserData.OnUserCreationFunction = f.OnUserCreationFunctionName
		l.refs = append(l.refs, functionRef{FileCustomUserData, "on_user_creation_function_name", f.OnUserCreationFunctionName})
	}
	for key, v := range map[string]string{"database_name": f.DatabaseName, "collection_name": f.CollectionName, "user_id_field": f.UserIDField} {
		if v == "" {
			l.fail(FileCustomUserData, key, "must be set when enabled is true")
		}
	}
	if f.DatabaseName == "" || f.CollectionName == "" {
		return
	}
	app.RulesPath = l.findRules(f.MongoServiceName, f.DatabaseName, f.CollectionName)
}

// findRules locates the rules of the custom data collection: the collection's rules.json, else the
// data source's default_rule.json. Without a service name every data source is searched, and more than
// one match is an error.
func (l *loader) findRules(service, db, coll string) string {
	services := []string{service}
	if service == "" {
		entries, err := os.ReadDir(l.path("data_sources"))
		if err != nil {
			return ""
		}
		services = nil
		for _, e := range entries {
			if e.IsDir() {
				services = append(services, e.Name())
			}
		}
	}
	find := func(relOf func(svc string) string) string {
		var found []string
		for _, svc := range services {
			if rel := relOf(svc); l.exists(rel) {
				found = append(found, rel)
			}
		}
		switch len(found) {
		case 0:
			return ""
		case 1:
			return found[0]
		}
		l.fail(FileCustomUserData, "mongo_service_name", "is empty and several data sources have rules for %s.%s (%s): name the data source", db, coll, strings.Join(found, ", "))
		return ""
	}
	rel := find(func(svc string) string { return "data_sources/" + svc + "/" + db + "/" + coll + "/rules.json" })
	if rel != "" {
		// The file's own database and collection, when present, must be the custom data collection's.
		var head struct {
			Database   string `json:"database"`
			Collection string `json:"collection"`
		}
		if l.readJSON(rel, &head) {
			if head.Database != "" && head.Database != db {
				l.fail(rel, "database", "is %q, but the custom user data collection is in %q", head.Database, db)
			}
			if head.Collection != "" && head.Collection != coll {
				l.fail(rel, "collection", "is %q, but the custom user data collection is %q", head.Collection, coll)
			}
		}
	} else {
		rel = find(func(svc string) string { return "data_sources/" + svc + "/default_rule.json" })
	}
	if rel == "" {
		return ""
	}
	return l.path(rel)
}
