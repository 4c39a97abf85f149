package server

import (
	"maps"

	"google.golang.org/grpc/health/grpc_health_v1"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// rule is the policy of one method: who may call it, and whether it needs the store (so that it can be
// answered UNAVAILABLE at once while the store is unreachable, instead of after a driver timeout).
type rule struct {
	access lanyardv1.Access
	store  bool
}

// foreignPolicy covers the services the server runs whose protos are grpc-go's, not Lanyard's, and so
// carry no Lanyard method options.
var foreignPolicy = map[string]rule{
	grpc_health_v1.Health_Check_FullMethodName:                             {lanyardv1.Access_ACCESS_PUBLIC, false},
	grpc_health_v1.Health_List_FullMethodName:                              {lanyardv1.Access_ACCESS_PUBLIC, false},
	grpc_health_v1.Health_Watch_FullMethodName:                             {lanyardv1.Access_ACCESS_PUBLIC, false},
	reflectionv1.ServerReflection_ServerReflectionInfo_FullMethodName:      {lanyardv1.Access_ACCESS_PUBLIC, false},
	reflectionv1alpha.ServerReflection_ServerReflectionInfo_FullMethodName: {lanyardv1.Access_ACCESS_PUBLIC, false},
}

// apiPolicy is the policy of every method, keyed by full method name, read once when the process starts
// from the `(lanyard.v1.access)` and `(lanyard.v1.needs_store)` options of the methods in the linked
// descriptors: the API's definition is the one place that says who may call what. A method without an
// access option is in the table as ACCESS_UNSPECIFIED and, like a method missing from it, refused.
var apiPolicy = readPolicy(protoregistry.GlobalFiles)

// readPolicy reads the method options of every service in files, over foreignPolicy.
func readPolicy(files *protoregistry.Files) map[string]rule {
	policy := maps.Clone(foreignPolicy)
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				name := "/" + string(sd.FullName()) + "/" + string(md.Name())
				if _, foreign := foreignPolicy[name]; foreign {
					continue
				}
				opts := md.Options()
				policy[name] = rule{
					access: proto.GetExtension(opts, lanyardv1.E_Access).(lanyardv1.Access),
					store:  proto.GetExtension(opts, lanyardv1.E_NeedsStore).(bool),
				}
			}
		}
		return true
	})
	return policy
}
