// Command login shows a desktop-style session with Lanyard: anonymous login, an authenticated call,
// writing and reading custom user data, and a refresh.
//
//	go run ./client/examples/login -addr 127.0.0.1:50051
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/lanyardhq/lanyard/client"
	lanyardv1 "github.com/lanyardhq/lanyard/gen/go/lanyard/v1"
)

// prefs is the shape this app gives its custom data document.
type prefs struct {
	Theme  string `json:"theme"`
	Visits int    `json:"visits"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "Lanyard gRPC address")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := client.Dial(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	s, err := c.LoginAnonymous(ctx)
	if err != nil {
		log.Fatalf("login: %v", err)
	}
	// A desktop app would persist the pair here and start from client.ResumeSession next time.
	s.OnRefresh(func(access, refresh string) { log.Printf("tokens refreshed (access token %d bytes)", len(access)) })
	fmt.Println("logged in as", s.UserID())

	who, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption())
	if err != nil {
		log.Fatalf("WhoAmI: %v", err)
	}
	fmt.Printf("token %s expires %s\n", who.GetTokenId(), who.GetExpireTime().AsTime().Format(time.RFC3339))

	set, err := structpb.NewStruct(map[string]any{"theme": "dark"})
	if err != nil {
		log.Fatal(err)
	}
	inc, err := structpb.NewStruct(map[string]any{"visits": 1})
	if err != nil {
		log.Fatal(err)
	}
	// Session.UpdateCustomData adopts the fresh token the server returns, so the token's user_data
	// (and DecodeCustomData) reflect the write at once.
	upd, err := s.UpdateCustomData(ctx, &lanyardv1.UpdateCustomDataRequest{Set: set, Inc: inc})
	if err != nil {
		log.Fatalf("UpdateCustomData: %v", err)
	}
	fmt.Println("document version", upd.GetVersion())

	p, err := client.DecodeCustomData[prefs](s)
	if err != nil {
		log.Fatalf("decode custom data: %v", err)
	}
	fmt.Printf("from the token: theme=%s visits=%d\n", p.Theme, p.Visits)

	got, err := c.CustomData().GetCustomData(ctx, &lanyardv1.GetCustomDataRequest{}, s.CallOption())
	if err != nil {
		log.Fatalf("GetCustomData: %v", err)
	}
	fmt.Println("from the store:", got.GetData().AsMap())

	if err := s.Refresh(ctx); err != nil {
		log.Fatalf("refresh: %v", err)
	}
	if _, err := c.Auth().WhoAmI(ctx, &lanyardv1.WhoAmIRequest{}, s.CallOption()); err != nil {
		log.Fatalf("WhoAmI after refresh: %v", err)
	}
	if err := s.Logout(ctx); err != nil {
		log.Fatalf("logout: %v", err)
	}
	fmt.Println("logged out")
}
