package server

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/authn"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/store"
)

// Input limits. Each is far above any legitimate value and keeps hostile input away from parsers.
const (
	maxEmail        = 254
	maxAPIKey       = 256
	maxCustomToken  = 1_000_000 // App Services' limit for custom JWTs
	maxProviderTok  = 32 << 10  // Google ID tokens and Facebook access tokens are a few KB
	maxActionToken  = 256
	maxDeviceField  = 128
	maxPageSize     = 1000
	maxRefreshToken = authn.MaxTokenSize
)

// validators holds the field checks of each method's request, keyed by full method name like the policy
// table. A check appends a violation per invalid field; the validation interceptor turns them into one
// INVALID_ARGUMENT with BadRequest details, so handlers only ever see well-formed requests.
var validators = map[string]func(req any, v *violations){
	lanyardv1.AuthService_Login_FullMethodName: func(r any, v *violations) {
		req := r.(*lanyardv1.LoginRequest)
		checkCredentials(req, v)
		if d := req.GetDevice(); d != nil {
			if d.GetDeviceId() != "" && !store.ValidID(d.GetDeviceId()) {
				v.add("device.device_id", "must be empty or a device id returned by Login (24 hex characters)")
			}
			for name, s := range map[string]string{"device.platform": d.GetPlatform(), "device.platform_version": d.GetPlatformVersion(),
				"device.sdk_version": d.GetSdkVersion(), "device.app_version": d.GetAppVersion()} {
				maxLen(v, name, s, maxDeviceField)
			}
		}
	},
	lanyardv1.AuthService_LinkIdentity_FullMethodName: func(r any, v *violations) {
		checkCredentials(linkRequest{r.(*lanyardv1.LinkIdentityRequest)}, v)
	},
	lanyardv1.AuthService_RefreshSession_FullMethodName: func(r any, v *violations) {
		required(v, "refresh_token", r.(*lanyardv1.RefreshSessionRequest).GetRefreshToken(), maxRefreshToken)
	},
	lanyardv1.AuthService_Logout_FullMethodName: func(r any, v *violations) {
		required(v, "refresh_token", r.(*lanyardv1.LogoutRequest).GetRefreshToken(), maxRefreshToken)
	},
	lanyardv1.AuthService_RegisterUser_FullMethodName: func(r any, v *violations) {
		req := r.(*lanyardv1.RegisterUserRequest)
		required(v, "email", req.GetEmail(), maxEmail)
		required(v, "password", req.GetPassword(), authn.MaxPasswordBytes)
	},
	lanyardv1.AuthService_ConfirmUser_FullMethodName: func(r any, v *violations) {
		req := r.(*lanyardv1.ConfirmUserRequest)
		required(v, "token", req.GetToken(), maxActionToken)
		required(v, "token_id", req.GetTokenId(), maxActionToken)
	},
	lanyardv1.AuthService_ResendConfirmation_FullMethodName: func(r any, v *violations) {
		required(v, "email", r.(*lanyardv1.ResendConfirmationRequest).GetEmail(), maxEmail)
	},
	lanyardv1.AuthService_SendPasswordReset_FullMethodName: func(r any, v *violations) {
		required(v, "email", r.(*lanyardv1.SendPasswordResetRequest).GetEmail(), maxEmail)
	},
	lanyardv1.AuthService_ResetPassword_FullMethodName: func(r any, v *violations) {
		req := r.(*lanyardv1.ResetPasswordRequest)
		required(v, "token", req.GetToken(), maxActionToken)
		required(v, "token_id", req.GetTokenId(), maxActionToken)
		required(v, "password", req.GetPassword(), authn.MaxPasswordBytes)
	},
	lanyardv1.AuthService_CreateApiKey_FullMethodName: func(r any, v *violations) {
		if err := authn.CheckKeyName(r.(*lanyardv1.CreateApiKeyRequest).GetName()); err != nil {
			v.add("name", err.Error())
		}
	},
	lanyardv1.AuthService_DeleteApiKey_FullMethodName:  func(r any, v *violations) { id(v, "id", r.(*lanyardv1.DeleteApiKeyRequest).GetId(), false) },
	lanyardv1.AuthService_EnableApiKey_FullMethodName:  func(r any, v *violations) { id(v, "id", r.(*lanyardv1.EnableApiKeyRequest).GetId(), false) },
	lanyardv1.AuthService_DisableApiKey_FullMethodName: func(r any, v *violations) { id(v, "id", r.(*lanyardv1.DisableApiKeyRequest).GetId(), false) },

	lanyardv1.MetadataService_GetProfile_FullMethodName: func(r any, v *violations) { id(v, "user_id", r.(*lanyardv1.GetProfileRequest).GetUserId(), true) },

	lanyardv1.AdminService_GetUser_FullMethodName:        func(r any, v *violations) { id(v, "user_id", r.(*lanyardv1.GetUserRequest).GetUserId(), false) },
	lanyardv1.AdminService_DisableUser_FullMethodName:    func(r any, v *violations) { id(v, "user_id", r.(*lanyardv1.DisableUserRequest).GetUserId(), false) },
	lanyardv1.AdminService_EnableUser_FullMethodName:     func(r any, v *violations) { id(v, "user_id", r.(*lanyardv1.EnableUserRequest).GetUserId(), false) },
	lanyardv1.AdminService_DeleteUser_FullMethodName:     func(r any, v *violations) { id(v, "user_id", r.(*lanyardv1.DeleteUserRequest).GetUserId(), false) },
	lanyardv1.AdminService_RevokeSessions_FullMethodName: func(r any, v *violations) { id(v, "user_id", r.(*lanyardv1.RevokeSessionsRequest).GetUserId(), false) },
	lanyardv1.AdminService_ListUsers_FullMethodName: func(r any, v *violations) {
		req := r.(*lanyardv1.ListUsersRequest)
		page(v, req.GetPageSize())
		id(v, "page_token", req.GetPageToken(), true)
	},
	lanyardv1.AdminService_ListShadowedCustomData_FullMethodName: func(r any, v *violations) {
		page(v, r.(*lanyardv1.ListShadowedCustomDataRequest).GetPageSize())
	},
	lanyardv1.AdminService_WatchAuthEvents_FullMethodName: func(r any, v *violations) {
		if after := r.(*lanyardv1.WatchAuthEventsRequest).GetAfterEventId(); after != "" {
			if n, err := strconv.ParseInt(after, 10, 64); err != nil || n < 0 {
				v.add("after_event_id", "must be empty or an event id from a previous event")
			}
		}
	},

	lanyardv1.CustomDataService_GetCustomData_FullMethodName: func(r any, v *violations) {
		id(v, "user_id", r.(*lanyardv1.GetCustomDataRequest).GetUserId(), true)
	},
	lanyardv1.CustomDataService_UpdateCustomData_FullMethodName: func(r any, v *violations) {
		req := r.(*lanyardv1.UpdateCustomDataRequest)
		nonFinite(v, "set", structpb.NewStructValue(req.GetSet()))
		nonFinite(v, "inc", structpb.NewStructValue(req.GetInc()))
	},
	lanyardv1.CustomDataService_DeleteCustomData_FullMethodName: func(r any, v *violations) {
		id(v, "user_id", r.(*lanyardv1.DeleteCustomDataRequest).GetUserId(), true)
	},
	lanyardv1.CustomDataService_RefreshCustomData_FullMethodName: func(r any, v *violations) {
		id(v, "user_id", r.(*lanyardv1.RefreshCustomDataRequest).GetUserId(), true)
	},
	lanyardv1.CustomDataService_WatchCustomData_FullMethodName: func(r any, v *violations) {
		id(v, "user_id", r.(*lanyardv1.WatchCustomDataRequest).GetUserId(), true)
	},
}

// checkCredentials requires exactly one kind of credentials with its fields present and bounded.
func checkCredentials(r credentialsOneof, v *violations) {
	switch {
	case r.GetAnonymous() != nil:
	case r.GetEmailPassword() != nil:
		required(v, "email_password.email", r.GetEmailPassword().GetEmail(), maxEmail)
		required(v, "email_password.password", r.GetEmailPassword().GetPassword(), authn.MaxPasswordBytes)
	case r.GetApiKey() != nil:
		required(v, "api_key.key", r.GetApiKey().GetKey(), maxAPIKey)
	case r.GetCustomToken() != nil:
		required(v, "custom_token.token", r.GetCustomToken().GetToken(), maxCustomToken)
	case r.GetGoogle() != nil:
		required(v, "google.id_token", r.GetGoogle().GetIdToken(), maxProviderTok)
	case r.GetFacebook() != nil:
		required(v, "facebook.access_token", r.GetFacebook().GetAccessToken(), maxProviderTok)
	default:
		v.add("credentials", "set exactly one of anonymous, email_password, api_key, custom_token, google, facebook")
	}
}

func required(v *violations, field, s string, max int) {
	if s == "" {
		v.add(field, "is required")
		return
	}
	maxLen(v, field, s, max)
}

func maxLen(v *violations, field, s string, max int) {
	if len(s) > max {
		v.add(field, "is longer than "+strconv.Itoa(max)+" bytes")
	} else if !utf8.ValidString(s) {
		v.add(field, "is not valid UTF-8")
	}
}

func id(v *violations, field, s string, optional bool) {
	if s == "" && optional {
		return
	}
	if !store.ValidID(s) {
		v.add(field, "must be an id: 24 lowercase hex characters")
	}
}

// nonFinite refuses NaN and ±Infinity anywhere in a Struct value, naming each by its path: JSON cannot
// carry them, and no engine Lanyard runs on stores them alike (FerretDB v1 fails on NaN and refuses
// infinities), so custom data never holds them.
func nonFinite(v *violations, path string, val *structpb.Value) {
	switch k := val.GetKind().(type) {
	case *structpb.Value_NumberValue:
		if f := k.NumberValue; math.IsNaN(f) || math.IsInf(f, 0) {
			v.add(path, strconv.FormatFloat(f, 'g', -1, 64)+" cannot be stored: custom data numbers are finite")
		}
	case *structpb.Value_StructValue:
		for _, key := range slices.Sorted(maps.Keys(k.StructValue.GetFields())) {
			nonFinite(v, path+"."+key, k.StructValue.GetFields()[key])
		}
	case *structpb.Value_ListValue:
		for i, x := range k.ListValue.GetValues() {
			nonFinite(v, path+"."+strconv.Itoa(i), x)
		}
	}
}

func page(v *violations, n int32) {
	if n < 0 || n > maxPageSize {
		v.add("page_size", "must be between 0 (the default, 100) and "+strconv.Itoa(maxPageSize))
	}
}
