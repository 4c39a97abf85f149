package mongo

import "testing"

func TestURIHelpers(t *testing.T) {
	tests := []struct {
		uri, hosts, redacted string
	}{
		{"mongodb://127.0.0.1:27017/", "127.0.0.1:27017", "mongodb://127.0.0.1:27017/"},
		{"mongodb://u:p%40ss@db1:27017,db2:27017/app?tls=true", "db1:27017,db2:27017", "mongodb://db1:27017,db2:27017/app"},
		{"mongodb+srv://u:pa/ss@w@cluster0.example.net/?retryWrites=true", "cluster0.example.net", "mongodb+srv://cluster0.example.net/"},
		{"mongodb://db1?x=1", "db1", "mongodb://db1"},
	}
	for _, tt := range tests {
		if got := uriHosts(tt.uri); got != tt.hosts {
			t.Errorf("uriHosts(%q) = %q, want %q", tt.uri, got, tt.hosts)
		}
		if got := RedactURI(tt.uri); got != tt.redacted {
			t.Errorf("RedactURI(%q) = %q, want %q", tt.uri, got, tt.redacted)
		}
	}

	uri := "mongodb://ada:p%40ss@db1/?tlsCertificateKeyFilePassword=k3y&authMechanismProperties=AWS_SESSION_TOKEN:t0k"
	msg := `bad "ada:p%40ss" p@ss k3y AWS_SESSION_TOKEN:t0k`
	if got, want := scrubSecrets(msg, uri), `bad "REDACTED" REDACTED REDACTED REDACTED`; got != want {
		t.Errorf("scrubSecrets = %q, want %q", got, want)
	}
}
