package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
)

// verbHandlers maps each slash-command verb to its handler (one small
// function each, not one long switch).
var verbHandlers map[Verb]func(*Bot, context.Context, Origin, Intent, string) (Reply, error)

func init() {
	verbHandlers = map[Verb]func(*Bot, context.Context, Origin, Intent, string) (Reply, error){
		VerbActivate:   (*Bot).cmdActivate,
		VerbDrill:      (*Bot).cmdActivate,
		VerbStatus:     (*Bot).cmdStatus,
		VerbNote:       (*Bot).cmdNote,
		VerbAssign:     (*Bot).cmdAssign,
		VerbExport:     (*Bot).cmdExport,
		VerbClose:      (*Bot).cmdClose,
		VerbAbort:      (*Bot).cmdAbort,
		VerbPlan:       (*Bot).cmdPlan,
		VerbBackups:    (*Bot).cmdBackups,
		VerbHelp:       (*Bot).cmdHelp,
		VerbPriorities: (*Bot).cmdPriorities,
	}
}

// Command handles `/contingencia TEXT`.
func (b *Bot) Command(ctx context.Context, o Origin, text string) (Reply, error) {
	start := b.cfg.Now()
	in, err := ParseCommand(text)
	lang := b.lang(o, in.Lang)
	var rep Reply
	if pe, ok := errors.AsType[*ParseError](err); ok {
		// A command understood but incomplete: the reply says why.
		rep, err = Reply{Text: pick(lang, pe.ES, pe.EN), Refused: true}, nil
	} else {
		rep, err = verbHandlers[in.Verb](b, ctx, o, in, lang)
	}
	b.observe("command", string(in.Verb), rep, err, start)
	return rep, err
}

func (b *Bot) observe(kind, name string, rep Reply, err error, start time.Time) {
	if b.cfg.Metrics == nil {
		return
	}
	result := "ok"
	switch {
	case err != nil:
		result = "error"
	case rep.Refused:
		result = "refused"
	}
	b.cfg.Metrics.Handled(kind, name, result, b.cfg.Now().Sub(start))
}

func pick(lang, es, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return es
}

// lang picks the reply language: the platform user's preference, then
// the language the command was written in, then the bot's.
func (b *Bot) lang(o Origin, written string) string {
	switch {
	case o.Lang == "es" || o.Lang == "en":
		return o.Lang
	case written != "":
		return written
	}
	return b.cfg.Lang
}

func (b *Bot) refusal(ref *plan.Refusal, lang string) Reply {
	return Reply{Text: "⛔ " + ref.Msg.In(lang), Refused: true}
}

// run executes a command on a run and turns the outcome into a reply.
func (b *Bot) run(ctx context.Context, runID string, c plan.Command, key, lang, ok string) (Reply, error) {
	out, err := b.Execute(ctx, runID, c, key)
	if err != nil {
		return Reply{}, err
	}
	if out.Refusal != nil {
		return b.refusal(out.Refusal, lang), nil
	}
	return Reply{Text: ok, RunID: runID}, nil
}

// resolveRun finds the run a command is about: the one named, the open
// run of the channel, or the only open run.
func (b *Bot) resolveRun(ctx context.Context, o Origin, named, lang string) (string, *Reply, error) {
	if named != "" {
		return named, nil, nil
	}
	runs, err := b.listRuns(ctx)
	if err != nil {
		return "", nil, err
	}
	var open, here []string
	for _, s := range runs {
		if s.State == string(plan.StateClosed) || s.State == string(plan.StateAborted) {
			continue
		}
		open = append(open, s.RunID)
		in, err := b.inChannel(ctx, s.RunID, o)
		if err != nil {
			return "", nil, err
		}
		if in {
			here = append(here, s.RunID)
		}
	}
	switch {
	case len(here) == 1:
		return here[0], nil, nil
	case len(here) == 0 && len(open) == 1:
		return open[0], nil, nil
	case len(open) == 0:
		return "", &Reply{Text: tr(lang, "No hay ninguna contingencia abierta. Use `/contingencia activar`.",
			"There is no open contingency. Use `/contingencia activate`."), Refused: true}, nil
	}
	if len(here) == 0 {
		here = open
	}
	return "", &Reply{Text: tr(lang, "Hay varias contingencias abiertas (%s): indique cuál, p. ej. `/contingencia estado %s`.",
		"Several contingencies are open (%s): say which, e.g. `/contingencia status %s`.", strings.Join(here, ", "), here[0]), Refused: true}, nil
}

// withRun resolves the run and calls fn with it, or replies why not.
func (b *Bot) withRun(ctx context.Context, o Origin, in Intent, lang string, fn func(runID string) (Reply, error)) (Reply, error) {
	runID, rep, err := b.resolveRun(ctx, o, in.RunID, lang)
	if err != nil || rep != nil {
		return deref(rep), err
	}
	return fn(runID)
}

func deref(r *Reply) Reply {
	if r == nil {
		return Reply{}
	}
	return *r
}

func (b *Bot) cmdActivate(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	p := b.cfg.Plan
	if !slices.ContainsFunc(p.Leaders, func(role string) bool { return p.PlanHolds(o.Actor(), role) }) {
		ref := refusalNotLeader(p)
		return b.refusal(ref, lang), nil
	}
	var unknown []string
	var selected []string
	for _, s := range in.Services {
		if id, ok := b.findService(s); ok {
			selected = append(selected, id)
		} else {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 {
		return Reply{Text: tr(lang, "Servicios desconocidos: %s. Los del plan son: %s.", "Unknown services: %s. The plan's are: %s.",
			strings.Join(unknown, ", "), strings.Join(serviceIDs(p), ", ")), Refused: true}, nil
	}
	return Reply{Form: b.form(in.Verb == VerbDrill, selected, lang, o.ChannelID)}, nil
}

func refusalNotLeader(p *plan.Plan) *plan.Refusal {
	names := func(lang string) string { return roleList(p, p.Leaders, lang) }
	return &plan.Refusal{Code: plan.CodeNotAuthorized, Msg: plan.Text{
		ES: "Solo un líder del plan puede declarar la contingencia: " + names("es") + ".",
		EN: "Only a leader of the plan can declare the contingency: " + names("en") + "."}}
}

// findService matches a service by id or, loosely, by name.
func (b *Bot) findService(s string) (string, bool) {
	for _, svc := range b.cfg.Plan.Services {
		if strings.EqualFold(svc.ID, s) || strings.EqualFold(svc.Name.ES, s) || strings.EqualFold(svc.Name.EN, s) {
			return svc.ID, true
		}
	}
	return "", false
}

func serviceIDs(p *plan.Plan) []string {
	ids := make([]string, 0, len(p.Services))
	for _, s := range p.DefaultOrder(allServices(p)) {
		ids = append(ids, s)
	}
	return ids
}

func allServices(p *plan.Plan) []string {
	ids := make([]string, len(p.Services))
	for i, s := range p.Services {
		ids[i] = s.ID
	}
	return ids
}

// form builds the activation form.
func (b *Bot) form(drill bool, selected []string, lang, channel string) *Form {
	p := b.cfg.Plan
	f := &Form{Drill: drill, Lang: lang, Selected: selected, Channel: channel,
		Title:           tr(lang, "Activar contingencia", "Activate contingency"),
		ServicesLabel:   tr(lang, "Servicios afectados", "Affected services"),
		StrategyLabel:   tr(lang, "Estrategia de restauración", "Restore strategy"),
		AssessmentLabel: tr(lang, "Evaluación de daños", "Damage assessment"),
		AssessmentHint:  tr(lang, "Qué pasó, qué está afectado, qué informó el proveedor", "What happened, what is affected, what the provider reported"),
		DrillLabel:      tr(lang, "Simulacro (no afecta producción)", "Drill (does not touch production)"),
		Submit:          tr(lang, "Activar", "Activate"), Cancel: tr(lang, "Cancelar", "Cancel"),
	}
	if drill {
		f.Title = tr(lang, "Iniciar simulacro", "Start a drill")
	}
	for _, id := range p.DefaultOrder(allServices(p)) {
		f.Services = append(f.Services, Option{Value: id, Label: serviceName(p, id, lang)})
	}
	for _, pr := range p.Procedures {
		if pr.Phase == plan.PhaseRestoring {
			f.Strategies = append(f.Strategies, Option{Value: string(pr.Strategy), Label: strategyName(pr.Strategy, lang)})
		}
	}
	if len(f.Strategies) > 0 {
		f.Strategy = f.Strategies[0].Value
	}
	return f
}

// Activate creates a run from a submitted activation form. The channel,
// the header and the checklist follow from the publisher, after the reply.
func (b *Bot) Activate(ctx context.Context, o Origin, a Activation) (Reply, error) {
	start := b.cfg.Now()
	lang := b.lang(o, a.Lang)
	rep, err := b.activate(ctx, o, a, lang)
	b.observe("command", "declare", rep, err, start)
	return rep, err
}

func (b *Bot) activate(ctx context.Context, o Origin, a Activation, lang string) (Reply, error) {
	year := b.cfg.Now().UTC().Year()
	key := ""
	if o.Delivery != "" {
		key = "declare:" + o.Platform + ":" + o.Delivery
	}
	// Refuse before reserving a number, so refusals do not burn run ids.
	probe := plan.NewRun("CONT-0000-0000", b.cfg.Plan)
	cmd := plan.Declare{By: plan.By{Who: o.Actor()}, Services: a.Services, Strategy: a.Strategy, Assessment: a.Assessment,
		Drill: a.Drill, Lang: a.Lang, Platform: o.Platform, Channel: cmpOr(a.Channel, o.ChannelID)}
	if _, err := plan.Decide(probe, cmd, b.cfg.Now()); err != nil {
		if ref, ok := plan.AsRefusal(err); ok {
			return b.refusal(ref, lang), nil
		}
		return Reply{}, err
	}
	n, err := b.cfg.Store.NextRunNumber(ctx, year)
	if err != nil {
		b.storeError()
		return Reply{}, fmt.Errorf("reserving a run number: %w", err)
	}
	runID := fmt.Sprintf("CONT-%d-%04d", year, n)
	out, err := b.Execute(ctx, runID, cmd, key)
	if err != nil {
		return Reply{}, err
	}
	if out.Refusal != nil {
		return b.refusal(out.Refusal, lang), nil
	}
	if out.Replayed && len(out.Events) > 0 {
		runID = out.Events[0].RunID
	}
	kind := tr(lang, "Contingencia", "Contingency")
	if a.Drill {
		kind = tr(lang, "Simulacro", "Drill")
	}
	return Reply{RunID: runID, Text: tr(lang, "%s %s declarada. Se crea el canal %s y se avisa al equipo.",
		"%s %s declared. Channel %s is being created and the team paged.", kind, runID, strings.ToLower(runID))}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (b *Bot) cmdNote(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	return b.withRun(ctx, o, in, lang, func(runID string) (Reply, error) {
		return b.run(ctx, runID, plan.AddNote{By: plan.By{Who: o.Actor()}, Text: in.Text}, deliveryKey(o, "note"), lang,
			tr(lang, "📝 Nota registrada en %s.", "📝 Note recorded in %s.", runID))
	})
}

// deliveryKey makes an idempotency key from the platform delivery id, so
// a retried delivery is stored once; without one, every request is new.
func deliveryKey(o Origin, what string) string {
	if o.Delivery == "" {
		return ""
	}
	return what + ":" + o.Platform + ":" + o.Delivery
}

func (b *Bot) cmdAssign(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	p := b.cfg.Plan
	role := ""
	for _, rl := range p.Roles {
		if strings.EqualFold(rl.ID, in.Role) || strings.EqualFold(rl.Name.ES, in.Role) || strings.EqualFold(rl.Name.EN, in.Role) {
			role = rl.ID
		}
	}
	if role == "" {
		ids := make([]string, len(p.Roles))
		for i, rl := range p.Roles {
			ids[i] = rl.ID
		}
		return Reply{Text: tr(lang, "Rol desconocido «%s». Los roles del plan son: %s.", "Unknown role %q. The plan's roles are: %s.",
			in.Role, strings.Join(ids, ", ")), Refused: true}, nil
	}
	person, userID := b.personFor(o.Platform, in.User)
	return b.withRun(ctx, o, in, lang, func(runID string) (Reply, error) {
		return b.run(ctx, runID, plan.AssignRole{By: plan.By{Who: o.Actor()}, Role: role, Person: person, UserID: userID},
			deliveryKey(o, "assign"), lang, tr(lang, "👤 %s asume el rol %s en %s.", "👤 %s now holds %s in %s.",
				person.Name, roleName(p, role, lang), runID))
	})
}

// personFor finds the plan person a mention names, or describes a new one.
func (b *Bot) personFor(platform string, m Mention) (plan.Person, string) {
	probe := plan.Actor{Platform: platform, UserID: m.ID, Name: m.Name}
	for _, rl := range b.cfg.Plan.Roles {
		for _, pp := range rl.People {
			if pp.Identifies(probe) {
				return pp, cmpOr(m.ID, m.Name)
			}
		}
	}
	pp := plan.Person{Name: cmpOr(m.Name, m.ID)}
	switch platform {
	case "slack":
		pp.Slack = m.ID
	case "mattermost":
		pp.Mattermost = m.Name
	}
	return pp, cmpOr(m.ID, m.Name)
}

func (b *Bot) cmdClose(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	return b.withRun(ctx, o, in, lang, func(runID string) (Reply, error) {
		// Ask Decide first, so a refusal says why at once; the real close
		// comes from the confirmation button.
		var seq int64
		var decided error
		if err := b.read(ctx, runID, func(r *plan.Run) error {
			_, decided = plan.Decide(r, plan.Close{By: plan.By{Who: o.Actor()}}, b.cfg.Now())
			seq = r.Seq
			return nil
		}); err != nil {
			return Reply{}, err
		}
		if ref, ok := plan.AsRefusal(decided); ok {
			return b.refusal(ref, lang), nil
		} else if decided != nil {
			return Reply{}, decided
		}
		return Reply{RunID: runID, Text: tr(lang, "Todas las pruebas están completas. ¿Poner en producción y cerrar %s?",
			"Every test is complete. Put in production and close %s?", runID),
			Buttons: []Button{{Label: tr(lang, "Cerrar contingencia", "Close contingency"), Style: "primary",
				Value: ButtonValue{RunID: runID, Kind: ButtonClose, Seq: seq},
				Confirm: &Confirm{Title: tr(lang, "¿Cerrar la contingencia?", "Close the contingency?"),
					Text: tr(lang, "El incidente se da por finalizado.", "The incident is closed."),
					OK:   tr(lang, "Cerrar", "Close"), Cancel: tr(lang, "Cancelar", "Cancel")}}}}, nil
	})
}

func (b *Bot) cmdAbort(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	return b.withRun(ctx, o, in, lang, func(runID string) (Reply, error) {
		return b.run(ctx, runID, plan.Abort{By: plan.By{Who: o.Actor()}, Reason: in.Text}, deliveryKey(o, "abort"), lang,
			tr(lang, "%s abortada.", "%s aborted.", runID))
	})
}

func (b *Bot) cmdPriorities(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	return b.withRun(ctx, o, in, lang, func(runID string) (Reply, error) {
		step := ""
		if err := b.read(ctx, runID, func(r *plan.Run) error {
			for _, it := range r.Items {
				if it.Step.Priorities {
					step = it.Key
					break
				}
			}
			return nil
		}); err != nil {
			return Reply{}, err
		}
		var order []string
		for _, s := range in.Services {
			id, ok := b.findService(s)
			if !ok {
				return Reply{Text: tr(lang, "Servicio desconocido «%s».", "Unknown service %q.", s), Refused: true}, nil
			}
			order = append(order, id)
		}
		return b.run(ctx, runID, plan.ConfirmPriorities{By: plan.By{Who: o.Actor()}, Step: step, Order: order}, deliveryKey(o, "priorities"), lang,
			tr(lang, "Prioridades confirmadas.", "Priorities confirmed."))
	})
}

func (b *Bot) cmdExport(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	if b.cfg.Export == nil {
		return Reply{Text: tr(lang, "Este despliegue no tiene exportación configurada.", "This deployment has no export configured."), Refused: true}, nil
	}
	return b.withRun(ctx, o, in, lang, func(runID string) (Reply, error) {
		out, err := b.Execute(ctx, runID, plan.Export{By: plan.By{Who: o.Actor()}, Format: in.Format}, deliveryKey(o, "export"))
		if err != nil {
			return Reply{}, err
		}
		if out.Refusal != nil {
			return b.refusal(out.Refusal, lang), nil
		}
		var buf bytes.Buffer
		if err := b.cfg.Export(ctx, &buf, runID, in.Format, lang); err != nil {
			return Reply{}, fmt.Errorf("exporting %s as %s: %w", runID, in.Format, err)
		}
		var channel string
		if err := b.read(ctx, runID, func(r *plan.Run) error {
			channel = r.Channels[o.Platform].Channel
			return nil
		}); err != nil {
			return Reply{}, err
		}
		name := fmt.Sprintf("%s.%s", strings.ToLower(runID), exportExt(in.Format))
		return Reply{RunID: runID, Text: tr(lang, "📎 Exportación %s de %s subida al canal.", "📎 %s export of %s uploaded to the channel.",
			strings.ToUpper(in.Format), runID),
			File: &File{Name: name, Title: fmt.Sprintf("%s (%s)", runID, strings.ToUpper(in.Format)), Content: buf.Bytes(),
				Channel: channel}}, nil
	})
}

func exportExt(format string) string {
	if format == "json" {
		return "jsonl"
	}
	return format
}

func (b *Bot) cmdBackups(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	if b.cfg.Readiness == nil {
		return Reply{Text: tr(lang, "Este despliegue no tiene verificación de respaldos configurada.", "This deployment has no backup checks configured."), Refused: true}, nil
	}
	text, err := b.cfg.Readiness(ctx, lang)
	if err != nil {
		return Reply{}, fmt.Errorf("checking backups: %w", err)
	}
	return Reply{Text: text}, nil
}

// inChannel reports whether a run belongs to the origin's channel: it was
// declared there or its dedicated channel is it. Both facts never change
// once known, so a cached run that knows its channel answers without
// asking the store; otherwise the run is refreshed first.
func (b *Bot) inChannel(ctx context.Context, runID string, o Origin) (bool, error) {
	cr := b.cached(runID)
	if w := cr.where.Load(); w != nil && w.settled(o.Platform) {
		return w.match(o), nil
	}
	var in bool
	err := b.read(ctx, runID, func(r *plan.Run) error {
		w := whereOf(r)
		if w.settled(o.Platform) {
			cr.where.Store(w)
		}
		in = w.match(o)
		return nil
	})
	return in, err
}

// runWhere is where a run lives in chat: the channel it was declared in
// and its dedicated channel on each platform.
type runWhere struct {
	declared                          bool
	declaredPlatform, declaredChannel string
	channels                          map[string]string // platform → channel id
}

func whereOf(r *plan.Run) *runWhere {
	w := &runWhere{declared: r.Seq > 0, declaredPlatform: r.Declared.Platform, declaredChannel: r.Declared.Channel,
		channels: make(map[string]string, len(r.Channels))}
	for platform, ch := range r.Channels {
		w.channels[platform] = ch.Channel
	}
	return w
}

// settled: the answer for this platform can no longer change (the run is
// declared, and its dedicated channel there is known, or it was declared
// on another platform and never gets one here).
func (w *runWhere) settled(platform string) bool {
	_, known := w.channels[platform]
	return w.declared && (known || w.declaredPlatform != platform)
}

func (w *runWhere) match(o Origin) bool {
	ch, ok := w.channels[o.Platform]
	return ok && ch == o.ChannelID || w.declaredChannel == o.ChannelID && w.declaredPlatform == o.Platform
}

// runListTTL is how long a listing of runs serves commands that do not
// name their run: a run declared on another replica is found at most this
// late; one declared here, at once.
const runListTTL = time.Second

// listRuns lists the runs, from a listing at most runListTTL old.
func (b *Bot) listRuns(ctx context.Context) ([]storage.RunSummary, error) {
	b.mu.Lock()
	if b.runList != nil && b.cfg.Now().Sub(b.runListAt) < runListTTL {
		runs := b.runList
		b.mu.Unlock()
		return runs, nil
	}
	b.mu.Unlock()
	runs, err := b.cfg.Store.ListRuns(ctx, storage.RunFilter{})
	if err != nil {
		b.storeError()
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	b.mu.Lock()
	b.runList, b.runListAt = runs, b.cfg.Now()
	b.mu.Unlock()
	return runs, nil
}

// forgetRunList makes the next listing ask the store (a run was declared
// or ended here).
func (b *Bot) forgetRunList() {
	b.mu.Lock()
	b.runList = nil
	b.mu.Unlock()
}
