// Command lanyard-client-example logs in to Lanyard anonymously and prints the user id, then calls an
// AdminService RPC, which a normal user is refused, and prints the code and reason of the refusal. It exits
// non-zero when either step goes otherwise.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/lanyardhq/lanyard/client"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

func main() {
	// The variable `lanyard serve` listens on, so that a shell that sets it for both agrees.
	target := os.Getenv("LANYARD_GRPC_ADDR")
	if target == "" {
		target = "127.0.0.1:50051"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A loopback target gets plaintext; any other gets TLS unless told otherwise (client.WithInsecure).
	c, err := client.Dial(target)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		log.Fatalf("login: %v", err)
	}
	fmt.Println("user id:", s.UserID())

	_, err = c.Admin().ListUsers(ctx, &lanyardv1.ListUsersRequest{}, s.CallOption())
	st := status.Convert(err)
	var reason string
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			reason = info.GetReason()
		}
	}
	fmt.Println("ListUsers:", code.Code(st.Code()), reason)
	if st.Code() != codes.PermissionDenied || reason != "SERVER_PRINCIPAL_REQUIRED" {
		log.Fatal("want PERMISSION_DENIED with reason SERVER_PRINCIPAL_REQUIRED")
	}
}
