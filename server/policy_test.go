package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/emptypb"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
	"github.com/lanyardhq/lanyard/service/customdata"
	"github.com/lanyardhq/lanyard/service/rpc"
)

// unstartedServer is a server with no store or listeners under the given policy, enough to build its
// gRPC server: the services it registers take the watch hub (the admin feed ends with it).
func unstartedServer(policy map[string]rule) *Server {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Server{log: log, policy: policy, watch: customdata.NewHub(nil, log, nil, time.Second)}
}

// TestPolicyCoversEveryMethod fails when a method the server registers has no access option in its
// definition (it would be refused at run time, but the proto should say so on purpose) or does not say
// whether it needs the store, and when a method given an access option is not served.
func TestPolicyCoversEveryMethod(t *testing.T) {
	s := unstartedServer(apiPolicy)
	s.buildGRPC(nil)
	registered := map[string]bool{}
	for svc, info := range s.grpc.GetServiceInfo() {
		for _, m := range info.Methods {
			name := "/" + svc + "/" + m.Name
			registered[name] = true
			if r, ok := s.policy[name]; !ok || r.access == lanyardv1.Access_ACCESS_UNSPECIFIED {
				t.Errorf("%s has no (lanyard.v1.access) option", name)
			}
			if _, foreign := foreignPolicy[name]; foreign {
				continue
			}
			d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
			if err != nil {
				t.Errorf("%s: no descriptor for its service: %v", name, err)
				continue
			}
			md := d.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(m.Name))
			if md == nil || !proto.HasExtension(md.Options(), lanyardv1.E_NeedsStore) {
				t.Errorf("%s does not say whether it needs the store: set (lanyard.v1.needs_store)", name)
			}
		}
	}
	for name, r := range s.policy {
		if r.access != lanyardv1.Access_ACCESS_UNSPECIFIED && !registered[name] {
			t.Errorf("%s has an access option but is not registered", name)
		}
	}
	if len(registered) < 38 {
		t.Errorf("only %d methods registered; expected the four Lanyard services, health and reflection", len(registered))
	}
}

// probeFile is a service the way a new RPC starts out: Open says who may call it, Closed and
// ClosedStream say nothing, Strange names an access level this server does not know.
func probeFile(t *testing.T) protoreflect.FileDescriptor {
	t.Helper()
	withAccess := func(a lanyardv1.Access) *descriptorpb.MethodOptions {
		opts := &descriptorpb.MethodOptions{}
		proto.SetExtension(opts, lanyardv1.E_Access, a)
		return opts
	}
	empty := ".google.protobuf.Empty"
	fdp := &descriptorpb.FileDescriptorProto{
		Name:       proto.String("lanyard/probe/v1/probe.proto"),
		Package:    proto.String("lanyard.probe.v1"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/protobuf/empty.proto"},
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("Probe"),
			Method: []*descriptorpb.MethodDescriptorProto{
				{Name: proto.String("Open"), InputType: &empty, OutputType: &empty, Options: withAccess(lanyardv1.Access_ACCESS_PUBLIC)},
				{Name: proto.String("Closed"), InputType: &empty, OutputType: &empty},
				{Name: proto.String("ClosedStream"), InputType: &empty, OutputType: &empty, ServerStreaming: proto.Bool(true)},
				{Name: proto.String("Strange"), InputType: &empty, OutputType: &empty, Options: withAccess(lanyardv1.Access(99))},
			},
		}},
	}
	fd, err := protodesc.NewFile(fdp, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

// TestMethodWithoutAccessIsRefused: over a real gRPC server with the server's interceptor chain, a method
// whose definition has no access option is refused at every call, unary or streaming, token or not,
// before its handler runs; so are a method whose access level the server does not know, a method
// registered without any definition, and a method not registered at all. A method whose option opens
// it is served through the same chain.
func TestMethodWithoutAccessIsRefused(t *testing.T) {
	var files protoregistry.Files
	if err := files.RegisterFile(probeFile(t)); err != nil {
		t.Fatal(err)
	}
	s := unstartedServer(readPolicy(&files))
	s.buildGRPC(nil)
	if got := s.policy["/lanyard.probe.v1.Probe/Open"].access; got != lanyardv1.Access_ACCESS_PUBLIC {
		t.Fatalf("Open read as %s, want ACCESS_PUBLIC", got)
	}

	var handled atomic.Int32
	unary := func(name string) grpc.MethodDesc {
		return grpc.MethodDesc{MethodName: name, Handler: func(_ any, ctx context.Context, dec func(any) error, chain grpc.UnaryServerInterceptor) (any, error) {
			in := &emptypb.Empty{}
			if err := dec(in); err != nil {
				return nil, err
			}
			info := &grpc.UnaryServerInfo{FullMethod: "/lanyard.probe.v1.Probe/" + name}
			return chain(ctx, in, info, func(context.Context, any) (any, error) {
				handled.Add(1)
				return &emptypb.Empty{}, nil
			})
		}}
	}
	s.grpc.RegisterService(&grpc.ServiceDesc{
		ServiceName: "lanyard.probe.v1.Probe",
		HandlerType: (*any)(nil),
		// Unlisted is served but absent from the descriptors.
		Methods: []grpc.MethodDesc{unary("Open"), unary("Closed"), unary("Strange"), unary("Unlisted")},
		Streams: []grpc.StreamDesc{{StreamName: "ClosedStream", ServerStreams: true, Handler: func(any, grpc.ServerStream) error {
			handled.Add(1)
			return nil
		}}},
	}, struct{}{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.grpc.Serve(lis) }()
	t.Cleanup(s.grpc.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })

	withToken := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer some-token")
	refused := func(what string, err error) {
		t.Helper()
		st := status.Convert(err)
		if st.Code() != codes.PermissionDenied || st.Message() != errNoPolicy.Error() {
			t.Errorf("%s: %s %q, want PERMISSION_DENIED %q", what, st.Code(), st.Message(), errNoPolicy.Error())
			return
		}
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == rpc.ReasonName(errNoPolicy.Reason()) {
				return
			}
		}
		t.Errorf("%s: no ErrorInfo %s in %v", what, rpc.ReasonName(errNoPolicy.Reason()), st.Details())
	}
	for _, ctx := range []context.Context{context.Background(), withToken, context.Background()} {
		for _, m := range []string{"Closed", "Strange", "Unlisted"} {
			refused(m, conn.Invoke(ctx, "/lanyard.probe.v1.Probe/"+m, &emptypb.Empty{}, &emptypb.Empty{}))
		}
		stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/lanyard.probe.v1.Probe/ClosedStream")
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.SendMsg(&emptypb.Empty{}); err != nil {
			t.Fatal(err)
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
		refused("ClosedStream", stream.RecvMsg(&emptypb.Empty{}))
	}
	if n := handled.Load(); n != 0 {
		t.Fatalf("%d refused calls reached their handler", n)
	}

	err = conn.Invoke(context.Background(), "/lanyard.v1.AuthService/NoSuchMethod", &emptypb.Empty{}, &emptypb.Empty{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("a method nobody registered: %v, want UNIMPLEMENTED", err)
	}
	if err := conn.Invoke(context.Background(), "/lanyard.probe.v1.Probe/Open", &emptypb.Empty{}, &emptypb.Empty{}); err != nil {
		t.Fatalf("a method its definition opens: %v", err)
	}
	if n := handled.Load(); n != 1 {
		t.Fatalf("handlers ran %d times, want once (Open)", n)
	}
}
