// Command watch prints a user's custom data document every time it changes, until interrupted. It
// logs in anonymously, or resumes a stored session from LANYARD_REFRESH_TOKEN.
//
//	go run ./client/examples/watch -addr 127.0.0.1:50051
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/lanyardhq/lanyard/client"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "Lanyard gRPC address")
	user := flag.String("user", "", "user id to watch (server principals only; default: yourself)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c, err := client.Dial(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var s *client.Session
	if rt := os.Getenv("LANYARD_REFRESH_TOKEN"); rt != "" {
		s = c.ResumeSession(rt)
	} else if s, err = c.LoginAnonymous(ctx); err != nil {
		log.Fatalf("login: %v", err)
	}
	fmt.Println("watching the custom data of", userOr(*user, s.UserID()))

	err = client.Watch(ctx, s, *user, func(data json.RawMessage, version int64) error {
		if data == nil {
			fmt.Printf("v%d: no document\n", version)
			return nil
		}
		fmt.Printf("v%d: %s\n", version, data)
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Fatalf("watch: %v", err)
	}
}

func userOr(user, self string) string {
	if user != "" {
		return user
	}
	return self
}
