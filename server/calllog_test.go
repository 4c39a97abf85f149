package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// TestCallLogLine: every call leaves one line naming its method, code, request id and, once the token
// is verified, its user; the request id is the caller's when plain, and the one echoed.
func TestCallLogLine(t *testing.T) {
	ts := startServer(t, testConfig(t))
	login := anonLogin(t, ts)
	ctx := metadata.AppendToOutgoingContext(bearer(login.GetAccessToken()), "x-request-id", "trace-who-am-i")
	var header metadata.MD
	if _, err := ts.auth.WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, grpc.Header(&header)); err != nil {
		t.Fatal(err)
	}
	if got := header.Get("x-request-id"); len(got) != 1 || got[0] != "trace-who-am-i" {
		t.Errorf("x-request-id echoed %q", got)
	}
	_, err := ts.admin.ListUsers(metadata.AppendToOutgoingContext(bearer(login.GetAccessToken()), "x-request-id", "trace-denied"), &lanyardv1.ListUsersRequest{})
	wantError(t, err, codes.PermissionDenied, "SERVER_PRINCIPAL_REQUIRED")

	lines := map[string]map[string]any{}
	for _, l := range strings.Split(ts.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "finished call" {
			if id, _ := m["request_id"].(string); id != "" {
				lines[id] = m
			}
		}
	}
	for id, want := range map[string]map[string]any{
		"trace-who-am-i": {"level": "INFO", "grpc.service": "lanyard.v1.AuthService", "grpc.method": "WhoAmI", "grpc.code": "OK", "user_id": login.GetUserId()},
		"trace-denied":   {"level": "WARN", "grpc.service": "lanyard.v1.AdminService", "grpc.method": "ListUsers", "grpc.code": "PermissionDenied", "user_id": login.GetUserId()},
	} {
		got, ok := lines[id]
		if !ok {
			t.Errorf("no finished call line with request id %s in:\n%s", id, ts.logs.String())
			continue
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", id, k, got[k], v)
			}
		}
		// A duration as Go writes it ("1.234ms"), which a reader takes in at a glance.
		if text, _ := got["grpc.duration"].(string); !durationText(text) {
			t.Errorf("%s: grpc.duration %v is not a readable positive duration", id, got["grpc.duration"])
		}
	}
	if e, _ := lines["trace-denied"]["grpc.error"].(string); e == "" {
		t.Errorf("the refused call's line has no grpc.error: %v", lines["trace-denied"])
	}
}

// durationText says whether s is a positive duration written as time.Duration.String writes one.
func durationText(s string) bool {
	d, err := time.ParseDuration(s)
	return err == nil && d > 0 && d.String() == s
}
