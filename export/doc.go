// Package export renders a run's timeline into audit formats and verifies
// the hash chain of a run or of an exported file.
//
// # Formats
//
//   - csv: one header row and one row per event. The run facts (run, plan,
//     plan version hash) are leading comment lines starting with "#", the
//     closing facts (event count, chain head hash, chain status) trailing
//     comment lines: read it with encoding/csv and Comment = '#'.
//   - json: JSON Lines. Every line but the last is one event with every
//     field of plan.Event, exactly what the hash chain covers, so that
//     VerifyJSONL (and `contingencia verify --file`) can recompute it. The
//     last line is {"summary": {...}}: the run facts, the event count and
//     the chain head hash; VerifyJSONL checks them against the events, so
//     a truncated file or a file with events appended does not verify.
//   - md: Markdown for people: facts, per-service milestones, the timeline.
//   - html: one self-contained page (no external assets): facts, an inline
//     SVG chart of the per-service milestones against each RTO target, and
//     the full event table.
//   - pdf: the audit file (github.com/signintech/gopdf with the Go fonts
//     embedded, so Spanish text renders): facts, milestones, the chart and
//     the event table. PDF libraries build the whole document in memory, so
//     the PDF lists at most Options.MaxPDFEvents events (default 10,000)
//     and says so on its first page when the run has more; the JSON export
//     always holds every event.
//
// Every export states the run id, the plan id and plan version hash (from
// the run.declared payload), the event count and the chain head hash, and
// whether the chain verified while exporting.
//
// # Streaming
//
// Exports never hold a run in memory. csv and json are written in one pass
// over Source.Stream. md, html and pdf make two passes: the first keeps only
// per-service aggregates (a few timestamps each) and the chain verifier,
// the second writes the event table, stopping at the event count the first
// pass saw, so that events appended in between do not change the export.
//
// # Per-service milestones
//
// Step keys in payloads are "procedure/step", "procedure/step@service" or
// "procedure/step@server"; the procedure's phase comes from the plan, and a
// server counts for every declared service that needs it (Plan.ServersOf).
// Only steps aimed at a service or at one of its servers count for it.
//
//   - declared: the run.declared event (its declared_at, else its time).
//   - restore started: the first step.started or action.started of a
//     restoring-phase step for the service.
//   - restored: the last step.completed, step.skipped or action.succeeded
//     of a restoring-phase step for the service before its first
//     testing-phase event; a service with no testing-phase event is
//     restored only once the run is closed. Action and check steps end
//     with action.succeeded (the engine emits no step.completed for them);
//     action.failed does not count, a retry's later success does.
//   - verified: the last step.completed or action.succeeded of a
//     testing-phase step for the service.
//   - RTO achieved: restored − declared, met when it is at most the
//     service's RTO in the plan.
//   - data up to: the oldest of the points in time the service's restore
//     actions brought data back from, as their confirmed or approved
//     preflight stated it (facts source_at, a copy's date, or
//     snapshot_at, a snapshot's) on approval.requested, action.queued
//     or, for automatic restore, action.succeeded,
//     counted once the action succeeded.
//   - RPO achieved (data lost): declared − data up to, met when it is at
//     most the service's RPO in the plan.
//
// Without a plan (or for steps the plan does not know) phases are unknown
// and only the declaration is reported.
package export
