package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/contingencia/contingencia/plan"
)

// Result is the outcome of a chain verification.
type Result struct {
	RunID  string
	Events int64  // events that verified, before Bad if any
	Head   string // hash of the last verified event
	// Bad names the first event that does not verify; nil when all do.
	Bad *BadEvent
}

// OK reports whether the whole chain verified.
func (r Result) OK() bool { return r.Bad == nil }

// String is the one-line verdict the CLI prints.
func (r Result) String() string {
	if r.Bad == nil {
		return fmt.Sprintf("OK: %d events, head %s", r.Events, r.Head)
	}
	b := r.Bad
	at := ""
	if !b.At.IsZero() {
		at = " at " + b.At.UTC().Format(plan.TimeFormat)
	}
	typ := ""
	if b.Type != "" {
		typ = " (" + b.Type + at + ")"
	}
	return fmt.Sprintf("event %d%s: %s", b.Seq, typ, b.Reason)
}

// VerifyStream recomputes the hash chain of run runID as src streams it.
// A chain that does not verify is a Result with Bad set, not an error;
// errors are failures to read.
func VerifyStream(ctx context.Context, src Source, runID string) (Result, error) {
	return verifyStream(ctx, src, runID, func(plan.Event) {})
}

// Head is a run's last event as the store recorded it beside the events
// (storage.RunSummary's Events and HeadHash). Events removed from the end
// leave a chain that still verifies; only the recorded head tells.
type Head struct {
	Seq  int64
	Hash string
}

// VerifyRun is VerifyStream that also checks the chain reaches head: the
// event at head.Seq must be there and carry head.Hash. Read head before
// streaming; events after it are ones appended meanwhile.
func VerifyRun(ctx context.Context, src Source, runID string, head Head) (Result, error) {
	var atHead *plan.Event
	res, err := verifyStream(ctx, src, runID, func(e plan.Event) {
		if e.Seq == head.Seq {
			atHead = &e
		}
	})
	if errors.Is(err, ErrNoEvents) && head.Seq > 0 {
		err = nil // every event of a recorded run is gone: a failure to report
	}
	if err != nil || res.Bad != nil {
		return res, err
	}
	res.Bad = headMismatch(res.Events, head, atHead)
	return res, nil
}

// headMismatch compares a chain that verified up to event last with the
// recorded head; nil when it holds the head.
func headMismatch(last int64, head Head, atHead *plan.Event) *BadEvent {
	switch {
	case last < head.Seq:
		return &BadEvent{Seq: last + 1, Reason: fmt.Sprintf(
			"missing: the timeline ends at event %d but the run's head is event %d (hash %s): events were removed",
			last, head.Seq, head.Hash)}
	case atHead != nil && atHead.Hash != head.Hash:
		return &BadEvent{Seq: atHead.Seq, Type: string(atHead.Type), At: atHead.At, Reason: fmt.Sprintf(
			"its hash is not the run's recorded head hash %s: events were replaced", head.Hash)}
	}
	return nil
}

// verifyStream recomputes the chain, showing each verified event to seen.
func verifyStream(ctx context.Context, src Source, runID string, seen func(plan.Event)) (Result, error) {
	v := plan.NewVerifier()
	res := Result{RunID: runID}
	read := 0
	err := src.Stream(ctx, runID, func(e plan.Event) error {
		read++
		if err := v.Add(e); err != nil {
			res.Bad = badEvent(e, err)
			return errStop
		}
		seen(e)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return res, fmt.Errorf("verifying run %s: reading the timeline: %w", runID, err)
	}
	res.Head, res.Events = v.Head(), v.Count()
	if read == 0 {
		return res, fmt.Errorf("verifying run %s: %w", runID, ErrNoEvents)
	}
	return res, nil
}

// maxLine bounds one line of a JSON Lines export (an event's payload).
const maxLine = 16 << 20

// jsonlLine is any line of a JSON Lines export: an event, or the summary.
type jsonlLine struct {
	plan.Event
	Summary *struct {
		RunID  string `json:"run_id"`
		Events int64  `json:"events"`
		Head   string `json:"head"`
	} `json:"summary"`
}

// VerifyJSONL recomputes the hash chain of a JSON Lines export (see the
// package doc) and checks its summary line against the events: the count
// and the head hash, so that a truncated file does not pass. A file that
// does not verify is a Result with Bad set; errors are failures to read.
func VerifyJSONL(r io.Reader) (Result, error) {
	v := plan.NewVerifier()
	var res Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line, summarized := 0, false
	fail := func(b BadEvent) (Result, error) {
		res.Head, res.Events = v.Head(), v.Count()
		res.Bad = &b
		return res, nil
	}
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if summarized {
			return fail(BadEvent{Seq: v.Count() + 1, Reason: fmt.Sprintf("line %d comes after the summary line", line)})
		}
		var l jsonlLine
		if err := json.Unmarshal(text, &l); err != nil {
			return fail(BadEvent{Seq: v.Count() + 1, Reason: fmt.Sprintf("line %d is not a JSON event: %v", line, err)})
		}
		if s := l.Summary; s != nil {
			summarized = true
			switch {
			case s.Events != v.Count():
				return fail(BadEvent{Seq: v.Count() + 1, Reason: fmt.Sprintf("the summary line counts %d events but the file has %d (truncated or appended to)", s.Events, v.Count())})
			case s.Head != v.Head():
				return fail(BadEvent{Seq: v.Count(), Reason: "the summary line's head hash does not match the last event's hash"})
			case s.RunID != res.RunID && res.RunID != "":
				return fail(BadEvent{Seq: v.Count(), Reason: fmt.Sprintf("the summary line names run %s, the events run %s", s.RunID, res.RunID)})
			}
			continue
		}
		e := l.Event
		if res.RunID == "" {
			res.RunID = e.RunID
		}
		if e.RunID != res.RunID {
			return fail(BadEvent{Seq: e.Seq, Type: string(e.Type), At: e.At, Reason: fmt.Sprintf("belongs to run %s, not %s", e.RunID, res.RunID)})
		}
		if err := v.Add(e); err != nil {
			return fail(*badEvent(e, err))
		}
	}
	if err := sc.Err(); err != nil {
		return res, fmt.Errorf("reading the export at line %d: %w", line+1, err)
	}
	res.Head, res.Events = v.Head(), v.Count()
	if res.Events == 0 && !summarized {
		return res, fmt.Errorf("reading the export: %w", ErrNoEvents)
	}
	if !summarized {
		return fail(BadEvent{Seq: v.Count() + 1, Reason: "the file ends without its summary line (truncated?)"})
	}
	return res, nil
}
