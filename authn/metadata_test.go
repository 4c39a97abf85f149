package authn

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseMetadataFields(t *testing.T) {
	ok := []struct {
		provider string
		field    MetadataField
		want     MetadataField
		path     []string
	}{
		{ProviderCustomToken, MetadataField{Name: "email"}, MetadataField{Name: "email", FieldName: "email"}, []string{"email"}},
		{ProviderCustomToken, MetadataField{Name: "user.profile.name", Required: true},
			MetadataField{Name: "user.profile.name", FieldName: "name", Required: true}, []string{"user", "profile", "name"}},
		{ProviderCustomToken, MetadataField{Name: `http://example\.com/id`, FieldName: "ex"},
			MetadataField{Name: `http://example\.com/id`, FieldName: "ex"}, []string{"http://example.com/id"}},
		{ProviderCustomToken, MetadataField{Name: `a\.b.c`}, MetadataField{Name: `a\.b.c`, FieldName: "c"}, []string{"a.b", "c"}},
		{ProviderCustomToken, MetadataField{Name: `a\b`}, MetadataField{Name: `a\b`, FieldName: `a\b`}, []string{`a\b`}},
		{ProviderCustomToken, MetadataField{Name: "x", FieldName: strings.Repeat("f", 63)},
			MetadataField{Name: "x", FieldName: strings.Repeat("f", 63)}, []string{"x"}},
		{ProviderGoogle, MetadataField{Name: "first_name", FieldName: "given"}, MetadataField{Name: "first_name", FieldName: "given"}, []string{"first_name"}},
		{ProviderFacebook, MetadataField{Name: "min_age"}, MetadataField{Name: "min_age", FieldName: "min_age"}, []string{"min_age"}},
	}
	for _, c := range ok {
		got, err := ParseMetadataFields(c.provider, []MetadataField{c.field})
		if err != nil {
			t.Errorf("%s %+v: %v", c.provider, c.field, err)
			continue
		}
		if got[0].MetadataField != c.want || !reflect.DeepEqual(got[0].path, c.path) {
			t.Errorf("%s %+v: got %+v %q", c.provider, c.field, got[0].MetadataField, got[0].path)
		}
	}

	bad := []struct {
		provider string
		fields   []MetadataField
	}{
		{ProviderCustomToken, []MetadataField{{Name: ""}}},
		{ProviderCustomToken, []MetadataField{{Name: "a..b"}}},
		{ProviderCustomToken, []MetadataField{{Name: ".a"}}},
		{ProviderCustomToken, []MetadataField{{Name: "a."}}},
		// The default field_name would hold a dot.
		{ProviderCustomToken, []MetadataField{{Name: `http://example\.com/id`}}},
		{ProviderCustomToken, []MetadataField{{Name: "a", FieldName: "b.c"}}},
		{ProviderCustomToken, []MetadataField{{Name: "$where"}}},
		{ProviderCustomToken, []MetadataField{{Name: "a", FieldName: "$set"}}},
		{ProviderCustomToken, []MetadataField{{Name: "a", FieldName: strings.Repeat("f", 64)}}},
		{ProviderCustomToken, []MetadataField{{Name: "a"}, {Name: "x.a"}}},
		{ProviderCustomToken, []MetadataField{{Name: "a", FieldName: "n"}, {Name: "b", FieldName: "n"}}},
		{ProviderGoogle, []MetadataField{{Name: "gender"}}},
		{ProviderGoogle, []MetadataField{{Name: "given_name"}}},
		{ProviderFacebook, []MetadataField{{Name: "age_range"}}},
		{ProviderFacebook, []MetadataField{{Name: "email"}, {Name: "email"}}},
		{ProviderAnonymous, nil},
	}
	for _, c := range bad {
		if _, err := ParseMetadataFields(c.provider, c.fields); err == nil {
			t.Errorf("%s %+v: accepted", c.provider, c.fields)
		}
	}

	// One source may feed two field names.
	if _, err := ParseMetadataFields(ProviderFacebook, []MetadataField{{Name: "email"}, {Name: "email", FieldName: "contact"}}); err != nil {
		t.Error(err)
	}
}

func TestExtractMetadata(t *testing.T) {
	fields, err := ParseMetadataFields(ProviderCustomToken, []MetadataField{
		{Name: "a.b", Required: true},
		{Name: "n"},
		{Name: "big"},
		{Name: "opt"},
	})
	extNoErr(t, err)
	src := map[string]any{
		"a":     map[string]any{"b": json.Number("7"), "c": "not configured"},
		"n":     []any{json.Number("1.25"), json.Number("-3")},
		"big":   json.Number("123456789012345678"),
		"extra": "not configured",
	}
	got, err := extractMetadata(fields, src)
	extNoErr(t, err)
	want := map[string]any{"b": int64(7), "n": []any{1.25, int64(-3)}, "big": int64(123456789012345678)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	// The source is not changed.
	if _, ok := src["a"].(map[string]any)["b"].(json.Number); !ok {
		t.Fatal("source modified")
	}

	_, err = extractMetadata(fields, map[string]any{"n": json.Number("1e999")})
	if !errors.Is(err, ErrMetadataRequired) {
		t.Fatalf("missing required first: %v", err)
	}
	_, err = extractMetadata(fields, map[string]any{"a": map[string]any{"b": 1}, "n": json.Number("1e999")})
	if !errors.Is(err, ErrInvalidCredentials) || !strings.Contains(err.Error(), `"n"`) {
		t.Fatalf("out of range number: %v", err)
	}
}
