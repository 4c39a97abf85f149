package server

// HTTPPatterns exposes the patterns of the HTTP listener's routes to the tests of package server_test.
func (s *Server) HTTPPatterns() []string { return s.httpPatterns }
