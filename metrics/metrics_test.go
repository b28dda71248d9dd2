package metrics_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/contingencia/contingencia/metrics"
	"github.com/contingencia/contingencia/plan"
)

func ev(t plan.EventType, at time.Time, payload any) plan.Event {
	b, _ := json.Marshal(payload)
	return plan.Event{Type: t, At: at, Payload: b}
}

func TestSeriesFollowTheTimeline(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	m.Handled("click", "run", "ok", 3*time.Millisecond)
	m.Handled("command", "nota", "refused", time.Millisecond)
	m.StoreError()
	r := plan.NewRun("CONT-2026-0001", &plan.Plan{})
	r.Pages = []*plan.Page{{Role: "dba", Person: "Carla", PagedAt: now}}
	m.Stored(r, []plan.Event{
		ev(plan.EventActionSucceeded, now, plan.ActionEvent{Action: "vsphere.deploy_ovf", Duration: 1500}),
		ev(plan.EventActionFailed, now, plan.ActionEvent{Action: "check.http"}),
		ev(plan.EventPageSent, now, plan.PageEvent{Channel: "email"}),
		ev(plan.EventPageFailed, now, plan.PageEvent{Channel: "webhook"}),
		ev(plan.EventPageEscalated, now, plan.PageEvent{Role: "dba", Level: 1}),
		ev(plan.EventPageAcknowledged, now.Add(90*time.Second), plan.PageEvent{Role: "dba", Person: "Carla"}),
	})
	want := `
# HELP contingencia_actions_total Restore actions and checks finished, by action kind and result (succeeded, failed, cancelled).
# TYPE contingencia_actions_total counter
contingencia_actions_total{action="check.http",result="failed"} 1
contingencia_actions_total{action="vsphere.deploy_ovf",result="succeeded"} 1
# HELP contingencia_pages_total Pages by channel (dm, email, webhook) and result (sent, failed).
# TYPE contingencia_pages_total counter
contingencia_pages_total{channel="email",result="sent"} 1
contingencia_pages_total{channel="webhook",result="failed"} 1
# HELP contingencia_escalations_total Escalations to the next link of a role's chain.
# TYPE contingencia_escalations_total counter
contingencia_escalations_total 1
# HELP contingencia_store_errors_total Store operations that failed (nothing was acknowledged).
# TYPE contingencia_store_errors_total counter
contingencia_store_errors_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "contingencia_actions_total", "contingencia_pages_total",
		"contingencia_escalations_total", "contingencia_store_errors_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "contingencia_page_ack_delay_seconds"); n != 1 {
		t.Fatalf("page ack delay series: %d", n)
	}
	if n := testutil.CollectAndCount(reg, "contingencia_requests_total"); n != 2 {
		t.Fatalf("request series: %d", n)
	}
}
