package shell

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a manual clock: it moves only when the test says so.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is the terminal's output, written by the publisher's
// goroutines and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fixture struct {
	bot   *bot.Bot
	shell *Shell
	out   *syncBuffer
	clock *clock
	plan  *plan.Plan
	dir   string
}

type setupOptions struct {
	in   string
	lang string
	echo bool
}

// setup starts a bot on a real SQLite store with the small plan and a
// terminal adapter writing to a buffer.
func setup(tb testing.TB, o setupOptions) *fixture {
	tb.Helper()
	ctx := context.Background()
	p, err := plan.LoadFile("../../testdata/plans/small.yaml", nil)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	st, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(dir, "shell.db")})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)}
	b, err := bot.New(bot.Config{Plan: p, Store: st, Now: c.Now, Lang: o.lang,
		Export: func(_ context.Context, w io.Writer, runID, format, _ string) error {
			_, err := w.Write([]byte(runID + " " + format + "\n"))
			return err
		}})
	if err != nil {
		tb.Fatal(err)
	}
	out := &syncBuffer{}
	sh, err := New(Config{In: strings.NewReader(o.in), Out: out, Lang: o.lang, Now: c.Now, OutDir: filepath.Join(dir, "out"), Echo: o.echo}, b)
	if err != nil {
		tb.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	if err := b.Start(runCtx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cancel()
		b.Stop()
		st.Close()
	})
	return &fixture{bot: b, shell: sh, out: out, clock: c, plan: p, dir: dir}
}

// golden compares got with testdata/NAME, rewriting it with -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if string(want) != got {
		tb.Errorf("%s differs from the golden file (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// inOrder fails unless every piece occurs in s, each after the previous.
func inOrder(tb testing.TB, s string, pieces ...string) {
	tb.Helper()
	rest := s
	for _, p := range pieces {
		i := strings.Index(rest, p)
		if i < 0 {
			tb.Fatalf("%q missing (or out of order) in:\n%s", p, s)
		}
		rest = rest[i+len(p):]
	}
}
