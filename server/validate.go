package server

import (
	"context"

	"google.golang.org/grpc"
)

func validate(method string, req any) error {
	if malformed(req) {
		return errMalformed
	}
	check, ok := validators[method]
	if !ok {
		return nil
	}
	var v violations
	check(req, &v)
	return v.err()
}

func unaryValidate(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	if err := validate(info.FullMethod, req); err != nil {
		return nil, err
	}
	return next(ctx, req)
}

func streamValidate(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	return next(srv, &validatingStream{ServerStream: ss, method: info.FullMethod})
}

// validatingStream checks every message the client sends on a stream.
type validatingStream struct {
	grpc.ServerStream
	method string
}

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return validate(s.method, m)
}
