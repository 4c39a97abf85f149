package appservices

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const callPath = "/api/client/v2.0/app/app1/functions/call"

// TestServiceCallDecoding: realm-web's MongoDBCollection bodies reach the core as one ServiceCall, and
// the core's answer is the body.
func TestServiceCallDecoding(t *testing.T) {
	cases := []struct {
		name, body string
		want       ServiceCall
	}{
		{"updateOne", `{"name":"updateOne","service":"mongodb-atlas","arguments":[{"database":"db","collection":"c",
			"query":{"user_id":"u1"},"update":{"$set":{"a":{"$numberInt":"1"}}},"upsert":true}]}`,
			ServiceCall{Service: "mongodb-atlas", Action: "updateOne", Database: "db", Collection: "c",
				Query: json.RawMessage(`{"user_id":"u1"}`), Update: json.RawMessage(`{"$set":{"a":{"$numberInt":"1"}}}`), Upsert: true}},
		{"find with an Extended JSON limit and no projection", `{"name":"find","service":"s","arguments":[{"database":"db","collection":"c",
			"query":{},"sort":{"a":1},"limit":{"$numberInt":"5"},"project":null}]}`,
			ServiceCall{Service: "s", Action: "find", Database: "db", Collection: "c", Query: json.RawMessage(`{}`),
				Sort: json.RawMessage(`{"a":1}`), Limit: 5}},
		{"findOne with a projection", `{"name":"findOne","service":"s","arguments":[{"database":"db","collection":"c","project":{"a":1}}]}`,
			ServiceCall{Service: "s", Action: "findOne", Database: "db", Collection: "c", Projection: json.RawMessage(`{"a":1}`)}},
		{"aggregate", `{"name":"aggregate","service":"s","arguments":[{"database":"db","collection":"c","pipeline":[{"$match":{}}]}]}`,
			ServiceCall{Service: "s", Action: "aggregate", Database: "db", Collection: "c", Pipeline: json.RawMessage(`[{"$match":{}}]`)}},
		{"an unknown function reaches the core, which names the ones served", `{"name":"findOneAndUpdate","service":"s","arguments":[{"database":"db","collection":"c","filter":{}}]}`,
			ServiceCall{Service: "s", Action: "findOneAndUpdate", Database: "db", Collection: "c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			core := &fakeCore{serviceAnswer: json.RawMessage(`{"matchedCount":1,"modifiedCount":1}`)}
			a := serve(t, newTestHandler(core), "POST", callPath, tc.body, "Authorization", "Bearer a")
			if a.status != 200 || a.body["matchedCount"] != float64(1) {
				t.Fatalf("answer %d %s", a.status, a.raw)
			}
			if core.lastService == nil {
				t.Fatal("the core was not called")
			}
			got := *core.lastService
			// Compare the raw arguments as values: whitespace is the client's.
			for _, f := range []*json.RawMessage{&got.Query, &got.Update, &got.Sort, &got.Projection, &got.Pipeline} {
				if *f != nil {
					var v any
					_ = json.Unmarshal(*f, &v)
					*f, _ = json.Marshal(v)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("call\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

// TestServiceCallErrors: bad bodies are 400s naming what is wrong, and never reach the core.
func TestServiceCallErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"no name", `{"service":"s","arguments":[{"database":"d","collection":"c"}]}`, `"name"`},
		{"name not a string", `{"name":1,"service":"s","arguments":[{"database":"d","collection":"c"}]}`, `"name"`},
		{"no arguments", `{"name":"findOne","service":"s"}`, `"arguments"`},
		{"two arguments", `{"name":"findOne","service":"s","arguments":[{},{}]}`, `"arguments"`},
		{"arguments not objects", `{"name":"findOne","service":"s","arguments":[1]}`, `"arguments"`},
		{"no database", `{"name":"findOne","service":"s","arguments":[{"collection":"c"}]}`, `"database"`},
		{"unknown argument", `{"name":"findOne","service":"s","arguments":[{"database":"d","collection":"c","limit":1}]}`, `"limit" is not an argument of findOne`},
		{"query not an object", `{"name":"count","service":"s","arguments":[{"database":"d","collection":"c","query":[1]}]}`, `"query" must be an object`},
		{"negative limit", `{"name":"find","service":"s","arguments":[{"database":"d","collection":"c","limit":-1}]}`, `"limit"`},
		{"fractional limit", `{"name":"find","service":"s","arguments":[{"database":"d","collection":"c","limit":1.5}]}`, `"limit"`},
		{"upsert not a boolean", `{"name":"updateOne","service":"s","arguments":[{"database":"d","collection":"c","update":{},"upsert":"yes"}]}`, `"upsert"`},
		{"update missing", `{"name":"updateOne","service":"s","arguments":[{"database":"d","collection":"c","query":{}}]}`, `"update" is required`},
		{"document missing", `{"name":"insertOne","service":"s","arguments":[{"database":"d","collection":"c"}]}`, `"document" is required`},
		{"pipeline not an array", `{"name":"aggregate","service":"s","arguments":[{"database":"d","collection":"c","pipeline":{}}]}`, `"pipeline"`},
		{"service not a string", `{"name":"findOne","service":1,"arguments":[{"database":"d","collection":"c"}]}`, `"service"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			core := &fakeCore{}
			a := serve(t, newTestHandler(core), "POST", callPath, tc.body, "Authorization", "Bearer a")
			if a.status != 400 || a.body["error_code"] != "BadRequest" || !strings.Contains(a.body["error"].(string), tc.want) {
				t.Errorf("answer %d %s, want 400 BadRequest naming %s", a.status, a.raw, tc.want)
			}
			if core.lastService != nil {
				t.Error("a bad body reached the core")
			}
		})
	}
}

// TestServiceCallCoreErrors: the core's refusals keep App Services' codes: an unknown service is
// ServiceNotFound, a rule's refusal PermissionDenied; a function call without a service stays
// FunctionNotFound; a bad token is refused before the body is looked at.
func TestServiceCallCoreErrors(t *testing.T) {
	const body = `{"name":"findOne","service":"other","arguments":[{"database":"d","collection":"c"}]}`
	notFound, _ := status.New(codes.NotFound, `service not found: "other"`).WithDetails(&errdetails.ErrorInfo{
		Reason: "NOT_FOUND", Domain: "lanyard", Metadata: map[string]string{"resource": "service"}})
	cases := []struct {
		name     string
		err      error
		body     string
		status   int
		code     string
		reached  bool
		contains string
	}{
		{"unknown service", statusErr{notFound}, body, 404, "ServiceNotFound", true, "service not found"},
		{"custom data disabled is not a missing service", newStatusErr(codes.NotFound, "NOT_FOUND", "custom user data is not enabled"), body, 404, "NotFound", true, "not enabled"},
		{"rules refuse", newStatusErr(codes.PermissionDenied, "RULE_DENIED", "custom data rules deny read"), body, 403, "PermissionDenied", true, "deny read"},
		{"function, not service", nil, `{"name":"sum","arguments":[1]}`, 501, "FunctionNotFound", false, "MongoDB service"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			core := &fakeCore{serviceErr: tc.err}
			a := serve(t, newTestHandler(core), "POST", callPath, tc.body, "Authorization", "Bearer a")
			if a.status != tc.status || a.body["error_code"] != tc.code || !strings.Contains(a.body["error"].(string), tc.contains) {
				t.Errorf("answer %d %s, want %d %s", a.status, a.raw, tc.status, tc.code)
			}
			if (core.lastService != nil) != tc.reached {
				t.Errorf("core reached: %v, want %v", core.lastService != nil, tc.reached)
			}
		})
	}
	core := &fakeCore{err: newStatusErr(codes.Unauthenticated, "TOKEN_EXPIRED", "expired")}
	if a := serve(t, newTestHandler(core), "POST", callPath, `{"name":1}`, "Authorization", "Bearer a"); a.status != 401 || a.body["error_code"] != "InvalidSession" || core.lastService != nil {
		t.Errorf("expired token: %d %s, want 401 InvalidSession before the body is decoded", a.status, a.raw)
	}
}

// TestServiceCallStream: the streaming form (GET, baas_request) decodes the same call; events are SSE
// data lines with '%', CR and LF percent-encoded; an error once the stream is open is an error event; an
// error before it is an ordinary JSON answer.
func TestServiceCallStream(t *testing.T) {
	call := base64.StdEncoding.EncodeToString([]byte(`{"name":"watch","service":"s","arguments":[{"database":"d","collection":"c"}]}`))
	path := callPath + "?baas_request=" + url.QueryEscape(call)
	core := &fakeCore{events: []json.RawMessage{json.RawMessage(`{"operationType":"update","fullDocument":{"a":"50%\n"}}`)},
		streamErr: newStatusErr(codes.Unavailable, "UNAVAILABLE", "the server is stopping; reconnect")}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer a")
	rec := httptest.NewRecorder()
	newTestHandler(core).ServeHTTP(rec, req)
	want := "data: {\"operationType\":\"update\",\"fullDocument\":{\"a\":\"50%25\\n\"}}\n\n" +
		"event: error\ndata: {\"error\":\"the server is stopping; reconnect\",\"error_code\":\"ServiceUnavailable\"}\n\n"
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/event-stream" || rec.Body.String() != want {
		t.Fatalf("stream: %d %q\n%s\nwant\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), want)
	}
	if core.lastService == nil || core.lastService.Action != "watch" || core.lastService.Collection != "c" || core.lastService.Query != nil {
		t.Errorf("call %+v", core.lastService)
	}

	// ids are passed on as a selection, for the core to refuse.
	ids := base64.StdEncoding.EncodeToString([]byte(`{"name":"watch","service":"s","arguments":[{"database":"d","collection":"c","ids":[1]}]}`))
	core = &fakeCore{serviceErr: newStatusErr(codes.InvalidArgument, "INVALID_ARGUMENT", "watch: ids and filter are not supported")}
	a := serve(t, newTestHandler(core), "GET", callPath+"?baas_request="+url.QueryEscape(ids), "", "Authorization", "Bearer a")
	if a.status != 400 || a.body["error_code"] != "BadRequest" || string(core.lastService.Query) != `{"_id":{"$in":[1]}}` {
		t.Errorf("watch with ids: %d %s, query %s", a.status, a.raw, core.lastService.Query)
	}
	for _, bad := range []string{"", "!!!", base64.StdEncoding.EncodeToString([]byte(`[1]`))} {
		core := &fakeCore{}
		a := serve(t, newTestHandler(core), "GET", callPath+"?baas_request="+url.QueryEscape(bad), "", "Authorization", "Bearer a")
		if a.status != 400 || a.body["error_code"] != "BadRequest" || core.lastService != nil {
			t.Errorf("baas_request %q: %d %s", bad, a.status, a.raw)
		}
	}
}
