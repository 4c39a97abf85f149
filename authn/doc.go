// Package authn holds Lanyard's credentials and token machinery: signing keys
// and their sealed storage form, access and refresh tokens (compact JWS via
// go-jose v4), argon2id password hashes, and the Principal that an
// authenticated request carries in its context.
//
// It knows no transport: nothing here imports gRPC or generated code, so the
// same checks serve the gRPC API, the App Services HTTP API and tests.
// Errors meant for callers are the sentinels (ErrTokenInvalid, …); the text
// wrapped around them is for logs and never contains a token, a password or a
// hash.
package authn
