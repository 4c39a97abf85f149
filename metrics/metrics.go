// Package metrics is the one place that names every Lanyard metric, its labels and what each means. The
// server builds one Metrics, registers it on the registry it serves at /metrics, and hands it to the
// parts that count (authn through its Observer, the custom data service, the user creation hook client,
// the store); a nil *Metrics counts nothing, for parts built alone.
//
// Every label value comes from a closed set written here or in authn, never from a request, so the number
// of series stays bounded:
//
//	lanyard_logins_total{provider, result}
//	    Logins by provider (anon-user, local-userpass, api-key, custom-token, oauth2-google,
//	    oauth2-facebook) and result (ok, invalid_credentials, rate_limited, invalid_argument,
//	    provider_disabled, user_disabled, pending_confirmation, metadata_required, hook_failed,
//	    unavailable, canceled, error), over gRPC and the App Services API alike.
//	lanyard_refreshes_total{result}
//	    Refresh token exchanges, over both APIs: ok, expired, revoked, reused (a rotated token presented
//	    after the grace window), invalid, user_disabled, unavailable, canceled, error.
//	lanyard_rate_limit_refusals_total{limiter}
//	    Logins refused by the failed-login limits: identity (one identity from one client address) or
//	    peer (one client address across identities).
//	lanyard_revocations_total{reason}
//	    Actions that end sessions: logout and reuse (one session each), revoke_sessions, user_disabled
//	    and user_deleted (every session of a user).
//	lanyard_hook_calls_total{result}, lanyard_hook_duration_seconds
//	    Calls of the user creation hook: ok, refused (the hook answered an error), timeout,
//	    unavailable, invalid_response; and how long each took.
//	lanyard_custom_data_writes_total{result}
//	    UpdateCustomData and DeleteCustomData calls: ok, version_mismatch, denied, invalid_argument,
//	    too_large, unreadable, unauthenticated, not_found, unavailable, canceled, error.
//	lanyard_custom_data_conflicts_total{kind}
//	    Custom data writes that met another writer: version_mismatch (the expected_version was not the
//	    stored one; the write is refused) and claim_lost (another writer claimed the same version or the
//	    creation of the user's document first, as first-inserted-wins settles it; the write is computed
//	    again on top of the winner's).
//	lanyard_watch_streams_open
//	    WatchCustomData streams open now.
//	lanyard_signing_key_age_seconds
//	    Age of the current signing key, by the server's clock, read at each scrape.
//	lanyard_store_commands_total{command}
//	    Commands sent to the store (MongoDB wire protocol), by command name: find, getMore, insert,
//	    update, delete, aggregate, createIndexes, listIndexes, ping, endSessions and the like, from a
//	    closed list in store/mongo; any other name is "other".
//	lanyard_trigger_runs_total{trigger, result}
//	    Runs of the functions of AUTHENTICATION triggers, by trigger name (the export's triggers: a set
//	    fixed at start) and result: ok, failed (tried again), skipped (failed its last attempt).
//
// The gRPC interceptors' own metrics (grpc_server_*) and the Go runtime's sit beside these on the same
// registry.
package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/codes"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/rules"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
	"github.com/lanyardhq/lanyard/triggers"
)

// Results shared by several metrics.
const (
	resultOK          = "ok"
	resultUnavailable = "unavailable"
	resultCanceled    = "canceled"
	resultError       = "error"
	resultInvalidArg  = "invalid_argument"
	resultHookFailed  = "hook_failed"
	resultDenied      = "denied"
	resultUnauth      = "unauthenticated"
	resultNotFound    = "not_found"
	resultVersion     = "version_mismatch"
	resultUnknown     = "unknown"
)

// Results of a call of the user creation hook (HookCall).
const (
	HookOK              = resultOK
	HookRefused         = "refused"
	HookTimeout         = "timeout"
	HookUnavailable     = "unavailable"
	HookInvalidResponse = "invalid_response"
)

// Kinds of custom data conflicts.
const (
	conflictVersion   = "version_mismatch"
	conflictClaimLost = "claim_lost"
)

// Config is what Metrics reads from the server.
type Config struct {
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// SigningKeyCreated returns when the current signing key was made, false while there is none. Nil:
	// the age is not exported.
	SigningKeyCreated func() (time.Time, bool)
}

// Metrics holds Lanyard's collectors. It is a prometheus.Collector: register it on the registry that
// /metrics serves.
type Metrics struct {
	logins        *prometheus.CounterVec
	refreshes     *prometheus.CounterVec
	rateLimited   *prometheus.CounterVec
	revocations   *prometheus.CounterVec
	hookCalls     *prometheus.CounterVec
	hookDuration  prometheus.Histogram
	writes        *prometheus.CounterVec
	conflicts     *prometheus.CounterVec
	watchStreams  prometheus.Gauge
	storeCommands *prometheus.CounterVec
	triggerRuns   *prometheus.CounterVec

	all []prometheus.Collector
}

var _ authn.Observer = (*Metrics)(nil)

// New builds the collectors. Series whose label values are known in advance start at zero, so that
// rates and alerts see them before their first event.
func New(cfg Config) *Metrics {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	m := &Metrics{
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_logins_total",
			Help: "Logins, over gRPC and the App Services API, by provider and result.",
		}, []string{"provider", "result"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_refreshes_total",
			Help: "Refresh token exchanges, over gRPC and the App Services API, by result.",
		}, []string{"result"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_rate_limit_refusals_total",
			Help: "Logins refused by the failed-login limits, by limit (identity: per identity and client address; peer: per client address).",
		}, []string{"limiter"}),
		revocations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_revocations_total",
			Help: "Actions that ended sessions, by reason.",
		}, []string{"reason"}),
		hookCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_hook_calls_total",
			Help: "Calls of the user creation hook, by result.",
		}, []string{"result"}),
		hookDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "lanyard_hook_duration_seconds",
			Help:    "Duration of calls of the user creation hook.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_custom_data_writes_total",
			Help: "UpdateCustomData and DeleteCustomData calls, by result.",
		}, []string{"result"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_custom_data_conflicts_total",
			Help: "Custom data writes that met another writer: version_mismatch (refused) or claim_lost (computed again on the winner's).",
		}, []string{"kind"}),
		watchStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lanyard_watch_streams_open",
			Help: "WatchCustomData streams open now.",
		}),
		storeCommands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_store_commands_total",
			Help: "Commands sent to the store (MongoDB wire protocol), by command name.",
		}, []string{"command"}),
		triggerRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lanyard_trigger_runs_total",
			Help: "Runs of the functions of AUTHENTICATION triggers, by trigger and result (ok, failed: tried again, skipped: failed its last attempt).",
		}, []string{"trigger", "result"}),
	}
	m.all = []prometheus.Collector{m.logins, m.refreshes, m.rateLimited, m.revocations, m.hookCalls,
		m.hookDuration, m.writes, m.conflicts, m.watchStreams, m.storeCommands, m.triggerRuns}
	if created := cfg.SigningKeyCreated; created != nil {
		m.all = append(m.all, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "lanyard_signing_key_age_seconds",
			Help: "Age of the current signing key, by the server's clock.",
		}, func() float64 {
			at, ok := created()
			if !ok {
				return 0
			}
			return now().Sub(at).Seconds()
		}))
	}

	for _, p := range providers {
		m.logins.WithLabelValues(p, resultOK)
	}
	m.refreshes.WithLabelValues(resultOK)
	for _, l := range []string{authn.LimitIdentity, authn.LimitPeer} {
		m.rateLimited.WithLabelValues(l)
	}
	for _, r := range revocationReasons {
		m.revocations.WithLabelValues(r)
	}
	m.hookCalls.WithLabelValues(HookOK)
	m.writes.WithLabelValues(resultOK)
	m.conflicts.WithLabelValues(conflictVersion)
	m.conflicts.WithLabelValues(conflictClaimLost)
	return m
}

// Describe implements prometheus.Collector. A nil *Metrics has nothing to describe or collect.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	if m == nil {
		return
	}
	for _, c := range m.all {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	if m == nil {
		return
	}
	for _, c := range m.all {
		c.Collect(ch)
	}
}

var providers = []string{authn.ProviderAnonymous, authn.ProviderUserPass, authn.ProviderAPIKey, authn.ProviderCustomToken,
	authn.ProviderGoogle, authn.ProviderFacebook, authn.ProviderCustomFunction}

var revocationReasons = []string{authn.RevokedLogout, authn.RevokedReuse, authn.RevokedSessions, authn.RevokedUserDisabled,
	authn.RevokedUserDeleted}

// oneOf is v when it is in the closed set, else "unknown": a label never holds anything else.
func oneOf(v string, set []string) string {
	for _, s := range set {
		if s == v {
			return v
		}
	}
	return resultUnknown
}

// Login counts a login (authn.Observer).
func (m *Metrics) Login(provider string, err error) {
	if m == nil {
		return
	}
	m.logins.WithLabelValues(oneOf(provider, providers), loginResult(err)).Inc()
}

// Refresh counts a refresh (authn.Observer).
func (m *Metrics) Refresh(err error) {
	if m == nil {
		return
	}
	m.refreshes.WithLabelValues(refreshResult(err)).Inc()
}

// RateLimited counts a login refused by a failed-login limit (authn.Observer).
func (m *Metrics) RateLimited(limit string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(oneOf(limit, []string{authn.LimitIdentity, authn.LimitPeer})).Inc()
}

// Revoked counts an action that ended sessions (authn.Observer).
func (m *Metrics) Revoked(reason string) {
	if m == nil {
		return
	}
	m.revocations.WithLabelValues(oneOf(reason, revocationReasons)).Inc()
}

// HookCall counts a call of the user creation hook and its duration; result is one of the Hook*
// constants.
func (m *Metrics) HookCall(d time.Duration, result string) {
	if m == nil {
		return
	}
	m.hookCalls.WithLabelValues(oneOf(result, []string{HookOK, HookRefused, HookTimeout, HookUnavailable, HookInvalidResponse})).Inc()
	m.hookDuration.Observe(d.Seconds())
}

// TriggerRun counts one run of a trigger's function (triggers.Config.OnRun). Trigger names come from
// the export, a set fixed at start, so they may be label values.
func (m *Metrics) TriggerRun(trigger, result string) {
	if m == nil {
		return
	}
	m.triggerRuns.WithLabelValues(trigger, oneOf(result, []string{triggers.ResultOK, triggers.ResultFailed, triggers.ResultSkipped})).Inc()
}

// CustomDataWrite counts an UpdateCustomData or DeleteCustomData call that ended with err, and a refused
// expected version as a conflict.
func (m *Metrics) CustomDataWrite(err error) {
	if m == nil {
		return
	}
	result := writeResult(err)
	m.writes.WithLabelValues(result).Inc()
	if result == resultVersion {
		m.conflicts.WithLabelValues(conflictVersion).Inc()
	}
}

// CustomDataClaimLost counts a custom data write that lost a claim to another writer (the store calls
// it).
func (m *Metrics) CustomDataClaimLost() {
	if m == nil {
		return
	}
	m.conflicts.WithLabelValues(conflictClaimLost).Inc()
}

// WatchOpened counts a WatchCustomData stream in; WatchClosed counts it out.
func (m *Metrics) WatchOpened() {
	if m == nil {
		return
	}
	m.watchStreams.Inc()
}

// WatchClosed counts out a stream WatchOpened counted in.
func (m *Metrics) WatchClosed() {
	if m == nil {
		return
	}
	m.watchStreams.Dec()
}

// StoreCommand counts a command sent to the store, by a name from the store's closed list (or "other").
func (m *Metrics) StoreCommand(name string) {
	if m == nil {
		return
	}
	m.storeCommands.WithLabelValues(name).Inc()
}

func loginResult(err error) string {
	switch {
	case err == nil:
		return resultOK
	case errors.Is(err, authn.ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, authn.ErrInvalidCredentials), errors.Is(err, authn.ErrTokenInvalid), errors.Is(err, authn.ErrTokenExpired):
		return "invalid_credentials"
	case errors.Is(err, authn.ErrProviderDisabled):
		return "provider_disabled"
	case errors.Is(err, authn.ErrUserDisabled):
		return "user_disabled"
	case errors.Is(err, authn.ErrPendingConfirmation):
		return "pending_confirmation"
	case errors.Is(err, authn.ErrMetadataRequired):
		return "metadata_required"
	case errors.Is(err, authn.ErrHookDocument):
		return resultHookFailed
	case errors.Is(err, authn.ErrPasswordTooShort), errors.Is(err, authn.ErrPasswordTooLong), errors.Is(err, authn.ErrInvalidEmail):
		return resultInvalidArg
	}
	return commonResult(err)
}

func refreshResult(err error) string {
	switch {
	case err == nil:
		return resultOK
	case errors.Is(err, authn.ErrRefreshReused): // before revoked, which it wraps
		return "reused"
	case errors.Is(err, authn.ErrSessionRevoked):
		return "revoked"
	case errors.Is(err, authn.ErrTokenExpired):
		return "expired"
	case errors.Is(err, authn.ErrTokenInvalid), errors.Is(err, authn.ErrSessionRotates):
		return "invalid"
	case errors.Is(err, authn.ErrUserDisabled):
		return "user_disabled"
	}
	return commonResult(err)
}

func writeResult(err error) string {
	switch {
	case err == nil:
		return resultOK
	case errors.Is(err, store.ErrVersionMismatch):
		return resultVersion
	case errors.Is(err, rules.ErrDenied):
		return resultDenied
	case errors.Is(err, store.ErrInvalidUpdate):
		return resultInvalidArg
	case errors.Is(err, store.ErrDocumentTooLarge):
		return "too_large"
	case errors.Is(err, store.ErrCustomDataUnreadable):
		return "unreadable"
	case errors.Is(err, authn.ErrSessionRevoked), errors.Is(err, authn.ErrTokenInvalid), errors.Is(err, authn.ErrTokenExpired):
		return resultUnauth
	}
	return commonResult(err)
}

// commonResult names the ends any call may come to: an outage, the caller giving up, an error the
// handler answered with a status of its own, or a fault.
func commonResult(err error) string {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return resultCanceled
	case errors.Is(err, authn.ErrProviderUnavailable), errors.Is(err, store.ErrUnavailable), errors.Is(err, store.ErrBusy):
		return resultUnavailable
	}
	var api *rpc.Error
	if !errors.As(err, &api) {
		return resultError
	}
	if api.Reason() == lanyardv1.ErrorReason_ERROR_REASON_HOOK_FAILED {
		return resultHookFailed
	}
	switch api.GRPCStatus().Code() {
	case codes.InvalidArgument:
		return resultInvalidArg
	case codes.PermissionDenied:
		return resultDenied
	case codes.Unauthenticated:
		return resultUnauth
	case codes.NotFound:
		return resultNotFound
	case codes.Unavailable:
		return resultUnavailable
	}
	return resultError
}
