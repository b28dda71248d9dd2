package plan_test

import (
	"math/rand/v2"
	"testing"

	"github.com/contingencia/contingencia/plan"
)

// TestRandomCommandSequences drives runs with random commands from random
// people and checks the engine's invariants after each one: the state
// replays from the events, the chain verifies, no step completes twice,
// and every approval is granted by someone other than its requester.
func TestRandomCommandSequences(t *testing.T) {
	people := []plan.Actor{ana, beto, carla, dario, zoe}
	seen := map[plan.EventType]int{}
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 42))
		h := newHarness(t, enginePlan())
		declare(h)
		for range 300 {
			// Mostly act on the first open item, as people do, so that
			// walks reach deep states; sometimes anywhere.
			it := h.run.Items[rng.IntN(len(h.run.Items))]
			if rng.IntN(10) < 7 {
				for _, o := range h.run.Items {
					if !o.Status.Finished() {
						it = o
						break
					}
				}
			}
			who := plan.By{Who: people[rng.IntN(len(people))]}
			var c plan.Command
			switch rng.IntN(15) {
			case 0:
				c = plan.StartStep{By: who, Step: it.Key}
			case 1, 2:
				c = plan.CompleteStep{By: who, Step: it.Key}
			case 3:
				if rng.IntN(4) == 0 {
					c = plan.SkipStep{By: who, Step: it.Key, Reason: "prueba"}
				} else {
					c = plan.StartStep{By: who, Step: it.Key}
				}
			case 4, 5:
				c = plan.RunStep{By: who, Step: it.Key}
			case 6, 7:
				c = plan.Approve{By: who, Step: it.Key}
			case 8:
				c = plan.Reject{By: who, Step: it.Key, Reason: "no"}
			case 9:
				c = plan.ActionFinished{Step: it.Key, OK: rng.IntN(3) > 0, Error: "falla"}
			case 10:
				c = plan.RetryStep{By: who, Step: it.Key}
			case 11:
				c = plan.ConfirmPriorities{By: who, Step: "ovf/prio"}
			case 12:
				c = plan.Close{By: who}
			case 13:
				c = plan.ActionFinished{Step: it.Key, OK: true}
			case 14:
				c = plan.Schedule{By: who, Steps: []string{it.Key}}
			}
			if err := h.do(c); err != nil {
				if _, ok := plan.AsRefusal(err); !ok {
					t.Fatalf("seed %d: %s: not a refusal: %v", seed, c.Name(), err)
				}
			}
		}
		checkInvariants(t, seed, h)
		for _, e := range h.events {
			seen[e.Type]++
		}
	}
	// The walk must reach deep states, or the invariants prove little.
	for _, want := range []plan.EventType{plan.EventApprovalGranted, plan.EventActionSucceeded, plan.EventActionFailed,
		plan.EventStepReopened, plan.EventApprovalRejected, plan.EventStepSkipped, plan.EventRunClosed, plan.EventStepScheduled} {
		if seen[want] == 0 {
			t.Errorf("no random run produced %s: %v", want, seen)
		}
	}
}

func checkInvariants(t *testing.T, seed uint64, h *harness) {
	t.Helper()
	replayed, err := plan.Replay(h.run.ID, h.run.Plan, h.events)
	if err != nil {
		t.Fatalf("seed %d: replay: %v", seed, err)
	}
	if a, b := snapshot(h.run), snapshot(replayed); a != b {
		t.Fatalf("seed %d: replay differs:\n%s\n---\n%s", seed, a, b)
	}
	v := plan.NewVerifier()
	completed := map[string]int{}
	requester := map[string]plan.Actor{}
	for _, e := range h.events {
		if err := v.Add(e); err != nil {
			t.Fatalf("seed %d: chain: %v", seed, err)
		}
		var p struct{ Step string }
		_ = jsonUnmarshal(e.Payload, &p)
		switch e.Type {
		case plan.EventStepCompleted, plan.EventActionSucceeded:
			completed[p.Step]++
			if completed[p.Step] > 1 {
				t.Fatalf("seed %d: step %s completed twice", seed, p.Step)
			}
		case plan.EventStepReopened:
			completed[p.Step] = 0
		case plan.EventApprovalRequested:
			requester[p.Step] = e.Actor
		case plan.EventApprovalGranted:
			if plan.SameActor(requester[p.Step], e.Actor) {
				t.Fatalf("seed %d: %s approved by its requester %s", seed, p.Step, e.Actor.Name)
			}
		}
	}
}
