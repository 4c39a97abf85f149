package server

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/customdata"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// TestRulesEvaluate: every request message of the API has rules protovalidate can evaluate: an empty
// request either passes or breaks rules, never fails to compile or to run (which would answer INTERNAL to
// every call of the method).
func TestRulesEvaluate(t *testing.T) {
	n := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("lanyard.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			methods := fd.Services().Get(i).Methods()
			for j := range methods.Len() {
				in := methods.Get(j).Input()
				err := validator.Validate(dynamicpb.NewMessage(in))
				var invalid *protovalidate.ValidationError
				if err != nil && !errors.As(err, &invalid) {
					t.Errorf("%s: %v", in.FullName(), err)
				}
				n++
			}
		}
		return true
	})
	if n < 33 {
		t.Errorf("only %d request messages checked", n)
	}
}

// violationsOf is what validate answers for req: nil when it passes, the code and the field violations
// otherwise.
func violationsOf(t *testing.T, req any) []*errdetails.BadRequest_FieldViolation {
	t.Helper()
	err := validate(req)
	if err == nil {
		return nil
	}
	st := rpc.Status(t.Context(), nil, err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("%T: %v, want INVALID_ARGUMENT", req, err)
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			return br.GetFieldViolations()
		}
	}
	t.Fatalf("%T: INVALID_ARGUMENT without BadRequest details", req)
	return nil
}

// TestInvalidFieldsNamedAsBefore: violations found by the rules name fields the way Lanyard always has
// (nested fields and the oneof joined by dots), each once, with protovalidate's description.
func TestInvalidFieldsNamedAsBefore(t *testing.T) {
	id := "0123456789abcdef01234567"
	email := func(e, p string) *lanyardv1.LoginRequest {
		return &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_EmailPassword{EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: e, Password: p}}}
	}
	for _, tc := range []struct {
		req    any
		fields []string
	}{
		{&lanyardv1.LoginRequest{}, []string{"credentials"}},
		{&lanyardv1.LinkIdentityRequest{}, []string{"credentials"}},
		{email("", ""), []string{"email_password.email", "email_password.password"}},
		{email(strings.Repeat("e", 255), "pw"), []string{"email_password.email"}},
		{email(strings.Repeat("e", 254), "pw"), nil},
		{&lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}},
			Device: &lanyardv1.DeviceInfo{DeviceId: "nope", Platform: strings.Repeat("p", 129)}}, []string{"device.device_id", "device.platform"}},
		{&lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}},
			Device: &lanyardv1.DeviceInfo{DeviceId: id, Platform: strings.Repeat("p", 128)}}, nil},
		{&lanyardv1.RefreshSessionRequest{}, []string{"refresh_token"}},
		{&lanyardv1.CreateApiKeyRequest{Name: "tab\there"}, []string{"name"}},
		{&lanyardv1.CreateApiKeyRequest{Name: strings.Repeat("é", 64)}, nil},
		{&lanyardv1.CreateApiKeyRequest{Name: strings.Repeat("é", 65)}, []string{"name"}},
		{&lanyardv1.GetUserRequest{UserId: strings.ToUpper(id)}, []string{"user_id"}},
		{&lanyardv1.GetProfileRequest{}, nil},
		{&lanyardv1.ListUsersRequest{PageSize: 1001, PageToken: "x"}, []string{"page_size", "page_token"}},
		{&lanyardv1.ListUsersRequest{PageSize: -1}, []string{"page_size"}},
		{&lanyardv1.WatchAuthEventsRequest{AfterEventId: "-1"}, []string{"after_event_id"}},
		{&lanyardv1.WatchAuthEventsRequest{AfterEventId: "999999999999999999"}, nil},
		{&lanyardv1.WatchAuthEventsRequest{AfterEventId: "9999999999999999999"}, []string{"after_event_id"}},
		{&lanyardv1.UpdateCustomDataRequest{UserId: "someone"}, []string{"user_id"}},
	} {
		var fields []string
		for _, v := range violationsOf(t, tc.req) {
			fields = append(fields, v.GetField())
			if v.GetDescription() == "" {
				t.Errorf("%T: %s has no description", tc.req, v.GetField())
			}
		}
		if !slices.Equal(fields, tc.fields) {
			t.Errorf("%T %v: violations %q, want %q", tc.req, tc.req, fields, tc.fields)
		}
	}
}

// TestFieldNameSubscripts: list indexes and map keys in a violation's path become dotted segments, as in
// the paths Lanyard's own checks write ("set.a.b.1").
func TestFieldNameSubscripts(t *testing.T) {
	el := func(name string) *validatepb.FieldPathElement {
		return validatepb.FieldPathElement_builder{FieldName: proto.String(name)}.Build()
	}
	index, key := el("unset"), el("labels")
	index.SetIndex(1)
	key.SetStringKey("a.b")
	for _, tc := range []struct {
		path []*validatepb.FieldPathElement
		want string
	}{
		{[]*validatepb.FieldPathElement{el("device"), el("device_id")}, "device.device_id"},
		{[]*validatepb.FieldPathElement{index}, "unset.1"},
		{[]*validatepb.FieldPathElement{el("doc"), key, el("x")}, "doc.labels.a.b.x"},
	} {
		if got := fieldName(validatepb.FieldPath_builder{Elements: tc.path}.Build()); got != tc.want {
			t.Errorf("fieldName = %q, want %q", got, tc.want)
		}
	}
}

// TestRulesMatchTheDomain: the limits the proto states are the ones the code behind them was written
// for, so that a request the rules let through never trips a deeper check with a worse answer.
func TestRulesMatchTheDomain(t *testing.T) {
	ok := store.NewID()
	if !store.ValidID(ok) || violationsOf(t, &lanyardv1.GetUserRequest{UserId: ok}) != nil {
		t.Errorf("a new store id %q is refused by the id rule", ok)
	}
	for _, bad := range []string{"", ok[:23], ok + "0", strings.ToUpper(ok), "0123456789abcdef0123456g"} {
		if store.ValidID(bad) == (violationsOf(t, &lanyardv1.GetUserRequest{UserId: bad}) == nil) {
			continue
		}
		t.Errorf("id %q: store.ValidID and the rule disagree", bad)
	}
	for _, name := range []string{"laptop", strings.Repeat("ü", 64), strings.Repeat("x", 65), "", "a\x7f", "a\nb", "a\x00", "\u00a0"} {
		if (violationsOf(t, &lanyardv1.CreateApiKeyRequest{Name: name}) == nil) != (authn.CheckKeyName(name) == nil) {
			t.Errorf("key name %q: authn.CheckKeyName and the rule disagree", name)
		}
	}
	if violationsOf(t, &lanyardv1.RegisterUserRequest{Email: "a@b.io", Password: strings.Repeat("p", authn.MaxPasswordBytes)}) != nil ||
		violationsOf(t, &lanyardv1.RegisterUserRequest{Email: "a@b.io", Password: strings.Repeat("p", authn.MaxPasswordBytes+1)}) == nil {
		t.Errorf("the password rule is not authn.MaxPasswordBytes (%d)", authn.MaxPasswordBytes)
	}
	if violationsOf(t, &lanyardv1.RefreshSessionRequest{RefreshToken: strings.Repeat("t", authn.MaxTokenSize)}) != nil ||
		violationsOf(t, &lanyardv1.RefreshSessionRequest{RefreshToken: strings.Repeat("t", authn.MaxTokenSize+1)}) == nil {
		t.Errorf("the refresh token rule is not authn.MaxTokenSize (%d)", authn.MaxTokenSize)
	}
}

// BenchmarkValidate measures the validation step of hot calls: the rules in the proto evaluated by
// protovalidate (with, for UpdateCustomData, the finite-number walk its handler keeps), beside the
// hand-written per-method checks they replace (handwritten/*, a copy of them kept here as the baseline).
func BenchmarkValidate(b *testing.B) {
	refresh := &lanyardv1.RefreshSessionRequest{RefreshToken: strings.Repeat("t", 220)}
	login := &lanyardv1.LoginRequest{
		Credentials: &lanyardv1.LoginRequest_EmailPassword{EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: "ada@example.com", Password: "pw-correct-horse"}},
		Device:      &lanyardv1.DeviceInfo{DeviceId: "0123456789abcdef01234567", Platform: "web", PlatformVersion: "126", SdkVersion: "Web v2.0.0", AppVersion: "1.2.3"},
	}
	doc, err := structpb.NewStruct(map[string]any{"plan": "team", "seats": 12, "items": []any{
		map[string]any{"sku": "SKU-1", "qty": 1, "tags": []any{"red", "large"}},
		map[string]any{"sku": "SKU-2", "qty": 2, "tags": []any{"blue"}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	// items is a 4 KB document of a few hundred members, like the one of TestWhoAmICostDoesNotGrowWithTheDocument.
	var items []any
	for i := range 40 {
		items = append(items, map[string]any{"sku": "SKU-" + strconv.Itoa(i), "name": "item number " + strconv.Itoa(i), "qty": i % 7,
			"tags": []any{"red", "large"}, "gift": i%2 == 0})
	}
	large, err := structpb.NewStruct(map[string]any{"plan": "team", "seats": 12, "items": items})
	if err != nil {
		b.Fatal(err)
	}
	update := lanyardv1.CustomDataService_UpdateCustomData_FullMethodName
	for _, bc := range []struct {
		name, method string
		req          any
	}{
		{"WhoAmI", lanyardv1.AuthService_WhoAmI_FullMethodName, &lanyardv1.WhoAmIRequest{}},
		{"RefreshSession", lanyardv1.AuthService_RefreshSession_FullMethodName, refresh},
		{"Login", lanyardv1.AuthService_Login_FullMethodName, login},
		{"UpdateCustomData_small", update, &lanyardv1.UpdateCustomDataRequest{Set: doc}},
		{"UpdateCustomData_4KB", update, &lanyardv1.UpdateCustomDataRequest{Set: large}},
	} {
		method, req, name := bc.method, bc.req, bc.name
		b.Run("handwritten/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := handwrittenValidate(method, req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("protovalidate/"+name, func(b *testing.B) {
			b.ReportAllocs()
			update, _ := req.(*lanyardv1.UpdateCustomDataRequest)
			for b.Loop() {
				if err := validate(req); err != nil {
					b.Fatal(err)
				}
				if update != nil {
					if err := customdata.FiniteNumbers(update); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// handwrittenValidate is the validation step as it was before the rules moved into the proto: a table of
// checks per method, for the methods BenchmarkValidate measures.
func handwrittenValidate(method string, req any) error {
	if malformed(req) {
		return errMalformed
	}
	check, ok := handwrittenChecks[method]
	if !ok {
		return nil
	}
	var v rpc.Violations
	check(req, &v)
	return v.Err()
}

var handwrittenChecks = map[string]func(req any, v *rpc.Violations){
	lanyardv1.AuthService_Login_FullMethodName: func(r any, v *rpc.Violations) {
		req := r.(*lanyardv1.LoginRequest)
		if ep := req.GetEmailPassword(); ep != nil {
			handwrittenRequired(v, "email_password.email", ep.GetEmail(), 254)
			handwrittenRequired(v, "email_password.password", ep.GetPassword(), authn.MaxPasswordBytes)
		} else {
			v.Add("credentials", "set exactly one of anonymous, email_password, api_key, custom_token, google, facebook")
		}
		if d := req.GetDevice(); d != nil {
			if d.GetDeviceId() != "" && !store.ValidID(d.GetDeviceId()) {
				v.Add("device.device_id", "must be empty or a device id returned by Login (24 hex characters)")
			}
			for name, s := range map[string]string{"device.platform": d.GetPlatform(), "device.platform_version": d.GetPlatformVersion(),
				"device.sdk_version": d.GetSdkVersion(), "device.app_version": d.GetAppVersion()} {
				handwrittenMaxLen(v, name, s, 128)
			}
		}
	},
	lanyardv1.AuthService_RefreshSession_FullMethodName: func(r any, v *rpc.Violations) {
		handwrittenRequired(v, "refresh_token", r.(*lanyardv1.RefreshSessionRequest).GetRefreshToken(), authn.MaxTokenSize)
	},
	lanyardv1.CustomDataService_UpdateCustomData_FullMethodName: func(r any, v *rpc.Violations) {
		// The walk is the handler's (the benchmark's updates hold only finite numbers).
		if err := customdata.FiniteNumbers(r.(*lanyardv1.UpdateCustomDataRequest)); err != nil {
			v.Add("set", err.Error())
		}
	},
}

func handwrittenRequired(v *rpc.Violations, field, s string, max int) {
	if s == "" {
		v.Add(field, "is required")
		return
	}
	handwrittenMaxLen(v, field, s, max)
}

func handwrittenMaxLen(v *rpc.Violations, field, s string, max int) {
	if len(s) > max {
		v.Add(field, "is longer than "+strconv.Itoa(max)+" bytes")
	} else if !utf8.ValidString(s) {
		v.Add(field, "is not valid UTF-8")
	}
}

// TestCustomFunctionPayloadRequired: custom-function credentials without a payload are refused before
// any function runs, naming the field; an empty payload object is a payload.
func TestCustomFunctionPayloadRequired(t *testing.T) {
	without := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_CustomFunction{CustomFunction: &lanyardv1.CustomFunctionCredentials{}}}
	v := violationsOf(t, without)
	if len(v) != 1 || v[0].GetField() != "custom_function.payload" {
		t.Errorf("violations %v, want one of custom_function.payload", v)
	}
	empty := &lanyardv1.LoginRequest{Credentials: &lanyardv1.LoginRequest_CustomFunction{CustomFunction: &lanyardv1.CustomFunctionCredentials{Payload: &structpb.Struct{}}}}
	if v := violationsOf(t, empty); v != nil {
		t.Errorf("an empty payload object is refused: %v", v)
	}
}
