package server

import (
	"context"
	"errors"
	"strconv"
	"strings"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/lanyardhq/lanyard/service/rpc"
)

// validator checks a request against the field rules its message carries in proto/ (protovalidate's
// buf.validate options), the same rules the generated clients carry. Their evaluation is built when the
// process starts, for the request message of every method of the linked services, rather than by the
// first call of each.
var validator = newValidator(protoregistry.GlobalFiles)

func newValidator(files *protoregistry.Files) protovalidate.Validator {
	var requests []protoreflect.MessageDescriptor
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			methods := fd.Services().Get(i).Methods()
			for j := range methods.Len() {
				requests = append(requests, methods.Get(j).Input())
			}
		}
		return true
	})
	v, err := protovalidate.New(protovalidate.WithMessageDescriptors(requests...))
	if err != nil {
		// Only a broken CEL environment gets here, never a rule of the API.
		panic("protovalidate: " + err.Error())
	}
	return v
}

// validate answers INVALID_ARGUMENT, with a BadRequest field violation per broken rule, for a request
// that breaks the field rules of its message. Rules that cannot be evaluated (a CEL expression of the
// wrong type) come back as they are and become INTERNAL.
func validate(req any) error {
	if malformed(req) {
		return errMalformed
	}
	m, ok := req.(proto.Message)
	if !ok {
		return nil
	}
	err := validator.Validate(m)
	if err == nil {
		return nil
	}
	var invalid *protovalidate.ValidationError
	if !errors.As(err, &invalid) {
		return err
	}
	var v rpc.Violations
	for _, x := range invalid.Violations {
		description := x.Proto.GetMessage()
		if description == "" {
			description = "breaks rule " + x.Proto.GetRuleId()
		}
		v.Add(fieldName(x.Proto.GetField()), description)
	}
	return v.Err()
}

// fieldName writes a protovalidate field path the way Lanyard's BadRequest violations always named
// fields: names and list indexes or map keys joined by dots ("device.device_id", "set.a.b.1").
func fieldName(path *validatepb.FieldPath) string {
	var b strings.Builder
	for i, e := range path.GetElements() {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.GetFieldName())
		switch e.WhichSubscript() {
		case validatepb.FieldPathElement_Index_case:
			b.WriteString("." + strconv.FormatUint(e.GetIndex(), 10))
		case validatepb.FieldPathElement_BoolKey_case:
			b.WriteString("." + strconv.FormatBool(e.GetBoolKey()))
		case validatepb.FieldPathElement_IntKey_case:
			b.WriteString("." + strconv.FormatInt(e.GetIntKey(), 10))
		case validatepb.FieldPathElement_UintKey_case:
			b.WriteString("." + strconv.FormatUint(e.GetUintKey(), 10))
		case validatepb.FieldPathElement_StringKey_case:
			b.WriteString("." + e.GetStringKey())
		}
	}
	return b.String()
}

func unaryValidate(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	if err := validate(req); err != nil {
		return nil, err
	}
	return next(ctx, req)
}

func streamValidate(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, next grpc.StreamHandler) error {
	return next(srv, &validatingStream{ServerStream: ss})
}

// validatingStream checks every message the client sends on a stream.
type validatingStream struct {
	grpc.ServerStream
}

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return validate(m)
}
