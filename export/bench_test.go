package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
)

const benchEvents = 100_000

// genSource streams a run of n events without holding them: each event
// is built as it is streamed, the way a store decodes rows, so that the
// heap measured during an export is the export's own. Only the chain's
// hashes are kept (computed once by newGenSource). The run is the test
// run's declaration, then a repeating mix of step, action and note events
// aimed at the test plan's servers and services, one a second.
type genSource struct{ hashes []string }

var (
	genOnce sync.Once
	genRun  *genSource
)

// benchSource returns the generated 100,000-event run, sealing it once.
func benchSource(b *testing.B) *genSource {
	b.Helper()
	genOnce.Do(func() {
		g := &genSource{hashes: make([]string, benchEvents)}
		prev := plan.GenesisHash
		for i := range benchEvents {
			e, err := g.event(testRunID, i)
			if err == nil {
				err = plan.Seal(&e, int64(i+1), prev)
			}
			if err != nil {
				b.Fatalf("sealing event %d: %v", i+1, err)
			}
			g.hashes[i], prev = e.Hash, e.Hash
		}
		genRun = g
	})
	return genRun
}

var benchServers = []string{"db-quipux", "app-quipux", "mail-01"}

// event builds event i (from 0) without its seq and hashes.
func (g *genSource) event(runID string, i int) (plan.Event, error) {
	var s step
	if i == 0 {
		s = testSteps(testPlan())[0]
	} else {
		s = benchStep(i, benchServers[i%len(benchServers)])
	}
	payload, err := json.Marshal(s.payload)
	if err != nil {
		return plan.Event{}, err
	}
	return plan.Event{RunID: runID, At: t0.Add(time.Duration(i) * time.Second), Actor: s.actor, Type: s.typ,
		Payload: payload, IdempotencyKey: runID + "-" + strconv.Itoa(i)}, nil
}

func (g *genSource) Stream(ctx context.Context, runID string, fn func(plan.Event) error) error {
	if runID != testRunID {
		return errNoRun
	}
	prev := plan.GenesisHash
	for i, h := range g.hashes {
		e, err := g.event(runID, i)
		if err != nil {
			return err
		}
		e.Seq, e.PrevHash, e.Hash = int64(i+1), prev, h
		prev = h
		if err := fn(e); err != nil {
			return err
		}
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

func benchStep(i int, srv string) step {
	switch i % 5 {
	case 0:
		return step{i, admin, plan.EventStepStarted, plan.StepEvent{Step: "restaurar-ovf/desplegar@" + srv}}
	case 1:
		return step{i, plan.System, plan.EventActionProgress, plan.ActionEvent{Step: "restaurar-ovf/desplegar@" + srv, Action: "vsphere.deploy_ovf", Target: srv, Percent: i % 100}}
	case 2:
		return step{i, admin, plan.EventStepCompleted, plan.StepEvent{Step: "restaurar-ovf/desplegar@" + srv}}
	case 3:
		return step{i, leader, plan.EventNoteAdded, plan.NoteAdded{Text: fmt.Sprintf("Nota %d: la Administración revisó la réplica de señalización", i)}}
	}
	return step{i, admin, plan.EventStepCompleted, plan.StepEvent{Step: "pruebas/funcional@quipux"}}
}

// BenchmarkSource is one pass of the generated source alone: subtract it
// (twice for md, html and pdf) from BenchmarkExport to see the export's
// own time.
func BenchmarkSource(b *testing.B) {
	src := benchSource(b)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := src.Stream(context.Background(), testRunID, func(plan.Event) error { n++; return nil }); err != nil || n != benchEvents {
			b.Fatal(n, err)
		}
	}
}

// heapPeak samples the heap in use until stopped and keeps the highest.
type heapPeak struct {
	stop, done chan struct{}
	peak       uint64
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		var m runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			h.peak = max(h.peak, m.HeapInuse)
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak
}

// countWriter discards what it is given and counts it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkExport exports a 100,000-event run to each format. peak-heap-MB
// is the highest heap in use (runtime.MemStats.HeapInuse, sampled every
// 2 ms) during an export, less the heap in use before it.
func BenchmarkExport(b *testing.B) {
	src, p := benchSource(b), testPlan()
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			var out countWriter
			var peak uint64
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			b.ResetTimer()
			for b.Loop() {
				out.n = 0
				h := startHeapPeak()
				sum, err := Write(context.Background(), &out, f, src, p, Options{RunID: testRunID, Now: fixedNow})
				peak = max(peak, h.Stop())
				if err != nil {
					b.Fatal(err)
				}
				if sum.Events != benchEvents || sum.ChainError != nil {
					b.Fatalf("summary: %d events, chain %+v", sum.Events, sum.ChainError)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/1e6, "peak-heap-MB")
			b.ReportMetric(float64(out.n)/1e6, "out-MB")
		})
	}
}

// BenchmarkVerifyJSONL verifies the JSON Lines export of the same run.
func BenchmarkVerifyJSONL(b *testing.B) {
	src, p := benchSource(b), testPlan()
	var buf bytesWriter
	if _, err := Write(context.Background(), &buf, JSON, src, p, Options{RunID: testRunID, Now: fixedNow}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf.b)))
	for b.Loop() {
		res, err := VerifyJSONL(&byteReader{b: buf.b})
		if err != nil || !res.OK() || res.Events != benchEvents {
			b.Fatalf("verify: %+v, %v", res, err)
		}
	}
}

type bytesWriter struct{ b []byte }

func (w *bytesWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
