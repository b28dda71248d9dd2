package sqlite

import (
	"context"
	"fmt"
	"testing"
)

func TestListenerThatFallsBehindIsToldToRefresh(t *testing.T) {
	s := &Store{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heard := make(chan string)
	ready, release := make(chan struct{}), make(chan struct{})
	first := true
	done := make(chan error, 1)
	go func() {
		done <- s.Listen(ctx, func(runID string) {
			if first { // subscribed: hold the listener while appends pile up
				first = false
				close(ready)
				<-release
			}
			heard <- runID
		})
	}()
	<-ready
	// 300 appends overflow the listener's buffer of 256 without blocking
	// the publisher.
	for i := range 300 {
		s.hub.publish(fmt.Sprintf("run-%d", i))
	}
	close(release)
	var got []string
	for range 258 { // the first signal, the refresh signal, runs 0..255
		got = append(got, <-heard)
	}
	s.hub.publish("run-last")
	got = append(got, <-heard)
	if got[0] != "" || got[1] != "" || got[2] != "run-0" || got[257] != "run-255" || got[258] != "run-last" {
		t.Fatalf("heard %q…%q, want two refresh signals, runs 0..255, run-last", got[:3], got[256:])
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Listen = %v, want nil", err)
	}
}
