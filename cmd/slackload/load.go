package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// loader plays the responders and remembers what the bot acknowledged.
type loader struct {
	o      options
	sys    *system
	client *http.Client
	next   atomic.Int64

	mu     sync.Mutex
	notes  map[string]bool // acknowledged note texts
	clicks map[string]bool // idempotency keys of acknowledged clicks
}

func newLoader(o options, sys *system) *loader {
	tr := &http.Transport{MaxIdleConns: 2 * o.concurrency, MaxIdleConnsPerHost: 2 * o.concurrency, IdleConnTimeout: time.Minute}
	return &loader{o: o, sys: sys, client: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		notes: map[string]bool{}, clicks: map[string]bool{}}
}

func (l *loader) notesAcked() int  { l.mu.Lock(); defer l.mu.Unlock(); return len(l.notes) }
func (l *loader) clicksAcked() int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.clicks) }

// result is one phase's measurements.
type result struct {
	lat     []time.Duration // of acknowledged requests
	errors  int
	samples []string
	elapsed time.Duration
	n       int
}

func (r *result) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.elapsed.Seconds()
}

func (r *result) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func (r *result) add(d time.Duration, err error) {
	r.n++
	if err != nil {
		r.errors++
		if len(r.samples) < 5 {
			r.samples = append(r.samples, err.Error())
		}
		return
	}
	r.lat = append(r.lat, d)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

func report(w io.Writer, phase string, r result) {
	fmt.Fprintf(w, "%s: %d requests in %s, %.1f acknowledged/s, %d errors; ack latency p50 %s, p90 %s, p99 %s, max %s\n",
		phase, r.n, r.elapsed.Round(time.Millisecond), r.throughput(), r.errors,
		ms(r.percentile(0.50)), ms(r.percentile(0.90)), ms(r.percentile(0.99)), ms(r.percentile(1)))
	for _, s := range r.samples {
		fmt.Fprintf(w, "  error: %s\n", s)
	}
}

// paced sends --rate requests a second for --duration (open loop: a
// request's start does not wait for earlier answers, only for a free
// responder).
func (l *loader) paced(ctx context.Context) result {
	total := int(l.o.rate * l.o.duration.Seconds())
	interval := time.Duration(float64(time.Second) / l.o.rate)
	tickets := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(tickets)
		t := time.NewTimer(0)
		defer t.Stop()
		for i := range total {
			t.Reset(time.Until(start.Add(time.Duration(i) * interval)))
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			select {
			case <-ctx.Done():
				return
			case tickets <- struct{}{}:
			}
		}
	}()
	return l.workers(ctx, start, func() bool { _, ok := <-tickets; return ok })
}

// closedLoop has every responder send back to back for d: the sustained
// throughput the bot can take.
func (l *loader) closedLoop(ctx context.Context, d time.Duration) result {
	start := time.Now()
	deadline := start.Add(d)
	return l.workers(ctx, start, func() bool { return ctx.Err() == nil && time.Now().Before(deadline) })
}

func (l *loader) workers(ctx context.Context, start time.Time, more func() bool) result {
	var (
		mu  sync.Mutex
		res result
		wg  sync.WaitGroup
	)
	for range l.o.concurrency {
		wg.Go(func() {
			var mine result
			for more() {
				t0 := time.Now()
				err := l.one(ctx, l.next.Add(1))
				mine.add(time.Since(t0), err)
			}
			mu.Lock()
			res.lat = append(res.lat, mine.lat...)
			res.errors += mine.errors
			res.n += mine.n
			if len(res.samples) < 5 {
				res.samples = append(res.samples, mine.samples...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// share maps a request number to [0,1) evenly (golden-ratio sequence),
// so the mix of requests is the same in every run.
func share(i int64) float64 {
	_, f := math.Modf(float64(i) * 0.6180339887498949)
	return f
}

// one sends request number i: a note, a status or a click.
func (l *loader) one(ctx context.Context, i int64) error {
	who := l.sys.people[int(i)%len(l.sys.people)]
	run := l.sys.runs[int(i)%len(l.sys.runs)]
	named := ""
	if l.o.named {
		named = run.runID + " "
	}
	trigger := fmt.Sprintf("%d.%d.slackload", time.Now().Unix(), i)
	switch f := share(i); {
	case f < l.o.clicks:
		user := fmt.Sprintf("ULOAD%05d", i%97)
		value := bot.ButtonValue{RunID: run.runID, Kind: bot.ButtonDone, Step: run.step, Seq: 1_000_000 + i}.String()
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "trigger_id": trigger,
			"user":    map[string]any{"id": user, "username": strings.ToLower(user), "name": user},
			"channel": map[string]any{"id": run.channel}, "container": map[string]any{"type": "message", "channel_id": run.channel},
			"actions": []any{map[string]any{"type": "button", "action_id": "click/done/0", "block_id": "row/0/actions", "value": value,
				"text": map[string]any{"type": "plain_text", "text": "Hecho"}}}})
		body, err := l.post(ctx, "/slack/interactions", url.Values{"payload": {string(payload)}})
		if err != nil {
			return err
		}
		if len(body) != 0 {
			return fmt.Errorf("click answered %q, want an empty acknowledgement", body)
		}
		l.mu.Lock()
		l.clicks["click:slack:"+user+":"+value] = true
		l.mu.Unlock()
	case f < l.o.clicks+l.o.status:
		body, err := l.post(ctx, "/slack/commands", l.command(run, who, trigger, "estado "+named))
		if err != nil {
			return err
		}
		if !strings.Contains(string(body), `"ephemeral"`) {
			return fmt.Errorf("estado answered %q", body)
		}
	default:
		text := fmt.Sprintf("carga %d %s", i, randomHex(4))
		body, err := l.post(ctx, "/slack/commands", l.command(run, who, trigger, "nota "+named+text))
		if err != nil {
			return err
		}
		if !strings.Contains(string(body), "📝") {
			return fmt.Errorf("nota answered %q", body)
		}
		l.mu.Lock()
		l.notes[text] = true
		l.mu.Unlock()
	}
	return nil
}

func (l *loader) command(run target, who plan.Person, trigger, text string) url.Values {
	return url.Values{"team_id": {"T0CONTIN"}, "channel_id": {run.channel}, "channel_name": {strings.ToLower(run.runID)},
		"user_id": {who.Slack}, "user_name": {who.Name}, "command": {"/contingencia"}, "text": {strings.TrimSpace(text)},
		"trigger_id": {trigger}, "api_app_id": {"A0CONTIN"}}
}

// post sends a signed request and returns the body of a 200 answer.
func (l *loader) post(ctx context.Context, path string, form url.Values) ([]byte, error) {
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(l.sys.secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.sys.url+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	res, err := l.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s: %s", path, res.Status, strings.TrimSpace(string(out)))
	}
	return out, nil
}

// verify counts the acknowledged notes and clicks missing from the
// run's timeline.
func (l *loader) verify(ctx context.Context) (int, error) {
	l.mu.Lock()
	notes, clicks := make(map[string]bool, len(l.notes)), make(map[string]bool, len(l.clicks))
	for k := range l.notes {
		notes[k] = true
	}
	for k := range l.clicks {
		clicks[k] = true
	}
	l.mu.Unlock()
	for _, run := range l.sys.runs {
		err := l.sys.store.Stream(ctx, run.runID, func(e plan.Event) error {
			switch e.Type {
			case plan.EventNoteAdded:
				var p plan.NoteAdded
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					return err
				}
				delete(notes, p.Text)
			case plan.EventCommandRefused:
				delete(clicks, e.IdempotencyKey)
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("reading the timeline of %s: %w", run.runID, err)
		}
	}
	return len(notes) + len(clicks), nil
}
