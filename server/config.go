package server

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lanyardhq/lanyard/appconfig"
)

// Config is every setting of `lanyard serve`. Each field is described once, in settings() below, which
// gives it its flag (--grpc-addr), its environment variable (LANYARD_GRPC_ADDR) and its YAML key
// (grpc_addr), so the three can never disagree.
type Config struct {
	GRPCAddr            string
	HTTPAddr            string
	PublicURL           string
	AppID               string
	DataDir             string
	MongoDBURI          string
	EmbeddedPostgresURL string
	EmbeddedAddr        string
	PprofAddr           string
	AdminAddr           string
	Database            string
	MasterKey           string
	MasterKeyFile       string
	StoreConnectTimeout time.Duration
	StorePingInterval   time.Duration
	ShutdownGrace       time.Duration
	LogLevel            string
	TLSCertFile         string
	TLSKeyFile          string
	CORSOrigins         []string
	AppDir              string
	// app is the export read from AppDir (by LoadConfig), for what no setting carries: its functions,
	// values and triggers. Nil without an export.
	app *appconfig.App

	CustomDataEnabled         bool
	CustomDataDatabase        string
	CustomDataCollection      string
	CustomDataUserIDField     string
	CustomDataMaxSize         int
	CustomDataEnforceUnique   bool
	CustomDataStampLastLogin  bool
	CustomDataDeleteWithUser  bool
	CustomDataOnUserCreation  string
	CustomDataHookTimeout     time.Duration
	CustomDataHookTLSCAFile   string
	CustomDataHookTLSCertFile string
	CustomDataHookTLSKeyFile  string
	CustomDataHookInsecure    bool
	CustomDataRules           string
	CustomDataPollInterval    time.Duration

	FunctionsTimeout   time.Duration
	FunctionsHTTPAllow []string

	SigningAlg         string
	AccessTokenTTL     time.Duration
	RefreshTokenTTL    time.Duration
	SessionIdleTTL     time.Duration
	RotationGrace      time.Duration
	RevocationInterval time.Duration
	KeyReloadInterval  time.Duration

	Providers                 []string
	UserpassAutoConfirm       bool
	UserpassMinPasswordLength int
	UserpassSenderWebhook     string

	CustomTokenAlg            string
	CustomTokenKeys           []string
	CustomTokenKeyFile        string
	CustomTokenJWKSURL        string
	CustomTokenAudience       []string
	CustomTokenAudienceAll    bool
	CustomTokenMetadataFields string
	GoogleClientID            string
	GoogleJWKSURL             string
	GoogleMetadataFields      string
	FacebookAppID             string
	FacebookAppSecret         string
	FacebookGraphURL          string
	FacebookMetadataFields    string
	IncludeMetadataInToken    bool

	// Version is the version of the binary, for the service.version of exported traces. It is not a
	// setting: main sets it from what the build recorded.
	Version string

	// Now is the clock of tokens, sessions, rate limits and revocations; nil means time.Now. It is not a
	// setting: tests set it so that they advance time instead of sleeping through it.
	Now func() time.Time
}

// setting binds one Config field to its names and documentation.
type setting struct {
	name  string // flag name; the env var and YAML key derive from it
	usage string
	value flag.Value
}

func (s setting) env() string {
	return "LANYARD_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

func (c *Config) settings() []setting {
	return []setting{
		{"grpc-addr", "address of the gRPC listener", (*strVal)(&c.GRPCAddr)},
		{"http-addr", "address of the HTTP listener (JWKS, App Services API, /metrics, /healthz, /readyz)", (*strVal)(&c.HTTPAddr)},
		{"public-url", "public base URL: the iss of every token and the App Services hostname (default http:// + http-addr; required with mongodb-uri, where every replica must issue the same iss)", (*strVal)(&c.PublicURL)},
		{"app-id", "application id: the aud of every token and the {app} of the App Services routes", (*strVal)(&c.AppID)},
		{"data-dir", "directory of the embedded engine's files and the development master key", (*strVal)(&c.DataDir)},
		{"mongodb-uri", "MongoDB connection string; empty runs the embedded FerretDB engine", (*strVal)(&c.MongoDBURI)},
		{"embedded-postgres-url", "run the embedded engine on this PostgreSQL URL instead of SQLite", (*strVal)(&c.EmbeddedPostgresURL)},
		{"embedded-addr", "loopback address where the embedded engine accepts MongoDB clients (mongosh, Compass); empty = not exposed. It has no authentication", (*strVal)(&c.EmbeddedAddr)},
		{"pprof-addr", "loopback address serving Go's runtime profiles (/debug/pprof/: heap, goroutines, CPU) for diagnosing memory and CPU; empty = off", (*strVal)(&c.PprofAddr)},
		{"admin-addr", "address of a separate plaintext HTTP listener for operators serving /metrics, /healthz and /readyz; when set, /metrics is served there and no longer on http-addr (which keeps /healthz and /readyz for load balancers); empty = off", (*strVal)(&c.AdminAddr)},
		{"database", "database of Lanyard's own collections", (*strVal)(&c.Database)},
		{"master-key", "32-byte key (base64 or hex) that encrypts signing keys at rest; required with mongodb-uri", (*strVal)(&c.MasterKey)},
		{"master-key-file", "file holding the master key, instead of master-key", (*strVal)(&c.MasterKeyFile)},
		{"store-connect-timeout", "how long start waits for the store before giving up", (*durVal)(&c.StoreConnectTimeout)},
		{"store-ping-interval", "how often the store's reachability is checked (drives health and UNAVAILABLE answers)", (*durVal)(&c.StorePingInterval)},
		{"shutdown-grace", "how long a stop waits for running calls before cutting them off", (*durVal)(&c.ShutdownGrace)},
		{"log-level", "debug, info, warn or error", (*strVal)(&c.LogLevel)},
		{"tls-cert-file", "PEM certificate for both listeners; empty = plaintext (loopback and development only)", (*strVal)(&c.TLSCertFile)},
		{"tls-key-file", "PEM private key matching tls-cert-file", (*strVal)(&c.TLSKeyFile)},
		{"cors-origins", "comma-separated origins allowed to call the HTTP listener (App Services API, gRPC-Web, Connect) from a browser", (*listVal)(&c.CORSOrigins)},
		{"app-dir", "directory of an exported App Services app to serve (same as --app)", (*strVal)(&c.AppDir)},
		{"custom-data-enabled", "carry custom user data in tokens and serve CustomDataService", (*boolVal)(&c.CustomDataEnabled)},
		{"custom-data-database", "database of the custom user data collection", (*strVal)(&c.CustomDataDatabase)},
		{"custom-data-collection", "collection of the custom user data documents", (*strVal)(&c.CustomDataCollection)},
		{"custom-data-user-id-field", "field of a custom data document that holds the user id", (*strVal)(&c.CustomDataUserIDField)},
		{"custom-data-max-size", "largest custom data document, in BSON bytes, that writes may produce and tokens carry", (*intVal)(&c.CustomDataMaxSize)},
		{"custom-data-enforce-unique", "create a unique index on the user id field (refused while users have several documents)", (*boolVal)(&c.CustomDataEnforceUnique)},
		{"custom-data-stamp-last-login", "set last_login on the user's document at every login", (*boolVal)(&c.CustomDataStampLastLogin)},
		{"custom-data-delete-with-user", "delete the user's document when the user is deleted", (*boolVal)(&c.CustomDataDeleteWithUser)},
		{"custom-data-on-user-creation", "gRPC target (host:port) of a lanyard.hooks.v1.UserCreationHookService called before each new user exists", (*strVal)(&c.CustomDataOnUserCreation)},
		{"custom-data-hook-timeout", "how long a new user waits for the user creation hook before it is refused", (*durVal)(&c.CustomDataHookTimeout)},
		{"custom-data-hook-tls-ca-file", "PEM CA certificate(s) that the user creation hook's TLS certificate must chain to; setting it (or a client certificate) turns TLS on", (*strVal)(&c.CustomDataHookTLSCAFile)},
		{"custom-data-hook-tls-cert-file", "PEM client certificate Lanyard presents to the user creation hook (mutual TLS)", (*strVal)(&c.CustomDataHookTLSCertFile)},
		{"custom-data-hook-tls-key-file", "PEM private key of custom-data-hook-tls-cert-file", (*strVal)(&c.CustomDataHookTLSKeyFile)},
		{"custom-data-hook-insecure", "allow plaintext to a user creation hook that is not on loopback (a private network you trust); without TLS settings, a hook beyond loopback is refused at start", (*boolVal)(&c.CustomDataHookInsecure)},
		{"custom-data-rules", "rules for the custom data collection: owner (users read and write their own), system (only server principals write) or the path of an App Services rules.json", (*strVal)(&c.CustomDataRules)},
		{"custom-data-poll-interval", "how often changes by other writers are looked for, for WatchCustomData (one batched query per interval)", (*durVal)(&c.CustomDataPollInterval)},

		{"functions-timeout", "how long one run of an App Services function (from --app) may take before it is stopped and counted as failed; at most 5m", (*durVal)(&c.FunctionsTimeout)},
		{"functions-http-allow", "comma-separated hosts (or host:port) that App Services functions may reach over HTTP (context.http); empty = none", (*listVal)(&c.FunctionsHTTPAllow)},

		{"signing-alg", "algorithm of new signing keys: ES256, EdDSA or RS256", (*strVal)(&c.SigningAlg)},
		{"access-token-ttl", "lifetime of access tokens", (*durVal)(&c.AccessTokenTTL)},
		{"refresh-token-ttl", "absolute lifetime of a session (its refresh tokens)", (*durVal)(&c.RefreshTokenTTL)},
		{"session-idle-ttl", "end sessions unused for this long; 0 = never", (*durVal)(&c.SessionIdleTTL)},
		{"rotation-grace", "a rotated refresh token retried within this window gets the same successor; after it, reuse revokes the session", (*durVal)(&c.RotationGrace)},
		{"revocation-interval", "how often each replica reads the log of ended sessions (revocation delay)", (*durVal)(&c.RevocationInterval)},
		{"key-reload-interval", "how often each replica reloads signing keys (rotation delay)", (*durVal)(&c.KeyReloadInterval)},

		{"providers", "enabled providers: anon-user, local-userpass, api-key, custom-token, oauth2-google, oauth2-facebook, custom-function (from --app)", (*listVal)(&c.Providers)},
		{"userpass-auto-confirm", "confirm email/password users at registration, without a confirmation token", (*boolVal)(&c.UserpassAutoConfirm)},
		{"userpass-min-password-length", "minimum password length in characters (App Services allowed 6)", (*intVal)(&c.UserpassMinPasswordLength)},
		{"userpass-sender-webhook", "URL that receives confirmation and reset tokens as JSON POSTs (to email them); empty = the file outbox.jsonl in the data dir", (*strVal)(&c.UserpassSenderWebhook)},

		{"custom-token-alg", "algorithm of the custom JWT provider: HS256, RS256, ES256 or EdDSA", (*strVal)(&c.CustomTokenAlg)},
		{"custom-token-keys", "comma-separated HS256 secrets or PEM public keys that sign custom JWTs", (*listVal)(&c.CustomTokenKeys)},
		{"custom-token-key-file", "file with the PEM public key(s) or the secret that signs custom JWTs", (*strVal)(&c.CustomTokenKeyFile)},
		{"custom-token-jwks-url", "JWKS URL of the custom JWT issuer, instead of keys", (*strVal)(&c.CustomTokenJWKSURL)},
		{"custom-token-audience", "accepted audiences of custom JWTs (comma-separated); empty = not checked", (*listVal)(&c.CustomTokenAudience)},
		{"custom-token-audience-all", "require every configured audience in a custom JWT (App Services 'all'); default any", (*boolVal)(&c.CustomTokenAudienceAll)},
		{"custom-token-metadata-fields", `metadata fields of custom JWTs as JSON: [{"name":"user.name","field_name":"name","required":true}]`, (*strVal)(&c.CustomTokenMetadataFields)},
		{"google-client-id", "OAuth client id that Google ID tokens must be issued to", (*strVal)(&c.GoogleClientID)},
		{"google-jwks-url", "JWKS URL of Google's signing keys (default Google's)", (*strVal)(&c.GoogleJWKSURL)},
		{"google-metadata-fields", "metadata fields of Google logins as JSON (name, first_name, last_name, picture, email)", (*strVal)(&c.GoogleMetadataFields)},
		{"facebook-app-id", "Facebook app id that access tokens must belong to", (*strVal)(&c.FacebookAppID)},
		{"facebook-app-secret", "Facebook app secret (checks tokens with debug_token)", (*strVal)(&c.FacebookAppSecret)},
		{"facebook-graph-url", "base URL of the Facebook Graph API (default Facebook's)", (*strVal)(&c.FacebookGraphURL)},
		{"include-metadata-in-token", "add the user's provider metadata to access tokens as user_metadata (off: tokens stay small, and metadata is read with GetProfile)", (*boolVal)(&c.IncludeMetadataInToken)},
		{"facebook-metadata-fields", "metadata fields of Facebook logins as JSON (name, first_name, last_name, picture, gender, birthday, min_age, max_age, email)", (*strVal)(&c.FacebookMetadataFields)},
	}
}

// DefaultConfig is the configuration with no flag, variable or file: a development server on loopback
// with the embedded engine.
func DefaultConfig() Config {
	return Config{
		GRPCAddr:               "127.0.0.1:50051",
		HTTPAddr:               "127.0.0.1:8080",
		AppID:                  "lanyard",
		DataDir:                "./lanyard-data",
		Database:               "lanyard_auth",
		StoreConnectTimeout:    30 * time.Second,
		StorePingInterval:      2 * time.Second,
		ShutdownGrace:          15 * time.Second,
		LogLevel:               "info",
		CustomDataEnabled:      true,
		CustomDataDatabase:     "lanyard",
		CustomDataCollection:   "custom_user_data",
		CustomDataUserIDField:  "user_id",
		CustomDataMaxSize:      16 << 10,
		CustomDataHookTimeout:  5 * time.Second,
		CustomDataRules:        "owner",
		CustomDataPollInterval: 2 * time.Second,
		FunctionsTimeout:       10 * time.Second,

		SigningAlg:         "ES256",
		AccessTokenTTL:     30 * time.Minute,
		RefreshTokenTTL:    60 * 24 * time.Hour,
		RotationGrace:      10 * time.Second,
		RevocationInterval: 2 * time.Second,
		KeyReloadInterval:  10 * time.Second,

		Providers:                 []string{"anon-user", "local-userpass", "api-key"},
		UserpassAutoConfirm:       true,
		UserpassMinPasswordLength: 8,
	}
}

// LoadConfig builds the configuration of `lanyard serve` from, in rising precedence: the defaults, the
// YAML file named by --config (or LANYARD_CONFIG), LANYARD_* environment variables and flags. The
// result is validated; every error names the setting at fault.
//
// -h and --help return flag.ErrHelp without printing anything: the caller prints PrintUsage to stdout.
func LoadConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	var configFile string
	// Flags write into a scratch config so that they can be applied last, after file and environment.
	flagged := DefaultConfig()
	fs, help := newFlagSet(&configFile, getenv("LANYARD_CONFIG"), &flagged)
	fs.SetOutput(stderr)
	// Only mistakes reach Usage (help is a flag of its own), after the flag package's line naming them.
	fs.Usage = func() { fmt.Fprintln(stderr, "lanyard serve -h lists every setting.") }
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if *help {
		return cfg, flag.ErrHelp
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	byName := map[string]setting{}
	for _, s := range cfg.settings() {
		byName[s.name] = s
	}
	if configFile != "" {
		if err := applyYAML(configFile, byName); err != nil {
			return cfg, err
		}
	}
	for _, s := range cfg.settings() {
		if v, ok := lookupEnv(getenv, s.env()); ok {
			if err := s.value.Set(v); err != nil {
				return cfg, fmt.Errorf("%s: %v", s.env(), err)
			}
		}
	}
	fs.Visit(func(f *flag.Flag) {
		name := f.Name
		if name == "app" {
			name = "app-dir"
		}
		if s, ok := byName[name]; ok {
			_ = s.value.Set(f.Value.String()) // already parsed once by the flag package
		}
	})
	if err := applyAppDir(&cfg, getenv); err != nil {
		return cfg, err
	}
	// With a MongoDB URI there may be replicas, which must agree on the `iss`: no default then.
	if cfg.PublicURL == "" && cfg.MongoDBURI == "" {
		cfg.PublicURL = "http://" + cfg.HTTPAddr
	}
	return cfg, cfg.Validate()
}

// newFlagSet declares every setting as a flag writing into flagged, with --config and --app, and -h and
// --help as flags of their own so that asking for help is told apart from a mistake.
func newFlagSet(configFile *string, configDefault string, flagged *Config) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("lanyard serve", flag.ContinueOnError)
	fs.StringVar(configFile, "config", configDefault, "YAML file of settings (keys: the flag names with _ for -) (env LANYARD_CONFIG)")
	for _, s := range flagged.settings() {
		fs.Var(s.value, s.name, s.usage+" (env "+s.env()+")")
	}
	fs.Var((*strVal)(&flagged.AppDir), "app", "same as --app-dir")
	help := fs.Bool("help", false, "print this help")
	fs.BoolVar(help, "h", false, "print this help")
	return fs, help
}

// PrintUsage writes what `lanyard serve -h` prints: every flag with a placeholder for its value, its
// environment variable and its default.
func PrintUsage(w io.Writer) {
	var configFile string
	flagged := DefaultConfig()
	fs, _ := newFlagSet(&configFile, "", &flagged)
	fmt.Fprintf(w, "Usage: lanyard serve [flags]\n\nEvery flag can also be set as an environment variable or a key of the --config file.\n\n")
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "h" || f.Name == "help" {
			return
		}
		fmt.Fprintf(w, "  -%s", f.Name)
		if p := placeholder(f.Name, f.Value); p != "" {
			fmt.Fprintf(w, " %s", p)
		}
		fmt.Fprintf(w, "\n    \t%s", f.Usage)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// placeholder names what a flag's value is (-app-id ID, -grpc-addr HOST:PORT). The flag package would
// take it from a back-quoted word of the usage text, or print "value" for every setting, since all of
// them are flag.Value types of their own.
func placeholder(name string, v flag.Value) string {
	switch v.(type) {
	case *boolVal:
		return ""
	case *durVal:
		return "DURATION"
	case *intVal:
		return "N"
	case *listVal:
		return "LIST"
	}
	suffix := func(ends ...string) bool {
		for _, e := range ends {
			if strings.HasSuffix(name, e) {
				return true
			}
		}
		return false
	}
	switch {
	case name == "config" || suffix("-file"):
		return "FILE"
	case name == "app" || suffix("-dir"):
		return "DIR"
	case suffix("-addr"):
		return "HOST:PORT"
	case suffix("-url", "-uri", "-webhook"):
		return "URL"
	case suffix("-id"):
		return "ID"
	case suffix("-alg"):
		return "ALG"
	case suffix("-fields"):
		return "JSON"
	case suffix("-key"):
		return "KEY"
	case suffix("-secret"):
		return "SECRET"
	case name == "log-level":
		return "LEVEL"
	case name == "custom-data-on-user-creation":
		return "TARGET"
	case name == "custom-data-rules":
		return "RULES"
	case name == "database" || suffix("-database", "-collection", "-field"):
		return "NAME"
	}
	return "VALUE"
}

// Variables named LANYARD_* that are not settings and are still read on purpose: a typo in a setting's
// name would otherwise go unnoticed, so CheckEnviron refuses every other LANYARD_* name.
var (
	nonSettingEnv = map[string]bool{
		"LANYARD_CONFIG": true, // the --config file
		// Read by the example clients and the interop clients, which are pointed at a server from the
		// shell that may run it.
		"LANYARD_URL": true, "LANYARD_EMAIL": true, "LANYARD_PASSWORD": true,
		"LANYARD_SERVER_API_KEY": true, "LANYARD_REFRESH_TOKEN": true,
	}
	nonSettingEnvPrefixes = []string{
		"LANYARD_SECRET_", // secrets of an App Services app (appconfig.SecretEnv)
		// Settings of the tests and benchmarks (LANYARD_TEST_POSTGRES_URL, LANYARD_BENCH_CACHE), often
		// exported in a developer's shell.
		"LANYARD_TEST_", "LANYARD_BENCH_",
	}
)

// CheckEnviron refuses LANYARD_* variables (environ as from os.Environ) that are neither settings nor
// read elsewhere on purpose, naming each with the closest setting, on one line.
func CheckEnviron(environ []string) error {
	var names []string
	for _, s := range (&Config{}).settings() {
		names = append(names, s.env())
	}
	names = append(names, "LANYARD_CONFIG")
	var unknown []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "LANYARD_") || nonSettingEnv[name] || slices.Contains(names, name) ||
			slices.ContainsFunc(nonSettingEnvPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) ||
			linkVariable(name) {
			continue
		}
		unknown = append(unknown, fmt.Sprintf("unknown environment variable %s (did you mean %s?)", name, closest(name, names)))
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return errors.New(strings.Join(unknown, "; "))
}

// LinkEnviron lists the LANYARD_* variables of environ that CheckEnviron lets pass because they have the
// shape of those Kubernetes service links (for a Service named lanyard) and Docker links (for a container
// linked as lanyard) inject, so that serve can log what it ignored.
func LinkEnviron(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if name, _, _ := strings.Cut(kv, "="); linkVariable(name) {
			out = append(out, name)
		}
	}
	return out
}

// linkVariable says whether name is one of the variables service links and Docker links inject. Only
// their exact shapes pass, so that a misspelt setting near them (LANYARD_SERVICE_HOTS, LANYARD_PORTT) is
// still refused:
//
//	LANYARD_SERVICE_HOST, LANYARD_SERVICE_PORT, LANYARD_SERVICE_PORT_<NAME>  (Kubernetes)
//	LANYARD_PORT, LANYARD_PORT_<port>_<TCP|UDP|SCTP>[_PROTO|_PORT|_ADDR]     (both)
//	LANYARD_NAME, LANYARD_ENV_<variable>                                      (Docker)
func linkVariable(name string) bool {
	rest, ok := strings.CutPrefix(name, "LANYARD_")
	if !ok {
		return false
	}
	switch rest {
	case "SERVICE_HOST", "SERVICE_PORT", "PORT", "NAME":
		return true
	}
	if n, ok := strings.CutPrefix(rest, "SERVICE_PORT_"); ok {
		return linkName(n)
	}
	if n, ok := strings.CutPrefix(rest, "ENV_"); ok {
		return n != "" // the linked container's own variable, named as it likes
	}
	rest, ok = strings.CutPrefix(rest, "PORT_")
	if !ok {
		return false
	}
	port, rest, ok := strings.Cut(rest, "_")
	if n, err := strconv.Atoi(port); !ok || err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
		return false
	}
	proto, field, _ := strings.Cut(rest, "_")
	switch proto {
	case "TCP", "UDP", "SCTP":
	default:
		return false
	}
	switch field {
	case "", "PROTO", "PORT", "ADDR":
		return true
	}
	return false
}

// linkName says whether s can be a port's name in a service link: Kubernetes upper-cases port names and
// turns their dashes into underscores.
func linkName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// closest is the candidate with the fewest single-character edits (Levenshtein distance) from name;
// the first such one on a tie.
func closest(name string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := editDistance(name, c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	// prev[j] is the distance between the previous prefix of a and b[:j].
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// lookupEnv treats an empty variable as unset, so that `LANYARD_X= lanyard serve` keeps the default.
func lookupEnv(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func applyYAML(path string, byName map[string]setting) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("config file %s: not valid YAML: %v", path, err)
	}
	known := make([]string, 0, len(byName))
	for n := range byName {
		known = append(known, strings.ReplaceAll(n, "-", "_"))
	}
	sort.Strings(known)
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := byName[strings.ReplaceAll(k, "_", "-")]
		if !ok || strings.Contains(k, "-") {
			return fmt.Errorf("config file %s: unknown key %q (did you mean %q?)", path, k, closest(k, known))
		}
		var text string
		switch v := doc[k].(type) {
		case []any:
			if len(v) > 0 {
				if _, isMap := v[0].(map[string]any); isMap {
					b, err := json.Marshal(v)
					if err != nil {
						return fmt.Errorf("config file %s: key %q: %v", path, k, err)
					}
					text = string(b)
					break
				}
			}
			parts := make([]string, len(v))
			for i, p := range v {
				parts[i] = fmt.Sprint(p)
			}
			text = strings.Join(parts, ",")
		case map[string]any:
			return fmt.Errorf("config file %s: key %q: expected a single value or a list", path, k)
		case nil:
			continue
		default:
			text = fmt.Sprint(v)
		}
		if err := s.value.Set(text); err != nil {
			return fmt.Errorf("config file %s: key %q: %v", path, k, err)
		}
	}
	return nil
}

// Validate checks every setting and names the first one at fault.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", setting{name: name}.env(), fmt.Sprintf(format, a...)))
	}
	for name, addr := range map[string]string{"grpc-addr": c.GRPCAddr, "http-addr": c.HTTPAddr} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			bad(name, "%q is not host:port", addr)
		}
	}
	if c.EmbeddedAddr != "" {
		if err := checkLoopbackAddr(c.EmbeddedAddr, "the embedded engine has no authentication"); err != nil {
			bad("embedded-addr", "%v", err)
		}
		if c.MongoDBURI != "" {
			bad("embedded-addr", "has no effect with LANYARD_MONGODB_URI set")
		}
	}
	if c.PprofAddr != "" {
		// Profiles show the process's stacks and allocation sites to whoever asks.
		if err := checkLoopbackAddr(c.PprofAddr, "profiles have no authentication"); err != nil {
			bad("pprof-addr", "%v", err)
		}
	}
	if c.AdminAddr != "" {
		if _, port, err := net.SplitHostPort(c.AdminAddr); err != nil {
			bad("admin-addr", "%q is not host:port", c.AdminAddr)
		} else if port != "0" && (c.AdminAddr == c.HTTPAddr || c.AdminAddr == c.GRPCAddr) {
			bad("admin-addr", "%q is the address of another listener; it needs one of its own", c.AdminAddr)
		}
	}
	if c.PublicURL == "" && c.MongoDBURI != "" {
		// Each replica's default would be its own HTTP address, and a token is only accepted where its
		// `iss` is the local one: replicas on one MongoDB would refuse each other's tokens.
		bad("public-url", "is required with LANYARD_MONGODB_URI, so that every replica issues and accepts the same `iss`")
	} else if err := checkPublicURL(c.PublicURL); err != nil {
		bad("public-url", "%q %v", c.PublicURL, err)
	}
	if c.AppID == "" || len(c.AppID) > 64 || strings.ContainsAny(c.AppID, "/?#% ") {
		bad("app-id", "%q must be 1 to 64 characters without / ? # %% or spaces", c.AppID)
	}
	if c.MongoDBURI == "" && c.DataDir == "" {
		bad("data-dir", "must be set when the embedded engine is used")
	}
	if c.MongoDBURI != "" {
		if !strings.HasPrefix(c.MongoDBURI, "mongodb://") && !strings.HasPrefix(c.MongoDBURI, "mongodb+srv://") {
			bad("mongodb-uri", "must start with mongodb:// or mongodb+srv://")
		}
		if c.EmbeddedPostgresURL != "" {
			bad("embedded-postgres-url", "cannot be combined with LANYARD_MONGODB_URI")
		}
		if c.MasterKey == "" && c.MasterKeyFile == "" {
			bad("master-key", "is required with LANYARD_MONGODB_URI, so that every replica decrypts the same signing keys (or set LANYARD_MASTER_KEY_FILE)")
		}
	}
	if c.EmbeddedPostgresURL != "" && !strings.HasPrefix(c.EmbeddedPostgresURL, "postgres://") && !strings.HasPrefix(c.EmbeddedPostgresURL, "postgresql://") {
		bad("embedded-postgres-url", "must start with postgres:// or postgresql://")
	}
	if c.MasterKey != "" && c.MasterKeyFile != "" {
		bad("master-key-file", "cannot be combined with LANYARD_MASTER_KEY")
	}
	if !validName(c.Database) {
		bad("database", "%q is not a valid database name", c.Database)
	}
	for name, d := range map[string]time.Duration{"store-connect-timeout": c.StoreConnectTimeout, "store-ping-interval": c.StorePingInterval, "shutdown-grace": c.ShutdownGrace} {
		if d <= 0 {
			bad(name, "must be positive, got %s", d)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		bad("tls-cert-file", "tls-cert-file and tls-key-file go together")
	}
	for _, o := range c.CORSOrigins {
		if u, err := url.Parse(o); o != "*" && (err != nil || u.Scheme == "" || u.Host == "" || u.Path != "") {
			bad("cors-origins", "%q is not an origin like https://app.example.com", o)
		}
	}
	if c.CustomDataEnabled {
		if !validName(c.CustomDataDatabase) {
			bad("custom-data-database", "%q is not a valid database name", c.CustomDataDatabase)
		}
		if c.CustomDataCollection == "" || strings.HasPrefix(c.CustomDataCollection, "system.") || strings.ContainsAny(c.CustomDataCollection, "$\x00") {
			bad("custom-data-collection", "%q is not a valid collection name", c.CustomDataCollection)
		}
		if c.CustomDataMaxSize < 256 || c.CustomDataMaxSize > 1<<20 {
			bad("custom-data-max-size", "must be between 256 and 1048576 bytes, got %d (tokens carry the document; 16384 is the default)", c.CustomDataMaxSize)
		}
		c.validateHook(bad)
		if c.CustomDataHookTimeout <= 0 || c.CustomDataPollInterval <= 0 {
			bad("custom-data-hook-timeout", "custom-data-hook-timeout and custom-data-poll-interval must be positive")
		}
		if c.CustomDataRules == "" {
			bad("custom-data-rules", "must be owner, system or the path of a rules.json")
		}
		if c.CustomDataUserIDField == "" || c.CustomDataUserIDField == "_id" || strings.ContainsAny(c.CustomDataUserIDField, "$.\x00") {
			bad("custom-data-user-id-field", "%q must be a top-level field name other than _id", c.CustomDataUserIDField)
		}
	}
	c.validateFunctions(bad)
	switch c.SigningAlg {
	case "ES256", "EdDSA", "RS256":
	default:
		bad("signing-alg", "%q is not ES256, EdDSA or RS256", c.SigningAlg)
	}
	for name, d := range map[string]time.Duration{"access-token-ttl": c.AccessTokenTTL, "refresh-token-ttl": c.RefreshTokenTTL,
		"rotation-grace": c.RotationGrace, "revocation-interval": c.RevocationInterval, "key-reload-interval": c.KeyReloadInterval} {
		if d <= 0 {
			bad(name, "must be positive, got %s", d)
		}
	}
	if c.AccessTokenTTL > 24*time.Hour {
		bad("access-token-ttl", "%s is longer than a day; access tokens cannot be recalled once issued", c.AccessTokenTTL)
	}
	if c.RefreshTokenTTL < c.AccessTokenTTL {
		bad("refresh-token-ttl", "must be at least access-token-ttl")
	}
	if c.SessionIdleTTL < 0 {
		bad("session-idle-ttl", "must not be negative")
	}
	if c.UserpassMinPasswordLength < 1 || c.UserpassMinPasswordLength > 128 {
		bad("userpass-min-password-length", "must be between 1 and 128, got %d", c.UserpassMinPasswordLength)
	}
	if c.UserpassSenderWebhook != "" {
		if u, err := url.Parse(c.UserpassSenderWebhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("userpass-sender-webhook", "%q is not an absolute http(s) URL", c.UserpassSenderWebhook)
		}
	}
	for _, p := range c.Providers {
		switch p {
		case "anon-user", "local-userpass", "api-key":
		case "custom-token":
			if c.CustomTokenJWKSURL == "" && len(c.CustomTokenKeys) == 0 && c.CustomTokenKeyFile == "" {
				bad("custom-token-keys", "the custom-token provider needs keys, a key file or a JWKS URL")
			}
		case "oauth2-google":
			if c.GoogleClientID == "" {
				bad("google-client-id", "the oauth2-google provider needs the OAuth client id")
			}
		case "oauth2-facebook":
			if c.FacebookAppID == "" || c.FacebookAppSecret == "" {
				bad("facebook-app-id", "the oauth2-facebook provider needs the app id and app secret")
			}
		case "custom-function":
			if c.app == nil || c.app.CustomFunction == nil {
				bad("providers", "the custom-function provider runs the authFunctionName function of an App Services export: serve one with --app whose auth/providers.json enables it")
			}
		default:
			bad("providers", "%q is not a provider Lanyard knows", p)
		}
	}
	for name, js := range map[string]string{"custom-token-metadata-fields": c.CustomTokenMetadataFields,
		"google-metadata-fields": c.GoogleMetadataFields, "facebook-metadata-fields": c.FacebookMetadataFields} {
		if js != "" && !json.Valid([]byte(js)) {
			bad(name, "is not valid JSON")
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}

// maxFunctionsTimeout bounds functions-timeout: a function runs while a client waits for its login or
// registration, and a longer run would outlast the clients' own deadlines.
const maxFunctionsTimeout = 5 * time.Minute

// validateFunctions checks the settings of App Services functions.
func (c Config) validateFunctions(bad func(name, format string, a ...any)) {
	if c.FunctionsTimeout <= 0 || c.FunctionsTimeout > maxFunctionsTimeout {
		bad("functions-timeout", "must be more than 0 and at most %s, got %s", maxFunctionsTimeout, c.FunctionsTimeout)
	}
	for _, h := range c.FunctionsHTTPAllow {
		if err := checkAllowedHost(h); err != nil {
			bad("functions-http-allow", "%q %v", h, err)
		}
	}
}

// checkAllowedHost accepts one entry of functions-http-allow: a host name or IP address, with an
// optional port. Entries are matched exactly, so a scheme, path or wildcard would silently match
// nothing; they are refused instead.
func checkAllowedHost(h string) error {
	switch {
	case h == "":
		return errors.New("is empty")
	case strings.Contains(h, "://"):
		return errors.New("has a scheme: list the host alone (api.example.com or api.example.com:8443)")
	case strings.ContainsAny(h, "/?#"):
		return errors.New("has a path: list the host alone (api.example.com or api.example.com:8443)")
	case strings.Contains(h, "*"):
		return errors.New("has a wildcard: list every host")
	case strings.ContainsAny(h, "@ \t"):
		return errors.New("is not a host or host:port")
	}
	host := h
	if strings.HasPrefix(h, "[") || strings.Count(h, ":") == 1 {
		hp, port, err := net.SplitHostPort(h)
		if err != nil {
			return errors.New("is not a host or host:port")
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("has port %q, which is not a number from 1 to 65535", port)
		}
		host = hp
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") ||
			strings.IndexFunc(label, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
			}) >= 0 {
			return errors.New("is not a host name, an IP address or one of them with a port")
		}
	}
	return nil
}

// checkLoopbackAddr accepts the host:port of a listener that only this machine can reach, for listeners
// that serve without authentication; why says what is unprotected.
func checkLoopbackAddr(addr, why string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%q is not a loopback address; %s", addr, why)
	}
	return nil
}

// checkPublicURL accepts an absolute http(s) URL without credentials, query or fragment: it is the
// `iss` every token carries, and the App Services `hostname` to which SDKs append API paths, which a
// query or fragment would break.
func checkPublicURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return errors.New("is not an absolute http(s) URL")
	case u.User != nil:
		return errors.New("must not hold credentials")
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#"):
		return errors.New("must not have a query or a fragment")
	}
	return nil
}

// validateHook checks how the user creation hook is reached. TLS is on when a CA file or a client
// certificate is set. Without them the connection is plaintext, which is allowed to a loopback target
// only, unless custom-data-hook-insecure says the network is trusted: the hook receives provider
// metadata, and its answer becomes token content.
func (c Config) validateHook(bad func(name, format string, a ...any)) {
	useTLS := c.CustomDataHookTLSCAFile != "" || c.CustomDataHookTLSCertFile != "" || c.CustomDataHookTLSKeyFile != ""
	if c.CustomDataOnUserCreation != "" && c.app != nil && c.app.CustomUserData != nil && c.app.CustomUserData.OnUserCreationFunction != "" {
		bad("custom-data-on-user-creation", "is set, but the export's auth/custom_user_data.json names the user creation function %q too: keep one of them",
			c.app.CustomUserData.OnUserCreationFunction)
	}
	if c.CustomDataOnUserCreation == "" {
		if useTLS || c.CustomDataHookInsecure {
			bad("custom-data-on-user-creation", "is empty, but the hook's TLS or insecure settings are set")
		}
		return
	}
	if c.CustomDataHookTLSCertFile != "" && c.CustomDataHookTLSKeyFile == "" {
		bad("custom-data-hook-tls-key-file", "is required with LANYARD_CUSTOM_DATA_HOOK_TLS_CERT_FILE")
	}
	if c.CustomDataHookTLSKeyFile != "" && c.CustomDataHookTLSCertFile == "" {
		bad("custom-data-hook-tls-cert-file", "is required with LANYARD_CUSTOM_DATA_HOOK_TLS_KEY_FILE")
	}
	switch {
	case useTLS && c.CustomDataHookInsecure:
		bad("custom-data-hook-insecure", "cannot be combined with the hook's TLS settings")
	case !useTLS && !c.CustomDataHookInsecure && !hookTargetIsLocal(c.CustomDataOnUserCreation):
		bad("custom-data-on-user-creation", "%q is not on loopback, and plaintext would carry user metadata across the network: "+
			"set LANYARD_CUSTOM_DATA_HOOK_TLS_CA_FILE to reach it over TLS, or LANYARD_CUSTOM_DATA_HOOK_INSECURE=true on a network you trust",
			c.CustomDataOnUserCreation)
	}
}

func validName(db string) bool {
	return db != "" && len(db) < 64 && !strings.ContainsAny(db, "/\\. \"$*<>:|?\x00")
}

// The flag.Value types behind settings.
type (
	intVal  int
	strVal  string
	durVal  time.Duration
	boolVal bool
	listVal []string
)

func (v *intVal) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*v = intVal(n)
	return nil
}
func (v *intVal) String() string { return strconv.Itoa(int(*v)) }

func (v *strVal) Set(s string) error { *v = strVal(s); return nil }
func (v *strVal) String() string     { return string(*v) }

func (v *durVal) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration like 10s or 2m", s)
	}
	*v = durVal(d)
	return nil
}
func (v *durVal) String() string { return time.Duration(*v).String() }

func (v *boolVal) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	*v = boolVal(b)
	return nil
}
func (v *boolVal) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolVal) IsBoolFlag() bool { return true }

func (v *listVal) Set(s string) error {
	*v = nil
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*v = append(*v, p)
		}
	}
	return nil
}
func (v *listVal) String() string { return strings.Join(*v, ",") }
