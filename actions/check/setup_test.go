package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/actions"
)

// run executes kind through a registry holding these checks, so that
// parameters are validated as in production.
func run(tb testing.TB, c *Checks, kind string, params map[string]any) (actions.Result, error) {
	tb.Helper()
	reg := actions.NewDefaultRegistry(c)
	return reg.Execute(context.Background(), actions.Request{RunID: "CONT-2026-0001", Step: "test/" + kind, Kind: kind, Params: params})
}

// expect checks a result: wantErr "" means success whose message contains
// wantMsg; otherwise a permanent error containing wantErr.
func expect(tb testing.TB, res actions.Result, err error, wantMsg, wantErr string) {
	tb.Helper()
	if wantErr == "" {
		if err != nil {
			tb.Fatalf("err = %v, want success", err)
		}
		if !strings.Contains(res.Message, wantMsg) {
			tb.Errorf("message = %q, want it to contain %q", res.Message, wantMsg)
		}
		return
	}
	if err == nil {
		tb.Fatalf("succeeded with %q, want an error containing %q", res.Message, wantErr)
	}
	if !actions.IsPermanent(err) {
		tb.Errorf("err = %v is not permanent", err)
	}
	if !strings.Contains(err.Error(), wantErr) {
		tb.Errorf("err = %q, want it to contain %q", err, wantErr)
	}
}

// clock is a fixed clock.
func clock(t time.Time) func() time.Time { return func() time.Time { return t } }
