package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/lanyardhq/lanyard/authn"
	"github.com/lanyardhq/lanyard/functions"
	"github.com/lanyardhq/lanyard/metrics"
	"github.com/lanyardhq/lanyard/triggers"
)

// appFunctions runs an export's JavaScript where App Services ran it during authentication: the user
// creation function, the custom-function provider, the confirmation and reset functions, and the
// functions of authentication triggers. Each adapter turns App Services' arguments and answers into
// authn's, and a function's refusal into an error whose message is the function's own.
type appFunctions struct {
	engine       *functions.Engine
	hookTimeout  time.Duration // the user creation function's deadline, as the gRPC hook's
	metrics      *metrics.Metrics
	onUserCreate string
	authFunction string
	confirm      string
	reset        string
}

// refusal is the message a client sees for a function's failure, and whether it ran out of time.
func refusal(err error) (string, bool, bool) {
	var fe *functions.Error
	if !errors.As(err, &fe) {
		return "", false, false
	}
	return fe.Message, fe.Timeout, true
}

// onUserCreation runs the user creation function with App Services' user object. What the function
// returns is ignored, as App Services ignored it: the function writes the custom data document itself,
// through context.services, and the first token reads it from the store.
func (f *appFunctions) onUserCreation(ctx context.Context, u *authn.NewUser) (_ json.RawMessage, err error) {
	start := time.Now()
	result := metrics.HookOK
	defer func() { f.metrics.HookCall(time.Since(start), result) }()
	_, err = f.engine.Call(ctx, functions.Call{Name: f.onUserCreate, Timeout: f.hookTimeout, Args: []any{appUser(u)}})
	if err == nil {
		return nil, nil
	}
	msg, timeout, ok := refusal(err)
	switch {
	case timeout:
		result = metrics.HookTimeout
		return nil, hookFailed("the user creation function did not finish in time; the user was not created")
	case ok:
		result = metrics.HookRefused
		return nil, hookFailed("the user was not created: " + msg)
	}
	result = metrics.HookUnavailable
	return nil, err
}

// appUser is App Services' user object for a user about to be created.
func appUser(u *authn.NewUser) map[string]any {
	data := map[string]any{}
	for k, v := range u.Data {
		data[k] = v
	}
	return map[string]any{
		"id":          u.UserID,
		"type":        u.Type,
		"data":        data,
		"custom_data": map[string]any{},
		// The identity's id as /auth/profile and authentication triggers show it.
		"identities": []any{map[string]any{"id": u.IdentityID, "provider_type": u.ProviderType, "data": data}},
	}
}

// customFunction runs the custom-function provider's function: App Services accepts a string id or an
// object { id, name }.
func (f *appFunctions) customFunction(ctx context.Context, payload map[string]any) (*authn.FunctionIdentity, error) {
	if payload == nil {
		payload = map[string]any{}
	}
	v, err := f.engine.Call(ctx, functions.Call{Name: f.authFunction, Args: []any{payload}})
	if err != nil {
		if msg, timeout, ok := refusal(err); ok {
			if timeout {
				msg = "the authentication function did not finish in time"
			}
			return nil, &authn.RefusalError{Err: authn.ErrInvalidCredentials, Message: msg}
		}
		return nil, err
	}
	switch r := v.(type) {
	case string:
		return &authn.FunctionIdentity{ID: r}, nil
	case map[string]any:
		id, _ := r["id"].(string)
		name, _ := r["name"].(string)
		return &authn.FunctionIdentity{ID: id, Name: name}, nil
	}
	return nil, &authn.RefusalError{Err: authn.ErrInvalidCredentials,
		Message: fmt.Sprintf("the authentication function %s must return a string id or { id, name }", f.authFunction)}
}

// action runs a confirmation or reset function and reads its { status }.
func (f *appFunctions) action(name string, reset bool) authn.ActionFunction {
	return func(ctx context.Context, a authn.ActionArgs) (authn.ActionStatus, error) {
		arg := map[string]any{"token": a.Token, "tokenId": a.TokenID, "username": a.Username}
		args := []any{arg}
		if reset {
			arg["password"] = a.Password
			arg["currentPasswordValid"] = a.CurrentPasswordValid
			args = append(args, a.Extra...)
		}
		v, err := f.engine.Call(ctx, functions.Call{Name: name, Args: args})
		if err != nil {
			if msg, timeout, ok := refusal(err); ok {
				if timeout {
					msg = "the function " + name + " did not finish in time"
				}
				return "", &authn.RefusalError{Err: authn.ErrFunctionFailed, Message: msg}
			}
			return "", err
		}
		if r, ok := v.(map[string]any); ok {
			switch st := authn.ActionStatus(fmt.Sprint(r["status"])); st {
			case authn.ActionSuccess, authn.ActionPending, authn.ActionFail:
				return st, nil
			}
		}
		return "", &authn.RefusalError{Err: authn.ErrFunctionFailed,
			Message: "the function " + name + " must return { status: \"success\" | \"pending\" | \"fail\" }"}
	}
}

// configure hands authn the adapters of the functions the export names.
func (f *appFunctions) configure(cfg *authn.Config) {
	if f.onUserCreate != "" {
		cfg.OnUserCreation = f.onUserCreation
	}
	if f.authFunction != "" {
		cfg.CustomFunction = f.customFunction
	}
	if f.confirm != "" {
		cfg.UserPass.ConfirmFunction = f.action(f.confirm, false)
	}
	if f.reset != "" {
		cfg.UserPass.ResetFunction = f.action(f.reset, true)
	}
}

// openFunctions compiles the export's functions, when it has any, and says which of them authentication
// runs. A source that does not compile stops the start, naming its file and line.
func (s *Server) openFunctions() (*appFunctions, error) {
	app := s.cfg.app
	if app == nil || len(app.Functions) == 0 {
		return nil, nil
	}
	sources := make([]functions.Source, len(app.Functions))
	for i, fn := range app.Functions {
		sources[i] = functions.Source{Name: fn.Name, File: fn.File, Code: fn.Code, Private: fn.Private}
	}
	engine, err := functions.New(functions.Config{
		Sources:     sources,
		Values:      app.Values,
		Environment: functions.Environment{Tag: app.Environment.Tag, Values: app.Environment.Values},
		ServiceName: app.MongoServiceName,
		Data:        s.store,
		NodeModules: app.NodeModules,
		HTTPAllow:   s.cfg.FunctionsHTTPAllow,
		Timeout:     s.cfg.FunctionsTimeout,
		Logger:      s.log.With("component", "functions"),
	})
	if err != nil {
		return nil, fmt.Errorf("LANYARD_APP_DIR: %w", err)
	}
	s.closers = append(s.closers, func() error { engine.Close(); return nil })
	f := &appFunctions{engine: engine, hookTimeout: s.cfg.CustomDataHookTimeout, metrics: s.metrics}
	if cud := app.CustomUserData; cud != nil && s.cfg.CustomDataEnabled {
		f.onUserCreate = cud.OnUserCreationFunction
	}
	if app.CustomFunction != nil && slices.Contains(s.cfg.Providers, authn.ProviderCustomFunction) {
		f.authFunction = app.CustomFunction.FunctionName
	}
	if up := app.UserPass; up != nil && slices.Contains(s.cfg.Providers, authn.ProviderUserPass) {
		f.confirm, f.reset = up.ConfirmationFunction, up.ResetFunction
	}
	return f, nil
}

// openTriggers prepares the runner of the export's authentication triggers; Serve starts it.
func (s *Server) openTriggers(ctx context.Context, f *appFunctions) error {
	app := s.cfg.app
	if app == nil || len(app.Triggers) == 0 {
		return nil
	}
	list := make([]triggers.Trigger, len(app.Triggers))
	for i, t := range app.Triggers {
		list[i] = triggers.Trigger{Name: t.Name, Function: t.Function, Operation: t.Operation, Providers: t.Providers}
	}
	holder := make([]byte, 8)
	if _, err := rand.Read(holder); err != nil {
		return err
	}
	host, _ := os.Hostname()
	cfg := triggers.Config{
		Triggers: list,
		Store:    s.store,
		Run: func(ctx context.Context, function string, event map[string]any) error {
			_, err := f.engine.Call(ctx, functions.Call{Name: function, Args: []any{event}})
			return err
		},
		Holder: host + "/" + hex.EncodeToString(holder),
		Now:    s.cfg.Now,
		// A function is cut off when the lease it runs under would expire: the lease outlasts the
		// longest run the functions' deadline allows, with room for the renewals between runs.
		LeaseTTL: max(triggers.DefaultLeaseTTL, 3*s.cfg.FunctionsTimeout),
		Logger:   s.log, // the runner names itself
		OnRun:    s.metrics.TriggerRun,
	}
	if s.cfg.CustomDataEnabled {
		cfg.CustomData = func(ctx context.Context, userID string) (map[string]any, error) {
			raw, _, err := s.tokenDocs().UserData(ctx, userID)
			if err != nil || len(raw) == 0 {
				return nil, err
			}
			var doc map[string]any
			return doc, json.Unmarshal(raw, &doc)
		}
	}
	r, err := triggers.New(cfg)
	if err != nil {
		return err
	}
	if err := r.Prepare(ctx); err != nil {
		return fmt.Errorf("authentication triggers: %w", err)
	}
	s.triggers = r
	return nil
}
