package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// Reopen opens the data of a closed store again, as a restarted process
// would.
type Reopen func(t *testing.T) storage.Store

// Factory opens a fresh, empty, migrated store for one test and tells how
// to reopen it. It registers its own cleanup; the suite may Close the
// store itself first.
type Factory func(t *testing.T) (storage.Store, Reopen)

// Run runs the conformance suite against the stores newStore opens.
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newStore Factory)
	}{
		{"appends a batch with sealed events", testAppend},
		{"refuses a stale expected seq", testConflict},
		{"refuses invalid appends", testInvalid},
		{"replays an idempotency key", testReplay},
		{"replays concurrent duplicate deliveries once", testConcurrentDuplicates},
		{"keeps 50 concurrent writers of one run gapless", testConcurrentOneRun},
		{"keeps concurrent runs apart", testConcurrentRuns},
		{"streams 10k events in order", testOrdering},
		{"round-trips payloads so hashes verify", testPayloadRoundTrip},
		{"reports unknown runs", testNotFound},
		{"keeps everything after reopening", testReopen},
		{"maintains run metadata", testMeta},
		{"lists runs with filters", testListRuns},
		{"reserves unique run numbers", testNextRunNumber},
		{"answers ping", testPing},
		{"streams only the events after a seq", testStreamAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore) })
	}
}

func testAppend(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	res := mustAppend(t, s, storage.AppendRequest{RunID: "CONT-2026-0001", Events: []plan.Event{
		event(0, "k1", "uno"), event(time.Second, "", "dos"),
	}})
	if res.Replayed || len(res.Events) != 2 {
		t.Fatalf("got %+v, want 2 new events", res)
	}
	for i, e := range res.Events {
		if e.Seq != int64(i+1) || e.RunID != "CONT-2026-0001" || e.Hash == "" {
			t.Fatalf("event %d not sealed: %+v", i, e)
		}
	}
	if res.Events[0].PrevHash != plan.GenesisHash || res.Events[1].PrevHash != res.Events[0].Hash {
		t.Fatalf("chain not linked: %+v", res.Events)
	}
	res2 := mustAppend(t, s, storage.AppendRequest{RunID: "CONT-2026-0001", ExpectedSeq: 2, Events: []plan.Event{
		event(2*time.Second, "k2", "tres"),
	}})
	if res2.Events[0].Seq != 3 || res2.Events[0].PrevHash != res.Events[1].Hash {
		t.Fatalf("third event %+v does not follow %+v", res2.Events[0], res.Events[1])
	}
	got, err := s.Load(context.Background(), "CONT-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	equalEvents(t, got, append(res.Events, res2.Events...))
	if n := verify(t, s, "CONT-2026-0001"); n != 3 {
		t.Fatalf("verified %d events, want 3", n)
	}
}

func testConflict(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustAppend(t, s, storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "", "a"), event(0, "", "b")}})
	tests := []struct {
		name     string
		expected int64
	}{
		{"behind the head", 1},
		{"as if new", 0},
		{"ahead of the head", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: tt.expected, Events: []plan.Event{event(0, "", "x")}})
			if !errors.Is(err, storage.ErrConflict) {
				t.Fatalf("Append at %d: got %v, want ErrConflict", tt.expected, err)
			}
		})
	}
	t.Run("a new run not at zero", func(t *testing.T) {
		_, err := s.Append(ctx, storage.AppendRequest{RunID: "other", ExpectedSeq: 3, Events: []plan.Event{event(0, "", "x")}})
		if !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
		if _, err := s.Load(ctx, "other"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("refused append created the run: Load = %v", err)
		}
	})
	if n := verify(t, s, "r"); n != 2 {
		t.Fatalf("run has %d events after refused appends, want 2", n)
	}
}

func testInvalid(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	noType := event(0, "", "x")
	noType.Type = ""
	badPayload := event(0, "", "x")
	badPayload.Payload = json.RawMessage(`{"open":`)
	tests := []struct {
		name string
		req  storage.AppendRequest
	}{
		{"no run id", storage.AppendRequest{Events: []plan.Event{event(0, "", "x")}}},
		{"no events", storage.AppendRequest{RunID: "r"}},
		{"event of another run", storage.AppendRequest{RunID: "r", Events: []plan.Event{func() plan.Event {
			e := event(0, "", "x")
			e.RunID = "s"
			return e
		}()}}},
		{"event without type", storage.AppendRequest{RunID: "r", Events: []plan.Event{noType}}},
		{"key twice in a batch", storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "k", "x"), event(0, "k", "y")}}},
		{"payload not JSON", storage.AppendRequest{RunID: "r", Events: []plan.Event{badPayload}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Append(context.Background(), tt.req)
			if !errors.Is(err, storage.ErrInvalidAppend) {
				t.Fatalf("got %v, want ErrInvalidAppend", err)
			}
		})
	}
	if _, err := s.Load(context.Background(), "r"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("invalid appends created run r: %v", err)
	}
}

func testReplay(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	batch := []plan.Event{event(0, "K", "uno"), event(0, "K#1", "dos"), event(0, "K#2", "tres")}
	first := mustAppend(t, s, storage.AppendRequest{RunID: "r", Events: batch})
	mustAppend(t, s, storage.AppendRequest{RunID: "r", ExpectedSeq: 3, Events: []plan.Event{event(time.Minute, "L", "later")}})
	tests := []struct {
		name     string
		expected int64
		events   []plan.Event
	}{
		{"same request again", 0, batch},
		{"at the current head", 4, batch},
		{"with different content", 4, []plan.Event{event(time.Hour, "K", "otra cosa")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: tt.expected, Events: tt.events})
			if err != nil {
				t.Fatalf("replay: %v", err)
			}
			if !res.Replayed {
				t.Fatal("Replayed = false, want true")
			}
			equalEvents(t, res.Events, first.Events)
		})
	}
	t.Run("a batch appended to a known head", func(t *testing.T) {
		batch := []plan.Event{event(time.Hour, "M", "uno"), event(time.Hour, "M#1", "dos")}
		stored := mustAppend(t, s, storage.AppendRequest{RunID: "r", ExpectedSeq: 4, Events: batch})
		res, err := s.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: 6, Events: batch})
		if err != nil || !res.Replayed {
			t.Fatalf("replay = %+v, %v", res, err)
		}
		equalEvents(t, res.Events, stored.Events)
	})
	t.Run("refuses a key of an event inside a batch", func(t *testing.T) {
		tests := []struct {
			name   string
			events []plan.Event
		}{
			{"as the first key", []plan.Event{event(0, "K#1", "x")}},
			{"as a later key", []plan.Event{event(0, "", "x"), event(0, "K#2", "y")}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: 6, Events: tt.events})
				if !errors.Is(err, storage.ErrInvalidAppend) || !errors.Is(err, storage.ErrKeyUsed) {
					t.Fatalf("got %v, want ErrInvalidAppend and ErrKeyUsed", err)
				}
			})
		}
	})
	if n := verify(t, s, "r"); n != 6 {
		t.Fatalf("run has %d events after replays, want 6", n)
	}
}

func testConcurrentDuplicates(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustAppend(t, s, storage.AppendRequest{RunID: "r", Events: []plan.Event{event(0, "", "a")}})
	const n = 20
	type result struct {
		res storage.AppendResult
		err error
	}
	results := make(chan result, n)
	start := make(chan struct{})
	for range n {
		go func() {
			<-start
			res, err := s.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: 1, Events: []plan.Event{
				event(time.Second, "click-1", "approve"), event(time.Second, "click-1#1", "queued"),
			}})
			results <- result{res, err}
		}()
	}
	close(start)
	fresh := 0
	var want []plan.Event
	for range n {
		r := <-results
		if r.err != nil {
			t.Fatalf("duplicate delivery: %v", r.err)
		}
		if !r.res.Replayed {
			fresh++
		}
		if want == nil {
			want = r.res.Events
		}
		equalEvents(t, r.res.Events, want)
	}
	if fresh != 1 {
		t.Fatalf("%d deliveries appended, want exactly 1", fresh)
	}
	if got := verify(t, s, "r"); got != 3 {
		t.Fatalf("run has %d events, want 3", got)
	}
}

func testNotFound(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustAppend(t, s, storage.AppendRequest{RunID: "known", Events: []plan.Event{event(0, "", "a")}})
	if _, err := s.Load(ctx, "CONT-1999-0001"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Load: got %v, want ErrNotFound", err)
	}
	called := false
	err := s.Stream(ctx, "CONT-1999-0001", func(plan.Event) error { called = true; return nil })
	if !errors.Is(err, storage.ErrNotFound) || called {
		t.Fatalf("Stream: got %v (called %v), want ErrNotFound", err, called)
	}
}

func testReopen(t *testing.T, newStore Factory) {
	s, reopen := newStore(t)
	ctx := context.Background()
	var want []plan.Event
	for i := range 5 {
		res := mustAppend(t, s, storage.AppendRequest{RunID: "r", ExpectedSeq: int64(i), Events: []plan.Event{event(time.Duration(i)*time.Second, fmt.Sprintf("k%d", i), "x")},
			Meta: storage.RunMeta{PlanID: "quipux", State: "restoring"}})
		want = append(want, res.Events...)
	}
	n1, err := s.NextRunNumber(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.ListRuns(ctx, storage.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2 := reopen(t)
	got, err := s2.Load(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	equalEvents(t, got, want)
	runs2, err := s2.ListRuns(ctx, storage.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs2) != 1 || fmt.Sprint(runs2) != fmt.Sprint(runs) {
		t.Fatalf("runs after reopening %+v, before %+v", runs2, runs)
	}
	if n2, err := s2.NextRunNumber(ctx, 2026); err != nil || n2 != n1+1 {
		t.Fatalf("NextRunNumber after reopening = %d, %v; want %d", n2, err, n1+1)
	}
	res, err := s2.Append(ctx, storage.AppendRequest{RunID: "r", ExpectedSeq: 4, Events: []plan.Event{event(0, "k0", "x")}})
	if err != nil || !res.Replayed {
		t.Fatalf("replay after reopening: %+v, %v", res, err)
	}
	mustAppend(t, s2, storage.AppendRequest{RunID: "r", ExpectedSeq: 5, Events: []plan.Event{event(time.Hour, "", "after")}})
	if n := verify(t, s2, "r"); n != 6 {
		t.Fatalf("verified %d events, want 6", n)
	}
}

func testPing(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testStreamAfter(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustAppend(t, s, storage.AppendRequest{RunID: "CONT-2026-0001", Events: []plan.Event{
		event(0, "", "uno"), event(time.Second, "", "dos"), event(2*time.Second, "", "tres"),
	}})
	var seqs []int64
	if err := s.StreamAfter(ctx, "CONT-2026-0001", 1, func(e plan.Event) error {
		seqs = append(seqs, e.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seqs) != "[2 3]" {
		t.Fatalf("after 1: got seqs %v, want [2 3]", seqs)
	}
	seqs = nil
	if err := s.StreamAfter(ctx, "CONT-2026-0001", 3, func(e plan.Event) error {
		seqs = append(seqs, e.Seq)
		return nil
	}); err != nil || len(seqs) != 0 {
		t.Fatalf("after the last: got %v, %v; want nothing", seqs, err)
	}
	if err := s.StreamAfter(ctx, "CONT-2026-0404", 0, func(plan.Event) error { return nil }); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown run from 0: got %v, want ErrNotFound", err)
	}
}
