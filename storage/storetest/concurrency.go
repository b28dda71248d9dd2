package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

func testConcurrentOneRun(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	const writers, appends = 50, 2
	var g errgroup.Group
	for w := range writers {
		g.Go(func() error {
			for i := range appends {
				mk := func(int64) []plan.Event {
					return []plan.Event{
						event(time.Duration(w)*time.Second, fmt.Sprintf("w%d-%d", w, i), "a"),
						event(time.Duration(w)*time.Second, fmt.Sprintf("w%d-%d#1", w, i), "b"),
					}
				}
				if _, _, err := appendRetrying(context.Background(), s, "busy", mk); err != nil {
					return fmt.Errorf("writer %d append %d: %w", w, i, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	const want = writers * appends * 2
	if n := verify(t, s, "busy"); n != want {
		t.Fatalf("verified %d events, want %d", n, want)
	}
	// Every batch is there exactly once, its two events adjacent.
	events, err := s.Load(context.Background(), "busy")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < len(events); i += 2 {
		k := events[i].IdempotencyKey
		if seen[k] || events[i+1].IdempotencyKey != k+"#1" {
			t.Fatalf("batch %q stored twice or split: seq %d", k, events[i].Seq)
		}
		seen[k] = true
	}
	runs, err := s.ListRuns(context.Background(), storage.RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Events != want || runs[0].HeadHash != events[len(events)-1].Hash {
		t.Fatalf("run summary %+v does not match the timeline (%d events, head %s)", runs, want, events[len(events)-1].Hash)
	}
}

func testConcurrentRuns(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	const runs, writersPerRun, appends = 10, 3, 5
	var g errgroup.Group
	for r := range runs {
		for w := range writersPerRun {
			g.Go(func() error {
				run := fmt.Sprintf("CONT-2026-%04d", r+1)
				for i := range appends {
					mk := func(int64) []plan.Event {
						return []plan.Event{event(0, fmt.Sprintf("%s/%d/%d", run, w, i), run)}
					}
					if _, _, err := appendRetrying(context.Background(), s, run, mk); err != nil {
						return fmt.Errorf("%s writer %d: %w", run, w, err)
					}
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for r := range runs {
		run := fmt.Sprintf("CONT-2026-%04d", r+1)
		if n := verify(t, s, run); n != writersPerRun*appends {
			t.Fatalf("%s has %d events, want %d", run, n, writersPerRun*appends)
		}
		events, err := s.Load(context.Background(), run)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			var p struct{ Text string }
			if err := json.Unmarshal(e.Payload, &p); err != nil || p.Text != run {
				t.Fatalf("%s seq %d carries %s's event", run, e.Seq, p.Text)
			}
		}
	}
}

func testOrdering(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	ctx := context.Background()
	const total, batch = 10000, 250
	for i := 0; i < total; i += batch {
		events := make([]plan.Event, batch)
		for j := range events {
			events[j] = event(time.Duration(i+j)*time.Millisecond, "", fmt.Sprintf("event %d", i+j+1))
		}
		mustAppend(t, s, storage.AppendRequest{RunID: "long", ExpectedSeq: int64(i), Events: events})
	}
	v := plan.NewVerifier()
	err := s.Stream(ctx, "long", func(e plan.Event) error {
		var p struct{ Text string }
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if want := fmt.Sprintf("event %d", e.Seq); p.Text != want {
			return fmt.Errorf("seq %d carries %q, want %q", e.Seq, p.Text, want)
		}
		if want := base.Add(time.Duration(e.Seq-1) * time.Millisecond).Truncate(time.Microsecond); !e.At.Equal(want) {
			return fmt.Errorf("seq %d at %v, want %v", e.Seq, e.At, want)
		}
		return v.Add(e)
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Count() != total {
		t.Fatalf("streamed %d events, want %d", v.Count(), total)
	}
	t.Run("stops when the callback fails", func(t *testing.T) {
		stop := errors.New("enough")
		n := 0
		err := s.Stream(ctx, "long", func(plan.Event) error {
			n++
			if n == 10 {
				return stop
			}
			return nil
		})
		if n != 10 || !errors.Is(err, stop) {
			t.Fatalf("Stream went on to %d events and returned %v", n, err)
		}
	})
}

func testPayloadRoundTrip(t *testing.T, newStore Factory) {
	s, _ := newStore(t)
	payloads := []struct {
		name    string
		payload string
	}{
		{"spaced and unordered keys", `{ "z": 1, "a": {"y": [1, 2, {"b": true, "a": null}], "x": "é"} }`},
		{"exponent numbers", `{"big": 1e21, "small": 1.5E-7, "neg": -2e3}`},
		{"negative zero", `{"z": -0, "zf": -0.0}`},
		{"trailing zeros and precision", `{"a": 1.50, "b": 12345678901234567890123, "c": 0.1}`},
		{"escapes and unicode", `{"s": "línea\n\"comillas\" \u00e9 \u2028 <tag> & ☃", "emoji": "🔥"}`},
		{"empty payload", ``},
		{"array payload", `[3, 2, 1]`},
	}
	var want []plan.Event
	for i, p := range payloads {
		e := event(time.Duration(i)*time.Second, "", "")
		e.Payload = json.RawMessage(p.payload)
		res, err := s.Append(context.Background(), storage.AppendRequest{RunID: "payloads", ExpectedSeq: int64(i), Events: []plan.Event{e}})
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		want = append(want, res.Events...)
	}
	got, err := s.Load(context.Background(), "payloads")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			if got[i].Hash != want[i].Hash {
				t.Fatalf("hash changed: %s, want %s", got[i].Hash, want[i].Hash)
			}
			h, err := plan.ComputeHash(got[i])
			if err != nil || h != got[i].Hash {
				t.Fatalf("payload %s read back as %s no longer hashes to its hash (%v)", p.payload, got[i].Payload, err)
			}
		})
	}
	if n := verify(t, s, "payloads"); n != int64(len(payloads)) {
		t.Fatalf("verified %d events", n)
	}
}
