package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/export"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

func init() { commands = append(commands, newRunsCmd) }

// timeline is what export, verify and runs need from a store: reading,
// never writing. storage.Store satisfies it.
type timeline interface {
	Stream(ctx context.Context, runID string, fn func(plan.Event) error) error
	ListRuns(ctx context.Context, f storage.RunFilter) ([]storage.RunSummary, error)
	Close() error
}

// openTimeline opens the store at a database URL (see openStore); tests
// may replace it.
var openTimeline = func(ctx context.Context, url string) (timeline, error) {
	return openStore(ctx, url)
}

// databaseFlag adds --database, defaulting to DATABASE_URL.
func databaseFlag(c *cobra.Command) *string {
	return c.Flags().String("database", os.Getenv("DATABASE_URL"),
		"store URL: postgres://… or sqlite:PATH (default $DATABASE_URL, else the embedded store)")
}

// withTimeline opens the store, runs fn and closes the store.
func withTimeline(ctx context.Context, url string, fn func(timeline) error) error {
	st, err := openTimeline(ctx, url)
	if err != nil {
		return failf("opening the store: %v", err)
	}
	err = fn(st)
	if cerr := st.Close(); cerr != nil && err == nil {
		err = failf("closing the store: %v", cerr)
	}
	return err
}

// runFailure turns a store error about one run into the CLI's message.
func runFailure(runID string, err error) error {
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, export.ErrNoEvents) {
		return failf("run %s not found", runID)
	}
	return failf("%v", err)
}

func newRunsCmd(a *app) *cobra.Command {
	var (
		state  string
		drill  bool
		asJSON bool
		limit  int
		since  string
		until  string
	)
	c := &cobra.Command{
		Use:   "runs",
		Short: "List runs, newest first",
		Args:  cobra.NoArgs,
	}
	c.Flags().StringVar(&state, "state", "", "only runs in this state (declared, assessing, restoring, testing, closed, aborted)")
	c.Flags().BoolVar(&drill, "drill", false, "only drills (--drill=false: only real contingencies)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the runs as JSON, for machines")
	c.Flags().IntVar(&limit, "limit", 0, "list at most this many runs (0: all)")
	c.Flags().StringVar(&since, "since", "", "only runs declared at or after this time (2026-11-01 or RFC 3339, UTC)")
	c.Flags().StringVar(&until, "until", "", "only runs declared before this time (2026-12-01 or RFC 3339, UTC)")
	database := databaseFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		f := storage.RunFilter{State: state, Limit: limit}
		var err error
		if f.Since, err = parseWhen("--since", since); err != nil {
			return err
		}
		if f.Until, err = parseWhen("--until", until); err != nil {
			return err
		}
		if cmd.Flags().Changed("drill") {
			f.Drill = &drill
		}
		return withTimeline(cmd.Context(), *database, func(st timeline) error {
			runs, err := st.ListRuns(cmd.Context(), f)
			if err != nil {
				return failf("listing runs: %v", err)
			}
			if asJSON {
				return writeRunsJSON(a.stdout, runs)
			}
			return writeRunsTable(a.stdout, runs)
		})
	}
	return c
}

// parseWhen reads a date (midnight UTC) or an RFC 3339 time; "" is none.
func parseWhen(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usagef("%s %q: use a date (2026-11-01) or an RFC 3339 time (2026-11-01T08:00:00Z)", flag, v)
	}
	return t.UTC(), nil
}

// runJSON is one run of `runs --json`.
type runJSON struct {
	RunID     string    `json:"run_id"`
	PlanID    string    `json:"plan_id"`
	PlanHash  string    `json:"plan_hash"`
	State     string    `json:"state"`
	Drill     bool      `json:"drill"`
	Services  []string  `json:"services"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Events    int64     `json:"events"`
	HeadHash  string    `json:"head_hash"`
}

func writeRunsJSON(w io.Writer, runs []storage.RunSummary) error {
	out := make([]runJSON, 0, len(runs))
	for _, r := range runs {
		services := r.Services
		if services == nil {
			services = []string{}
		}
		out = append(out, runJSON{
			RunID: r.RunID, PlanID: r.PlanID, PlanHash: r.PlanHash, State: r.State, Drill: r.Drill,
			Services: services, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
			Events: r.Events, HeadHash: r.HeadHash,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeRunsTable(w io.Writer, runs []storage.RunSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATE\tDRILL\tPLAN\tSERVICES\tEVENTS\tCREATED\tUPDATED\tHEAD")
	for _, r := range runs {
		drill := "no"
		if r.Drill {
			drill = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.RunID, r.State, drill, r.PlanID,
			cmp.Or(strings.Join(r.Services, ","), "-"), r.Events, fmtWhen(r.CreatedAt), fmtWhen(r.UpdatedAt), short(r.HeadHash))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing the run list: %w", err)
	}
	return nil
}

func fmtWhen(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// short abbreviates a hash for tables.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return cmp.Or(h, "-")
}
