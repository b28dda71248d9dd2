package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/export"
	"github.com/contingencia/contingencia/plan"
)

func init() { commands = append(commands, newExportCmd) }

// defaultPlanFile is the plan export falls back to, when it exists.

func newExportCmd(a *app) *cobra.Command {
	var runID, format, out, planFile string
	c := &cobra.Command{
		Use:   "export --run ID --format csv|json|md|html|pdf [-o FILE]",
		Short: "Export a run's timeline for auditors (CSV, JSON Lines, Markdown, HTML or PDF)",
		Long: "export writes a run's timeline: csv and json (JSON Lines, verifiable with 'contingencia verify --file')\n" +
			"for tools, md for people, html (a self-contained report with a per-service timeline chart) and pdf\n" +
			"for the audit file. Every export states the run, the plan version hash, the event count and the\n" +
			"chain head hash. Without -o it writes to stdout; --format may be left out when -o ends in a\n" +
			"format's extension.",
		Args: cobra.NoArgs,
	}
	c.Flags().StringVar(&runID, "run", "", "run id, e.g. CONT-2026-0007 (required)")
	c.Flags().StringVar(&format, "format", "", "csv, json, md, html or pdf")
	c.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of stdout")
	c.Flags().StringVar(&planFile, "plan", os.Getenv("CONTINGENCIA_PLAN"),
		"plan file the run was declared with, for phases, titles and RTO targets (default $CONTINGENCIA_PLAN, else the embedded Quipux plan)")
	_ = c.MarkFlagRequired("run")
	database := databaseFlag(c)
	lang := langFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkLang(*lang); err != nil {
			return err
		}
		f, err := exportFormat(format, out)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		p, err := exportPlan(a, planFile)
		if err != nil {
			return err
		}
		var sum export.Summary
		err = withTimeline(cmd.Context(), *database, func(st timeline) error {
			return writeExport(out, a.stdout, func(w io.Writer) error {
				var werr error
				sum, werr = export.Write(cmd.Context(), w, f, st, p, export.Options{RunID: runID, Lang: *lang})
				if werr != nil {
					return runFailure(runID, werr)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		if out != "" {
			fmt.Fprintf(a.stderr, "%s: %s, %d events, head %s\n", out, sum.RunID, sum.Events, sum.Head)
		}
		if b := sum.ChainError; b != nil {
			return failf("the export was written, but the run's hash chain does not verify: event %d (%s): %s", b.Seq, b.Type, b.Reason)
		}
		return nil
	}
	return c
}

// exportFormat is --format, or the format -o's extension names.
func exportFormat(format, out string) (export.Format, error) {
	if format == "" {
		ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
		if ext == "" {
			return "", errors.New("--format is required (csv, json, md, html or pdf)")
		}
		format = ext
	}
	return export.ParseFormat(format)
}

// exportPlan loads the plan named by --plan / CONTINGENCIA_PLAN, else the
// embedded Quipux plan (the one serve and demo use by default); the
// export warns when its hash is not the run's.
func exportPlan(a *app, file string) (*plan.Plan, error) {
	if file == "" {
		return loadRunPlan("")
	}
	return loadPlan(a, file)
}

// writeExport runs write against stdout, or against a temporary file next
// to path renamed into place once complete, so that a failed export never
// leaves a partial file behind.
func writeExport(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	dir := cmp.Or(filepath.Dir(path), ".")
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return failf("creating %s: %v", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return failf("writing %s: %v", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return failf("writing %s: %v", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return failf("writing %s: %v", path, err)
	}
	return nil
}
