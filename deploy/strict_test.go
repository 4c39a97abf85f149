package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// The schema checker of `make check-deploy` (kubernetes-models) checks types, required fields and
// formats, but lets unknown fields through: its schemas, like the Kubernetes OpenAPI ones, allow them.
// Kubernetes' own strict decoding, into the API's Go types, refuses them (and duplicate fields), as
// `kubectl apply --validate=strict` does on the server: these tests run it on the manifests.

// strictDecoder decodes the kinds the manifests use, refusing unknown and duplicate fields.
func strictDecoder(t *testing.T) runtime.Decoder {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme, policyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}

// yamlDocs splits a YAML stream into its documents, leaving out empty ones.
func yamlDocs(t *testing.T, raw []byte) [][]byte {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

func stripComments(doc []byte) []byte {
	var out []byte
	for line := range bytes.Lines(doc) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line...)
		}
	}
	return out
}

func TestKubernetesManifestsDecodeStrictly(t *testing.T) {
	dec := strictDecoder(t)
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	decoded := 0
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue // kustomize's own file, not a Kubernetes object
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range yamlDocs(t, raw) {
			if _, gvk, err := dec.Decode(doc, nil, nil); err != nil {
				t.Errorf("%s, document %d: %v", f, i+1, err)
			} else {
				t.Logf("%s: %s", f, gvk.Kind)
				decoded++
			}
		}
	}
	if decoded < 4 {
		t.Errorf("decoded %d objects from %v; want the Deployment, Service, Secret and PodDisruptionBudget", decoded, files)
	}
}

// TestStrictDecodingRefusesMistakes shows that the decoder above is strict: each broken copy of the
// Deployment is refused, with the field at fault named.
func TestStrictDecodingRefusesMistakes(t *testing.T) {
	dec := strictDecoder(t)
	raw, err := os.ReadFile("kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := string(raw)
	if _, _, err := dec.Decode(raw, nil, nil); err != nil {
		t.Fatalf("the unchanged Deployment is refused: %v", err)
	}
	// Each case replaces one exact line of the file, so that the change is the only difference.
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"misspelt top-level field", "  replicas: 2\n", "  replica: 2\n", `unknown field "spec.replica"`},
		{"misspelt nested field", "          imagePullPolicy: IfNotPresent\n", "          imagePulPolicy: IfNotPresent\n", `unknown field "spec.template.spec.containers[0].imagePulPolicy"`},
		{"misspelt probe field", "              port: 50051\n", "              prot: 50051\n", `unknown field "spec.template.spec.containers[0].readinessProbe.grpc.prot"`},
		{"duplicate field", "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n", `key "replicas" already set`},
		{"wrong type", "  replicas: 2\n", "  replicas: two\n", "replicas"},
		{"unknown kind", "kind: Deployment\n", "kind: Deploymnt\n", "Deploymnt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if strings.Count(good, c.old) != 1 {
				t.Fatalf("deployment.yaml has %d lines %q; the case needs exactly one", strings.Count(good, c.old), c.old)
			}
			_, _, err := dec.Decode([]byte(strings.Replace(good, c.old, c.new, 1)), nil, nil)
			if err == nil {
				t.Fatalf("accepted with %q", strings.TrimSpace(c.new))
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}
