package server

// TracingEnabled says whether the server records and exports spans.
func (s *Server) TracingEnabled() bool { return s.tracing.Enabled() }
