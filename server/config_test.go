package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(nil, env(nil), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GRPCAddr != "127.0.0.1:50051" || cfg.HTTPAddr != "127.0.0.1:8080" || cfg.Database != "lanyard_auth" ||
		cfg.AppID != "lanyard" || cfg.DataDir != "./lanyard-data" || cfg.PublicURL != "http://127.0.0.1:8080" ||
		cfg.CustomDataCollection != "custom_user_data" || !cfg.CustomDataEnabled {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
}

// TestConfigPrecedence checks defaults < file < environment < flags, with the file's keys being the
// environment names without LANYARD_, lowercased.
func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lanyard.yaml")
	yaml := "grpc_addr: 127.0.0.1:1\nhttp_addr: 127.0.0.1:2\napp_id: fromfile\nshutdown_grace: 3s\ncors_origins: [https://a.example, https://b.example]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig([]string{"--config", file, "--app-id", "fromflag"},
		env(map[string]string{"LANYARD_HTTP_ADDR": "127.0.0.1:3", "LANYARD_APP_ID": "fromenv"}), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GRPCAddr != "127.0.0.1:1" || cfg.HTTPAddr != "127.0.0.1:3" || cfg.AppID != "fromflag" || cfg.ShutdownGrace != 3*time.Second {
		t.Errorf("precedence wrong: %+v", cfg)
	}
	if strings.Join(cfg.CORSOrigins, " ") != "https://a.example https://b.example" {
		t.Errorf("cors origins from a YAML list: %q", cfg.CORSOrigins)
	}
}

// TestConfigErrorsNameTheSetting: every bad value is reported on one line that names the setting.
func TestConfigErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(badYAML, []byte("grpc_addr: [unclosed\n"), 0o600)
	unknownKey := filepath.Join(dir, "unknown.yaml")
	_ = os.WriteFile(unknownKey, []byte("grpc_adr: 127.0.0.1:1\n"), 0o600)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad flag value", []string{"--shutdown-grace", "soon"}, nil, "soon"},
		{"unknown flag", []string{"--no-such-flag"}, nil, "no-such-flag"},
		{"bad env", nil, map[string]string{"LANYARD_STORE_CONNECT_TIMEOUT": "x"}, "LANYARD_STORE_CONNECT_TIMEOUT"},
		{"bad address", []string{"--grpc-addr", "nonsense"}, nil, "LANYARD_GRPC_ADDR"},
		{"bad yaml", []string{"--config", badYAML}, nil, "not valid YAML"},
		{"unknown yaml key", []string{"--config", unknownKey}, nil, `unknown key "grpc_adr"`},
		{"missing yaml", []string{"--config", filepath.Join(dir, "none.yaml")}, nil, "config file"},
		{"uri without master key", nil, map[string]string{"LANYARD_MONGODB_URI": "mongodb://127.0.0.1:1"}, "LANYARD_MASTER_KEY"},
		{"bad uri scheme", []string{"--mongodb-uri", "http://x", "--master-key", "k"}, nil, "LANYARD_MONGODB_URI"},
		{"exposed engine", []string{"--embedded-addr", "0.0.0.0:27017"}, nil, "LANYARD_EMBEDDED_ADDR"},
		{"exposed profiles", []string{"--pprof-addr", "0.0.0.0:6060"}, nil, "LANYARD_PPROF_ADDR"},
		{"engine address without port", []string{"--embedded-addr", "localhost"}, nil, `LANYARD_EMBEDDED_ADDR: "localhost" is not host:port`},
		{"profiles address without port", []string{"--pprof-addr", "localhost"}, nil, `LANYARD_PPROF_ADDR: "localhost" is not host:port`},
		{"admin address without port", []string{"--admin-addr", "localhost"}, nil, `LANYARD_ADMIN_ADDR: "localhost" is not host:port`},
		{"admin address of the HTTP listener", []string{"--admin-addr", "127.0.0.1:8080"}, nil, "LANYARD_ADMIN_ADDR"},
		{"bad level", []string{"--log-level", "loud"}, nil, "LANYARD_LOG_LEVEL"},
		{"bad origin", []string{"--cors-origins", "example.com"}, nil, "LANYARD_CORS_ORIGINS"},
		{"bad public url", []string{"--public-url", "ftp://x"}, nil, "LANYARD_PUBLIC_URL"},
		{"bad user id field", []string{"--custom-data-user-id-field", "_id"}, nil, "LANYARD_CUSTOM_DATA_USER_ID_FIELD"},
		{"uri without public url", []string{"--mongodb-uri", "mongodb://db.example/", "--master-key", "k"}, nil, "LANYARD_PUBLIC_URL"},
		{"public url with query", []string{"--public-url", "https://auth.example/?x=1"}, nil, "LANYARD_PUBLIC_URL"},
		{"public url with fragment", []string{"--public-url", "https://auth.example/#x"}, nil, "LANYARD_PUBLIC_URL"},
		{"public url with credentials", []string{"--public-url", "https://u:p@auth.example/"}, nil, "LANYARD_PUBLIC_URL"},
		{"relative public url", []string{"--public-url", "/auth"}, nil, "LANYARD_PUBLIC_URL"},
		{"plaintext hook beyond loopback", []string{"--custom-data-on-user-creation", "10.0.0.7:50061"}, nil, "LANYARD_CUSTOM_DATA_HOOK_INSECURE"},
		{"plaintext hook by DNS name", []string{"--custom-data-on-user-creation", "hook.internal:50061"}, nil, "LANYARD_CUSTOM_DATA_ON_USER_CREATION"},
		{"plaintext hook named like localhost", []string{"--custom-data-on-user-creation", "localhost.attacker.example:50061"}, nil, "LANYARD_CUSTOM_DATA_ON_USER_CREATION"},
		{"hook cert without key", []string{"--custom-data-on-user-creation", "hook.internal:50061", "--custom-data-hook-tls-cert-file", "c.pem"}, nil, "LANYARD_CUSTOM_DATA_HOOK_TLS_KEY_FILE"},
		{"hook key without cert", []string{"--custom-data-on-user-creation", "hook.internal:50061", "--custom-data-hook-tls-key-file", "k.pem"}, nil, "LANYARD_CUSTOM_DATA_HOOK_TLS_CERT_FILE"},
		{"hook insecure and TLS", []string{"--custom-data-on-user-creation", "hook.internal:50061", "--custom-data-hook-insecure", "--custom-data-hook-tls-ca-file", "ca.pem"}, nil, "LANYARD_CUSTOM_DATA_HOOK_INSECURE"},
		{"hook TLS without hook", []string{"--custom-data-hook-tls-ca-file", "ca.pem"}, nil, "LANYARD_CUSTOM_DATA_ON_USER_CREATION"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr strings.Builder
			_, err := LoadConfig(c.args, env(c.env), &stderr)
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %q", err, c.want)
			}
		})
	}
}

// TestHookTransport: plaintext reaches a hook on loopback (or a Unix socket) without further settings;
// beyond loopback it takes TLS settings or the explicit insecure setting.
func TestHookTransport(t *testing.T) {
	for _, c := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"127.0.0.1:50061"}, true},
		{[]string{"127.8.9.10:50061"}, true},
		{[]string{"[::1]:50061"}, true},
		{[]string{"localhost:50061"}, true},
		{[]string{"LocalHost:50061"}, true},
		{[]string{"dns:///localhost:50061"}, true},
		{[]string{"unix:///run/hook.sock"}, true},
		{[]string{"10.0.0.7:50061"}, false},
		{[]string{"[::ffff:10.0.0.7]:50061"}, false},
		{[]string{"0.0.0.0:50061"}, false},
		{[]string{"dns:///hook.internal:50061"}, false},
		{[]string{"dns://8.8.8.8/localhost:50061"}, false},
		{[]string{"dns://8.8.8.8/127.0.0.1:50061"}, true},
		{[]string{"passthrough:///10.0.0.7:50061"}, false},
		{[]string{"hook.internal"}, false},
		{[]string{"10.0.0.7:50061", "--custom-data-hook-insecure"}, true},
		{[]string{"hook.internal:50061", "--custom-data-hook-tls-ca-file", "ca.pem"}, true},
		{[]string{"hook.internal:50061", "--custom-data-hook-tls-cert-file", "c.pem", "--custom-data-hook-tls-key-file", "k.pem"}, true},
	} {
		args := append([]string{"--custom-data-on-user-creation"}, c.args...)
		_, err := LoadConfig(args, env(nil), os.Stderr)
		if c.ok && err != nil {
			t.Errorf("%v refused: %v", c.args, err)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "LANYARD_CUSTOM_DATA_ON_USER_CREATION")) {
			t.Errorf("%v: %v, want a refusal naming LANYARD_CUSTOM_DATA_ON_USER_CREATION", c.args, err)
		}
	}
}

// TestPublicURLWithMongoDB: with a MongoDB URI there is no default public URL (replicas must agree on the
// `iss`); a given one is kept.
func TestPublicURLWithMongoDB(t *testing.T) {
	cfg, err := LoadConfig([]string{"--mongodb-uri", "mongodb://db.example/", "--master-key", "k", "--public-url", "https://auth.example"}, env(nil), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicURL != "https://auth.example" {
		t.Errorf("public URL %q", cfg.PublicURL)
	}
}

func TestCheckEnviron(t *testing.T) {
	for _, c := range []struct {
		variable, want string // want is the closest setting; "" when the variable is accepted
	}{
		{"LANYARD_GRPCADDR=127.0.0.1:1", "LANYARD_GRPC_ADDR"},
		{"LANYARD_MONGO_URI=mongodb://db", "LANYARD_MONGODB_URI"},
		{"LANYARD_ACCESS_TOKEN_TIL=1h", "LANYARD_ACCESS_TOKEN_TTL"},
		{"LANYARD_CONFG=lanyard.yaml", "LANYARD_CONFIG"},
		{"LANYARD_GRPC_ADDR=127.0.0.1:1", ""},
		{"LANYARD_CONFIG=lanyard.yaml", ""},
		{"LANYARD_SECRET_CUSTOMTOKENKEY=s", ""},
		{"LANYARD_TEST_POSTGRES_URL=postgres://x", ""},
		{"LANYARD_BENCH_CACHE=/tmp/b", ""},
		{"LANYARD_URL=http://127.0.0.1:8080", ""},
		{"LANYARD_SERVER_API_KEY=k", ""},
		{"PATH=/usr/bin", ""},
		{"lanyard_grpcaddr=x", ""},
	} {
		err := CheckEnviron([]string{"HOME=/root", c.variable})
		name, _, _ := strings.Cut(c.variable, "=")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s refused: %v", name, err)
		case c.want != "" && (err == nil || err.Error() != "unknown environment variable "+name+" (did you mean "+c.want+"?)"):
			t.Errorf("%s: %v, want a refusal suggesting %s", name, err, c.want)
		}
	}
	err := CheckEnviron([]string{"LANYARD_B=1", "LANYARD_A=1"})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "LANYARD_A ") || !strings.Contains(err.Error(), "LANYARD_B ") {
		t.Errorf("two unknown variables: %q, want both on one line", err)
	}
}

// TestCheckEnvironLinks: the variables Kubernetes service links and Docker links inject for a Service or
// a link named lanyard pass, and are the ones LinkEnviron lists; names merely near their shapes are refused.
func TestCheckEnvironLinks(t *testing.T) {
	accepted := []string{
		"LANYARD_SERVICE_HOST=10.0.0.1",
		"LANYARD_SERVICE_PORT=50051",
		"LANYARD_SERVICE_PORT_GRPC=50051",
		"LANYARD_SERVICE_PORT_APP_SERVICES=8080",
		"LANYARD_PORT=tcp://10.0.0.1:50051",
		"LANYARD_PORT_50051_TCP=tcp://10.0.0.1:50051",
		"LANYARD_PORT_50051_TCP_PROTO=tcp",
		"LANYARD_PORT_50051_TCP_PORT=50051",
		"LANYARD_PORT_50051_TCP_ADDR=10.0.0.1",
		"LANYARD_PORT_8080_UDP=udp://10.0.0.1:8080",
		"LANYARD_PORT_9_SCTP_ADDR=10.0.0.1",
		"LANYARD_NAME=/web/lanyard",
		"LANYARD_ENV_LANYARD_MASTER_KEY=k",
		"LANYARD_ENV_path=/usr/bin",
	}
	for _, kv := range accepted {
		if err := CheckEnviron([]string{kv}); err != nil {
			t.Errorf("%s refused: %v", kv, err)
		}
	}
	if got := LinkEnviron(append([]string{"HOME=/root", "LANYARD_GRPC_ADDR=:1"}, accepted...)); len(got) != len(accepted) {
		t.Errorf("LinkEnviron listed %q, want the %d link variables alone", got, len(accepted))
	}
	for _, name := range []string{
		"LANYARD_SERVICE_HOTS", "LANYARD_SERVICE_HOST_X", "LANYARD_SERVICE_PORT_", "LANYARD_SERVICE_PORT_grpc",
		"LANYARD_SERVICE", "LANYARD_PORTT", "LANYARD_PORT_", "LANYARD_PORT_50051", "LANYARD_PORT_50051_",
		"LANYARD_PORT_50051_HTTP", "LANYARD_PORT_50051_TCP_HOST", "LANYARD_PORT_50051_TCP_ADDR_X",
		"LANYARD_PORT_GRPC_TCP", "LANYARD_PORT_0_TCP", "LANYARD_PORT_65536_TCP", "LANYARD_PORT_050051_TCP",
		"LANYARD_PORT_50051_tcp", "LANYARD_NAMES", "LANYARD_ENV_", "LANYARD_ENV",
	} {
		if err := CheckEnviron([]string{name + "=x"}); err == nil || !strings.Contains(err.Error(), name+" ") {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
		if got := LinkEnviron([]string{name + "=x"}); len(got) != 0 {
			t.Errorf("LinkEnviron listed %q", got)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"GRPCADDR", "GRPC_ADDR", 1}, {"flaw", "lawn", 2}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestConfigFileUnknownKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lanyard.yaml")
	if err := os.WriteFile(file, []byte("grpcaddr: 127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig([]string{"--config", file}, env(nil), os.Stderr)
	if err == nil || !strings.HasSuffix(err.Error(), `unknown key "grpcaddr" (did you mean "grpc_addr"?)`) {
		t.Errorf("got %v, want the unknown key refused with the closest one", err)
	}
}

// TestFunctionsSettings: the functions' deadline is bounded, and every allowed host is a bare host or
// host:port, since entries are matched exactly.
func TestFunctionsSettings(t *testing.T) {
	cfg, err := LoadConfig(nil, env(nil), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.FunctionsTimeout != 10*time.Second || len(cfg.FunctionsHTTPAllow) != 0 {
		t.Errorf("defaults: timeout %s, allow %q", cfg.FunctionsTimeout, cfg.FunctionsHTTPAllow)
	}
	cfg, err = LoadConfig(nil, env(map[string]string{
		"LANYARD_FUNCTIONS_TIMEOUT":    "5m",
		"LANYARD_FUNCTIONS_HTTP_ALLOW": "api.example.com, hooks.example.com:8443,10.0.0.7,[::1]:9000,::1",
	}), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.FunctionsTimeout != 5*time.Minute ||
		strings.Join(cfg.FunctionsHTTPAllow, " ") != "api.example.com hooks.example.com:8443 10.0.0.7 [::1]:9000 ::1" {
		t.Errorf("timeout %s, allow %q", cfg.FunctionsTimeout, cfg.FunctionsHTTPAllow)
	}

	for _, c := range []struct {
		env, value, want string
	}{
		{"LANYARD_FUNCTIONS_TIMEOUT", "0s", "LANYARD_FUNCTIONS_TIMEOUT: must be more than 0"},
		{"LANYARD_FUNCTIONS_TIMEOUT", "-1s", "LANYARD_FUNCTIONS_TIMEOUT: must be more than 0"},
		{"LANYARD_FUNCTIONS_TIMEOUT", "5m1s", "at most 5m0s, got 5m1s"},
		{"LANYARD_FUNCTIONS_TIMEOUT", "soon", "LANYARD_FUNCTIONS_TIMEOUT"},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "https://api.example.com", `LANYARD_FUNCTIONS_HTTP_ALLOW: "https://api.example.com" has a scheme`},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "api.example.com/v1", `"api.example.com/v1" has a path`},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "*.example.com", `"*.example.com" has a wildcard`},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "api.example.com:0", `has port "0"`},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "api.example.com:http", `has port "http"`},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "user@api.example.com", "is not a host or host:port"},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "api_example.com", "is not a host name"},
		{"LANYARD_FUNCTIONS_HTTP_ALLOW", "api..example.com", "is not a host name"},
	} {
		t.Run(c.env+"="+c.value, func(t *testing.T) {
			_, err := LoadConfig(nil, env(map[string]string{c.env: c.value}), os.Stderr)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
