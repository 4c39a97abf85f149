package server

import (
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// The four services. Each handler is thin: it reads the principal and the (already validated) request,
// calls the domain (authn, store) and shapes the response. Methods not written yet answer UNIMPLEMENTED
// through the embedded Unimplemented servers, with an ErrorInfo added by the error mapper.
type (
	authService struct {
		lanyardv1.UnimplementedAuthServiceServer
		s *Server
	}
	customDataService struct {
		lanyardv1.UnimplementedCustomDataServiceServer
		s *Server
	}
	metadataService struct {
		lanyardv1.UnimplementedMetadataServiceServer
		s *Server
	}
	adminService struct {
		lanyardv1.UnimplementedAdminServiceServer
		s *Server
	}
)
