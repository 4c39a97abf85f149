package authn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Metadata limits. A field name becomes a key of the identity's data
// document, so it follows the document key rules (no "$" prefix, no ".").
const (
	maxMetadataFieldName = 64 // field_name must be shorter than this
	// MaxMetadataValue caps one metadata value: characters for a string,
	// bytes of its JSON encoding for anything else.
	MaxMetadataValue = 4096
)

// The metadata names Google and Facebook can yield, as App Services named
// them. Custom tokens take any claim path instead.
var (
	googleMetadataNames   = []string{"name", "first_name", "last_name", "picture", "email"}
	facebookMetadataNames = []string{"name", "first_name", "last_name", "picture", "gender", "birthday", "min_age", "max_age", "email"}
)

// metadataField is a validated MetadataField: path is the name split into
// the keys to walk in the provider's source document.
type metadataField struct {
	MetadataField // FieldName is always set
	path          []string
}

// ParseMetadataFields validates the metadata fields configured for provider
// (one of ProviderCustomToken, ProviderGoogle, ProviderFacebook).
//
// For custom tokens, name is a path into the JWT claims: "." separates
// nested keys and `\.` stands for a literal dot, so `http://example\.com/id`
// is the single claim "http://example.com/id". For Google and Facebook, name
// is one of the provider's seed names. field_name, the key in the identity's
// data, defaults to the last key of the path; a default that is not a valid
// key (such as one with a dot) must be replaced by an explicit field_name.
// Field names are unique per provider; one source name may feed several.
func ParseMetadataFields(provider string, fields []MetadataField) ([]metadataField, error) {
	var allowed []string
	switch provider {
	case ProviderCustomToken:
	case ProviderGoogle:
		allowed = googleMetadataNames
	case ProviderFacebook:
		allowed = facebookMetadataNames
	default:
		return nil, fmt.Errorf("metadata fields: provider %q has no metadata", provider)
	}

	out := make([]metadataField, 0, len(fields))
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		var path []string
		if provider == ProviderCustomToken {
			var err error
			if path, err = splitClaimPath(f.Name); err != nil {
				return nil, fmt.Errorf("metadata field %q: %w", f.Name, err)
			}
		} else {
			if !slices.Contains(allowed, f.Name) {
				return nil, fmt.Errorf("metadata field %q: %s yields only %s",
					f.Name, provider, strings.Join(allowed, ", "))
			}
			path = []string{f.Name}
		}

		if f.FieldName == "" {
			f.FieldName = path[len(path)-1]
		}
		if err := checkFieldName(f.FieldName); err != nil {
			return nil, fmt.Errorf("metadata field %q: field_name %q %w", f.Name, f.FieldName, err)
		}
		if seen[f.FieldName] {
			return nil, fmt.Errorf("metadata field %q: field_name %q is used twice", f.Name, f.FieldName)
		}
		seen[f.FieldName] = true
		out = append(out, metadataField{MetadataField: f, path: path})
	}
	return out, nil
}

// publicMetadataFields returns the configured fields with defaults filled
// in, for ListMetadataFields.
func publicMetadataFields(fields []metadataField) []MetadataField {
	out := make([]MetadataField, len(fields))
	for i, f := range fields {
		out[i] = f.MetadataField
	}
	return out
}

func checkFieldName(s string) error {
	switch {
	case s == "":
		return errors.New("is empty")
	case utf8.RuneCountInString(s) >= maxMetadataFieldName:
		return fmt.Errorf("must be shorter than %d characters", maxMetadataFieldName)
	case strings.HasPrefix(s, "$"):
		return errors.New("must not start with $")
	case strings.Contains(s, "."):
		return errors.New("must not contain a dot (set field_name)")
	}
	return nil
}

// splitClaimPath splits a dotted claim path; `\.` is a literal dot and any
// other backslash is kept as is, since claim names such as URLs rarely hold
// one and App Services escaped nothing else.
func splitClaimPath(name string) ([]string, error) {
	if name == "" {
		return nil, errors.New("name is empty")
	}
	var (
		path []string
		key  strings.Builder
	)
	for i := 0; i < len(name); i++ {
		switch {
		case name[i] == '\\' && i+1 < len(name) && name[i+1] == '.':
			key.WriteByte('.')
			i++
		case name[i] == '.':
			path = append(path, key.String())
			key.Reset()
		default:
			key.WriteByte(name[i])
		}
	}
	path = append(path, key.String())
	if slices.Contains(path, "") {
		return nil, errors.New("name has an empty path segment")
	}
	return path, nil
}

// extractMetadata copies the configured fields out of source, and nothing
// else. A missing or null required field fails with ErrMetadataRequired
// naming every such field (names come from the configuration, so the text is
// safe to show); oversized values fail with ErrInvalidCredentials, because
// they come from the credentials. Numbers decoded as json.Number become
// int64 when whole and in range, else float64, so that ids stay exact.
func extractMetadata(fields []metadataField, source map[string]any) (map[string]any, error) {
	data := make(map[string]any, len(fields))
	var missing []string
	var bad error
	for _, f := range fields {
		v, ok := lookupPath(source, f.path)
		if !ok || v == nil {
			if f.Required {
				missing = append(missing, f.Name)
			}
			continue
		}
		v, err := normalizeValue(v)
		if err == nil {
			err = checkMetadataSize(v)
		}
		if err != nil {
			if bad == nil {
				bad = fmt.Errorf("%w: metadata field %q %v", ErrInvalidCredentials, f.FieldName, err)
			}
			continue
		}
		data[f.FieldName] = v
	}
	// Missing fields are reported first: that text is safe to show and
	// tells the token's issuer everything to fix at once.
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrMetadataRequired, strings.Join(missing, ", "))
	}
	if bad != nil {
		return nil, bad
	}
	return data, nil
}

func lookupPath(source map[string]any, path []string) (any, bool) {
	var cur any = source
	for _, key := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[key]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func checkMetadataSize(v any) error {
	if s, ok := v.(string); ok {
		if utf8.RuneCountInString(s) > MaxMetadataValue {
			return fmt.Errorf("is longer than %d characters", MaxMetadataValue)
		}
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return errors.New("cannot be encoded as JSON")
	}
	if len(b) > MaxMetadataValue {
		return fmt.Errorf("is larger than %d bytes as JSON", MaxMetadataValue)
	}
	return nil
}

// normalizeValue returns v with every json.Number replaced, copying maps
// and slices so that the caller's source is left alone. Keys starting with
// "$" are refused: the API serves data as Extended JSON, where such a key
// would read as a type wrapper ({"$oid": …}), and stores may refuse them.
func normalizeValue(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, nil
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, errors.New("holds a number out of range")
		}
		return f, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if strings.HasPrefix(k, "$") {
				return nil, errors.New("holds a key starting with $")
			}
			n, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := normalizeValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	return v, nil
}
