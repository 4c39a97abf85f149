package server_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/server"
)

func rulesFile(t *testing.T, raw string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRulesTrustingUserWritableCustomDataStopTheStart: a rules file whose apply_when reads a custom data
// field that the owner role lets users write is refused at start, naming both.
func TestRulesTrustingUserWritableCustomDataStopTheStart(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataRules = rulesFile(t, `{"roles": [
		{"name": "admin", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.role": "admin"}, "read": true,
		 "fields": {"role": {"write": false}}, "additional_fields": {"write": true}},
		{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "fields": {"role": {"write": true}}}
	]}`)
	srv, err := server.New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		srv.Close()
		t.Fatal("the server started with rules that let users choose their own role")
	}
	for _, want := range []string{"LANYARD_CUSTOM_DATA_RULES",
		`roles[0].apply_when.%%user.custom_data.role: role "admin" (roles[0]) reads %%user.custom_data.role`,
		`role "owner" (roles[1]) allows it through roles[1].fields.role.write`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("start error %q\ndoes not contain %q", err, want)
		}
	}
}

// TestRulesReadCallerCustomData: a role chosen by %%user.custom_data.role follows what a server principal
// stores in the user's document, which the user cannot change itself.
func TestRulesReadCallerCustomData(t *testing.T) {
	cfg := testConfig(t)
	cfg.CustomDataRules = rulesFile(t, `{"roles": [
		{"name": "editor", "apply_when": {"user_id": "%%user.id", "%%user.custom_data.role": "editor"}, "read": true,
		 "fields": {"role": {"write": false}, "bio": {"write": true}, "nickname": {"write": true}}},
		{"name": "owner", "apply_when": {"user_id": "%%user.id"}, "read": true, "insert": true,
		 "fields": {"role": {"read": true}, "nickname": {"write": true}}}
	]}`)
	ts := startServer(t, cfg)
	u := anonLogin(t, ts)
	ctx := bearer(u.GetAccessToken())
	set := func(js string) error {
		_, err := ts.data.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: structOf(t, js)})
		return err
	}
	if err := set(`{"nickname": "n"}`); err != nil {
		t.Fatalf("the owner creates its document: %v", err)
	}
	wantError(t, set(`{"bio": "b"}`), codes.PermissionDenied, "RULE_DENIED")
	wantError(t, set(`{"role": "editor"}`), codes.PermissionDenied, "RULE_DENIED")

	_, err := ts.data.UpdateCustomData(bearer(serverKey(t, ts)), &lanyardv1.UpdateCustomDataRequest{
		UserId: u.GetUserId(), Set: structOf(t, `{"role": "editor"}`)})
	if err != nil {
		t.Fatal(err)
	}
	// The user's token still carries the old document: the rules read the stored one.
	if err := set(`{"bio": "b"}`); err != nil {
		t.Fatalf("an editor writes bio: %v", err)
	}
	wantError(t, set(`{"role": "owner"}`), codes.PermissionDenied, "RULE_DENIED")
}
