module example.com/lanyard-client-example

go 1.26.0

require (
	github.com/lanyardhq/lanyard v0.0.0-00010101000000-000000000000
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261104224025-d1e00e9f33ab
	google.golang.org/grpc v1.85.0
)

require (
	buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go v1.36.12-20260825204119-511051f7f437.1 // indirect
	github.com/go-jose/go-jose/v4 v4.1.8 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

// Lanyard's module is not published: this points it at a checkout of Lanyard (here, the one this example
// is in). Outside this repository, set it to the path of your checkout.
replace github.com/lanyardhq/lanyard => ../../..
