package metadata

import (
	"context"
	"sort"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// ListMetadataFields lists the configured metadata fields of every enabled provider that yields them.
// Public: the field names are no secret, and clients use them to know what profiles will hold.
func (h *Service) ListMetadataFields(context.Context, *lanyardv1.ListMetadataFieldsRequest) (*lanyardv1.ListMetadataFieldsResponse, error) {
	resp := &lanyardv1.ListMetadataFieldsResponse{}
	for typ, p := range h.auth.ExternalProviders() {
		entry := &lanyardv1.ProviderMetadataFields{ProviderType: typ}
		for _, f := range p.MetadataFields() {
			entry.Fields = append(entry.Fields, &lanyardv1.MetadataField{Name: f.Name, FieldName: f.FieldName, Required: f.Required})
		}
		resp.Providers = append(resp.Providers, entry)
	}
	sort.Slice(resp.Providers, func(i, j int) bool { return resp.Providers[i].ProviderType < resp.Providers[j].ProviderType })
	return resp, nil
}
