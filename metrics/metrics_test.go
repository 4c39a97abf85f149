package metrics

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc/codes"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// TestReadmeNamesEveryMetric keeps the README's table honest: every metric this package registers is in
// it, and every one has help text.
func TestReadmeNamesEveryMetric(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := New(Config{SigningKeyCreated: func() (time.Time, bool) { return time.Now(), true }})
	reg.MustRegister(m)
	m.StoreCommand("find") // a vector without a series is not gathered
	m.TriggerRun("onLogin", "ok")
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(fams) != len(m.all) {
		t.Errorf("%d metric families gathered, %d collectors", len(fams), len(m.all))
	}
	for _, f := range fams {
		if !strings.Contains(string(readme), "`"+f.GetName()+"`") {
			t.Errorf("README.md does not name %s", f.GetName())
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no help", f.GetName())
		}
	}
}

// TestResults: errors become the closed sets of result labels; anything unforeseen is "error", never
// its text.
func TestResults(t *testing.T) {
	wrapped := func(err error) error { return fmt.Errorf("somewhere: %w", err) }
	hookFailed := rpc.NewError(codes.FailedPrecondition, lanyardv1.ErrorReason_ERROR_REASON_HOOK_FAILED, "refused")
	for _, c := range []struct {
		what string
		got  func(error) string
		err  error
		want string
	}{
		{"login", loginResult, nil, "ok"},
		{"login", loginResult, wrapped(authn.ErrInvalidCredentials), "invalid_credentials"},
		{"login", loginResult, authn.ErrRateLimited, "rate_limited"},
		{"login", loginResult, authn.ErrPasswordTooShort, "invalid_argument"},
		{"login", loginResult, authn.ErrUserDisabled, "user_disabled"},
		{"login", loginResult, hookFailed, "hook_failed"},
		{"login", loginResult, wrapped(authn.ErrHookDocument), "hook_failed"},
		{"login", loginResult, authn.ErrProviderUnavailable, "unavailable"},
		{"login", loginResult, wrapped(store.ErrUnavailable), "unavailable"},
		{"login", loginResult, context.Canceled, "canceled"},
		{"login", loginResult, errors.New("user input: <script>"), "error"},
		{"refresh", refreshResult, nil, "ok"},
		{"refresh", refreshResult, authn.ErrRefreshReused, "reused"},
		{"refresh", refreshResult, authn.ErrSessionRevoked, "revoked"},
		{"refresh", refreshResult, authn.ErrTokenExpired, "expired"},
		{"refresh", refreshResult, authn.ErrTokenInvalid, "invalid"},
		{"refresh", refreshResult, authn.ErrSessionRotates, "invalid"},
		{"write", writeResult, nil, "ok"},
		{"write", writeResult, wrapped(store.ErrVersionMismatch), "version_mismatch"},
		{"write", writeResult, wrapped(rules.ErrDenied), "denied"},
		{"write", writeResult, wrapped(store.ErrDocumentTooLarge), "too_large"},
		{"write", writeResult, store.ErrCustomDataUnreadable, "unreadable"},
		{"write", writeResult, rpc.ErrCustomDataDisabled, "not_found"},
		{"write", writeResult, (&rpc.Violations{{Field: "set.a", Description: "NaN"}}).Err(), "invalid_argument"},
	} {
		if got := c.got(c.err); got != c.want {
			t.Errorf("%s ending in %v: result %q, want %q", c.what, c.err, got, c.want)
		}
	}
}

// TestLabelsStayClosed: a provider, limit or reason outside the known sets is counted as "unknown".
func TestLabelsStayClosed(t *testing.T) {
	m := New(Config{})
	m.Login("no-such-provider", nil)
	m.RateLimited("elsewhere")
	m.Revoked("whim")
	for _, c := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.logins.WithLabelValues("unknown", "ok"), 1},
		{m.rateLimited.WithLabelValues("unknown"), 1},
		{m.revocations.WithLabelValues("unknown"), 1},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("unknown label counted %v times, want %v", got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.logins); n != len(providers)+1 {
		t.Errorf("%d login series, want %d (one ok per provider, one unknown)", n, len(providers)+1)
	}
}

// TestTriggerRunResults: a result outside the runner's set counts as unknown, never as itself.
func TestTriggerRunResults(t *testing.T) {
	m := New(Config{})
	m.TriggerRun("onLogin", "ok")
	m.TriggerRun("onLogin", "skipped")
	m.TriggerRun("onLogin", "something else")
	for _, c := range []struct {
		result string
		want   float64
	}{{"ok", 1}, {"skipped", 1}, {"failed", 0}, {"unknown", 1}, {"something else", 0}} {
		if got := testutil.ToFloat64(m.triggerRuns.WithLabelValues("onLogin", c.result)); got != c.want {
			t.Errorf("lanyard_trigger_runs_total{result=%q} = %v, want %v", c.result, got, c.want)
		}
	}
	var none *Metrics
	none.TriggerRun("onLogin", "ok") // a nil Metrics counts nothing, without panicking
}
