package export_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/contingencia/contingencia/export"
	"github.com/contingencia/contingencia/plan"
)

// events is a Source over a slice, as a test would have; a storage.Store
// is the real one.
type events []plan.Event

func (s events) Stream(_ context.Context, _ string, fn func(plan.Event) error) error {
	for _, e := range s {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Export a run as JSON Lines, verify the file, then tamper with it.
func ExampleVerifyJSONL() {
	at := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)
	director := plan.Actor{Platform: "slack", UserID: "U0DIR", Name: "María Núñez"}
	run := events{
		{RunID: "CONT-2026-0001", At: at, Actor: director, Type: plan.EventRunDeclared,
			Payload: []byte(`{"plan_id":"quipux","plan_hash":"ab12","services":["quipux"]}`)},
		{RunID: "CONT-2026-0001", At: at.Add(time.Minute), Actor: director, Type: plan.EventNoteAdded,
			Payload: []byte(`{"text":"Centro de datos sin energía"}`)},
	}
	prev := plan.GenesisHash
	for i := range run {
		if err := plan.Seal(&run[i], int64(i+1), prev); err != nil {
			panic(err)
		}
		prev = run[i].Hash
	}

	var file bytes.Buffer
	sum, err := export.Write(context.Background(), &file, export.JSON, run, nil, export.Options{RunID: "CONT-2026-0001"})
	if err != nil {
		panic(err)
	}
	res, err := export.VerifyJSONL(bytes.NewReader(file.Bytes()))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.OK(), res.Events, res.Head == sum.Head)

	tampered := bytes.Replace(file.Bytes(), []byte("sin energía"), []byte("con energía"), 1)
	res, err = export.VerifyJSONL(bytes.NewReader(tampered))
	if err != nil {
		panic(err)
	}
	fmt.Println(res)
	// Output:
	// true 2 true
	// event 2 (note.added at 2026-03-14T08:01:00.000000Z): content does not match its hash (altered after it was recorded)
}
