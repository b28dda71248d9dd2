// Package metrics exposes what the bot does in Prometheus form: commands
// and clicks by kind and result with their acknowledgement latency,
// actions by kind and result with their durations, pages, escalations and
// acknowledgements, and store errors.
package metrics

import (
	"encoding/json"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contingencia/contingencia/plan"
)

// Metrics implements bot.Observer.
type Metrics struct {
	requests   *prometheus.CounterVec
	ackLatency *prometheus.HistogramVec
	actions    *prometheus.CounterVec
	actionDur  *prometheus.HistogramVec
	pages      *prometheus.CounterVec
	escalated  prometheus.Counter
	pageAck    prometheus.Histogram
	storeErrs  prometheus.Counter
	events     *prometheus.CounterVec
}

// New registers the series on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contingencia_requests_total", Help: "Slash commands and button clicks, by kind (command, click), name and result (ok, refused, error).",
		}, []string{"kind", "name", "result"}),
		ackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "contingencia_ack_latency_seconds", Help: "Time from a request's arrival to its acknowledgement (events durable).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"kind"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contingencia_actions_total", Help: "Restore actions and checks finished, by action kind and result (succeeded, failed, cancelled).",
		}, []string{"action", "result"}),
		actionDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "contingencia_action_duration_seconds", Help: "Duration of an action attempt, by action kind.",
			Buckets: prometheus.ExponentialBuckets(0.05, 3, 10),
		}, []string{"action"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contingencia_pages_total", Help: "Pages by channel (dm, email, webhook) and result (sent, failed).",
		}, []string{"channel", "result"}),
		escalated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contingencia_escalations_total", Help: "Escalations to the next link of a role's chain.",
		}),
		pageAck: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "contingencia_page_ack_delay_seconds", Help: "Time from a person's first page to their acknowledgement.",
			Buckets: []float64{15, 30, 60, 120, 300, 600, 900, 1800, 3600},
		}),
		storeErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contingencia_store_errors_total", Help: "Store operations that failed (nothing was acknowledged).",
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contingencia_events_total", Help: "Timeline events stored, by type.",
		}, []string{"type"}),
	}
	reg.MustRegister(m.requests, m.ackLatency, m.actions, m.actionDur, m.pages, m.escalated, m.pageAck, m.storeErrs, m.events)
	return m
}

// Handled counts a command or click and observes its latency.
func (m *Metrics) Handled(kind, name, result string, d time.Duration) {
	m.requests.WithLabelValues(kind, name, result).Inc()
	m.ackLatency.WithLabelValues(kind).Observe(d.Seconds())
}

// StoreError counts a failed store operation.
func (m *Metrics) StoreError() { m.storeErrs.Inc() }

// Stored observes freshly stored events; r is the run after them.
func (m *Metrics) Stored(r *plan.Run, events []plan.Event) {
	for _, e := range events {
		m.events.WithLabelValues(string(e.Type)).Inc()
		switch e.Type {
		case plan.EventActionSucceeded, plan.EventActionFailed, plan.EventActionCancelled:
			var a plan.ActionEvent
			if json.Unmarshal(e.Payload, &a) != nil {
				continue
			}
			result := map[plan.EventType]string{plan.EventActionSucceeded: "succeeded", plan.EventActionFailed: "failed", plan.EventActionCancelled: "cancelled"}[e.Type]
			m.actions.WithLabelValues(a.Action, result).Inc()
			if a.Duration > 0 {
				m.actionDur.WithLabelValues(a.Action).Observe(float64(a.Duration) / 1000)
			}
		case plan.EventPageSent, plan.EventPageFailed:
			var p plan.PageEvent
			if json.Unmarshal(e.Payload, &p) != nil {
				continue
			}
			result := "sent"
			if e.Type == plan.EventPageFailed {
				result = "failed"
			}
			m.pages.WithLabelValues(p.Channel, result).Inc()
		case plan.EventPageEscalated:
			m.escalated.Inc()
		case plan.EventPageAcknowledged:
			var p plan.PageEvent
			if json.Unmarshal(e.Payload, &p) != nil || r == nil {
				continue
			}
			for _, pg := range r.Pages {
				if pg.Role == p.Role && (pg.Person == p.Person || pg.UserID == p.UserID) && !pg.PagedAt.IsZero() {
					m.pageAck.Observe(e.At.Sub(pg.PagedAt).Seconds())
					break
				}
			}
		}
	}
}
