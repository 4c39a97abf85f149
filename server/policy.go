package server

import (
	"google.golang.org/grpc/health/grpc_health_v1"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// access is who may call a method.
type access int

const (
	// accessNone is the zero value: a method missing from the table is refused (fail closed).
	accessNone access = iota
	// accessPublic needs no token. A token sent anyway is ignored.
	accessPublic
	// accessUser needs a valid access token of any user.
	accessUser
	// accessServer needs a valid access token of a `server` user (a server API key login).
	accessServer
)

func (a access) String() string {
	return [...]string{"none", "public", "user", "server"}[a]
}

// rule is the policy of one method: who may call it, and whether it needs the store (so that it can be
// answered UNAVAILABLE at once while the store is unreachable, instead of after a driver timeout).
type rule struct {
	access access
	store  bool
}

// policy is the one table of who may call each RPC, keyed by full method name. A test checks that every
// method registered on the server has an entry, and the interceptor refuses any method without one.
var policy = map[string]rule{
	lanyardv1.AuthService_Login_FullMethodName:              {accessPublic, true},
	lanyardv1.AuthService_RefreshSession_FullMethodName:     {accessPublic, true},
	lanyardv1.AuthService_Logout_FullMethodName:             {accessPublic, true},
	lanyardv1.AuthService_RegisterUser_FullMethodName:       {accessPublic, true},
	lanyardv1.AuthService_ConfirmUser_FullMethodName:        {accessPublic, true},
	lanyardv1.AuthService_ResendConfirmation_FullMethodName: {accessPublic, true},
	lanyardv1.AuthService_SendPasswordReset_FullMethodName:  {accessPublic, true},
	lanyardv1.AuthService_ResetPassword_FullMethodName:      {accessPublic, true},
	lanyardv1.AuthService_GetJwks_FullMethodName:            {accessPublic, false},
	lanyardv1.AuthService_LinkIdentity_FullMethodName:       {accessUser, true},
	lanyardv1.AuthService_DeleteMe_FullMethodName:           {accessUser, true},
	lanyardv1.AuthService_CreateApiKey_FullMethodName:       {accessUser, true},
	lanyardv1.AuthService_ListApiKeys_FullMethodName:        {accessUser, true},
	lanyardv1.AuthService_DeleteApiKey_FullMethodName:       {accessUser, true},
	lanyardv1.AuthService_EnableApiKey_FullMethodName:       {accessUser, true},
	lanyardv1.AuthService_DisableApiKey_FullMethodName:      {accessUser, true},
	lanyardv1.AuthService_WhoAmI_FullMethodName:             {accessUser, false},

	lanyardv1.CustomDataService_GetCustomData_FullMethodName:     {accessUser, true},
	lanyardv1.CustomDataService_UpdateCustomData_FullMethodName:  {accessUser, true},
	lanyardv1.CustomDataService_DeleteCustomData_FullMethodName:  {accessUser, true},
	lanyardv1.CustomDataService_RefreshCustomData_FullMethodName: {accessUser, true},
	lanyardv1.CustomDataService_WatchCustomData_FullMethodName:   {accessUser, true},

	lanyardv1.MetadataService_GetProfile_FullMethodName:         {accessUser, true},
	lanyardv1.MetadataService_ListMetadataFields_FullMethodName: {accessPublic, false},

	lanyardv1.AdminService_GetUser_FullMethodName:                {accessServer, true},
	lanyardv1.AdminService_ListUsers_FullMethodName:              {accessServer, true},
	lanyardv1.AdminService_DisableUser_FullMethodName:            {accessServer, true},
	lanyardv1.AdminService_EnableUser_FullMethodName:             {accessServer, true},
	lanyardv1.AdminService_DeleteUser_FullMethodName:             {accessServer, true},
	lanyardv1.AdminService_RevokeSessions_FullMethodName:         {accessServer, true},
	lanyardv1.AdminService_ListShadowedCustomData_FullMethodName: {accessServer, true},
	lanyardv1.AdminService_RotateSigningKey_FullMethodName:       {accessServer, true},
	lanyardv1.AdminService_WatchAuthEvents_FullMethodName:        {accessServer, true},

	grpc_health_v1.Health_Check_FullMethodName:                             {accessPublic, false},
	grpc_health_v1.Health_List_FullMethodName:                              {accessPublic, false},
	grpc_health_v1.Health_Watch_FullMethodName:                             {accessPublic, false},
	reflectionv1.ServerReflection_ServerReflectionInfo_FullMethodName:      {accessPublic, false},
	reflectionv1alpha.ServerReflection_ServerReflectionInfo_FullMethodName: {accessPublic, false},
}
