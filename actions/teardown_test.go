package actions

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
)

func TestJobsForTearsDownADrillWhenItEnds(t *testing.T) {
	p := &plan.Plan{ID: "p", Leaders: []string{"l"}}
	for _, drill := range []bool{true, false} {
		r := plan.NewRun("CONT-2026-0001", p)
		r.Declared.Drill = drill
		ended := plan.Event{Type: plan.EventRunClosed, At: time.Now(), Payload: json.RawMessage(`{}`)}
		jobs, err := JobsFor(r, []plan.Event{ended})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if drill {
			want = 1
		}
		if len(jobs) != want {
			t.Fatalf("drill=%v: %d jobs, want %d", drill, len(jobs), want)
		}
		if drill {
			if a, ok := jobs[0].Args.(TeardownArgs); !ok || a.RunID != "CONT-2026-0001" {
				t.Fatalf("job %+v", jobs[0].Args)
			}
		}
	}
}
