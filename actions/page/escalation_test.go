package page_test

import (
	"context"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/actions/page"
	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

var carla = bot.Origin{Platform: "slack", UserID: "U0SM00003", UserName: "Carla Datos", ChannelID: "CG"}

func count(evs []plan.PageEvent, role, channel string, level int) int {
	n := 0
	for _, e := range evs {
		if e.Role == role && (channel == "" || e.Channel == channel) && e.Level == level {
			n++
		}
	}
	return n
}

func TestActivationPagesEveryRoleOnEveryChannel(t *testing.T) {
	f := setup(t)
	runID := f.declare(t)
	f.waitJobs(t, "contingencia.page")

	sent := f.events(t, runID, plan.EventPageSent)
	// The leader who declared is not paged; everyone else is, by DM and e-mail.
	for _, want := range []struct{ role, person string }{{"lider", "Beto Suplente"}, {"dba", "Carla Datos"}, {"sysadmin", "Diego Sistemas"}} {
		for _, ch := range []string{"dm", "email"} {
			found := false
			for _, e := range sent {
				found = found || e.Role == want.role && e.Person == want.person && e.Channel == ch
			}
			if !found {
				t.Errorf("%s (%s) not paged by %s: %+v", want.person, want.role, ch, sent)
			}
		}
	}
	for _, e := range sent {
		if e.Person == "Ana Líder" {
			t.Fatal("the declaring leader was paged")
		}
	}
	f.box.mu.Lock()
	msgs := f.box.msgs
	f.box.mu.Unlock()
	if len(msgs) != 3 {
		t.Fatalf("%d e-mails received, want 3", len(msgs))
	}
	for _, m := range msgs {
		if !m.tls || m.user != "bot" || m.from != "contingencia@example.gob.ec" {
			t.Fatalf("e-mail not sent over STARTTLS with auth: %+v", m)
		}
		msg, err := mail.ReadMessage(strings.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || !strings.HasPrefix(subject, "[CONTINGENCIA "+runID+"] Se le necesita como ") {
			t.Fatalf("subject %q (%v)", subject, err)
		}
		if !strings.Contains(m.data, "Portal ciudadano") || !strings.Contains(m.data, "corte eléctrico") {
			t.Fatalf("e-mail lacks the facts:\n%s", m.data)
		}
	}
	f.surf.mu.Lock()
	defer f.surf.mu.Unlock()
	if len(f.surf.dms) != 3 {
		t.Fatalf("DMs %v", f.surf.dms)
	}
	mentions := strings.Join(f.surf.posts, "\n")
	if !strings.Contains(mentions, "Carla Datos 📟") {
		t.Fatalf("no mention of the DBA in the channel:\n%s", mentions)
	}
}

func TestNoAcknowledgementEscalatesAtTheTimeout(t *testing.T) {
	f := setup(t)
	runID := f.declare(t)
	f.waitJobs(t, "contingencia.page")

	// Woken early, the timers do nothing: never early.
	f.clock.Advance(9 * time.Minute)
	f.fire(t)
	if n := len(f.events(t, runID, plan.EventPageEscalated)); n != 0 {
		t.Fatalf("%d escalations before the timeout", n)
	}
	f.clock.Advance(2 * time.Minute) // past the DBA's 10m
	f.fire(t)
	esc := f.events(t, runID, plan.EventPageEscalated)
	if count(esc, "dba", "", 1) != 1 || count(esc, "sysadmin", "", 1) != 1 {
		t.Fatalf("escalations %+v", esc)
	}
	// The next link (the leaders) was paged for the DBA's role.
	sent := f.events(t, runID, plan.EventPageSent)
	if count(sent, "dba", "dm", 1) == 0 {
		t.Fatalf("the leaders were not paged for the dba role: %+v", sent)
	}
	f.surf.mu.Lock()
	posts := strings.Join(f.surf.posts, "\n")
	f.surf.mu.Unlock()
	if !strings.Contains(posts, "se escala a Líder") {
		t.Fatalf("the leader was not told:\n%s", posts)
	}
}

func TestAcknowledgementCancelsTheEscalation(t *testing.T) {
	f := setup(t)
	runID := f.declare(t)
	f.waitJobs(t, "contingencia.page")
	ctx := context.Background()
	ack := bot.ButtonValue{RunID: runID, Kind: bot.ButtonAck, Step: "dba", Seq: 1}
	rep, err := f.bot.Click(ctx, carla, ack.String(), "")
	if err != nil || rep.Refused {
		t.Fatalf("ack: %+v %v", rep, err)
	}
	// A second click changes nothing.
	if _, err := f.bot.Click(ctx, carla, ack.String(), ""); err != nil {
		t.Fatal(err)
	}
	if n := len(f.events(t, runID, plan.EventPageAcknowledged)); n != 1 {
		t.Fatalf("%d acknowledgements stored, want 1", n)
	}
	f.clock.Advance(time.Hour)
	f.fire(t)
	esc := f.events(t, runID, plan.EventPageEscalated)
	if count(esc, "dba", "", 1) != 0 {
		t.Fatalf("the acknowledged role escalated: %+v", esc)
	}
	if count(esc, "sysadmin", "", 1) != 1 {
		t.Fatalf("the silent role did not escalate: %+v", esc)
	}
	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Acknowledged("dba") || !strings.Contains(bot.StatusText(r, "es", f.clock.Now()), "✅ Carla Datos") {
		t.Fatalf("status does not show the acknowledgement:\n%s", bot.StatusText(r, "es", f.clock.Now()))
	}
}

func TestRestartBetweenPageAndTimeoutEscalatesOnce(t *testing.T) {
	f := setup(t)
	runID := f.declare(t)
	f.waitJobs(t, "contingencia.page")
	f.stop()
	f.start(t)
	f.clock.Advance(11 * time.Minute)
	f.fire(t)
	f.fire(t) // a second wake-up changes nothing
	if n := count(f.events(t, runID, plan.EventPageEscalated), "dba", "", 1); n != 1 {
		t.Fatalf("dba escalated %d times, want once", n)
	}
	// Nobody who acknowledged is paged again after a restart.
	if n := count(f.events(t, runID, plan.EventPageSent), "dba", "dm", 0); n != 1 {
		t.Fatalf("Carla paged %d times at level 0, want once", n)
	}
}

func TestAFailedEmailIsRecordedAndTheOtherChannelsGoOut(t *testing.T) {
	f := setup(t)
	f.stop()
	bad, err := page.NewEmail(page.EmailConfig{URL: "smtp://bot:wrong@127.0.0.1:1", From: "contingencia@example.gob.ec", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f.email = bad
	f.start(t)
	runID := f.declare(t)
	f.waitJobs(t, "contingencia.page")
	failed := f.events(t, runID, plan.EventPageFailed)
	if count(failed, "dba", "email", 0) != 1 || !strings.Contains(failed[0].Error, "connecting to 127.0.0.1:1") {
		t.Fatalf("failed pages %+v", failed)
	}
	if count(f.events(t, runID, plan.EventPageSent), "dba", "dm", 0) != 1 {
		t.Fatal("the DM did not go out when the e-mail failed")
	}
	f.surf.mu.Lock()
	posts := strings.Join(f.surf.posts, "\n")
	f.surf.mu.Unlock()
	if !strings.Contains(posts, "Avisos no entregados") {
		t.Fatalf("no warning in the channel:\n%s", posts)
	}
}

func TestThePlansConvocarStepPagesNow(t *testing.T) {
	f := setup(t)
	runID := f.declare(t)
	f.waitJobs(t, "contingencia.page")
	ctx := context.Background()
	prov, err := page.NewProvider(page.Config{Recorder: &lateRecorder{get: func() *bot.Bot { return f.bot }}})
	if err != nil {
		t.Fatal(err)
	}
	exec := prov.Executors()["page.role"]
	r, err := f.bot.Load(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	req := actions.Request{RunID: runID, Step: "evaluacion/convocar", Kind: "page.role", Params: map[string]any{"role": "dba"}, Plan: r.Plan}
	res, err := exec.Execute(ctx, req)
	if err != nil || res.Message != "avisados: Carla Datos" {
		t.Fatalf("convocar: %+v %v", res, err)
	}
	ack := bot.ButtonValue{RunID: runID, Kind: bot.ButtonAck, Step: "dba", Seq: 1}
	if _, err := f.bot.Click(ctx, carla, ack.String(), ""); err != nil {
		t.Fatal(err)
	}
	if res, err := exec.Execute(ctx, req); err != nil || !res.AlreadyDone {
		t.Fatalf("convocar after the acknowledgement: %+v %v", res, err)
	}
	req.Params["role"] = "nadie"
	if _, err := exec.Execute(ctx, req); !actions.IsPermanent(err) {
		t.Fatalf("an unknown role: %v", err)
	}
}

func TestAPrimaryNobodyCouldReachStillEscalates(t *testing.T) {
	escalates := func(t *testing.T, f *fixture, runID string) {
		t.Helper()
		f.clock.Advance(11 * time.Minute) // past the DBA's 10m
		f.fire(t)
		if n := count(f.events(t, runID, plan.EventPageEscalated), "dba", "", 1); n != 1 {
			t.Fatalf("dba escalated %d times, want once", n)
		}
		if n := count(f.events(t, runID, plan.EventPageSent), "dba", "dm", 1); n != 2 {
			t.Fatalf("%d leaders paged for the dba role, want 2", n)
		}
	}
	t.Run("every channel failed", func(t *testing.T) {
		f := setup(t)
		f.surf.refuseDM("Carla Datos")
		f.box.refuse("carla.datos@example.gob.ec")
		runID := f.declare(t)
		f.waitJobs(t, "contingencia.page")
		failed := f.events(t, runID, plan.EventPageFailed)
		if count(failed, "dba", "dm", 0) != 1 || count(failed, "dba", "email", 0) != 1 {
			t.Fatalf("failed pages %+v", failed)
		}
		escalates(t, f, runID)
		// Carla is not paged again at her level: one attempt per channel.
		if n := count(f.events(t, runID, plan.EventPageFailed), "dba", "", 0); n != 2 {
			t.Fatalf("Carla's pages failed %d times, want 2", n)
		}
	})
	t.Run("no address on any channel", func(t *testing.T) {
		f := setup(t)
		carla := &f.p.Roles[1].People[0]
		carla.Slack, carla.Email = "", ""
		runID := f.declare(t)
		f.waitJobs(t, "contingencia.page")
		failed := f.events(t, runID, plan.EventPageFailed)
		if count(failed, "dba", "", 0) != 1 || failed[0].Person != "Carla Datos" {
			t.Fatalf("unreachable person not recorded as a failed page: %+v", failed)
		}
		escalates(t, f, runID)
	})
}

// TestAnEscalationReachesALinkThatAcknowledgedItsOwnRole: Beto
// acknowledged as leader; when the DBA stays silent the leaders are the
// next link, and Beto is paged about the DBA's role like Ana (a new
// request, else the chain would stop at people already engaged), but not
// again about his own.
func TestAnEscalationReachesALinkThatAcknowledgedItsOwnRole(t *testing.T) {
	f := setup(t)
	runID := f.declare(t)
	f.waitJobs(t, "contingencia.page")
	beto := bot.Origin{Platform: "slack", UserID: "U0SM00002", UserName: "Beto Suplente", ChannelID: "CG"}
	ack := bot.ButtonValue{RunID: runID, Kind: bot.ButtonAck, Step: "lider", Seq: 1}
	if rep, err := f.bot.Click(context.Background(), beto, ack.String(), ""); err != nil || rep.Refused {
		t.Fatalf("ack: %+v %v", rep, err)
	}
	f.clock.Advance(11 * time.Minute) // dba and sysadmin escalate to the leaders
	f.fire(t)
	if n := count(f.events(t, runID, plan.EventPageEscalated), "dba", "", 1); n != 1 {
		t.Fatalf("dba escalated %d times, want once", n)
	}
	paged := map[string]int{}
	for _, e := range f.events(t, runID, plan.EventPageSent) {
		if e.Level == 1 && e.Role == "dba" {
			paged[e.Person]++
		}
		if e.Person == "Beto Suplente" && e.Role == "lider" && e.Level > 0 {
			t.Fatalf("Beto was paged again about the role he acknowledged: %+v", e)
		}
	}
	if paged["Ana Líder"] == 0 || paged["Beto Suplente"] == 0 {
		t.Fatalf("pages of the dba role's escalation link: %v, want both leaders", paged)
	}
}
