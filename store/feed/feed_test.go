package feed_test

import (
	"slices"
	"testing"

	"github.com/lanyardhq/lanyard/store/feed"
)

func TestWatches(t *testing.T) {
	f := feed.New()
	if w := f.Watches(); w != nil {
		t.Fatalf("Watches() of a new feed = %v", w)
	}
	noop := func(feed.Change) {}
	cancelB := f.Subscribe("app", "custom", "owner", noop)
	cancelA := f.Subscribe("app", "custom", "user_id", noop)
	cancelA2 := f.Subscribe("app", "custom", "user_id", noop)
	cancelC := f.Subscribe("a", "z", "f", noop)
	want := []feed.Watch{{DB: "a", Coll: "z", Field: "f"}, {DB: "app", Coll: "custom", Field: "owner"}, {DB: "app", Coll: "custom", Field: "user_id"}}
	if got := f.Watches(); !slices.Equal(got, want) {
		t.Fatalf("Watches() = %v, want %v", got, want)
	}
	cancelA()
	if got := f.Watches(); !slices.Equal(got, want) {
		t.Fatalf("after one of two identical subscriptions ended: %v, want %v", got, want)
	}
	cancelA2()
	cancelB()
	cancelC()
	cancelC()
	if got := f.Watches(); len(got) != 0 {
		t.Fatalf("Watches() after every cancel = %v", got)
	}
}
