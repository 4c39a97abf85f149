package server

import (
	"context"

	"google.golang.org/grpc"
)

// validators holds the field checks of each method's request, keyed by full method name like the policy
// table. A check appends a violation per invalid field; the validation interceptor turns them into one
// INVALID_ARGUMENT with BadRequest details, so handlers only ever see well-formed requests.
var validators = map[string]func(req any, v *violations){}

func validate(method string, req any) error {
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
