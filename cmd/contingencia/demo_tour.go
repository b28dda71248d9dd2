package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/bot/shell"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

// tour is `demo --auto`: a scripted walk through the whole plan, printed
// as the conversation it is. Every step is taken by a person holding the
// role the plan gives it; approvals by a second person.
type tour struct {
	ctx      context.Context
	sh       *shell.Shell
	bot      *bot.Bot
	store    stores.DB
	plan     *plan.Plan
	lang     string
	out      io.Writer
	deadline time.Time // the whole tour must end by then

	runID string
	who   string // the responder acting now
}

// pollEvery is how often the tour looks at a run it waits for.
const pollEvery = 20 * time.Millisecond

func (t *tour) run() error {
	if err := t.activate(); err != nil {
		return err
	}
	if err := t.acknowledge(2); err != nil {
		return err
	}
	if err := t.walk(); err != nil {
		return err
	}
	return t.finish()
}

// say prints a narrator's line between the conversation's.
func (t *tour) say(es, en string, args ...any) {
	fmt.Fprintf(t.out, "\n▶ %s\n", tr(t.lang, es, en, args...))
}

// activate declares the contingency for every service, OVF strategy, with
// a damage assessment, as the plan's first leader.
func (t *tour) activate() error {
	before, err := t.runIDs()
	if err != nil {
		return err
	}
	services := make([]string, len(t.plan.Services))
	for i, s := range t.plan.Services {
		services[i] = s.ID
	}
	strategy := string(plan.StrategyOVF)
	if !slices.ContainsFunc(t.plan.Procedures, func(p plan.Procedure) bool { return p.Strategy == plan.StrategyOVF }) {
		strategy = ""
	}
	t.say("El líder declara la contingencia: todos los servicios, restauración desde copias OVF/OVA.",
		"The leader declares the contingency: every service, restore from OVF/OVA copies.")
	t.sh.Answer(shell.FormAnswers{Services: services, Strategy: strategy, Assessment: tr(t.lang,
		"Incendio en la sala de servidores del Centro de Datos de CNT: storage y red del clúster afectados; CNT estima 72 h para recuperar el sitio.",
		"Fire in the server room of CNT's data centre: the cluster's storage and network are affected; CNT estimates 72 h to recover the site.")})
	if err := t.sh.Type(t.ctx, tr(t.lang, "/contingencia activar", "/contingencia activate")); err != nil {
		return fmt.Errorf("activating: %w", err)
	}
	t.who = t.sh.Responder().Name
	after, err := t.runIDs()
	if err != nil {
		return err
	}
	for _, id := range after {
		if !slices.Contains(before, id) {
			t.runID = id
			return nil
		}
	}
	return errors.New("activating: no new run in the store")
}

func (t *tour) runIDs() ([]string, error) {
	runs, err := t.store.ListRuns(t.ctx, storage.RunFilter{})
	if err != nil {
		return nil, fmt.Errorf("listing the runs: %w", err)
	}
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.RunID
	}
	return ids, nil
}

// acknowledge waits for the pages of the first n roles outside the
// leaders and acknowledges each as the person paged.
func (t *tour) acknowledge(n int) error {
	var roles []string
	for _, rl := range t.plan.Roles {
		if len(roles) < n && !slices.Contains(t.plan.Leaders, rl.ID) && len(rl.People) > 0 {
			roles = append(roles, rl.ID)
		}
	}
	if len(roles) == 0 {
		return nil
	}
	t.say("Los avisos salen a cada rol del plan; dos personas confirman la recepción.",
		"Pages go out to every role of the plan; two people acknowledge them.")
	for _, role := range roles {
		var person string
		err := t.waitFor(tr(t.lang, "el aviso a "+role, "the page to "+role), func(r *plan.Run) bool {
			for _, pg := range r.Pages {
				if pg.Role == role && !pg.PagedAt.IsZero() {
					person = pg.Person
					return true
				}
			}
			return false
		})
		if err != nil {
			return err
		}
		if err := t.as(person); err != nil {
			return err
		}
		if err := t.press(role, bot.ButtonAck, ""); err != nil {
			return err
		}
	}
	return nil
}

// walk works the checklist in order until every item is finished: each
// open item that is ready is taken by a holder of its owner role (or
// approved by someone else holding the approving role); when nothing can
// be done, it waits for the running actions.
func (t *tour) walk() error {
	t.say("El equipo recorre la lista de verificación en orden.", "The team walks the checklist in order.")
	for {
		r, err := t.bot.Load(t.ctx, t.runID)
		if err != nil {
			return fmt.Errorf("loading %s: %w", t.runID, err)
		}
		if r.AllFinished() {
			return nil
		}
		acted := false
		for _, it := range r.Items {
			if it.Status == plan.StatusFailed {
				return fmt.Errorf(tr(t.lang, "el paso «%s» (%s) falló: %s", "step %q (%s) failed: %s"), it.Step.Title.In(t.lang), target(it), it.Reason)
			}
			if !r.Ready(it) {
				continue
			}
			did, err := t.step(r, it)
			if err != nil {
				return err
			}
			acted = acted || did
		}
		if !acted {
			if err := t.waitFor(tr(t.lang, "las acciones en curso", "the running actions"), func(n *plan.Run) bool { return n.Seq != r.Seq }); err != nil {
				return err
			}
		}
	}
}

// step takes one ready item forward, reporting whether it did anything.
func (t *tour) step(r *plan.Run, it *plan.Item) (bool, error) {
	switch it.Status {
	case plan.StatusPending, plan.StatusInProgress:
	case plan.StatusAwaitingApproval:
		roles := it.Step.Approval
		if len(roles) == 0 {
			roles = t.plan.Leaders
		}
		p, ok := t.holder(roles, it.RequestedBy.Name)
		if !ok {
			return false, fmt.Errorf("nobody but %s holds %s to approve %s", it.RequestedBy.Name, strings.Join(roles, ", "), it.Key)
		}
		if err := t.as(p.Name); err != nil {
			return false, err
		}
		return true, t.press(it.Key, bot.ButtonApprove, "")
	default: // running or scheduled: the workers have it
		return false, nil
	}
	p, ok := t.holder([]string{it.Step.Owner}, "")
	if !ok {
		return false, fmt.Errorf("nobody holds %s for %s", it.Step.Owner, it.Key)
	}
	if err := t.as(p.Name); err != nil {
		return false, err
	}
	switch {
	case it.Step.Priorities:
		return true, t.press(it.Key, bot.ButtonPriorities, "")
	case it.Step.Kind == plan.KindManual && it.Step.Optional:
		return true, t.press(it.Key, bot.ButtonSkip, tr(t.lang,
			"No se requiere: la copia restaurada tiene la información al día (demostración).",
			"Not needed: the restored copy holds up-to-date information (demo)."))
	case it.Step.Kind == plan.KindManual || it.Step.Kind == plan.KindApproval:
		return true, t.press(it.Key, bot.ButtonDone, "")
	default: // action, check
		return true, t.press(it.Key, bot.ButtonRun, "")
	}
}

// finish shows the status, adds a note and closes the run as its leader.
func (t *tour) finish() error {
	t.say("Todo está hecho: estado, una nota y el cierre.", "Everything is done: status, a note and the close.")
	if err := t.as(t.leader()); err != nil {
		return err
	}
	if err := t.sh.Type(t.ctx, tr(t.lang, "/contingencia estado", "/contingencia status")); err != nil {
		return err
	}
	if err := t.sh.Type(t.ctx, tr(t.lang, "/contingencia nota Servicios restaurados y verificados en el sitio alterno; se informa a las instituciones usuarias.",
		"/contingencia note Services restored and verified at the alternate site; the user institutions are being informed.")); err != nil {
		return err
	}
	if err := t.sh.Type(t.ctx, tr(t.lang, "/contingencia cerrar", "/contingencia close")); err != nil {
		return err
	}
	if err := t.press("", bot.ButtonClose, ""); err != nil {
		return err
	}
	r, err := t.bot.Load(t.ctx, t.runID)
	if err != nil {
		return fmt.Errorf("loading %s: %w", t.runID, err)
	}
	if r.State() != plan.StateClosed {
		return fmt.Errorf(tr(t.lang, "%s no quedó cerrada (%s)", "%s did not close (%s)"), t.runID, r.State())
	}
	t.summary(r)
	return nil
}

// summary prints every service with its verification and tests.
func (t *tour) summary(r *plan.Run) {
	t.say("Resumen de %s: %s", "Summary of %s: %s", r.ID, tr(t.lang, "cerrada", "closed"))
	for _, id := range r.ServiceOrder() {
		svc, ok := t.plan.Service(id)
		if !ok {
			continue
		}
		done, total := 0, 0
		for _, it := range r.Items {
			if it.Service == id && it.Step.Kind == plan.KindCheck {
				total++
				if it.Status == plan.StatusDone {
					done++
				}
			}
		}
		icon := "✅"
		if done != total {
			icon = "❌"
		}
		fmt.Fprintln(t.out, tr(t.lang, "%s %s: servicio verificado, pruebas hechas (%d/%d pasos de prueba; %d comprobaciones funcionales)",
			"%s %s: service verified, tests done (%d/%d test steps; %d functional checks)", icon, svc.Name.In(t.lang), done, total, len(svc.Checks)))
	}
}

// as switches the responder to the person named, unless already them.
func (t *tour) as(name string) error {
	if name == t.who {
		return nil
	}
	if err := t.sh.As(tr(t.lang, "persona ", "person ") + name); err != nil {
		return err
	}
	t.who = name
	return nil
}

// holder is the first person holding one of roles who is not except.
func (t *tour) holder(roles []string, except string) (plan.Person, bool) {
	for _, id := range roles {
		rl, ok := t.plan.Role(id)
		if !ok {
			continue
		}
		for _, p := range rl.People {
			if p.Name != except {
				return p, true
			}
		}
	}
	return plan.Person{}, false
}

// leader is the first person of the plan's first leader role.
func (t *tour) leader() string {
	p, _ := t.holder(t.plan.Leaders, "")
	return p.Name
}

// press presses a button; one not shown yet (a page still on its way) is
// waited for.
func (t *tour) press(step string, kind bot.ButtonKind, reason string) error {
	for {
		err := t.sh.Press(t.ctx, t.runID, step, kind, reason)
		if !errors.Is(err, shell.ErrNotShown) {
			return err
		}
		if time.Now().After(t.deadline) {
			return err
		}
		if err := t.pause(); err != nil {
			return err
		}
	}
}

// waitFor polls the run until ok, or fails at the tour's deadline.
func (t *tour) waitFor(what string, ok func(*plan.Run) bool) error {
	for {
		r, err := t.bot.Load(t.ctx, t.runID)
		if err != nil {
			return fmt.Errorf("loading %s: %w", t.runID, err)
		}
		if ok(r) {
			return nil
		}
		if time.Now().After(t.deadline) {
			var running []string
			for _, it := range r.Items {
				if it.Status == plan.StatusRunning || it.Status == plan.StatusScheduled {
					running = append(running, it.Key)
				}
			}
			return fmt.Errorf(tr(t.lang, "se agotó el tiempo esperando %s (en curso: %s)", "timed out waiting for %s (running: %s)"), what, strings.Join(running, ", "))
		}
		if err := t.pause(); err != nil {
			return err
		}
	}
}

func (t *tour) pause() error {
	tm := time.NewTimer(pollEvery)
	defer tm.Stop()
	select {
	case <-t.ctx.Done():
		return t.ctx.Err()
	case <-tm.C:
		return nil
	}
}

func target(it *plan.Item) string {
	if it.Server != "" {
		return it.Server
	}
	if it.Service != "" {
		return it.Service
	}
	return "-"
}
