package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/contingencia/contingencia/plan"
)

// csvHeader names the CSV columns: every field of plan.Event, the actor
// split in three.
var csvHeader = []string{
	"run_id", "seq", "at", "type", "actor_name", "actor_platform", "actor_user_id",
	"payload", "idempotency_key", "prev_hash", "hash",
}

// writeCSV writes the run in one pass: leading "#" comment lines with the
// run facts, the header, one row per event, trailing comment lines with
// the event count, the chain head hash and the chain status.
func writeCSV(ctx context.Context, w *bufio.Writer, src Source, p *plan.Plan, opts Options) (Summary, error) {
	sc := newScanner(p, opts)
	cw := csv.NewWriter(w)
	row := make([]string, len(csvHeader))
	err := src.Stream(ctx, opts.RunID, func(e plan.Event) error {
		if err := sc.add(e); err != nil {
			return err
		}
		if sc.sum.Events == 1 {
			if err := csvPreamble(w, sc, opts); err != nil {
				return err
			}
			if err := cw.Write(csvHeader); err != nil {
				return err
			}
		}
		row[0], row[1], row[2], row[3] = e.RunID, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(plan.TimeFormat), string(e.Type)
		row[4], row[5], row[6] = e.Actor.Name, e.Actor.Platform, e.Actor.UserID
		row[7], row[8], row[9], row[10] = string(e.Payload), e.IdempotencyKey, e.PrevHash, e.Hash
		return cw.Write(row)
	})
	if err != nil {
		return Summary{}, fmt.Errorf("reading the timeline: %w", err)
	}
	sum, err := sc.summary()
	if err != nil {
		return sum, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return sum, fmt.Errorf("writing CSV: %w", err)
	}
	chain := "ok"
	if b := sum.ChainError; b != nil {
		chain = fmt.Sprintf("broken at event %d (%s): %s", b.Seq, b.Type, b.Reason)
	}
	_, err = fmt.Fprintf(w, "# events: %d\n# head: %s\n# chain: %s\n", sum.Events, sum.Head, chain)
	return sum, err
}

// csvPreamble writes the run facts known from the first event (the
// run.declared event): run, plan and plan version hash.
func csvPreamble(w *bufio.Writer, sc *scanner, opts Options) error {
	_, err := fmt.Fprintf(w, "# contingencia timeline export\n# run: %s\n# plan: %s\n# plan_hash: %s\n# drill: %t\n# generated: %s\n",
		sc.sum.RunID, sc.sum.PlanID, sc.sum.PlanHash, sc.sum.Drill, opts.Now().UTC().Format(plan.TimeFormat))
	return err
}
