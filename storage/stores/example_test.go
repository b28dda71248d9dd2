package stores_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

// Open a store by URL, append a batch with an idempotency key, replay the
// key, and verify the run's chain.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "contingencia-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := stores.Open(ctx, "sqlite:"+filepath.Join(dir, "contingencia.db"), stores.Config{})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	ana := plan.Actor{Platform: "slack", UserID: "U0ANA", Name: "Ana"}
	req := storage.AppendRequest{
		RunID: "CONT-2026-0001",
		Events: []plan.Event{
			{At: at, Actor: ana, Type: plan.EventNoteAdded, Payload: []byte(`{"text":"Se declara la contingencia"}`), IdempotencyKey: "click-1"},
			{At: at, Actor: ana, Type: plan.EventNoteAdded, Payload: []byte(`{"text":"Servicios: Quipux"}`), IdempotencyKey: "click-1#1"},
		},
		Meta: storage.RunMeta{PlanID: "quipux", State: "declared"},
	}
	first, err := db.Append(ctx, req)
	if err != nil {
		panic(err)
	}
	again, err := db.Append(ctx, req) // a duplicated delivery of the same click
	if err != nil {
		panic(err)
	}
	fmt.Println("appended seqs", first.Events[0].Seq, first.Events[1].Seq, "replayed:", again.Replayed)

	v := plan.NewVerifier()
	if err := db.Stream(ctx, "CONT-2026-0001", v.Add); err != nil {
		panic(err)
	}
	fmt.Println("verified", v.Count(), "events; head is the last hash:", v.Head() == first.Events[1].Hash)
	// Output:
	// appended seqs 1 2 replayed: true
	// verified 2 events; head is the last hash: true
}
