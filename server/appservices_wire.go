package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/server/appservices"
	"github.com/lanyardhq/lanyard/service/customdata"
	"github.com/lanyardhq/lanyard/service/rpc"
	"github.com/lanyardhq/lanyard/store"
)

// mountAppServices serves the App Services client API v2.0 (package appservices) on the HTTP mux. Its
// core is this server's: the same authn.Service, store, request rules and error mapping as the gRPC
// handlers, so that no rule exists twice. A route with a gRPC twin builds that method's request, checks
// it against the method's field rules and calls AuthService's handler; the rest (login, link, refresh,
// the profile, one API key) call authn and the store here, because App Services clients need what the
// gRPC methods do not give: sessions opened here do not rotate their refresh token.
func (s *Server) mountAppServices(handle func(pattern string, h http.Handler)) {
	api := appservices.New(appservices.Deps{
		AppID:       s.cfg.AppID,
		PublicURL:   s.cfg.PublicURL,
		CORSOrigins: s.cfg.CORSOrigins,
		Core:        &appCore{s: s},
		Log:         s.log,
	})
	handle(appservices.Prefix, api)
}

// appCore implements appservices.Core on the server.
type appCore struct{ s *Server }

var _ appservices.Core = (*appCore)(nil)

// RequestContext gives the request the id its logs and masked errors name: the caller's X-Request-Id when
// short and plain, as on gRPC, otherwise a new one.
func (c *appCore) RequestContext(r *http.Request) (context.Context, string) {
	id := requestID(r.Header.Values("X-Request-Id"))
	return rpc.WithCall(r.Context(), id), id
}

// Status is the server's one error mapping.
func (c *appCore) Status(ctx context.Context, err error) *status.Status {
	return rpc.Status(ctx, c.s.log, err)
}

func (c *appCore) EnterStore(ctx context.Context) (context.Context, func(error) error, error) {
	return c.s.enterStore(ctx)
}

// bearerValue extracts the token of the one `Authorization: Bearer …` header, refusing oversized values
// before looking at them, with the same answers as the gRPC API's bearer.
func bearerValue(values []string) (string, error) {
	switch {
	case len(values) == 0:
		return "", rpc.ErrTokenMissing
	case len(values) > 1, len(values[0]) > maxAuthorization:
		return "", rpc.ErrTokenInvalid
	}
	scheme, token, found := strings.Cut(values[0], " ")
	if !found || !strings.EqualFold(scheme, "bearer") || token == "" {
		return "", rpc.ErrTokenInvalid
	}
	return token, nil
}

func (c *appCore) Authenticate(ctx context.Context, authorization []string) (context.Context, error) {
	token, err := bearerValue(authorization)
	if err != nil {
		return ctx, err
	}
	p, err := c.s.verifyAccess(ctx, token)
	if err != nil {
		return ctx, err
	}
	return authn.WithPrincipal(ctx, p), nil
}

// AuthenticateRefresh authenticates the API key routes, which the SDKs call with the refresh token: the
// session is checked (live, secret matching, user enabled) by refreshing it — which on a non-rotating
// session changes nothing but its last use — and the caller is the fresh access token's principal. An
// access token is accepted too.
func (c *appCore) AuthenticateRefresh(ctx context.Context, authorization []string) (context.Context, error) {
	token, err := bearerValue(authorization)
	if err != nil {
		return ctx, err
	}
	if p, err := c.s.verifyAccess(ctx, token); err == nil {
		return authn.WithPrincipal(ctx, p), nil
	}
	access, err := c.refresh(ctx, token)
	if err != nil {
		return ctx, err
	}
	p, err := c.s.verifyAccess(ctx, access)
	if err != nil {
		return ctx, err
	}
	return authn.WithPrincipal(ctx, p), nil
}

// refresh refreshes a non-rotating session and returns the new access token. A token of a session opened
// over gRPC is refused (authn.ErrSessionRotates) once proven genuine: refreshing it here would rotate it
// without handing the successor to a client that cannot read one.
func (c *appCore) refresh(ctx context.Context, token string) (string, error) {
	if err := validate(&lanyardv1.RefreshSessionRequest{RefreshToken: token}); err != nil {
		return "", err
	}
	t, err := c.s.auth.RefreshWithoutRotation(ctx, token)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// loginRequest is the gRPC request of the same login, checked against that message's field rules.
func loginRequest(cred authn.Credentials, deviceID string) *lanyardv1.LoginRequest {
	req := &lanyardv1.LoginRequest{Device: &lanyardv1.DeviceInfo{DeviceId: deviceID}}
	switch cred.Provider {
	case authn.ProviderAnonymous:
		req.Credentials = &lanyardv1.LoginRequest_Anonymous{Anonymous: &lanyardv1.AnonymousCredentials{}}
	case authn.ProviderUserPass:
		req.Credentials = &lanyardv1.LoginRequest_EmailPassword{EmailPassword: &lanyardv1.EmailPasswordCredentials{Email: cred.Email, Password: cred.Password}}
	case authn.ProviderAPIKey:
		req.Credentials = &lanyardv1.LoginRequest_ApiKey{ApiKey: &lanyardv1.ApiKeyCredentials{Key: cred.Key}}
	case authn.ProviderCustomToken:
		req.Credentials = &lanyardv1.LoginRequest_CustomToken{CustomToken: &lanyardv1.CustomTokenCredentials{Token: cred.Token}}
	case authn.ProviderGoogle:
		req.Credentials = &lanyardv1.LoginRequest_Google{Google: &lanyardv1.GoogleCredentials{IdToken: cred.Token}}
	case authn.ProviderFacebook:
		req.Credentials = &lanyardv1.LoginRequest_Facebook{Facebook: &lanyardv1.FacebookCredentials{AccessToken: cred.Token}}
	case authn.ProviderCustomFunction:
		// A payload that is not JSON-like (it always is: it was decoded from JSON) leaves the credentials
		// unset, which the field rules refuse.
		if payload, err := structpb.NewStruct(cred.Payload); err == nil {
			req.Credentials = &lanyardv1.LoginRequest_CustomFunction{CustomFunction: &lanyardv1.CustomFunctionCredentials{Payload: payload}}
		}
	}
	return req
}

// linkIdentityRequest is the gRPC request of the same link, checked against that message's field rules
// (which refuse anonymous credentials: LinkIdentityRequest has none, so its credentials stay unset).
func linkIdentityRequest(cred authn.Credentials) *lanyardv1.LinkIdentityRequest {
	req := &lanyardv1.LinkIdentityRequest{}
	switch l := loginRequest(cred, "").GetCredentials().(type) {
	case *lanyardv1.LoginRequest_EmailPassword:
		req.Credentials = &lanyardv1.LinkIdentityRequest_EmailPassword{EmailPassword: l.EmailPassword}
	case *lanyardv1.LoginRequest_ApiKey:
		req.Credentials = &lanyardv1.LinkIdentityRequest_ApiKey{ApiKey: l.ApiKey}
	case *lanyardv1.LoginRequest_CustomToken:
		req.Credentials = &lanyardv1.LinkIdentityRequest_CustomToken{CustomToken: l.CustomToken}
	case *lanyardv1.LoginRequest_Google:
		req.Credentials = &lanyardv1.LinkIdentityRequest_Google{Google: l.Google}
	case *lanyardv1.LoginRequest_Facebook:
		req.Credentials = &lanyardv1.LinkIdentityRequest_Facebook{Facebook: l.Facebook}
	}
	return req
}

// Login opens a non-rotating session. A device id the server cannot have issued is dropped (the SDKs
// keep whatever they were given last; a new one is issued).
func (c *appCore) Login(ctx context.Context, in appservices.LoginInput) (*appservices.LoginOutput, error) {
	if !store.ValidID(in.DeviceID) {
		in.DeviceID = ""
	}
	if err := validate(loginRequest(in.Credentials, in.DeviceID)); err != nil {
		return nil, err
	}
	res, err := c.s.auth.Login(ctx, authn.LoginRequest{Credentials: in.Credentials, DeviceID: in.DeviceID, Peer: in.Peer, Rotating: false})
	if err != nil {
		return nil, err
	}
	return &appservices.LoginOutput{UserID: res.User.ID, AccessToken: res.AccessToken, RefreshToken: res.RefreshToken, DeviceID: res.DeviceID}, nil
}

// Link links an identity to the caller and mints a new access token for the caller's session.
func (c *appCore) Link(ctx context.Context, in appservices.LoginInput) (*appservices.LoginOutput, error) {
	p, err := rpc.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := validate(linkIdentityRequest(in.Credentials)); err != nil {
		return nil, err
	}
	u, _, err := c.s.auth.LinkIdentity(ctx, p, in.Credentials, in.Peer)
	if err != nil {
		return nil, err
	}
	doc, omitted, err := c.s.tokenDocs().UserData(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	access, err := c.s.auth.MintAccessForSession(ctx, p, authn.UserData{JSON: doc, Omitted: omitted})
	if err != nil {
		return nil, err
	}
	return &appservices.LoginOutput{UserID: u.ID, AccessToken: access, DeviceID: p.DeviceID}, nil
}

func (c *appCore) Refresh(ctx context.Context, authorization []string) (string, error) {
	token, err := bearerValue(authorization)
	if err != nil {
		return "", err
	}
	return c.refresh(ctx, token)
}

func (c *appCore) Logout(ctx context.Context, authorization []string) error {
	token, err := bearerValue(authorization)
	if err != nil {
		return err
	}
	req := &lanyardv1.LogoutRequest{RefreshToken: token}
	if err := validate(req); err != nil {
		return err
	}
	_, err = c.s.authSvc.Logout(ctx, req)
	return err
}

func (c *appCore) Register(ctx context.Context, email, password string) error {
	req := &lanyardv1.RegisterUserRequest{Email: email, Password: password}
	if err := validate(req); err != nil {
		return err
	}
	_, err := c.s.authSvc.RegisterUser(ctx, req)
	return err
}

func (c *appCore) Confirm(ctx context.Context, token, tokenID string) error {
	req := &lanyardv1.ConfirmUserRequest{Token: token, TokenId: tokenID}
	if err := validate(req); err != nil {
		return err
	}
	_, err := c.s.authSvc.ConfirmUser(ctx, req)
	return err
}

func (c *appCore) ResendConfirmation(ctx context.Context, email string) error {
	req := &lanyardv1.ResendConfirmationRequest{Email: email}
	if err := validate(req); err != nil {
		return err
	}
	_, err := c.s.authSvc.ResendConfirmation(ctx, req)
	return err
}

func (c *appCore) SendPasswordReset(ctx context.Context, email string) error {
	req := &lanyardv1.SendPasswordResetRequest{Email: email}
	if err := validate(req); err != nil {
		return err
	}
	_, err := c.s.authSvc.SendPasswordReset(ctx, req)
	return err
}

func (c *appCore) ResetPassword(ctx context.Context, token, tokenID, password string) error {
	req := &lanyardv1.ResetPasswordRequest{Token: token, TokenId: tokenID, Password: password}
	if err := validate(req); err != nil {
		return err
	}
	_, err := c.s.authSvc.ResetPassword(ctx, req)
	return err
}

func (c *appCore) RetryConfirmation(ctx context.Context, email string) error {
	req := &lanyardv1.RetryCustomConfirmationRequest{Email: email}
	if err := validate(req); err != nil {
		return err
	}
	_, err := c.s.authSvc.RetryCustomConfirmation(ctx, req)
	return err
}

func (c *appCore) CallResetFunction(ctx context.Context, email, password string, args []any) error {
	list, err := structpb.NewList(args)
	if err != nil {
		return rpc.NewError(codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT, "arguments: "+err.Error())
	}
	req := &lanyardv1.CallResetPasswordFunctionRequest{Email: email, Password: password, Arguments: list}
	if err := validate(req); err != nil {
		return err
	}
	_, err = c.s.authSvc.CallResetPasswordFunction(ctx, req)
	return err
}

// Profile reads the caller's user and identities from the store. A user deleted under a still-valid
// token is NOT_FOUND.
func (c *appCore) Profile(ctx context.Context) (*appservices.Profile, error) {
	p, err := rpc.Caller(ctx)
	if err != nil {
		return nil, err
	}
	u, err := c.s.store.GetUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	idents, err := c.s.store.ListIdentities(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &appservices.Profile{UserID: u.ID, Type: u.Type, Data: u.Data}
	for _, id := range idents {
		out.Identities = append(out.Identities, appservices.Identity{ID: id.ID, ProviderType: id.ProviderType, ProviderID: id.ProviderID, Data: id.Data})
	}
	return out, nil
}

func (c *appCore) DeleteMe(ctx context.Context) error {
	_, err := c.s.authSvc.DeleteMe(ctx, &lanyardv1.DeleteMeRequest{})
	return err
}

func (c *appCore) CreateAPIKey(ctx context.Context, name string) (*appservices.APIKey, error) {
	req := &lanyardv1.CreateApiKeyRequest{Name: name}
	if err := validate(req); err != nil {
		return nil, err
	}
	resp, err := c.s.authSvc.CreateApiKey(ctx, req)
	if err != nil {
		return nil, err
	}
	k := resp.GetApiKey()
	return &appservices.APIKey{ID: k.GetId(), Name: k.GetName(), Disabled: k.GetDisabled(), Key: resp.GetKey()}, nil
}

func (c *appCore) ListAPIKeys(ctx context.Context) ([]*appservices.APIKey, error) {
	resp, err := c.s.authSvc.ListApiKeys(ctx, &lanyardv1.ListApiKeysRequest{})
	if err != nil {
		return nil, err
	}
	out := make([]*appservices.APIKey, 0, len(resp.GetApiKeys()))
	for _, k := range resp.GetApiKeys() {
		out = append(out, &appservices.APIKey{ID: k.GetId(), Name: k.GetName(), Disabled: k.GetDisabled()})
	}
	return out, nil
}

// validKeyID applies the id rule of the gRPC API to an API key id (DeleteApiKeyRequest's, which every key
// route shares).
func validKeyID(id string) error {
	return validate(&lanyardv1.DeleteApiKeyRequest{Id: id})
}

func (c *appCore) GetAPIKey(ctx context.Context, id string) (*appservices.APIKey, error) {
	if err := validKeyID(id); err != nil {
		return nil, err
	}
	p, err := rpc.Caller(ctx)
	if err != nil {
		return nil, err
	}
	k, err := c.s.store.GetAPIKey(ctx, p.UserID, id)
	if err != nil {
		return nil, err
	}
	return &appservices.APIKey{ID: k.ID, Name: k.Name, Disabled: k.Disabled}, nil
}

func (c *appCore) DeleteAPIKey(ctx context.Context, id string) error {
	if err := validKeyID(id); err != nil {
		return err
	}
	_, err := c.s.authSvc.DeleteApiKey(ctx, &lanyardv1.DeleteApiKeyRequest{Id: id})
	return err
}

func (c *appCore) SetAPIKeyDisabled(ctx context.Context, id string, disabled bool) error {
	if err := validKeyID(id); err != nil {
		return err
	}
	var err error
	if disabled {
		_, err = c.s.authSvc.DisableApiKey(ctx, &lanyardv1.DisableApiKeyRequest{Id: id})
	} else {
		_, err = c.s.authSvc.EnableApiKey(ctx, &lanyardv1.EnableApiKeyRequest{Id: id})
	}
	return err
}

// CallService serves App Services data access on the custom data collection through CustomDataService,
// whose rules and store writes it shares with the gRPC API.
func (c *appCore) CallService(ctx context.Context, in appservices.ServiceCall) (json.RawMessage, error) {
	return c.s.customData.CallMongo(ctx, mongoCall(in))
}

func mongoCall(in appservices.ServiceCall) customdata.MongoCall {
	return customdata.MongoCall{
		Service: in.Service, Database: in.Database, Collection: in.Collection, Action: in.Action,
		Query: in.Query, Projection: in.Projection, Sort: in.Sort, Limit: in.Limit,
		Update: in.Update, Upsert: in.Upsert, Document: in.Document, Pipeline: in.Pipeline,
	}
}

// WatchService serves collection.watch() on the custom data collection through CustomDataService's
// watch hub, the one WatchCustomData uses.
func (c *appCore) WatchService(ctx context.Context, in appservices.ServiceCall, ready func(), send func(json.RawMessage) error) error {
	return c.s.customData.WatchMongo(ctx, mongoCall(in), ready, send)
}
