package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxNoteLength bounds a note, so one message cannot bloat the timeline.
const MaxNoteLength = 4000

// newEvent builds an unsealed event; the store seals it.
func newEvent(a Actor, at time.Time, t EventType, payload any) Event {
	b, err := json.Marshal(payload)
	if err != nil {
		// Payloads are our own plain structs: failing to marshal one is a bug.
		panic(fmt.Sprintf("plan: marshal %s payload: %v", t, err))
	}
	return Event{At: at.UTC(), Actor: a, Type: t, Payload: b}
}

// Decide checks a command against the plan, the run's state and the
// actor's roles, and returns the events that record it. A command that is
// not allowed returns a *Refusal. A report from a worker about an action
// that is no longer running (a duplicate delivery) returns no events and
// no error: nothing happens twice.
func Decide(r *Run, c Command, now time.Time) ([]Event, error) {
	evs, err := decide(r, c, now.UTC())
	for i := range evs {
		evs[i].RunID = r.ID
	}
	return evs, err
}

func decide(r *Run, c Command, now time.Time) ([]Event, error) {
	if d, ok := c.(Declare); ok {
		return r.declare(d, now)
	}
	if r.Seq == 0 {
		return nil, refuse(CodeNotFound, "La contingencia %s no existe.", "Contingency %s does not exist.", r.ID)
	}
	if r.Ended != "" {
		switch c.(type) {
		case AddNote, Export, RecordMessage, RecordTeardown:
		default:
			return nil, refuse(CodeWrongState, "La contingencia %s ya terminó (%s).", "Contingency %s has ended (%s).", r.ID, r.Ended)
		}
	}
	a := c.Actor()
	switch c := c.(type) {
	case ConfirmPriorities:
		return r.confirmPriorities(c, now)
	case StartStep:
		it, err := r.workable(a, c.Step, now, KindManual)
		if err != nil {
			return nil, err
		}
		if it.Status == StatusInProgress {
			return nil, refuse(CodeWrongState, "Este paso ya está en curso desde las %s (%s).", "This step is already in progress since %s (%s).", hhmm(it.At), it.By.Name)
		}
		return []Event{newEvent(a, now, EventStepStarted, StepEvent{Step: c.Step})}, nil
	case CompleteStep:
		it, err := r.workable(a, c.Step, now, KindManual, KindApproval)
		if err != nil {
			return nil, err
		}
		if len(r.approvers(it)) > 0 {
			return r.requestApproval(a, it, "", nil, now), nil
		}
		return []Event{newEvent(a, now, EventStepCompleted, StepEvent{Step: c.Step})}, nil
	case RunStep:
		it, err := r.workable(a, c.Step, now, KindAction, KindCheck, KindApproval)
		if err != nil {
			return nil, err
		}
		return r.run(a, it, c.Preflight, c.Facts, now), nil
	case Schedule:
		return r.schedule(a, c.Steps, now)
	case RetryStep:
		it, err := r.owned(a, c.Step)
		if err != nil {
			return nil, err
		}
		if it.Status != StatusFailed {
			return nil, refuse(CodeWrongState, "Solo se puede reintentar un paso fallido; este está %s.", "Only a failed step can be retried; this one is %s.", statusText(it.Status, "es"))
		}
		reopen := newEvent(a, now, EventStepReopened, StepEvent{Step: c.Step})
		return append([]Event{reopen}, r.run(a, it, c.Preflight, c.Facts, now)...), nil
	case SkipStep:
		return r.skip(c, now)
	case CancelAction:
		it, err := r.owned(a, c.Step)
		if err != nil {
			return nil, err
		}
		if it.Status != StatusRunning {
			return nil, refuse(CodeWrongState, "No hay ninguna acción en curso en este paso.", "No action is running in this step.")
		}
		return []Event{newEvent(a, now, EventActionCancelled, ActionEvent{Step: c.Step, Action: it.Step.Action, Target: target(it), JobID: it.JobID,
			Message: "cancelada por " + a.Name})}, nil
	case Approve:
		return r.approve(c, now)
	case Reject:
		it, role, err := r.approvable(a, c.Step, now)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(c.Reason) == "" {
			return nil, refuse(CodeInvalid, "Indique el motivo del rechazo.", "Give the reason for rejecting.")
		}
		return []Event{newEvent(a, now, EventApprovalRejected, ApprovalDecision{Step: it.Key, Role: role, Reason: c.Reason})}, nil
	case ActionStarted, ActionProgress, ActionFinished:
		return r.actionReport(c, now)
	case AddNote:
		text := strings.TrimSpace(c.Text)
		if text == "" {
			return nil, refuse(CodeInvalid, "La nota está vacía.", "The note is empty.")
		}
		if utf8.RuneCountInString(text) > MaxNoteLength {
			return nil, refuse(CodeInvalid, "La nota supera %d caracteres.", "The note is longer than %d characters.", MaxNoteLength)
		}
		return []Event{newEvent(a, now, EventNoteAdded, NoteAdded{Text: text})}, nil
	case AssignRole:
		if !r.IsLeader(a) {
			return nil, r.Plan.notYourRole(r.Plan.Leaders)
		}
		if _, ok := r.Plan.Role(c.Role); !ok {
			return nil, refuse(CodeNotFound, "El rol %q no existe en el plan.", "The plan has no role %q.", c.Role)
		}
		if c.UserID == "" && c.Person.Name == "" {
			return nil, refuse(CodeInvalid, "Indique a quién asignar el rol.", "Say who gets the role.")
		}
		return []Event{newEvent(a, now, EventRoleAssigned, RoleAssigned{Role: c.Role, Person: c.Person, UserID: c.UserID})}, nil
	case Acknowledge:
		if !r.Holds(a, c.Role) && !r.pagedFor(a, c.Role) {
			return nil, r.Plan.notYourRole([]string{c.Role})
		}
		for _, pg := range r.Pages {
			if pg.Role == c.Role && pg.Acknowledged && (pg.UserID == a.UserID || pg.Person == a.Name) {
				return nil, nil // a second click changes nothing
			}
		}
		return []Event{newEvent(a, now, EventPageAcknowledged, PageEvent{Role: c.Role, Person: a.Name, UserID: a.UserID})}, nil
	case RecordPage:
		switch c.Type {
		case EventPageSent, EventPageFailed, EventPageEscalated:
		default:
			return nil, refuse(CodeInvalid, "Tipo de aviso desconocido %q.", "Unknown page type %q.", c.Type)
		}
		if c.Type == EventPageSent && r.AcknowledgedBy(c.Page.Role, c.Page.Person, c.Page.UserID) {
			return nil, nil // never page someone who already acknowledged
		}
		return []Event{newEvent(System, now, c.Type, c.Page)}, nil
	case RecordChannel:
		if _, ok := r.Channels[c.Channel.Platform]; ok {
			return nil, nil // one channel per platform; a repeat changes nothing
		}
		return []Event{newEvent(a, now, EventChannelCreated, c.Channel)}, nil
	case RecordMessage:
		if r.Messages[c.Message.Platform+"/"+c.Message.Part] == c.Message {
			return nil, nil
		}
		return []Event{newEvent(System, now, EventMessagePosted, c.Message)}, nil
	case Export:
		return []Event{newEvent(a, now, EventExported, Exported{Format: c.Format})}, nil
	case RecordTeardown:
		if !r.Declared.Drill || r.Ended == "" || r.TornDown {
			return nil, nil // only a finished drill, once
		}
		return []Event{newEvent(System, now, EventDrillTornDown, c.Result)}, nil
	case Close:
		if !r.IsLeader(a) {
			return nil, r.Plan.notYourRole(r.Plan.Leaders)
		}
		if n := r.unfinished(); n > 0 {
			return nil, refuse(CodeBlocked, "Aún quedan %d pasos por terminar; el cierre exige que las pruebas estén completas.",
				"%d steps are still open; closing needs the tests to be complete.", n)
		}
		return []Event{newEvent(a, now, EventRunClosed, RunEnded{Reason: c.Reason})}, nil
	case Abort:
		if !r.IsLeader(a) {
			return nil, r.Plan.notYourRole(r.Plan.Leaders)
		}
		if strings.TrimSpace(c.Reason) == "" {
			return nil, refuse(CodeInvalid, "Indique el motivo para abortar.", "Give the reason for aborting.")
		}
		return []Event{newEvent(a, now, EventRunAborted, RunEnded{Reason: c.Reason})}, nil
	}
	return nil, refuse(CodeInvalid, "Orden desconocida %q.", "Unknown command %q.", c.Name())
}

func (r *Run) declare(d Declare, now time.Time) ([]Event, error) {
	if r.Seq != 0 {
		return nil, refuse(CodeWrongState, "La contingencia %s ya fue declarada.", "Contingency %s was already declared.", r.ID)
	}
	p := r.Plan
	leader := ""
	for _, role := range p.Leaders {
		if p.PlanHolds(d.Who, role) {
			leader = role
			break
		}
	}
	if leader == "" {
		return nil, p.notYourRole(p.Leaders)
	}
	if len(d.Services) == 0 {
		return nil, refuse(CodeInvalid, "Indique al menos un servicio afectado.", "Name at least one affected service.")
	}
	seen := map[string]bool{}
	var services []string
	for _, s := range d.Services {
		if _, ok := p.Service(s); !ok {
			return nil, refuse(CodeNotFound, "El servicio %q no está en el plan.", "The plan has no service %q.", s)
		}
		if !seen[s] {
			seen[s] = true
			services = append(services, s)
		}
	}
	if !slices.ContainsFunc(p.Procedures, func(pr Procedure) bool { return pr.Phase == PhaseRestoring && pr.Strategy == d.Strategy }) {
		return nil, refuse(CodeInvalid, "El plan no tiene un procedimiento de restauración %q.", "The plan has no %q restore procedure.", d.Strategy)
	}
	return []Event{newEvent(d.Who, now, EventRunDeclared, RunDeclared{
		PlanID: p.ID, PlanHash: p.Hash, Services: services, Strategy: d.Strategy, Assessment: strings.TrimSpace(d.Assessment),
		Drill: d.Drill, Leader: leader, Lang: d.Lang, Platform: d.Platform, Channel: d.Channel, DeclaredAt: now,
	})}, nil
}

func (r *Run) confirmPriorities(c ConfirmPriorities, now time.Time) ([]Event, error) {
	it, err := r.owned(c.Who, c.Step)
	if err != nil {
		return nil, err
	}
	if !it.Step.Priorities {
		return nil, refuse(CodeInvalid, "Este paso no define prioridades.", "This step does not set priorities.")
	}
	if err := r.finishedOrBusy(it); err != nil {
		return nil, err
	}
	if err := r.gate(it); err != nil {
		return nil, err
	}
	order := c.Order
	if len(order) == 0 {
		order = r.Plan.DefaultOrder(r.Declared.Services)
	}
	if err := samePermutation(order, r.Declared.Services); err != nil {
		return nil, err
	}
	return []Event{
		newEvent(c.Who, now, EventPrioritiesConfirmed, PrioritiesConfirmed{Step: it.Key, Order: order}),
		newEvent(c.Who, now, EventStepCompleted, StepEvent{Step: it.Key}),
	}, nil
}

func samePermutation(order, services []string) error {
	want := map[string]bool{}
	for _, s := range services {
		want[s] = true
	}
	seen := map[string]bool{}
	for _, s := range order {
		if !want[s] {
			return refuse(CodeInvalid, "%q no es un servicio afectado por esta contingencia.", "%q is not affected by this contingency.", s)
		}
		if seen[s] {
			return refuse(CodeInvalid, "%q aparece dos veces en las prioridades.", "%q appears twice in the priorities.", s)
		}
		seen[s] = true
	}
	for _, s := range services {
		if !seen[s] {
			return refuse(CodeInvalid, "Falta %q en las prioridades.", "%q is missing from the priorities.", s)
		}
	}
	return nil
}

// owned returns the item when the actor may work on it: a holder of the
// step's owner role, or a leader of the plan (who can stand in for anyone,
// on the record).
func (r *Run) owned(a Actor, key string) (*Item, error) {
	it, ok := r.index[key]
	if !ok {
		return nil, refuse(CodeNotFound, "El paso %q no está en la lista de esta contingencia.", "Step %q is not on this contingency's checklist.", key)
	}
	if !r.Holds(a, it.Step.Owner) && !r.IsLeader(a) {
		return nil, r.Plan.notYourRole([]string{it.Step.Owner})
	}
	return it, nil
}

// workable returns the item when the actor may act on it now and its kind
// is one of kinds.
func (r *Run) workable(a Actor, key string, now time.Time, kinds ...StepKind) (*Item, error) {
	it, err := r.owned(a, key)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(kinds, it.Step.Kind) {
		return nil, refuse(CodeInvalid, "Esta operación no aplica a un paso de tipo %s.", "This does not apply to a %s step.", it.Step.Kind)
	}
	if it.Step.Priorities {
		return nil, refuse(CodeInvalid, "Este paso se completa confirmando las prioridades.", "This step is completed by confirming the priorities.")
	}
	if err := r.finishedOrBusy(it); err != nil {
		return nil, err
	}
	if it.Status == StatusAwaitingApproval && !it.expired(now) {
		return nil, r.waitingFor(it)
	}
	return it, r.gate(it)
}

// finishedOrBusy refuses work on an item that is finished or running.
func (r *Run) finishedOrBusy(it *Item) error {
	switch it.Status {
	case StatusDone:
		return refuse(CodeAlreadyDone, "Ya lo hizo %s a las %s.", "Already done by %s at %s.", it.By.Name, hhmm(it.At))
	case StatusSkipped:
		return refuse(CodeAlreadyDone, "%s lo omitió a las %s: %s", "Skipped by %s at %s: %s", it.By.Name, hhmm(it.At), it.Reason)
	case StatusRunning:
		return refuse(CodeWrongState, "La acción está en curso desde las %s.", "The action is running since %s.", hhmm(it.At))
	case StatusScheduled:
		return refuse(CodeWrongState, "Este paso ya está programado: se ejecutará solo cuando termine lo que espera.",
			"This step is already scheduled: it runs by itself once what it waits for is done.")
	case StatusFailed:
		return refuse(CodeWrongState, "El paso falló (%s): use reintentar u omitir.", "The step failed (%s): retry or skip it.", it.Reason)
	}
	return nil
}

func (r *Run) waitingFor(it *Item) *Refusal {
	roles := r.approvers(it)
	return &Refusal{Code: CodeAwaitingApproval, Msg: Text{
		ES: fmt.Sprintf("Esperando la aprobación de %s (solicitada por %s a las %s).", r.Plan.roleNames(roles, "es"), it.RequestedBy.Name, hhmm(it.RequestedAt)),
		EN: fmt.Sprintf("Waiting for approval from %s (requested by %s at %s).", r.Plan.roleNames(roles, "en"), it.RequestedBy.Name, hhmm(it.RequestedAt)),
	}}
}

// WaitingFor lists the open items an item waits for: the assessment
// before restoring, the priorities before any restore work, a service's
// restore before its tests, a server's dependencies before the same step
// on it, and earlier steps on the same server.
func (r *Run) WaitingFor(it *Item) []*Item {
	var open []*Item
	for _, o := range r.Items {
		if o == it || o.Status.Finished() {
			continue
		}
		switch {
		case it.Phase == PhaseRestoring && o.Phase == PhaseAssessing,
			it.Phase == PhaseTesting && o.Phase == PhaseAssessing:
			open = append(open, o)
		case it.Phase != PhaseAssessing && o.Step.Priorities && !it.Step.Priorities:
			open = append(open, o)
		case it.Phase == PhaseTesting && o.Phase == PhaseRestoring && sharesService(it, o):
			open = append(open, o)
		case it.Server != "" && o.Server != "" && o.Procedure == it.Procedure && o.Step == it.Step &&
			(it.Step.Kind == KindAction || it.Step.Kind == KindCheck) && r.dependsOn(it.Server, o.Server):
			open = append(open, o)
		case it.Server != "" && o.Server == it.Server && o.Procedure == it.Procedure && stepBefore(o, it) &&
			(it.Step.Kind == KindAction || it.Step.Kind == KindCheck):
			// On one server, the procedure's steps run in order: a
			// server is verified after it is deployed.
			open = append(open, o)
		case it.Server == "" && it.Service != "" && o.Server != "" && o.Procedure == it.Procedure && stepBefore(o, it) &&
			r.serviceNeeds(it.Service, o.Server):
			// A service's own steps come after the earlier steps on
			// its servers: it is verified once they are restored.
			open = append(open, o)
		}
	}
	return open
}

// gate refuses an item whose prerequisites are open: the assessment before
// restoring, the priorities before any restore work, a service's restore
// before its tests, and a server's dependencies before an action on it.
func (r *Run) gate(it *Item) error {
	open := r.WaitingFor(it)
	if len(open) == 0 {
		return nil
	}
	first := open[0]
	es := fmt.Sprintf("Primero debe terminar «%s» (%s)", first.Step.Title.In("es"), targetName(r.Plan, first, "es"))
	en := fmt.Sprintf("First %q (%s) must finish", first.Step.Title.In("en"), targetName(r.Plan, first, "en"))
	if len(open) > 1 {
		es += fmt.Sprintf(" y %d pasos más", len(open)-1)
		en += fmt.Sprintf(" and %d more steps", len(open)-1)
	}
	return &Refusal{Code: CodeBlocked, Msg: Text{ES: es + ".", EN: en + "."}}
}

// stepBefore reports whether a's step comes before b's in their procedure.
func stepBefore(a, b *Item) bool {
	for _, st := range a.Procedure.Steps {
		switch st.ID {
		case a.Step.ID:
			return true
		case b.Step.ID:
			return false
		}
	}
	return false
}

// sharesService reports whether a global item or two items with services
// in common depend on each other.
func sharesService(a, b *Item) bool {
	if a.Service == "" && a.Server == "" || b.Service == "" && b.Server == "" {
		return true
	}
	return slices.ContainsFunc(a.Services, func(s string) bool { return slices.Contains(b.Services, s) })
}

// dependsOn reports whether server a depends on b, directly or not.
// serviceNeeds reports whether a service runs on a server, directly or
// through its servers' dependencies.
func (r *Run) serviceNeeds(service, server string) bool {
	svc, ok := r.Plan.Service(service)
	if !ok {
		return false
	}
	for _, id := range svc.Servers {
		if id == server || r.dependsOn(id, server) {
			return true
		}
	}
	return false
}

func (r *Run) dependsOn(a, b string) bool {
	seen := map[string]bool{}
	var walk func(id string) bool
	walk = func(id string) bool {
		if seen[id] {
			return false
		}
		seen[id] = true
		srv, ok := r.Plan.Server(id)
		if !ok {
			return false
		}
		for _, d := range srv.DependsOn {
			if d == b || walk(d) {
				return true
			}
		}
		return false
	}
	return walk(a)
}

// approvers lists the roles that must approve an item: the step's
// approval roles, or the plan's leaders for an approval step without any.
func (r *Run) approvers(it *Item) []string {
	if len(it.Step.Approval) > 0 {
		return it.Step.Approval
	}
	if it.Step.Kind == KindApproval {
		return r.Plan.Leaders
	}
	return nil
}

func (r *Run) requestApproval(a Actor, it *Item, preflight string, facts map[string]string, now time.Time) []Event {
	req := ApprovalRequested{Step: it.Key, Roles: r.approvers(it), Preflight: preflight, Facts: facts}
	if w := r.Plan.ApprovalWindow.D(); w > 0 {
		req.Expires = now.Add(w)
	}
	return []Event{newEvent(a, now, EventApprovalRequested, req)}
}

// run starts an action or check, through an approval when the plan says.
func (r *Run) run(a Actor, it *Item, preflight string, facts map[string]string, now time.Time) []Event {
	if len(r.approvers(it)) > 0 {
		return r.requestApproval(a, it, preflight, facts, now)
	}
	return []Event{r.queue(a, it, facts, now)}
}

// queue starts the action; facts are those confirmed with it (nil after
// an approval: the approved ones stay on the item).
func (r *Run) queue(a Actor, it *Item, facts map[string]string, now time.Time) Event {
	return newEvent(a, now, EventActionQueued, ActionEvent{Step: it.Key, Action: it.Step.Action, Target: target(it), Attempt: it.Attempts + 1, Facts: facts})
}

func target(it *Item) string { return cmpOr(it.Server, it.Service) }

func (it *Item) expired(now time.Time) bool {
	return !it.Expires.IsZero() && !now.IsZero() && now.After(it.Expires)
}

// approvable returns an item awaiting approval that the actor may decide
// on, with the approving role the actor holds.
func (r *Run) approvable(a Actor, key string, now time.Time) (*Item, string, error) {
	it, ok := r.index[key]
	if !ok {
		return nil, "", refuse(CodeNotFound, "El paso %q no está en la lista de esta contingencia.", "Step %q is not on this contingency's checklist.", key)
	}
	if it.Status != StatusAwaitingApproval {
		if err := r.finishedOrBusy(it); err != nil {
			return nil, "", err
		}
		return nil, "", refuse(CodeWrongState, "Este paso no tiene una aprobación pendiente.", "This step has no pending approval.")
	}
	roles := r.approvers(it)
	role := ""
	for _, rl := range roles {
		if r.Holds(a, rl) {
			role = rl
			break
		}
	}
	if role == "" {
		return nil, "", r.Plan.notYourRole(roles)
	}
	if SameActor(a, it.RequestedBy) {
		return nil, "", refuse(CodeSelfApproval, "Usted solicitó esta aprobación: debe aprobarla otra persona con el rol %s.",
			"You requested this approval: another person holding %s must approve it.", r.Plan.roleNames(roles, "es"))
	}
	if it.expired(now) {
		return nil, "", refuse(CodeExpired, "La solicitud venció a las %s: debe solicitarse de nuevo.", "The request expired at %s: request it again.", hhmm(it.Expires))
	}
	return it, role, nil
}

func (r *Run) approve(c Approve, now time.Time) ([]Event, error) {
	it, role, err := r.approvable(c.Who, c.Step, now)
	if err != nil {
		return nil, err
	}
	granted := newEvent(c.Who, now, EventApprovalGranted, ApprovalDecision{Step: it.Key, Role: role})
	if it.Scheduled {
		return []Event{granted, newEvent(c.Who, now, EventStepScheduled, StepEvent{Step: it.Key})}, nil
	}
	if it.Step.Kind == KindAction || it.Step.Kind == KindCheck {
		return []Event{granted, r.queue(c.Who, it, nil, now)}, nil
	}
	return []Event{granted, newEvent(c.Who, now, EventStepCompleted, StepEvent{Step: it.Key})}, nil
}

// schedule authorises action and check steps for automatic restore. Every
// step must be one the actor may run, of kind action or check, pending,
// and past the assessment and the priorities; its own dependencies may
// still be open: that is the point.
func (r *Run) schedule(a Actor, keys []string, now time.Time) ([]Event, error) {
	if len(keys) == 0 {
		return nil, refuse(CodeInvalid, "No hay pasos para ejecutar automáticamente.", "There are no steps to run automatically.")
	}
	var evs []Event
	for _, key := range keys {
		it, err := r.owned(a, key)
		if err != nil {
			return nil, err
		}
		if it.Step.Kind != KindAction && it.Step.Kind != KindCheck {
			return nil, refuse(CodeInvalid, "«%s» no es una acción ni una prueba.", "%q is not an action or a check.", it.Step.Title.In("es"))
		}
		if err := r.finishedOrBusy(it); err != nil {
			return nil, err
		}
		if it.Status != StatusPending {
			return nil, refuse(CodeWrongState, "«%s» ya está %s.", "%q is already %s.", it.Step.Title.In("es"), statusText(it.Status, "es"))
		}
		for _, o := range r.Items {
			if !o.Status.Finished() && (o.Phase == PhaseAssessing && it.Phase != PhaseAssessing || o.Step.Priorities && it.Phase != PhaseAssessing) {
				return nil, refuse(CodeBlocked, "Primero debe terminar «%s».", "First %q must finish.", o.Step.Title.In("es"))
			}
		}
		if len(r.approvers(it)) > 0 {
			req := ApprovalRequested{Step: it.Key, Roles: r.approvers(it), Scheduled: true}
			if w := r.Plan.ApprovalWindow.D(); w > 0 {
				req.Expires = now.Add(w)
			}
			evs = append(evs, newEvent(a, now, EventApprovalRequested, req))
			continue
		}
		evs = append(evs, newEvent(a, now, EventStepScheduled, StepEvent{Step: it.Key}))
	}
	return evs, nil
}

func (r *Run) skip(c SkipStep, now time.Time) ([]Event, error) {
	it, err := r.owned(c.Who, c.Step)
	if err != nil {
		return nil, err
	}
	if it.Status.Finished() || it.Status == StatusRunning {
		return nil, r.finishedOrBusy(it)
	}
	if it.Step.Priorities {
		return nil, refuse(CodeInvalid, "Las prioridades no se pueden omitir: confírmelas.", "Priorities cannot be skipped: confirm them.")
	}
	reason := strings.TrimSpace(c.Reason)
	if reason == "" && !it.Step.Optional {
		return nil, refuse(CodeInvalid, "Indique el motivo para omitir este paso.", "Give the reason for skipping this step.")
	}
	if reason == "" {
		reason = "no requerido"
	}
	return []Event{newEvent(c.Who, now, EventStepSkipped, StepSkipped{Step: it.Key, Reason: reason})}, nil
}

func (r *Run) actionReport(c Command, now time.Time) ([]Event, error) {
	key := stepOf(c)
	it, ok := r.index[key]
	if !ok {
		return nil, refuse(CodeNotFound, "El paso %q no está en la lista de esta contingencia.", "Step %q is not on this contingency's checklist.", key)
	}
	_, starting := c.(ActionStarted)
	if it.Status != StatusRunning && !(starting && it.Status == StatusScheduled) {
		return nil, nil // a late or repeated report: the step moved on
	}
	ev := ActionEvent{Step: key, Action: it.Step.Action, Target: target(it), JobID: it.JobID}
	switch c := c.(type) {
	case ActionStarted:
		ev.Attempt, ev.JobID, ev.Message = c.Attempt, c.JobID, c.Message
		return []Event{newEvent(System, now, EventActionStarted, ev)}, nil
	case ActionProgress:
		if c.Percent < 0 || c.Percent > 100 {
			return nil, refuse(CodeInvalid, "Progreso fuera de rango: %d.", "Progress out of range: %d.", c.Percent)
		}
		ev.Percent, ev.Message = c.Percent, c.Message
		return []Event{newEvent(System, now, EventActionProgress, ev)}, nil
	case ActionFinished:
		ev.Attempt, ev.Message, ev.Duration, ev.Facts = c.Attempt, c.Message, c.DurationMS, c.Facts
		if c.OK {
			return []Event{newEvent(System, now, EventActionSucceeded, ev)}, nil
		}
		ev.Error = cmpOr(c.Error, "falló sin detalle")
		return []Event{newEvent(System, now, EventActionFailed, ev)}, nil
	}
	return nil, nil
}

func (r *Run) unfinished() int {
	n := 0
	for _, it := range r.Items {
		if !it.Status.Finished() {
			n++
		}
	}
	return n
}

// targetName names an item's target for people.
func targetName(p *Plan, it *Item, lang string) string {
	switch {
	case it.Service != "":
		if s, ok := p.Service(it.Service); ok {
			return s.Name.In(lang)
		}
		return it.Service
	case it.Server != "":
		return it.Server
	}
	if lang == "en" {
		return "whole run"
	}
	return "toda la contingencia"
}

// statusText names a status for people.
func statusText(s Status, lang string) string {
	es := map[Status]string{StatusPending: "pendiente", StatusInProgress: "en curso", StatusAwaitingApproval: "esperando aprobación",
		StatusRunning: "ejecutándose", StatusScheduled: "programado", StatusDone: "hecho", StatusFailed: "fallido", StatusSkipped: "omitido"}
	if lang == "en" {
		return strings.ReplaceAll(string(s), "_", " ")
	}
	return es[s]
}

// pagedFor reports whether the actor was paged for role (an escalation
// reaches people who do not hold it).
func (r *Run) pagedFor(a Actor, role string) bool {
	for _, pg := range r.Pages {
		if pg.Role == role && (pg.UserID != "" && pg.UserID == a.UserID || pg.Person == a.Name) {
			return true
		}
	}
	return false
}

// Ready reports whether an item can be worked on now: nothing it waits for
// is open.
func (r *Run) Ready(it *Item) bool {
	return r.Ended == "" && !it.Status.Finished() && r.gate(it) == nil
}
