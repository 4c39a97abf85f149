package deploy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lanyardhq/lanyard/server"
)

// imageEnv is what the Dockerfile's ENV instructions set, in order.
func imageEnv(t *testing.T) [][2]string {
	t.Helper()
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var env [][2]string
	// Continuation lines are joined first, as the Dockerfile parser does.
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "ENV ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("Dockerfile: ENV %q is not KEY=VALUE", kv)
			}
			env = append(env, [2]string{k, v})
		}
	}
	if len(env) == 0 {
		t.Fatal("Dockerfile sets no ENV")
	}
	return env
}

// deployment is the part of the Deployment the tests read.
type deployment struct {
	Spec struct {
		Replicas int `yaml:"replicas"`
		Template struct {
			Spec struct {
				EnableServiceLinks *bool `yaml:"enableServiceLinks"`
				Containers         []struct {
					Name  string `yaml:"name"`
					Ports []struct {
						Name          string `yaml:"name"`
						ContainerPort int    `yaml:"containerPort"`
					} `yaml:"ports"`
					Env []struct {
						Name      string `yaml:"name"`
						Value     string `yaml:"value"`
						ValueFrom *struct {
							SecretKeyRef *struct {
								Name string `yaml:"name"`
								Key  string `yaml:"key"`
							} `yaml:"secretKeyRef"`
						} `yaml:"valueFrom"`
					} `yaml:"env"`
					ReadinessProbe struct {
						GRPC *struct {
							Port int `yaml:"port"`
						} `yaml:"grpc"`
					} `yaml:"readinessProbe"`
					LivenessProbe struct {
						HTTPGet *struct {
							Path string `yaml:"path"`
							Port string `yaml:"port"`
						} `yaml:"httpGet"`
					} `yaml:"livenessProbe"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var extra any
	if err := dec.Decode(&extra); err != io.EOF {
		t.Fatalf("%s: expected one YAML document", path)
	}
}

// secretValues are the stringData of the Secret the Deployment reads, by key.
func secretValues(t *testing.T) map[string]string {
	t.Helper()
	var s struct {
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		StringData map[string]string `yaml:"stringData"`
	}
	readYAML(t, "kubernetes/secret.yaml", &s)
	if s.Metadata.Name != "lanyard" || len(s.StringData) == 0 {
		t.Fatalf("kubernetes/secret.yaml: want the Secret lanyard with stringData, got %q with %d keys", s.Metadata.Name, len(s.StringData))
	}
	return s.StringData
}

// accepts runs the server's own configuration checks on an environment: the refusal of unknown
// LANYARD_* names, then the loading and validation of every setting.
func accepts(t *testing.T, what string, env map[string]string) server.Config {
	t.Helper()
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	if err := server.CheckEnviron(environ); err != nil {
		t.Fatalf("%s: Lanyard refuses the environment: %v", what, err)
	}
	cfg, err := server.LoadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("%s: Lanyard refuses the configuration: %v", what, err)
	}
	return cfg
}

func port(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%q: %v", addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("%q: %v", addr, err)
	}
	return n
}

// listensBeyondLoopback fails the test when addr would only be reachable from inside the container.
func listensBeyondLoopback(t *testing.T, what, addr string) {
	t.Helper()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%s: %q: %v", what, addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		t.Errorf("%s: %q listens on loopback only, which nothing outside the container reaches", what, addr)
	}
}

func TestImageSettingsAccepted(t *testing.T) {
	env := map[string]string{}
	for _, kv := range imageEnv(t) {
		env[kv[0]] = kv[1]
	}
	cfg := accepts(t, "Dockerfile ENV", env)
	listensBeyondLoopback(t, "Dockerfile LANYARD_GRPC_ADDR", cfg.GRPCAddr)
	listensBeyondLoopback(t, "Dockerfile LANYARD_HTTP_ADDR", cfg.HTTPAddr)
	if cfg.DataDir != "/data" {
		t.Errorf("Dockerfile: data dir %q, want /data (the directory the image creates for user 65532)", cfg.DataDir)
	}
}

func TestKubernetesSettingsAccepted(t *testing.T) {
	var d deployment
	readYAML(t, "kubernetes/deployment.yaml", &d)
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("deployment.yaml: %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	secret := secretValues(t)

	// The container runs with the image's environment, overridden by the Deployment's.
	env := map[string]string{}
	for _, kv := range imageEnv(t) {
		env[kv[0]] = kv[1]
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == "lanyard":
			v, ok := secret[e.ValueFrom.SecretKeyRef.Key]
			if !ok {
				t.Fatalf("deployment.yaml: %s reads key %q, which secret.yaml does not have", e.Name, e.ValueFrom.SecretKeyRef.Key)
			}
			env[e.Name] = v
		default:
			t.Fatalf("deployment.yaml: %s: only values and keys of the Secret lanyard are understood here", e.Name)
		}
	}
	cfg := accepts(t, "deployment.yaml", env)
	if cfg.MongoDBURI == "" || cfg.MasterKeyFile == "" || cfg.PublicURL == "" {
		t.Errorf("deployment.yaml: want a MongoDB URI, a master key file and a public URL, got %q, %q, %q", cfg.MongoDBURI, cfg.MasterKeyFile, cfg.PublicURL)
	}
	listensBeyondLoopback(t, "deployment.yaml LANYARD_GRPC_ADDR", cfg.GRPCAddr)
	listensBeyondLoopback(t, "deployment.yaml LANYARD_HTTP_ADDR", cfg.HTTPAddr)

	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["grpc"] != port(t, cfg.GRPCAddr) || ports["http"] != port(t, cfg.HTTPAddr) {
		t.Errorf("deployment.yaml: container ports %v do not match the listeners %s (grpc) and %s (http)", ports, cfg.GRPCAddr, cfg.HTTPAddr)
	}
	if c.ReadinessProbe.GRPC == nil || c.ReadinessProbe.GRPC.Port != port(t, cfg.GRPCAddr) {
		t.Errorf("deployment.yaml: the readiness probe is not the gRPC health service on the gRPC port")
	}
	// Liveness must not follow the store (/readyz does): see server.healthz.
	if l := c.LivenessProbe.HTTPGet; l == nil || l.Path != "/healthz" || l.Port != "http" {
		t.Errorf("deployment.yaml: the liveness probe is not GET /healthz on the HTTP port")
	}
	if d.Spec.Replicas < 2 {
		t.Errorf("deployment.yaml: %d replicas, want at least 2", d.Spec.Replicas)
	}
}

// TestKubernetesServiceLinksAccepted: Kubernetes gives every pod variables named after the Services of its
// namespace (LANYARD_SERVICE_HOST, LANYARD_PORT_50051_TCP, … for the Service lanyard). Lanyard must start
// with them, so that enableServiceLinks need not be turned off.
func TestKubernetesServiceLinksAccepted(t *testing.T) {
	var svc struct {
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			Ports []struct {
				Name string `yaml:"name"`
				Port int    `yaml:"port"`
			} `yaml:"ports"`
		} `yaml:"spec"`
	}
	readYAML(t, "kubernetes/service.yaml", &svc)
	if len(svc.Spec.Ports) == 0 {
		t.Fatal("service.yaml: no ports")
	}
	// What the kubelet would inject for this Service (the documented docker-links-style names).
	prefix := strings.ToUpper(strings.ReplaceAll(svc.Metadata.Name, "-", "_"))
	first := strconv.Itoa(svc.Spec.Ports[0].Port)
	injected := []string{
		prefix + "_SERVICE_HOST=10.0.0.1",
		prefix + "_SERVICE_PORT=" + first,
		prefix + "_PORT=tcp://10.0.0.1:" + first,
	}
	for _, p := range svc.Spec.Ports {
		n := strconv.Itoa(p.Port)
		tcp := prefix + "_PORT_" + n + "_TCP"
		injected = append(injected,
			prefix+"_SERVICE_PORT_"+strings.ToUpper(strings.ReplaceAll(p.Name, "-", "_"))+"="+n,
			tcp+"=tcp://10.0.0.1:"+n, tcp+"_PROTO=tcp", tcp+"_PORT="+n, tcp+"_ADDR=10.0.0.1")
	}
	if err := server.CheckEnviron(injected); err != nil {
		t.Errorf("Lanyard refuses the service link variables of service.yaml: %v", err)
	}
}

func TestComposeSettingsAccepted(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			EnvFile     []struct {
				Path string `yaml:"path"`
			} `yaml:"env_file"`
			Ports []string `yaml:"ports"`
		} `yaml:"services"`
	}
	readYAML(t, "compose/compose.yaml", &compose)
	svc, ok := compose.Services["lanyard"]
	if !ok {
		t.Fatal("compose.yaml: no service lanyard")
	}
	env := map[string]string{}
	for _, kv := range imageEnv(t) {
		env[kv[0]] = kv[1]
	}
	// The env file's example stands for the env file, which is not committed.
	if len(svc.EnvFile) != 1 || svc.EnvFile[0].Path != "lanyard.env" {
		t.Fatalf("compose.yaml: want env_file lanyard.env, got %+v", svc.EnvFile)
	}
	raw, err := os.ReadFile(filepath.Join("compose", "lanyard.env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("lanyard.env.example: %q is not KEY=VALUE", line)
		}
		env[k] = v
	}
	for k, v := range svc.Environment {
		env[k] = v
	}
	cfg := accepts(t, "compose.yaml", env)
	if !strings.Contains(cfg.MongoDBURI, "replicaSet=rs0") || !strings.Contains(cfg.MongoDBURI, "w=majority") || !strings.Contains(cfg.MongoDBURI, "retryWrites=true") {
		t.Errorf("compose.yaml: the MongoDB URI %q lacks the replica set, w=majority or retryWrites", cfg.MongoDBURI)
	}
	if cfg.MasterKey == "" {
		t.Error("compose.yaml: no master key from the env file")
	}
	want := []string{"127.0.0.1:" + strconv.Itoa(port(t, cfg.GRPCAddr)) + ":" + strconv.Itoa(port(t, cfg.GRPCAddr)),
		"127.0.0.1:" + strconv.Itoa(port(t, cfg.HTTPAddr)) + ":" + strconv.Itoa(port(t, cfg.HTTPAddr))}
	for _, w := range want {
		if !slices.Contains(svc.Ports, w) {
			t.Errorf("compose.yaml: ports %v: want %s (the plaintext listeners, published on loopback only)", svc.Ports, w)
		}
	}
}
