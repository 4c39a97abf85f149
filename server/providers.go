package server

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/lanyardhq/lanyard/authn"
)

// externalProviders builds the enabled providers that verify someone else's tokens (custom JWT, Google,
// Facebook) from their settings. Errors name the setting.
func (s *Server) externalProviders() ([]authn.ExternalProvider, error) {
	var out []authn.ExternalProvider
	add := func(setting string, p authn.ExternalProvider, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %v", setting, err)
		}
		out = append(out, p)
		return nil
	}
	c := s.cfg
	if slices.Contains(c.Providers, authn.ProviderCustomToken) {
		fields, err := metadataFields("LANYARD_CUSTOM_TOKEN_METADATA_FIELDS", c.CustomTokenMetadataFields)
		if err != nil {
			return nil, err
		}
		keys := c.CustomTokenKeys
		if c.CustomTokenKeyFile != "" {
			raw, err := os.ReadFile(c.CustomTokenKeyFile)
			if err != nil {
				return nil, fmt.Errorf("LANYARD_CUSTOM_TOKEN_KEY_FILE: %v", err)
			}
			// A secret file usually ends in a newline that is not part of the secret.
			keys = append(keys, strings.TrimSpace(string(raw)))
		}
		p, err := authn.NewCustomTokenProvider(authn.CustomTokenConfig{SigningAlgorithm: c.CustomTokenAlg, SigningKeys: keys,
			JWKSURL: c.CustomTokenJWKSURL, Audience: c.CustomTokenAudience, RequireAllAudiences: c.CustomTokenAudienceAll, MetadataFields: fields})
		if err := add("custom-token provider", p, err); err != nil {
			return nil, err
		}
	}
	if slices.Contains(c.Providers, authn.ProviderGoogle) {
		fields, err := metadataFields("LANYARD_GOOGLE_METADATA_FIELDS", c.GoogleMetadataFields)
		if err != nil {
			return nil, err
		}
		p, err := authn.NewGoogleProvider(authn.GoogleConfig{ClientID: c.GoogleClientID, JWKSURL: c.GoogleJWKSURL, MetadataFields: fields})
		if err := add("oauth2-google provider", p, err); err != nil {
			return nil, err
		}
	}
	if slices.Contains(c.Providers, authn.ProviderFacebook) {
		fields, err := metadataFields("LANYARD_FACEBOOK_METADATA_FIELDS", c.FacebookMetadataFields)
		if err != nil {
			return nil, err
		}
		p, err := authn.NewFacebookProvider(authn.FacebookConfig{GraphURL: c.FacebookGraphURL, AppID: c.FacebookAppID,
			AppSecret: c.FacebookAppSecret, MetadataFields: fields})
		if err := add("oauth2-facebook provider", p, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func metadataFields(setting, js string) ([]authn.MetadataField, error) {
	if js == "" {
		return nil, nil
	}
	var fields []authn.MetadataField
	if err := json.Unmarshal([]byte(js), &fields); err != nil {
		return nil, fmt.Errorf("%s: not a JSON list of {name, field_name, required}: %v", setting, err)
	}
	return fields, nil
}
