package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/export"
	"github.com/contingencia/contingencia/storage"
)

func init() { commands = append(commands, newVerifyCmd) }

func newVerifyCmd(a *app) *cobra.Command {
	var runID, file string
	c := &cobra.Command{
		Use:   "verify (--run ID | --file EXPORT.jsonl)",
		Short: "Recompute a run's hash chain and name the first event that does not match",
		Long: "verify recomputes the hash chain of a run in the store (--run) or of a JSON Lines export (--file, - for stdin).\n" +
			"With --run it also checks that the chain reaches the head the store recorded for the run, so that events\n" +
			"removed from the end do not pass.\n" +
			"It prints \"OK: N events, head HASH\" and exits 0, or names the first event that does not match and exits 1.",
		Args: cobra.NoArgs,
	}
	c.Flags().StringVar(&runID, "run", "", "run id, e.g. CONT-2026-0007")
	c.Flags().StringVar(&file, "file", "", "a JSON Lines export (contingencia export --format json); - reads stdin")
	c.MarkFlagsMutuallyExclusive("run", "file")
	c.MarkFlagsOneRequired("run", "file")
	database := databaseFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		var (
			res export.Result
			err error
		)
		if file != "" {
			res, err = verifyFile(cmd.InOrStdin(), file)
		} else {
			err = withTimeline(cmd.Context(), *database, func(st timeline) error {
				var verr error
				res, verr = verifyRun(cmd.Context(), st, runID)
				if verr != nil {
					return runFailure(runID, verr)
				}
				return nil
			})
		}
		if err != nil {
			return err
		}
		if !res.OK() {
			return failf("%s", res)
		}
		fmt.Fprintln(a.stdout, res)
		return nil
	}
	return c
}

// verifyRun verifies a run in the store up to the head the store recorded
// for it, read first: events appended meanwhile come after it.
func verifyRun(ctx context.Context, st timeline, runID string) (export.Result, error) {
	runs, err := st.ListRuns(ctx, storage.RunFilter{RunID: runID})
	if err != nil {
		return export.Result{}, fmt.Errorf("reading the head of run %s: %w", runID, err)
	}
	if len(runs) == 0 {
		return export.Result{}, storage.ErrNotFound
	}
	return export.VerifyRun(ctx, st, runID, export.Head{Seq: runs[0].Events, Hash: runs[0].HeadHash})
}

// verifyFile verifies the JSON Lines export at path ("-": stdin).
func verifyFile(stdin io.Reader, path string) (export.Result, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return export.Result{}, failf("opening the export: %v", err)
		}
		defer f.Close()
		r = f
	}
	res, err := export.VerifyJSONL(r)
	if errors.Is(err, export.ErrNoEvents) {
		return res, failf("%s holds no events", path)
	}
	if err != nil {
		return res, failf("%v", err)
	}
	return res, nil
}
