package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeHealthReadinessMetricsAndShutdown(t *testing.T) {
	t.Setenv("SLACK_BOT_TOKEN", "")
	t.Setenv("MATTERMOST_URL", "")
	t.Setenv("VSPHERE_URL", "")
	t.Setenv("SMTP_URL", "")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "serve.db")
	go func() {
		errc <- serve(ctx, serveFlags{listen: "127.0.0.1:0", database: db, lang: "es"}, slog.New(slog.DiscardHandler), ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		t.Fatalf("serve: %v", err)
	}
	if code, body := get(t, "http://"+addr+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", code, body)
	}
	if code, body := get(t, "http://"+addr+"/readyz"); code != 200 {
		t.Fatalf("readyz %d %q", code, body)
	}
	if code, body := get(t, "http://"+addr+"/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics %d", code)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("serve ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestMetricsAfterARun drives a run through the assembled application and
// checks that every listed series is exposed.
func TestMetricsAfterARun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	as, err := assemble(ctx, wiring{planPath: "../../testdata/plans/small.yaml",
		database: "sqlite:" + filepath.Join(t.TempDir(), "m.db"), lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if err := as.start(ctx, false); err != nil {
		t.Fatal(err)
	}
	defer as.stop(false)
	ana := bot.Origin{Platform: "shell", UserID: "ana.lider@example.gob.ec", UserName: "Ana Líder", ChannelID: "t"}
	carla := bot.Origin{Platform: "shell", UserID: "carla.datos@example.gob.ec", UserName: "Carla Datos", ChannelID: "t"}
	rep, err := as.bot.Activate(ctx, ana, bot.Activation{Services: []string{"portal"}, Strategy: plan.StrategyOVF})
	if err != nil || rep.Refused {
		t.Fatalf("activate %+v %v", rep, err)
	}
	if _, err := as.bot.Command(ctx, carla, "nota "+rep.RunID+" en camino"); err != nil {
		t.Fatal(err)
	}
	if _, err := as.bot.Click(ctx, carla, bot.ButtonValue{RunID: rep.RunID, Kind: bot.ButtonDone, Step: "evaluacion/evaluar"}.String(), ""); err != nil {
		t.Fatal(err)
	}
	if err := as.bot.Record(ctx, rep.RunID, plan.RecordPage{Type: plan.EventPageSent, Page: plan.PageEvent{Role: "dba", Person: "Carla Datos", Channel: "email"}}, "p1"); err != nil {
		t.Fatal(err)
	}
	mfs, err := as.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, mf := range mfs {
		have[mf.GetName()] = true
	}
	for _, want := range []string{"contingencia_requests_total", "contingencia_ack_latency_seconds", "contingencia_pages_total",
		"contingencia_events_total"} {
		if !have[want] {
			t.Errorf("series %s missing after a run", want)
		}
	}
}

// TestServeRefusesUnreadableSwitches: a switch that is neither true nor
// false stops serve with a message naming it, instead of being read as
// false (an operator who wrote «sí» meant it).
func TestServeRefusesUnreadableSwitches(t *testing.T) {
	for _, name := range []string{"CONTINGENCIA_PRIVATE_CHANNELS", "VSPHERE_INSECURE"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("SLACK_BOT_TOKEN", "")
			t.Setenv("MATTERMOST_URL", "")
			t.Setenv("SMTP_URL", "")
			t.Setenv("VSPHERE_URL", "")
			if name == "VSPHERE_INSECURE" {
				t.Setenv("VSPHERE_URL", "https://u:p@127.0.0.1:1/sdk")
			}
			t.Setenv(name, "sí")
			db := "sqlite:" + filepath.Join(t.TempDir(), "serve.db")
			err := serve(context.Background(), serveFlags{listen: "127.0.0.1:0", database: db, lang: "es"}, slog.New(slog.DiscardHandler), make(chan string, 1))
			if err == nil || !strings.Contains(err.Error(), name+`="sí": use true or false`) {
				t.Fatalf("serve = %v, want an error naming %s", err, name)
			}
		})
	}
}

// TestServeStartsWithVCenterDown: vCenter may go down with the data
// centre; serve still starts (chat and paging must work), says so in its
// log without the password, and the vSphere actions fail as retryable.
func TestServeStartsWithVCenterDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there any more
	t.Setenv("SLACK_BOT_TOKEN", "")
	t.Setenv("MATTERMOST_URL", "")
	t.Setenv("SMTP_URL", "")
	t.Setenv("VSPHERE_URL", "https://contingencia:s3creto-vc@"+closed+"/sdk")
	t.Setenv("VSPHERE_INSECURE", "true")
	var buf strings.Builder
	logs := &syncWriter{w: &buf}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "serve.db")
	go func() {
		errc <- serve(ctx, serveFlags{listen: "127.0.0.1:0", database: db, lang: "es"}, slog.New(slog.NewTextHandler(logs, nil)), ready)
	}()
	select {
	case addr := <-ready:
		if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
			t.Errorf("healthz %d", code)
		}
	case err := <-errc:
		t.Fatalf("serve with vCenter down: %v", err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve ended with %v", err)
	}
	out := buf.String() // serve has returned: nobody writes any more
	if !strings.Contains(out, "vSphere is not reachable yet") || strings.Contains(out, "s3creto-vc") {
		t.Errorf("log (want the warning, never the password):\n%s", out)
	}
}
