package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// Format is an export format.
type Format string

// The export formats.
const (
	CSV      Format = "csv"
	JSON     Format = "json"
	Markdown Format = "md"
	HTML     Format = "html"
	PDF      Format = "pdf"
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{CSV, JSON, Markdown, HTML, PDF}

// ParseFormat returns the format named s ("csv", "json", "md", "html",
// "pdf"; "jsonl" and "markdown" are accepted too).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case CSV, JSON, Markdown, HTML, PDF:
		return f, nil
	case "jsonl":
		return JSON, nil
	case "markdown":
		return Markdown, nil
	}
	return "", fmt.Errorf("unknown export format %q (want csv, json, md, html or pdf)", s)
}

// Ext is the usual file extension of the format, with its dot.
func (f Format) Ext() string {
	if f == JSON {
		return ".jsonl"
	}
	return "." + string(f)
}

// Source streams a run's events in seq order; storage.Store satisfies it.
type Source interface {
	Stream(ctx context.Context, runID string, fn func(plan.Event) error) error
}

// DefaultMaxPDFEvents is how many events a PDF lists when Options leaves
// MaxPDFEvents zero.
const DefaultMaxPDFEvents = 10000

// Options says which run to export and how. RunID is required; the zero
// value of every other field is a usable default.
type Options struct {
	RunID string
	// Lang is the language of user-facing text: "es" (default) or "en".
	Lang string
	// Now stamps the export's generation time (default time.Now).
	Now func() time.Time
	// MaxPDFEvents caps the PDF event table (default DefaultMaxPDFEvents;
	// negative: no cap).
	MaxPDFEvents int
}

func (o Options) withDefaults() Options {
	if o.Lang != "en" {
		o.Lang = "es"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxPDFEvents == 0 {
		o.MaxPDFEvents = DefaultMaxPDFEvents
	}
	return o
}

// ErrNoEvents means the source streamed no event for the run.
var ErrNoEvents = errors.New("the run has no events")

// errStop ends a Stream pass early on purpose.
var errStop = errors.New("export: stop streaming")

// Write renders the run opts.RunID from src into w in format. p is the plan
// the run was declared with; it gives phases, titles and RTO targets and
// may be nil (then only the declaration is reported per service). The
// returned Summary is what the export states about the run. A chain that
// does not verify is reported in the export and in Summary.ChainError, not
// as an error: the export of a tampered run is evidence too.
func Write(ctx context.Context, w io.Writer, format Format, src Source, p *plan.Plan, opts Options) (Summary, error) {
	opts = opts.withDefaults()
	if opts.RunID == "" {
		return Summary{}, errors.New("exporting: no run id")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var (
		sum Summary
		err error
	)
	switch format {
	case CSV:
		sum, err = writeCSV(ctx, bw, src, p, opts)
	case JSON:
		sum, err = writeJSONL(ctx, bw, src, p, opts)
	case Markdown:
		sum, err = twoPass(ctx, bw, src, p, opts, writeMarkdown)
	case HTML:
		sum, err = twoPass(ctx, bw, src, p, opts, writeHTML)
	case PDF:
		sum, err = twoPass(ctx, bw, src, p, opts, writePDF)
	default:
		return Summary{}, fmt.Errorf("exporting run %s: unknown format %q", opts.RunID, format)
	}
	if err != nil {
		return sum, fmt.Errorf("exporting run %s as %s: %w", opts.RunID, format, err)
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("exporting run %s as %s: writing: %w", opts.RunID, format, err)
	}
	return sum, nil
}

// renderer writes a whole document given the first pass's summary; rows
// streams the events of that summary again, in order (fn may return
// errStop to end early).
type renderer func(ctx context.Context, w *bufio.Writer, sum *Summary, r *report, rows func(fn func(plan.Event) error) error) error

// twoPass scans the run for its summary, then renders it with a second
// pass over the same events.
func twoPass(ctx context.Context, w *bufio.Writer, src Source, p *plan.Plan, opts Options, render renderer) (Summary, error) {
	sc := newScanner(p, opts)
	if err := src.Stream(ctx, opts.RunID, sc.add); err != nil {
		return Summary{}, fmt.Errorf("reading the timeline: %w", err)
	}
	sum, err := sc.summary()
	if err != nil {
		return sum, err
	}
	rows := func(fn func(plan.Event) error) error {
		var (
			last    plan.Event
			n       int64
			stopped bool
		)
		err := src.Stream(ctx, opts.RunID, func(e plan.Event) error {
			if n == sum.Events {
				return errStop
			}
			n++
			last = e
			if err := fn(e); err != nil {
				stopped = errors.Is(err, errStop)
				return err
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return fmt.Errorf("reading the timeline again: %w", err)
		}
		if !stopped && (n != sum.Events || last.Hash != sum.Head) {
			return fmt.Errorf("the timeline changed while exporting (event %d)", sum.Events)
		}
		return nil
	}
	return sum, render(ctx, w, &sum, newReport(p, opts, &sum), rows)
}
