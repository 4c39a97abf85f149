package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/reflect/protoreflect"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/internal/otlptest"
)

// webProtocols are the two browser protocols of the HTTP listener, as connect-go's client speaks them:
// Connect with JSON (what createConnectTransport sends by default) and gRPC-Web with binary protobuf
// (createGrpcWebTransport's default).
var webProtocols = []struct {
	name string
	opts []connect.ClientOption
}{
	{"connect", []connect.ClientOption{connect.WithProtoJSON()}},
	{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
}

func webURL(ts *testServer, method string) string {
	return "http://" + ts.HTTPAddr() + method
}

// TestWebRPCUnary: the same login and WhoAmI over Connect and gRPC-Web, through the interceptors (the
// token WhoAmI reads was checked by the authentication step).
func TestWebRPCUnary(t *testing.T) {
	ts := startServer(t, testConfig(t))
	for _, p := range webProtocols {
		t.Run(p.name, func(t *testing.T) {
			login := connect.NewClient[lanyardv1.LoginRequest, lanyardv1.LoginResponse](http.DefaultClient,
				webURL(ts, lanyardv1.AuthService_Login_FullMethodName), p.opts...)
			resp, err := login.CallUnary(context.Background(), connect.NewRequest(&lanyardv1.LoginRequest{
				Credentials: &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}}))
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if resp.Msg.GetAccessToken() == "" || resp.Msg.GetUserId() == "" {
				t.Fatalf("Login answered %v", resp.Msg)
			}
			whoami := connect.NewClient[lanyardv1.WhoAmIRequest, lanyardv1.WhoAmIResponse](http.DefaultClient,
				webURL(ts, lanyardv1.AuthService_WhoAmI_FullMethodName), p.opts...)
			req := connect.NewRequest(&lanyardv1.WhoAmIRequest{})
			req.Header().Set("Authorization", "Bearer "+resp.Msg.GetAccessToken())
			who, err := whoami.CallUnary(context.Background(), req)
			if err != nil {
				t.Fatalf("WhoAmI: %v", err)
			}
			if who.Msg.GetUserId() != resp.Msg.GetUserId() {
				t.Fatalf("WhoAmI says user %q, logged in as %q", who.Msg.GetUserId(), resp.Msg.GetUserId())
			}
		})
	}
}

// postJSON makes a Connect unary call as any HTTP client can: a POST of JSON with the protocol's version.
func postJSON(url, body string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	return http.DefaultClient.Do(req)
}

// TestWebRPCPlainJSON: a Connect unary call is a plain POST of JSON.
func TestWebRPCPlainJSON(t *testing.T) {
	ts := startServer(t, testConfig(t))
	resp, err := postJSON(webURL(ts, lanyardv1.AuthService_Login_FullMethodName), `{"anonymous": {}}`)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"accessToken"`
		UserID      string `json:"userId"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, decode %v", resp.StatusCode, err)
	}
	if out.AccessToken == "" || out.UserID == "" {
		t.Fatalf("login answered %+v", out)
	}

	// An error is a JSON object with the gRPC code's Connect name, the message and the details.
	resp, err = postJSON(webURL(ts, lanyardv1.AuthService_WhoAmI_FullMethodName), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Type string `json:"type"`
		} `json:"details"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || e.Code != "unauthenticated" || e.Message == "" ||
		len(e.Details) == 0 || e.Details[0].Type != "google.rpc.ErrorInfo" {
		t.Fatalf("WhoAmI without a token: %d %+v", resp.StatusCode, e)
	}
}

// TestWebRPCErrorInfo: errors keep their code, message and ErrorInfo over both protocols.
func TestWebRPCErrorInfo(t *testing.T) {
	ts := startServer(t, testConfig(t))
	_, nativeErr := ts.auth.WhoAmI(bearer("not-a-token"), &lanyardv1.WhoAmIRequest{})
	native := wantError(t, nativeErr, codes.Unauthenticated, "TOKEN_INVALID")
	for _, p := range webProtocols {
		t.Run(p.name, func(t *testing.T) {
			whoami := connect.NewClient[lanyardv1.WhoAmIRequest, lanyardv1.WhoAmIResponse](http.DefaultClient,
				webURL(ts, lanyardv1.AuthService_WhoAmI_FullMethodName), p.opts...)
			req := connect.NewRequest(&lanyardv1.WhoAmIRequest{})
			req.Header().Set("Authorization", "Bearer not-a-token")
			_, err := whoami.CallUnary(context.Background(), req)
			var ce *connect.Error
			if !errors.As(err, &ce) {
				t.Fatalf("WhoAmI with a bad token: %v", err)
			}
			if ce.Code() != connect.CodeUnauthenticated || ce.Message() != native.Message() {
				t.Fatalf("code %s message %q, natively %s %q", ce.Code(), ce.Message(), native.Code(), native.Message())
			}
			reason := ""
			for _, d := range ce.Details() {
				v, err := d.Value()
				if err != nil {
					t.Fatalf("detail %s: %v", d.Type(), err)
				}
				if info, ok := v.(*errdetails.ErrorInfo); ok {
					reason = info.GetReason() + "/" + info.GetDomain()
				}
			}
			if reason != "TOKEN_INVALID/lanyard" {
				t.Fatalf("ErrorInfo %q, want TOKEN_INVALID/lanyard", reason)
			}
		})
	}
}

// TestWebRPCWatchCustomData: the server stream delivers, over each browser protocol, a change made
// through native gRPC.
func TestWebRPCWatchCustomData(t *testing.T) {
	ts := startServer(t, testConfig(t))
	for i, p := range webProtocols {
		t.Run(p.name, func(t *testing.T) {
			u := anonLogin(t, ts)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			watch := connect.NewClient[lanyardv1.WatchCustomDataRequest, lanyardv1.WatchCustomDataResponse](http.DefaultClient,
				webURL(ts, lanyardv1.CustomDataService_WatchCustomData_FullMethodName), p.opts...)
			req := connect.NewRequest(&lanyardv1.WatchCustomDataRequest{})
			req.Header().Set("Authorization", "Bearer "+u.GetAccessToken())
			stream, err := watch.CallServerStream(ctx, req)
			if err != nil {
				t.Fatalf("WatchCustomData: %v", err)
			}
			defer stream.Close()
			// The first message is the current document; the update is made once the stream is open.
			if !stream.Receive() {
				t.Fatalf("no first message: %v", stream.Err())
			}
			want := float64(i + 41)
			if _, err := ts.data.UpdateCustomData(bearer(u.GetAccessToken()), &lanyardv1.UpdateCustomDataRequest{
				Set: structOf(t, `{"n": `+jsonNumber(want)+`}`)}); err != nil {
				t.Fatalf("UpdateCustomData over gRPC: %v", err)
			}
			for stream.Receive() {
				if stream.Msg().GetData().GetFields()["n"].GetNumberValue() == want {
					return
				}
			}
			t.Fatalf("stream ended without the update: %v", stream.Err())
		})
	}
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// TestWebRPCCORS: a preflight with connect-web's headers is allowed for a configured origin and refused
// for another, and only the configured origin's answers carry CORS headers.
func TestWebRPCCORS(t *testing.T) {
	cfg := testConfig(t)
	cfg.CORSOrigins = []string{"http://app.example"}
	ts := startServer(t, cfg)
	url := webURL(ts, lanyardv1.AuthService_Login_FullMethodName)
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, url, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,connect-protocol-version,connect-timeout-ms,x-grpc-web,x-user-agent,authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := preflight("http://app.example")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://app.example" {
		t.Fatalf("preflight of the configured origin: %d %v", resp.StatusCode, resp.Header)
	}
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"content-type", "connect-protocol-version", "connect-timeout-ms", "x-grpc-web", "x-user-agent", "authorization"} {
		if !strings.Contains(allowed, h) {
			t.Errorf("Access-Control-Allow-Headers %q lacks %s", allowed, h)
		}
	}
	if !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("Access-Control-Allow-Methods %q", resp.Header.Get("Access-Control-Allow-Methods"))
	}
	exposed := resp.Header.Get("Access-Control-Expose-Headers")
	for _, h := range []string{"Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin"} {
		if !strings.Contains(exposed, h) {
			t.Errorf("Access-Control-Expose-Headers %q lacks %s", exposed, h)
		}
	}

	resp = preflight("http://evil.example")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "" {
		t.Fatalf("preflight of another origin: %d %v", resp.StatusCode, resp.Header)
	}

	// The call itself: the configured origin may read the answer, another gets no CORS header.
	for origin, want := range map[string]string{"http://app.example": "http://app.example", "http://evil.example": ""} {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(`{"anonymous": {}}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Connect-Protocol-Version", "1")
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("call from %s: Access-Control-Allow-Origin %q, want %q", origin, got, want)
		}
	}
}

// TestWebRPCBeside: the App Services routes, the JWKS and the health routes answer as before beside the
// new routes.
func TestWebRPCBeside(t *testing.T) {
	ts := startServer(t, testConfig(t))
	base := "http://" + ts.HTTPAddr()
	for _, path := range []string{"/healthz", "/readyz", "/.well-known/jwks.json", "/api/client/v2.0/app/" + ts.cfg.AppID + "/location"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if path == "/.well-known/jwks.json" && !bytes.Contains(body, []byte(`"keys"`)) {
			t.Errorf("GET %s: %s", path, body)
		}
	}
	resp, err := http.Post(base+"/api/client/v2.0/app/"+ts.cfg.AppID+"/auth/providers/anon-user/login", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("App Services anonymous login: %d", resp.StatusCode)
	}
}

// TestWebRPCBodyLimit: a request body beyond what the gRPC listener accepts is refused, not buffered.
func TestWebRPCBodyLimit(t *testing.T) {
	ts := startServer(t, testConfig(t))
	big := `{"customToken": {"token": "` + strings.Repeat("a", 5<<20) + `"}}`
	resp, err := postJSON(webURL(ts, lanyardv1.AuthService_Login_FullMethodName), big)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Code string `json:"code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 && e.Code != "resource_exhausted" {
		t.Fatalf("a 5 MiB login: %d %+v", resp.StatusCode, e)
	}
	if e.Code != "resource_exhausted" && e.Code != "invalid_argument" {
		t.Fatalf("a 5 MiB login answered %d %q", resp.StatusCode, e.Code)
	}
}

// TestWebRPCBrokenBodies: every method of the browser routes refuses a request that does not decode
// (broken JSON, binary that is not the method's message) with a client error carrying an ErrorInfo, never
// a server error, and the server serves on. Unknown JSON fields are ignored, as unknown binary fields are.
func TestWebRPCBrokenBodies(t *testing.T) {
	ts := startServer(t, testConfig(t))
	bodies := []struct{ contentType, body string }{
		{"application/json", `{"anonymous": `},
		{"application/json", `[1, 2]`},
		{"application/json", `{"anonymous": {}} x`},
		{"application/json", "{\"email\": \"\xff\"}"},
		{"application/proto", "\xff\xff\xff\xff\xff\xff"},
		{"application/proto", "\x0a\x80\x80\x80\x80\x10"},
	}
	methods := 0
	for _, fd := range []protoreflect.FileDescriptor{lanyardv1.File_lanyard_v1_auth_proto, lanyardv1.File_lanyard_v1_custom_data_proto,
		lanyardv1.File_lanyard_v1_metadata_proto, lanyardv1.File_lanyard_v1_admin_proto} {
		for i := 0; i < fd.Services().Len(); i++ {
			svc := fd.Services().Get(i)
			for j := 0; j < svc.Methods().Len(); j++ {
				m := svc.Methods().Get(j)
				if m.IsStreamingClient() || m.IsStreamingServer() {
					continue
				}
				methods++
				url := webURL(ts, "/"+string(svc.FullName())+"/"+string(m.Name()))
				for _, b := range bodies {
					req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(b.body))
					req.Header.Set("Content-Type", b.contentType)
					req.Header.Set("Connect-Protocol-Version", "1")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					var e struct {
						Code    string `json:"code"`
						Details []struct {
							Type string `json:"type"`
						} `json:"details"`
					}
					_ = json.Unmarshal(raw, &e)
					if resp.StatusCode < 400 || resp.StatusCode >= 500 || len(e.Details) == 0 || e.Details[0].Type != "google.rpc.ErrorInfo" {
						t.Errorf("%s with %s %.40q: %d %.200s", m.FullName(), b.contentType, b.body, resp.StatusCode, raw)
					}
				}
			}
		}
	}
	if methods < 20 {
		t.Fatalf("only %d unary methods swept", methods)
	}
	// A field of the wrong type is refused, with the field named.
	resp, err := postJSON(webURL(ts, lanyardv1.AdminService_ListUsers_FullMethodName), `{"pageSize": "many"}`)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(raw, []byte("pageSize")) || !bytes.Contains(raw, []byte("INVALID_ARGUMENT")) {
		t.Errorf("ListUsers with a string page size: %d %s", resp.StatusCode, raw)
	}
	if _, err := ts.auth.GetJwks(context.Background(), &lanyardv1.GetJwksRequest{}); err != nil {
		t.Fatalf("after the sweep: %v", err)
	}
}

// TestWebRPCTraced: a Connect call is one server span named after its method, as a native call is, and
// the HTTP tracing makes no second span for it (nor one named after its path).
func TestWebRPCTraced(t *testing.T) {
	rcv := otlptest.Start(t)
	exportTo(t, rcv, "otlp")
	ts := startServer(t, testConfig(t))
	token := anonLogin(t, ts).GetAccessToken()
	whoami := connect.NewClient[lanyardv1.WhoAmIRequest, lanyardv1.WhoAmIResponse](http.DefaultClient,
		webURL(ts, lanyardv1.AuthService_WhoAmI_FullMethodName), connect.WithProtoJSON())
	req := connect.NewRequest(&lanyardv1.WhoAmIRequest{})
	req.Header().Set("Authorization", "Bearer "+token)
	if _, err := whoami.CallUnary(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	stopNow(t, ts)
	var names []string
	n := 0
	for _, s := range rcv.Spans() {
		names = append(names, s.GetName())
		if s.GetName() == lanyardv1.AuthService_ServiceDesc.ServiceName+"/WhoAmI" {
			n++
			if s.GetKind() != tracepb.Span_SPAN_KIND_SERVER {
				t.Errorf("WhoAmI span kind %v", s.GetKind())
			}
		}
		if strings.Contains(s.GetName(), "/lanyard.v1.") {
			t.Errorf("an HTTP span %q for the Connect call", s.GetName())
		}
	}
	if n != 1 {
		t.Fatalf("%d WhoAmI spans among %q, want 1", n, names)
	}
}
