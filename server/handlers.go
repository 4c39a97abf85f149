package server

import (
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// customDataService implements CustomDataService; the other three services live in service/.
type customDataService struct {
	lanyardv1.UnimplementedCustomDataServiceServer
	s *Server
}
