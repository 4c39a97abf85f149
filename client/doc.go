// Package client is the Go client of Lanyard, for internal microservices and desktop applications.
//
// It has two independent halves.
//
// # Calling Lanyard
//
// Dial opens a gRPC connection and exposes the typed service stubs (Auth, CustomData, Metadata, Admin).
// A login (LoginAnonymous, LoginEmailPassword, LoginAPIKey, LoginCustomToken, or Login for the other
// providers) returns a *Session holding the session's access and refresh tokens. A Session is a
// credentials.PerRPCCredentials: pass it to a call with s.CallOption() (grpc.PerRPCCredentials(s)), or
// to a connection with grpc.WithPerRPCCredentials(s). Do not do both for the same call: the server
// refuses a call that carries two authorization values.
//
// The session keeps its access token fresh without the caller's help:
//
//   - before expiry: a call made when less than a tenth of the token's lifetime (at most a minute) is
//     left starts a refresh in the background and goes out with the still valid token; only a call
//     that has no valid token left (a resumed session, a laptop waking up) waits for the refresh;
//   - on rejection: when the server answers UNAUTHENTICATED with reason TOKEN_EXPIRED or TOKEN_INVALID
//     to a call that carried the session's token, the interceptors Dial installs refresh the session and
//     retry that call once (unary calls, and server-streaming calls that have not received a message).
//
// Sessions opened over gRPC rotate their refresh token on every RefreshSession, and a rotated token
// presented again after the server's grace window revokes the whole session. So all refreshes of one
// Session go through a single in-flight RefreshSession that concurrent callers share, the session
// always keeps the successor token from the response, and a refresh token the server has accepted is
// never sent again (one whose answer was lost may be: the server's grace window allows for that).
// OnRefresh reports every new token pair (a desktop app persists them); ResumeSession starts from a
// persisted refresh token (and, optionally, access token).
//
// Session.CustomData and DecodeCustomData read the custom user data carried in the access token's
// user_data claim; Watch follows the document live through WatchCustomData.
//
// # Checking Lanyard tokens
//
// A service that only needs to check the access tokens its callers present uses a Verifier: it fetches
// Lanyard's JWKS over HTTP and verifies tokens locally, with the same rules as the server (algorithm
// allowlist, typ at+jwt, required exp, exact issuer and audience, 30 s leeway, canonical encoding, 32 KiB
// cap; package jws holds them for both). A token has one spelling: its header is byte for byte the one
// Lanyard writes, its ES256 signature is low-S, and no claim is named twice at any depth.
// UnaryServerInterceptor and StreamServerInterceptor put the verified *Claims in the context of a gRPC
// service (ClaimsFrom). A Verifier cannot see revocations: a revoked session's access tokens stay
// valid for it until they expire (30 minutes by default). A service that must honour revocation at
// once asks Lanyard instead (WhoAmI is the cheapest authenticated call).
package client
