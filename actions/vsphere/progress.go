package vsphere

import (
	"context"
	"sync"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/progress"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

// taskSink forwards a task's progress to req.Report, scaled into [lo, hi].
// Only whole-percent changes are reported.
type taskSink struct {
	req    actions.Request
	lo, hi int
	msg    string
	wg     sync.WaitGroup
}

// Sink implements progress.Sinker. task.WaitEx always closes the channel,
// and blocks on its last report, so the goroutine drains until closed.
func (s *taskSink) Sink() chan<- progress.Report {
	ch := make(chan progress.Report)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		last := -1
		for r := range ch {
			if r.Error() != nil {
				continue
			}
			p := s.lo + int(r.Percentage())*(s.hi-s.lo)/100
			if p != last {
				last = p
				s.req.Report(p, s.msg)
			}
		}
	}()
	return ch
}

// wait runs task to completion with the job's context, reporting its
// progress between lo and hi percent.
func wait(ctx context.Context, req actions.Request, task *object.Task, lo, hi int, msg string) (*types.TaskInfo, error) {
	s := &taskSink{req: req, lo: lo, hi: hi, msg: msg}
	info, err := task.WaitForResult(ctx, s)
	s.wg.Wait()
	if err == nil {
		req.Report(hi, msg+": terminado")
	}
	return info, err
}

// uploadSink forwards the upload progress of one file of a deploy to
// req.Report: base bytes were uploaded before this file of size bytes,
// out of total, scaled into [lo, hi]. It replaces the lease's own sink,
// whose goroutines govmomi can leave blocked; wait drains it.
type uploadSink struct {
	ctx               context.Context
	req               actions.Request
	base, size, total int64
	lo, hi            int
	last              *int
	wg                sync.WaitGroup
}

// Sink implements progress.Sinker.
func (s *uploadSink) Sink() chan<- progress.Report {
	ch := make(chan progress.Report)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case r, ok := <-ch:
				if !ok {
					return
				}
				if r.Error() != nil || s.total <= 0 {
					continue
				}
				done := s.base + int64(float64(s.size)*float64(r.Percentage())/100)
				p := s.lo + int(done*int64(s.hi-s.lo)/s.total)
				if p != *s.last {
					*s.last = p
					s.req.Report(p, "subiendo discos") // one message: callers throttle by percent
				}
			case <-s.ctx.Done():
				return
			}
		}
	}()
	return ch
}

func (s *uploadSink) wait() { s.wg.Wait() }
