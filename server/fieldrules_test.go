package server_test

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// stringRules are the buf.validate string rules of a field of msg, as its definition in proto/ states
// them: the tests below take their limits from there, so that they follow the proto.
func stringRules(t *testing.T, msg proto.Message, field protoreflect.Name) *validatepb.StringRules {
	t.Helper()
	fd := msg.ProtoReflect().Descriptor().Fields().ByName(field)
	rules := proto.GetExtension(fd.Options(), validatepb.E_Field).(*validatepb.FieldRules).GetString()
	if rules == nil {
		t.Fatalf("%s has no string rules", fd.FullName())
	}
	return rules
}

// TestFieldRuleOverGRPCAndAppServices: a field rule of the proto holds over gRPC and over the App
// Services route that maps to the same method, with the same field named: one past the limit is
// INVALID_ARGUMENT (400 BadRequest), the limit itself passes the rule and reaches the method.
func TestFieldRuleOverGRPCAndAppServices(t *testing.T) {
	ts := startServer(t, testConfig(t))
	c := newCompat(t, ts)
	ctx := context.Background()

	refused := func(how string, err error, field string, limit int) {
		t.Helper()
		st := wantError(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
		if f := violationFields(err); len(f) != 1 || f[0] != field {
			t.Errorf("%s: violations %q, want [%q]", how, f, field)
		}
		if !strings.Contains(st.Message(), field) || !strings.Contains(st.Message(), strconv.Itoa(limit)) {
			t.Errorf("%s: message %q does not name %s and its limit %d", how, st.Message(), field, limit)
		}
	}
	refusedHTTP := func(how string, r reply, field string, limit int) {
		t.Helper()
		wantErr(t, r, 400, "BadRequest")
		if msg := r.str("error"); !strings.Contains(msg, field) || !strings.Contains(msg, strconv.Itoa(limit)) {
			t.Errorf("%s: error %q does not name %s and its limit %d", how, msg, field, limit)
		}
	}

	// ConfirmUserRequest.token: max_bytes. At the limit the token is merely unknown.
	limit := int(stringRules(t, &lanyardv1.ConfirmUserRequest{}, "token").GetMaxBytes())
	if limit == 0 {
		t.Fatal("ConfirmUserRequest.token has no max_bytes rule")
	}
	tokenID := "0123456789abcdef01234567"
	over, at := strings.Repeat("t", limit+1), strings.Repeat("t", limit)
	_, err := ts.auth.ConfirmUser(ctx, &lanyardv1.ConfirmUserRequest{Token: over, TokenId: tokenID})
	refused("gRPC ConfirmUser", err, "token", limit)
	_, err = ts.auth.ConfirmUser(ctx, &lanyardv1.ConfirmUserRequest{Token: at, TokenId: tokenID})
	wantError(t, err, codes.NotFound, "TOKEN_USED_OR_EXPIRED")
	confirm := c.appPath("/auth/providers/local-userpass/confirm")
	refusedHTTP("HTTP confirm", c.do("POST", confirm, map[string]string{"token": over, "tokenId": tokenID}), "token", limit)
	wantErr(t, c.do("POST", confirm, map[string]string{"token": at, "tokenId": tokenID}), 400, "UserpassTokenInvalid")

	// CreateApiKeyRequest.name: max_len, in characters: two-byte ones show it is not bytes.
	chars := int(stringRules(t, &lanyardv1.CreateApiKeyRequest{}, "name").GetMaxLen())
	if chars == 0 {
		t.Fatal("CreateApiKeyRequest.name has no max_len rule")
	}
	if _, err := ts.auth.RegisterUser(ctx, &lanyardv1.RegisterUserRequest{Email: "rules@example.com", Password: "pw-rules-owner"}); err != nil {
		t.Fatal(err)
	}
	login, err := ts.auth.Login(ctx, &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{
		EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: "rules@example.com", Password: "pw-rules-owner"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, refresh, _ := c.mustLogin("local-userpass", userpassBody("rules@example.com", "pw-rules-owner"))
	_, err = ts.auth.CreateApiKey(bearer(login.GetAccessToken()), &lanyardv1.CreateApiKeyRequest{Name: strings.Repeat("é", chars+1)})
	refused("gRPC CreateApiKey", err, "name", chars)
	if _, err := ts.auth.CreateApiKey(bearer(login.GetAccessToken()), &lanyardv1.CreateApiKeyRequest{Name: strings.Repeat("é", chars)}); err != nil {
		t.Errorf("gRPC CreateApiKey with a name of %d characters: %v", chars, err)
	}
	refusedHTTP("HTTP api_keys", c.do("POST", v2+"/auth/api_keys", map[string]string{"name": strings.Repeat("ü", chars+1)}, auth(refresh)...), "name", chars)
	if r := c.do("POST", v2+"/auth/api_keys", map[string]string{"name": strings.Repeat("ü", chars)}, auth(refresh)...); r.status != 201 {
		t.Errorf("HTTP api_keys with a name of %d characters: %s", chars, r)
	}
}

// tsFileDesc matches the descriptor protoc-gen-es embeds in a generated JavaScript file (base64, with or
// without padding).
var tsFileDesc = regexp.MustCompile(`fileDesc\("([A-Za-z0-9+/=]+)"`)

// TestTypeScriptClientCarriesTheRules: the descriptors embedded in the generated TypeScript client (gen/ts)
// carry every field rule and method option the server enforces, so a TypeScript program can read them
// (@bufbuild/protobuf's getOption) and check a request before sending it.
func TestTypeScriptClientCarriesTheRules(t *testing.T) {
	fieldRules, methodOptions := 0, 0
	protoregistry.GlobalFiles.RangeFilesByPackage("lanyard.v1", func(fd protoreflect.FileDescriptor) bool {
		path := filepath.Join("..", "gen", "ts", "src", strings.TrimSuffix(fd.Path(), ".proto")+"_pb.js")
		src, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return true
		}
		m := tsFileDesc.FindSubmatch(src)
		if m == nil {
			t.Errorf("%s: no embedded descriptor", path)
			return true
		}
		raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(string(m[1]), "="))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return true
		}
		ts := &descriptorpb.FileDescriptorProto{}
		if err := proto.Unmarshal(raw, ts); err != nil {
			t.Errorf("%s: %v", path, err)
			return true
		}
		goFile := protodesc.ToFileDescriptorProto(fd)
		for i, msg := range goFile.GetMessageType() {
			if i >= len(ts.GetMessageType()) || ts.GetMessageType()[i].GetName() != msg.GetName() {
				t.Errorf("%s: message %s missing", path, msg.GetName())
				continue
			}
			tsMsg := ts.GetMessageType()[i]
			for j, f := range msg.GetField() {
				if !proto.HasExtension(f.GetOptions(), validatepb.E_Field) {
					continue
				}
				fieldRules++
				if j >= len(tsMsg.GetField()) || !proto.Equal(tsMsg.GetField()[j].GetOptions(), f.GetOptions()) {
					t.Errorf("%s: %s.%s: the rules differ from the server's", path, msg.GetName(), f.GetName())
				}
			}
			for j, o := range msg.GetOneofDecl() {
				if proto.HasExtension(o.GetOptions(), validatepb.E_Oneof) && !proto.Equal(tsMsg.GetOneofDecl()[j].GetOptions(), o.GetOptions()) {
					t.Errorf("%s: %s.%s: the oneof rule differs from the server's", path, msg.GetName(), o.GetName())
				}
			}
		}
		for i, svc := range goFile.GetService() {
			for j, md := range svc.GetMethod() {
				methodOptions++
				if !proto.Equal(ts.GetService()[i].GetMethod()[j].GetOptions(), md.GetOptions()) {
					t.Errorf("%s: %s.%s: the method options differ from the server's", path, svc.GetName(), md.GetName())
				}
			}
		}
		return true
	})
	if fieldRules < 40 || methodOptions < 33 {
		t.Errorf("compared %d field rules and %d methods' options; the API has more", fieldRules, methodOptions)
	}
}
