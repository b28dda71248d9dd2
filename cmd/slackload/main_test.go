package main

import (
	"bytes"
	"context"
	"errors"
	"github.com/contingencia/contingencia/storage/storetest"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// databaseURL is the test database (storetest.PostgresURL: fails when
// CI=true and it is unreachable, skips otherwise).
func databaseURL(tb testing.TB) string {
	tb.Helper()
	return storetest.PostgresURL(tb)
}

func TestLoadInProcess(t *testing.T) {
	u := databaseURL(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"--database", u, "--plan", "../../testdata/plans/small.yaml",
		"--rate", "50", "--duration", "1s", "--saturate", "500ms", "--concurrency", "4", "--clicks", "0.2", "--status", "0.1"}, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`paced: 50 requests in [0-9.]+m?s, [0-9.]+ acknowledged/s, 0 errors; ack latency p50 [0-9.]+ ms`),
		regexp.MustCompile(`saturation \(closed loop\): \d+ requests`),
		regexp.MustCompile(`timeline: [1-9]\d* acknowledged notes and [1-9]\d* acknowledged clicks checked, 0 lost`),
		regexp.MustCompile(`raw single-row INSERT: [1-9]\d* rows/s \(4 connections\)`),
		regexp.MustCompile(`ratio: sustained \d+ req/s = \d+% of the raw INSERT rate`),
	} {
		if !want.MatchString(out.String()) {
			t.Errorf("output lacks %s", want)
		}
	}
}

func TestFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"a target off this machine", []string{"--target", "http://192.0.2.10:8080", "--secret", "s", "--run", "CONT-2026-0001"}, "not a loopback"},
		{"a target without its secret", []string{"--target", "http://127.0.0.1:8080"}, "--secret"},
		{"a negative rate", []string{"--rate", "-1"}, "positive"},
		{"shares over one", []string{"--clicks", "0.8", "--status", "0.5"}, "shares"},
		{"an unbounded duration", []string{"--duration", "2h"}, "bounded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var errOut bytes.Buffer
			_, err := parse(tc.args, &errOut)
			var u usageError
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &u) {
				t.Fatalf("error %v, want a usage error about %q", err, tc.want)
			}
		})
	}
}
