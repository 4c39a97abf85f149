package server

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/rpc"
)

// grpc-go answers a request that does not decode (bad wire format, invalid UTF-8 in a string) with
// INTERNAL, before any interceptor runs. Lanyard answers bad input with INVALID_ARGUMENT, so its codec
// decodes such a request into an empty message marked with an unknown field that no client sends, and
// validation turns the mark into INVALID_ARGUMENT.
var malformedMark = protowire.AppendBytes(protowire.AppendTag(nil, protowire.MaxValidNumber, protowire.BytesType), []byte("lanyard: malformed"))

type markingCodec struct{ encoding.CodecV2 }

func newMarkingCodec() markingCodec { return markingCodec{encoding.GetCodecV2("proto")} }

func (c markingCodec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.CodecV2.Unmarshal(data, v)
	if m, ok := v.(proto.Message); ok && err != nil {
		proto.Reset(m)
		m.ProtoReflect().SetUnknown(malformedMark)
		return nil
	}
	return err
}

var errMalformed = rpc.NewError(codes.InvalidArgument, lanyardv1.ErrorReason_ERROR_REASON_INVALID_ARGUMENT,
	"the request is not a valid protobuf message of this method's type (check field types and UTF-8 strings)")

func malformed(req any) bool {
	m, ok := req.(proto.Message)
	if !ok {
		return false
	}
	u := m.ProtoReflect().GetUnknown()
	return len(u) == len(malformedMark) && string(u) == string(malformedMark)
}
