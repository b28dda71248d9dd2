package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/contingencia/contingencia/storage"
)

func TestListenReconnects(t *testing.T) {
	s, schema := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan string, 16)
	done := make(chan error, 1)
	go func() { done <- s.Listen(ctx, func(runID string) { heard <- runID }) }()
	wait := func(want string) {
		t.Helper()
		for {
			select {
			case got := <-heard:
				if got == want {
					return
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("did not hear %q within 30s", want)
			}
		}
	}
	wait("")
	// Kill the listening connection, as a failover or a network cut would.
	listen := `LISTEN "` + schema + `.contingencia_events"`
	var killed bool
	if err := s.Pool().QueryRow(ctx, `SELECT coalesce(bool_or(pg_terminate_backend(pid)), false)
		FROM pg_stat_activity WHERE query = $1`, listen).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating the listener: %v (killed %v)", err, killed)
	}
	wait("") // reconnected: refresh everything
	mustAppendOne(t, s, "CONT-2026-0007")
	wait("CONT-2026-0007")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Listen = %v after cancel, want nil", err)
	}
}

func TestAppendsAreAnnouncedToOtherReplicas(t *testing.T) {
	schema := newSchema(t)
	a := openStore(t, schema, storage.JobsConfig{})
	b := openStore(t, schema, storage.JobsConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan string, 16)
	done := make(chan error, 1)
	go func() { done <- b.Listen(ctx, func(runID string) { heard <- runID }) }()
	if got := <-heard; got != "" {
		t.Fatalf("first call %q, want the refresh signal", got)
	}
	mustAppendOne(t, a, "CONT-2026-0008")
	select {
	case got := <-heard:
		if got != "CONT-2026-0008" {
			t.Fatalf("replica heard %q", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the other replica heard nothing within 30s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
