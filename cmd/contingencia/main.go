// Command contingencia runs an IT disaster-recovery contingency plan from
// chat. This package is wiring only: flags, environment, files; the work
// is done by plan, storage, actions and bot.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// commands lists the constructors of the subcommands; each lives in a file
// of its own and adds itself here from init.
var commands []func(*app) *cobra.Command

// app carries what every subcommand shares: its output streams.
type app struct {
	stdout, stderr io.Writer
}

// exitError carries an exit code (DESIGN §5: 1 failure, 2 usage).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// failf returns an error that exits with code 1 and the given message.
func failf(format string, args ...any) error {
	return &exitError{code: 1, err: fmt.Errorf(format, args...)}
}

// usagef returns an error that exits with code 2 (bad usage).
func usagef(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// silent exits with code 1 when the command already printed why.
var silent = &exitError{code: 1, err: errors.New("")}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI with args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "contingencia",
		Short:         "Run an IT disaster-recovery contingency plan from chat",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	for _, c := range commands {
		root.AddCommand(c(a))
	}
	markFailures(root)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee != silent && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "contingencia:", ee.err)
		}
		return ee.code
	}
	// Anything cobra reports itself (unknown command, bad flag, wrong
	// number of arguments) is a usage error.
	fmt.Fprintln(stderr, "contingencia:", err)
	fmt.Fprintln(stderr, "Run 'contingencia --help' for usage.")
	return 2
}

// markFailures makes an error returned by a command's own work exit with
// code 1, so that only cobra's errors (flags, arguments, unknown commands)
// remain usage errors with code 2.
func markFailures(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			var ee *exitError
			if err != nil && !errors.As(err, &ee) {
				return &exitError{code: 1, err: err}
			}
			return err
		}
	}
	for _, sub := range c.Commands() {
		markFailures(sub)
	}
}
