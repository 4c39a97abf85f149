package mongo

import (
	"net/url"
	"strings"
)

// The helpers below take a connection string apart by hand rather than with
// net/url or the driver's parser: they must work on malformed strings too
// (that is when an error is printed), and must never fail in a way that
// echoes the string back.

// splitURI returns the scheme, the userinfo (empty if none) and the rest
// (hosts, path and options) of a connection string.
func splitURI(uri string) (scheme, userinfo, rest string) {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "", "", uri
	}
	// The userinfo ends at the last '@' before the path, but an unescaped
	// password may itself contain '/' or '@': cutting at the last '@' of the
	// whole string errs on the side of hiding too much.
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		userinfo, rest = rest[:i], rest[i+1:]
	}
	return scheme, userinfo, rest
}

// uriHosts returns the host list of a connection string, e.g.
// "db1:27017,db2:27017", for error messages.
func uriHosts(uri string) string {
	_, _, rest := splitURI(uri)
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// RedactURI returns uri without its credentials and options (options can
// carry secrets too, e.g. tlsCertificateKeyFilePassword), for logs:
// "mongodb://user:pw@db1,db2/?tls=true" becomes "mongodb://db1,db2/".
func RedactURI(uri string) string {
	scheme, _, rest := splitURI(uri)
	if i := strings.Index(rest, "?"); i >= 0 {
		rest = rest[:i]
	}
	if scheme == "" {
		return rest
	}
	return scheme + "://" + rest
}

// scrubSecrets replaces in msg every secret found in uri (userinfo, password,
// values of options that can hold credentials) with "REDACTED". The
// driver's parse errors quote option values and may quote the userinfo.
func scrubSecrets(msg, uri string) string {
	_, userinfo, rest := splitURI(uri)
	var secrets []string
	if userinfo != "" {
		secrets = append(secrets, userinfo)
		if _, pw, ok := strings.Cut(userinfo, ":"); ok && pw != "" {
			secrets = append(secrets, pw)
			if dec, err := url.PathUnescape(pw); err == nil {
				secrets = append(secrets, dec)
			}
		}
	}
	if _, query, ok := strings.Cut(rest, "?"); ok {
		for _, kv := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' }) {
			k, v, _ := strings.Cut(kv, "=")
			k = strings.ToLower(k)
			secret := strings.Contains(k, "password") || strings.Contains(k, "token") ||
				strings.Contains(k, "secret") || k == "authmechanismproperties"
			if v != "" && secret {
				secrets = append(secrets, v)
			}
		}
	}
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "REDACTED")
	}
	return msg
}
