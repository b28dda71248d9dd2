package bot

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// publisher keeps each run's messages in step with its timeline. Changes
// are coalesced per run: however many events arrive while an update is
// under way, the run is rendered once more afterwards, from the store.
// Publishing converges: it creates what is missing (channel, messages),
// updates what changed and re-posts what was deleted, so it is safe to
// repeat after a crash or on another replica.
type publisher struct {
	b *Bot

	mu        sync.Mutex
	cond      *sync.Cond
	queue     []string        // runs waiting, in order
	pending   map[string]bool // in queue
	busy      map[string]bool // being published
	again     map[string]bool // marked while busy
	notBefore map[string]time.Time
	published map[string][32]byte // platform/run/part → content hash
	stopping  bool
	wg        sync.WaitGroup
	started   bool
	done      chan struct{} // closed by stop
}

func newPublisher(b *Bot) *publisher {
	p := &publisher{b: b, pending: map[string]bool{}, busy: map[string]bool{}, again: map[string]bool{},
		notBefore: map[string]time.Time{}, published: map[string][32]byte{}, done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *publisher) start(ctx context.Context) {
	p.mu.Lock()
	if p.started {
		p.mu.Unlock()
		return
	}
	p.started = true
	p.mu.Unlock()
	for range p.b.cfg.Workers {
		p.wg.Add(1)
		go p.work(ctx)
	}
	// Wake the workers when ctx ends so they can leave.
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-ctx.Done():
		case <-p.done:
		}
		p.mu.Lock()
		p.stopping = true
		p.cond.Broadcast()
		p.mu.Unlock()
	}()
}

func (p *publisher) stop() {
	p.mu.Lock()
	if !p.stopping {
		close(p.done)
	}
	p.stopping = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
}

// mark asks for a run's messages to be brought up to date.
func (p *publisher) mark(runID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.busy[runID]:
		p.again[runID] = true
	case !p.pending[runID]:
		p.pending[runID] = true
		p.queue = append(p.queue, runID)
		p.cond.Broadcast()
	}
}

// flush waits until nothing is queued or being published.
func (p *publisher) flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.queue) > 0 || len(p.busy) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !p.started {
			return errors.New("bot: publisher not started")
		}
		p.cond.Wait()
	}
	return nil
}

func (p *publisher) work(ctx context.Context) {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		for len(p.queue) == 0 && !p.stopping {
			p.cond.Wait()
		}
		if p.stopping {
			p.mu.Unlock()
			return
		}
		runID := p.queue[0]
		p.queue = p.queue[1:]
		delete(p.pending, runID)
		p.busy[runID] = true
		wait := time.Until(p.notBefore[runID])
		p.mu.Unlock()

		err := p.sleep(ctx, wait)
		if err == nil {
			err = p.publish(ctx, runID)
		}
		var rl *RateLimitError
		p.mu.Lock()
		delete(p.busy, runID)
		retry := p.again[runID]
		delete(p.again, runID)
		switch {
		case errors.As(err, &rl):
			p.notBefore[runID] = time.Now().Add(rl.RetryAfter)
			retry = true
		case err != nil && ctx.Err() == nil:
			p.b.log.Warn("updating run messages", "run", runID, "err", err)
			p.notBefore[runID] = time.Now().Add(time.Second)
			retry = true
		default:
			delete(p.notBefore, runID)
		}
		if retry && !p.pending[runID] && ctx.Err() == nil {
			p.pending[runID] = true
			p.queue = append(p.queue, runID)
		}
		p.cond.Broadcast()
		p.mu.Unlock()
	}
}

func (p *publisher) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// publish renders a run, brought up to date from the store, and
// converges its messages.
func (p *publisher) publish(ctx context.Context, runID string) error {
	b := p.b
	for range 2 {
		var (
			s       Surface
			channel string
			lang    string
			view    View
			msgs    map[string]plan.MessagePosted
			needCh  bool
		)
		err := b.read(ctx, runID, func(r *plan.Run) error {
			var ok bool
			if s, ok = b.surface(r.Declared.Platform); !ok {
				return nil // declared on a platform this process does not serve
			}
			ch, ok := r.Channels[s.Platform()]
			if !ok {
				needCh = true
				return nil
			}
			channel, lang = ch.Channel, b.runLang(r)
			view = Render(r, lang, b.cfg.Now(), b.cfg.MaxRows)
			msgs = maps.Clone(r.Messages)
			return nil
		})
		if err != nil || s == nil {
			return err
		}
		if needCh {
			r, err := b.Load(ctx, runID)
			if err != nil {
				return err
			}
			if _, _, err := b.ensureChannel(ctx, s, r); err != nil {
				return err
			}
			continue // render again, with the channel
		}
		for _, part := range view.Parts {
			if err := p.converge(ctx, s, runID, msgs, channel, part, lang); err != nil {
				return fmt.Errorf("part %s: %w", part.Key, err)
			}
		}
		return nil
	}
	return fmt.Errorf("run %s: its channel could not be recorded", runID)
}

func (p *publisher) converge(ctx context.Context, s Surface, runID string, msgs map[string]plan.MessagePosted, channel string, part Part, lang string) error {
	platform := s.Platform()
	cacheKey := platform + "/" + runID + "/" + part.Key
	raw, _ := json.Marshal(part)
	sum := sha256.Sum256(raw)
	msg, posted := msgs[platform+"/"+part.Key]
	p.mu.Lock()
	same := posted && p.published[cacheKey] == sum
	p.mu.Unlock()
	if same {
		return nil
	}
	if posted {
		err := s.Update(ctx, msg.Channel, msg.Ref, part, lang)
		if err == nil {
			p.remember(cacheKey, sum)
			return nil
		}
		if !errors.Is(err, ErrMessageGone) {
			return err
		}
		p.b.log.Info("message was deleted: posting it again", "run", runID, "part", part.Key)
	}
	ref, err := s.Post(ctx, channel, part, lang)
	if err != nil {
		return err
	}
	rec := plan.MessagePosted{Platform: platform, Part: part.Key, Channel: channel, Ref: ref}
	if _, err := p.b.Execute(ctx, runID, plan.RecordMessage{Message: rec}, "message:"+platform+":"+channel+":"+ref); err != nil {
		return err
	}
	if part.Pin {
		if err := s.Pin(ctx, channel, ref); err != nil {
			p.b.log.Warn("pinning message", "run", runID, "part", part.Key, "err", err)
		}
	}
	p.remember(cacheKey, sum)
	return nil
}

func (p *publisher) remember(key string, sum [32]byte) {
	p.mu.Lock()
	p.published[key] = sum
	p.mu.Unlock()
}

// runMembers lists everyone holding a role of the plan in the run.
func runMembers(r *plan.Run) []plan.Person {
	var out []plan.Person
	seen := map[string]bool{}
	for _, rl := range r.Plan.Roles {
		for _, pp := range r.Holders(rl.ID) {
			k := pp.Name + "|" + pp.Slack + "|" + pp.Mattermost
			if !seen[k] {
				seen[k] = true
				out = append(out, pp)
			}
		}
	}
	return out
}

func (b *Bot) runLang(r *plan.Run) string {
	if r.Declared.Lang == "es" || r.Declared.Lang == "en" {
		return r.Declared.Lang
	}
	return b.cfg.Lang
}

// ensureChannel returns the run's channel on the surface's platform,
// creating it (and recording it) first when needed. Creating twice is
// harmless: surfaces reuse a channel of the same name, and the record of
// a second creation changes nothing.
func (b *Bot) ensureChannel(ctx context.Context, s Surface, r *plan.Run) (string, *plan.Run, error) {
	platform := s.Platform()
	if ch, ok := r.Channels[platform]; ok {
		return ch.Channel, r, nil
	}
	lang := b.runLang(r)
	id, err := s.CreateChannel(ctx, ChannelSpec{
		RunID: r.ID, Name: strings.ToLower(r.ID), Origin: r.Declared.Channel,
		Topic:   fmt.Sprintf("%s · %s", r.ID, serviceNames(b.cfg.Plan, r.Declared.Services, lang)),
		Members: runMembers(r),
	})
	if err != nil {
		return "", r, fmt.Errorf("creating channel: %w", err)
	}
	rec := plan.ChannelCreated{Platform: platform, Channel: id, Name: strings.ToLower(r.ID)}
	if _, err := b.Execute(ctx, r.ID, plan.RecordChannel{By: plan.By{Who: plan.System}, Channel: rec}, "channel:"+platform+":"+r.ID); err != nil {
		return "", r, err
	}
	// Read back what was stored: another process may have won the race.
	r, err = b.Load(ctx, r.ID)
	if err != nil {
		return "", nil, err
	}
	if ch, ok := r.Channels[platform]; ok {
		return ch.Channel, r, nil // the first creation's channel, if two raced
	}
	return id, r, nil
}
