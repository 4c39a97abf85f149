package server

import (
	"io"
	"log/slog"
	"testing"
)

// TestPolicyCoversEveryMethod fails when a method is registered without a row in the policy table (it
// would be refused at run time, but the table should say so on purpose) or a row names no method.
func TestPolicyCoversEveryMethod(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.buildGRPC(nil)
	registered := map[string]bool{}
	for svc, info := range s.grpc.GetServiceInfo() {
		for _, m := range info.Methods {
			name := "/" + svc + "/" + m.Name
			registered[name] = true
			r, ok := policy[name]
			if !ok || r.access == accessNone {
				t.Errorf("%s has no access rule in the policy table", name)
			}
		}
	}
	for name := range policy {
		if !registered[name] {
			t.Errorf("policy table names %s, which is not registered", name)
		}
	}
	if len(registered) < 38 {
		t.Errorf("only %d methods registered; expected the four Lanyard services, health and reflection", len(registered))
	}
}
