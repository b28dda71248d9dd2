package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// DefaultMaxRows bounds the rows of one checklist part so that a message
// stays within every platform's limits (Block Kit: 50 blocks, two a row).
const DefaultMaxRows = 20

// Render turns a run into its view: the header, the checklist split by
// phase and service (at most maxRows rows a part), and one part per
// approval request.
func Render(r *plan.Run, lang string, now time.Time, maxRows int) View {
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	v := View{RunID: r.ID, Lang: lang}
	v.Parts = append(v.Parts, header(r, lang, now))
	v.Parts = append(v.Parts, checklist(r, lang, maxRows)...)
	for _, it := range r.Items {
		if !it.RequestedBy.IsZero() {
			v.Parts = append(v.Parts, approvalPart(r, it, lang))
		}
	}
	return v
}

func header(r *plan.Run, lang string, now time.Time) Part {
	p := r.Plan
	d := r.Declared
	kind := tr(lang, "Contingencia", "Contingency")
	if d.Drill {
		kind = tr(lang, "Simulacro", "Drill")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s:* %s\n", tr(lang, "Estado", "State"), stateName(r.State(), lang))
	fmt.Fprintf(&b, "*%s:* %s\n", tr(lang, "Servicios", "Services"), serviceNames(p, r.ServiceOrder(), lang))
	fmt.Fprintf(&b, "*%s:* %s\n", tr(lang, "Estrategia", "Strategy"), strategyName(d.Strategy, lang))
	fmt.Fprintf(&b, "*%s:* %s (%s)\n", tr(lang, "Líder", "Leader"), who(r, r.Leader), roleName(p, d.Leader, lang))
	elapsed := r.Elapsed(now)
	fmt.Fprintf(&b, "*%s:* %s", tr(lang, "Tiempo transcurrido", "Elapsed"), span(elapsed))
	if rto := tightestRTO(p, d.Services); rto > 0 {
		fmt.Fprintf(&b, " / RTO %s", span(rto))
		if elapsed > rto && r.Ended == "" {
			b.WriteString(" ⚠️")
		}
	}
	b.WriteString("\n")
	if d.Assessment != "" {
		fmt.Fprintf(&b, "*%s:* %s\n", tr(lang, "Evaluación de daños", "Damage assessment"), d.Assessment)
	}
	if line := pagingLine(r, lang); line != "" {
		fmt.Fprintf(&b, "*%s:* %s\n", tr(lang, "Avisos", "Pages"), line)
	}
	done, total := progress(r.Items)
	fmt.Fprintf(&b, "*%s:* %d/%d", tr(lang, "Avance", "Progress"), done, total)
	var buttons []Button
	if keys := AutoRestoreSteps(r); r.Ended == "" && r.PrioritiesConfirmed() && len(keys) > 0 {
		buttons = append(buttons, Button{Label: tr(lang, "⚡ Restaurar automáticamente (%d pasos)", "⚡ Restore automatically (%d steps)", len(keys)),
			Value: ButtonValue{RunID: r.ID, Kind: ButtonAuto, Step: string(plan.PhaseRestoring), Seq: r.Seq},
			Confirm: &Confirm{Title: tr(lang, "¿Restaurar automáticamente?", "Restore automatically?"),
				Text: tr(lang, "Las %d acciones y pruebas pendientes de la restauración se ejecutan solas en orden de prioridad, en paralelo donde las dependencias lo permiten. Las que el plan exige aprobar esperan su aprobación.",
					"The %d pending restore actions and checks run by themselves in priority order, in parallel where dependencies allow. Those the plan requires to be approved wait for their approval.", len(keys)),
				OK: tr(lang, "Restaurar", "Restore"), Cancel: tr(lang, "Cancelar", "Cancel")}})
	}
	if keys := ScheduledApprovals(r); r.Ended == "" && len(keys) > 0 {
		buttons = append(buttons, Button{Label: tr(lang, "Aprobar la restauración automática (%d)", "Approve automatic restore (%d)", len(keys)),
			Style: "primary", Value: ButtonValue{RunID: r.ID, Kind: ButtonApproveAll, Seq: r.Seq},
			Confirm: &Confirm{Title: tr(lang, "¿Aprobar %d pasos?", "Approve %d steps?", len(keys)),
				Text: tr(lang, "Cada aprobación queda registrada a su nombre; debe aprobar otra persona que quien las solicitó.",
					"Each approval is recorded in your name; someone other than the requester must approve."),
				OK: tr(lang, "Aprobar", "Approve"), Cancel: tr(lang, "Cancelar", "Cancel")}})
	}
	if r.Ended == "" && r.AllFinished() {
		buttons = append(buttons, Button{Label: tr(lang, "Cerrar contingencia", "Close contingency"), Style: "primary",
			Value: ButtonValue{RunID: r.ID, Kind: ButtonClose, Seq: r.Seq},
			Confirm: &Confirm{Title: tr(lang, "¿Cerrar la contingencia?", "Close the contingency?"),
				Text: tr(lang, "Los servicios quedan en producción y el incidente se da por finalizado.", "Services stay in production and the incident is closed."),
				OK:   tr(lang, "Cerrar", "Close"), Cancel: tr(lang, "Cancelar", "Cancel")}})
	}
	return Part{Key: "header", Title: fmt.Sprintf("🚨 %s %s · %s", kind, r.ID, p.Title.In(lang)), Text: b.String(), Buttons: buttons, Pin: true}
}

// AutoRestoreSteps lists the pending action and check steps of the
// restoring phase, in checklist (priority) order: what automatic restore
// schedules.
func AutoRestoreSteps(r *plan.Run) []string {
	var keys []string
	for _, it := range r.Items {
		if it.Phase == plan.PhaseRestoring && it.Status == plan.StatusPending &&
			(it.Step.Kind == plan.KindAction || it.Step.Kind == plan.KindCheck) {
			keys = append(keys, it.Key)
		}
	}
	return keys
}

// ScheduledApprovals lists the steps of automatic restore waiting for
// approval.
func ScheduledApprovals(r *plan.Run) []string {
	var keys []string
	for _, it := range r.Items {
		if it.Status == plan.StatusAwaitingApproval && it.Scheduled {
			keys = append(keys, it.Key)
		}
	}
	return keys
}

func pagingLine(r *plan.Run, lang string) string {
	var parts []string
	for _, pg := range r.Pages {
		mark := "📟"
		if pg.Acknowledged {
			mark = "✅"
		} else if len(pg.Failures) > 0 {
			mark = "⚠️"
		}
		if pg.Level > 0 {
			mark += "⤴"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", mark, pg.Person, roleName(r.Plan, pg.Role, lang)))
	}
	return strings.Join(parts, ", ")
}

func progress(items []*plan.Item) (done, total int) {
	for _, it := range items {
		if it.Status.Finished() {
			done++
		}
	}
	return done, len(items)
}

func tightestRTO(p *plan.Plan, services []string) time.Duration {
	var min time.Duration
	for _, id := range services {
		if s, ok := p.Service(id); ok && s.RTO > 0 && (min == 0 || s.RTO.D() < min) {
			min = s.RTO.D()
		}
	}
	return min
}

func serviceNames(p *plan.Plan, ids []string, lang string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = serviceName(p, id, lang)
	}
	return strings.Join(names, ", ")
}

func serviceName(p *plan.Plan, id, lang string) string {
	if s, ok := p.Service(id); ok {
		return s.Name.In(lang)
	}
	return id
}

func roleName(p *plan.Plan, id, lang string) string {
	if rl, ok := p.Role(id); ok {
		return rl.Name.In(lang)
	}
	return id
}

// partKey groups an item: assessing and testing steps each in one part,
// restoring steps by the service they restore (global ones apart).
func partKey(it *plan.Item) (key string, service string) {
	switch {
	case it.Phase == plan.PhaseRestoring && len(it.Services) > 0 && (it.Service != "" || it.Server != ""):
		return "restoring/" + it.Services[0], it.Services[0]
	default:
		return string(it.Phase), ""
	}
}

func checklist(r *plan.Run, lang string, maxRows int) []Part {
	var parts []Part
	var cur *Part
	chunk := 0
	for _, it := range r.Items {
		key, svc := partKey(it)
		base := cur != nil && strings.SplitN(cur.Key, "#", 2)[0] == key
		if !base || len(cur.Rows) >= maxRows {
			if base {
				chunk++
			} else {
				chunk = 1
			}
			title := phaseName(it.Phase, lang)
			if svc != "" {
				title += " · " + serviceName(r.Plan, svc, lang)
			}
			k := key
			if chunk > 1 {
				k = fmt.Sprintf("%s#%d", key, chunk)
				title += fmt.Sprintf(" (%d)", chunk)
			}
			parts = append(parts, Part{Key: k, Title: strings.ToUpper(title[:1]) + title[1:]})
			cur = &parts[len(parts)-1]
		}
		cur.Rows = append(cur.Rows, row(r, it, lang))
	}
	return parts
}

func row(r *plan.Run, it *plan.Item, lang string) Row {
	title := it.Step.Title.In(lang)
	switch {
	case it.Server != "":
		title += " · " + it.Server
	case it.Service != "":
		title += " · " + serviceName(r.Plan, it.Service, lang)
	}
	rw := Row{Key: it.Key, Icon: statusIcons[it.Status], Title: title, Owner: roleName(r.Plan, it.Step.Owner, lang), Status: statusName(it.Status, lang)}
	rw.Detail = detail(r, it, lang)
	if r.Ended == "" {
		rw.Buttons = buttons(r, it, lang)
	}
	return rw
}

func detail(r *plan.Run, it *plan.Item, lang string) string {
	switch it.Status {
	case plan.StatusPending:
		if it.Step.Priorities && !r.PrioritiesConfirmed() {
			return tr(lang, "Orden propuesto: %s", "Proposed order: %s", serviceNames(r.Plan, r.ServiceOrder(), lang))
		}
		if it.Reason != "" {
			return tr(lang, "Rechazado: %s", "Rejected: %s", it.Reason)
		}
		return ""
	case plan.StatusInProgress:
		return tr(lang, "%s desde las %s", "%s since %s", who(r, it.By), clock(it.At))
	case plan.StatusAwaitingApproval:
		return tr(lang, "solicitado por %s a las %s", "requested by %s at %s", who(r, it.RequestedBy), clock(it.RequestedAt))
	case plan.StatusRunning:
		s := tr(lang, "intento %d", "attempt %d", max(it.Attempts, 1))
		if it.Percent > 0 {
			s += fmt.Sprintf(" · %d%%", it.Percent)
		}
		if it.Message != "" {
			s += " · " + it.Message
		}
		return s
	case plan.StatusDone:
		doer := it.By
		if !it.ApprovedBy.IsZero() && !it.RequestedBy.IsZero() {
			// The approval queued the action: the step is still the
			// requester's, and naming the approver twice would read as
			// self-approval.
			doer = it.RequestedBy
		}
		s := tr(lang, "%s a las %s", "%s at %s", who(r, doer), clock(it.At))
		if it.Step.Priorities {
			s += " · " + serviceNames(r.Plan, r.ServiceOrder(), lang)
		}
		if !it.ApprovedBy.IsZero() {
			s += tr(lang, " · aprobado por %s", " · approved by %s", who(r, it.ApprovedBy))
		}
		if it.Message != "" {
			s += " · " + it.Message
		}
		return s
	case plan.StatusFailed:
		return tr(lang, "%s · %s", "%s · %s", clock(it.At), it.Reason)
	case plan.StatusSkipped:
		return tr(lang, "%s a las %s: %s", "%s at %s: %s", who(r, it.By), clock(it.At), it.Reason)
	}
	return ""
}

func buttons(r *plan.Run, it *plan.Item, lang string) []Button {
	// The item's own version, not the run's: other steps' events leave
	// this row's buttons (and its message) unchanged.
	val := func(k ButtonKind) ButtonValue {
		return ButtonValue{RunID: r.ID, Kind: k, Step: it.Key, Seq: it.Version}
	}
	skip := Button{Label: tr(lang, "Omitir", "Skip"), Value: val(ButtonSkip), NeedsReason: !it.Step.Optional}
	kind := it.Step.Kind
	switch it.Status {
	case plan.StatusPending, plan.StatusInProgress:
		if it.Step.Priorities {
			return []Button{{Label: tr(lang, "Confirmar prioridades", "Confirm priorities"), Style: "primary", Value: val(ButtonPriorities)}}
		}
		var bs []Button
		if kind == plan.KindManual && it.Status == plan.StatusPending {
			bs = append(bs, Button{Label: tr(lang, "Iniciar", "Start"), Value: val(ButtonStart)})
		}
		switch kind {
		case plan.KindManual, plan.KindApproval:
			label := tr(lang, "Hecho", "Done")
			if len(it.Step.Approval) > 0 || kind == plan.KindApproval {
				label = tr(lang, "Solicitar aprobación", "Request approval")
			}
			bs = append(bs, Button{Label: label, Style: "primary", Value: val(ButtonDone)})
		case plan.KindAction, plan.KindCheck:
			b := Button{Label: tr(lang, "Ejecutar", "Run"), Style: "primary", Value: val(ButtonRun)}
			if it.Step.Confirm {
				b.Confirm = runConfirm(r, it, lang)
			}
			bs = append(bs, b)
		}
		return append(bs, skip)
	case plan.StatusRunning:
		return []Button{{Label: tr(lang, "Cancelar", "Cancel"), Style: "danger", Value: val(ButtonCancel),
			Confirm: &Confirm{Title: tr(lang, "¿Cancelar la acción?", "Cancel the action?"), Text: it.Step.Title.In(lang),
				OK: tr(lang, "Cancelar acción", "Cancel action"), Cancel: tr(lang, "Volver", "Back")}}}
	case plan.StatusFailed:
		b := Button{Label: tr(lang, "Reintentar", "Retry"), Style: "primary", Value: val(ButtonRetry)}
		if it.Step.Confirm {
			b.Confirm = runConfirm(r, it, lang)
		}
		return []Button{b, skip}
	}
	return nil
}

func runConfirm(r *plan.Run, it *plan.Item, lang string) *Confirm {
	target := it.Server
	if target == "" {
		target = serviceName(r.Plan, it.Service, lang)
	}
	text := tr(lang, "Se ejecutará «%s» sobre %s.", "This runs %q on %s.", it.Step.Title.In(lang), target)
	if len(it.Step.Approval) > 0 {
		text += tr(lang, " Requiere la aprobación de %s.", " It needs approval from %s.", roleList(r.Plan, it.Step.Approval, lang))
	}
	if r.Declared.Drill {
		text += tr(lang, " Simulacro: solo se usa el destino aislado del plan.", " Drill: only the plan's isolated target is used.")
	}
	return &Confirm{Title: tr(lang, "¿Confirmar?", "Confirm?"), Text: text, OK: tr(lang, "Ejecutar", "Run"), Cancel: tr(lang, "Cancelar", "Cancel")}
}

func roleList(p *plan.Plan, ids []string, lang string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = roleName(p, id, lang)
	}
	return strings.Join(names, tr(lang, " o ", " or "))
}

func approvalPart(r *plan.Run, it *plan.Item, lang string) Part {
	approvers := it.Step.Approval
	if len(approvers) == 0 {
		approvers = r.Plan.Leaders
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · %s\n", it.Step.Title.In(lang), targetLabel(r, it, lang))
	b.WriteString(tr(lang, "Solicitado por %s a las %s. Aprueba: %s (otra persona).", "Requested by %s at %s. Approver: %s (another person).",
		who(r, it.RequestedBy), clock(it.RequestedAt), roleList(r.Plan, approvers, lang)))
	if !it.Expires.IsZero() && it.Status == plan.StatusAwaitingApproval {
		b.WriteString(tr(lang, " Vence a las %s.", " Expires at %s.", clock(it.Expires)))
	}
	if it.Preflight != "" {
		fmt.Fprintf(&b, "\n```%s```", it.Preflight)
	}
	var bs []Button
	switch {
	case it.Status == plan.StatusAwaitingApproval && r.Ended == "":
		val := func(k ButtonKind) ButtonValue {
			return ButtonValue{RunID: r.ID, Kind: k, Step: it.Key, Seq: it.Version}
		}
		bs = []Button{
			{Label: tr(lang, "Aprobar", "Approve"), Style: "primary", Value: val(ButtonApprove),
				Confirm: &Confirm{Title: tr(lang, "¿Aprobar?", "Approve?"), Text: it.Step.Title.In(lang) + " · " + targetLabel(r, it, lang),
					OK: tr(lang, "Aprobar", "Approve"), Cancel: tr(lang, "Cancelar", "Cancel")}},
			{Label: tr(lang, "Rechazar", "Reject"), Style: "danger", Value: val(ButtonReject), NeedsReason: true},
		}
	case !it.ApprovedBy.IsZero():
		b.WriteString("\n✅ " + tr(lang, "Aprobado por %s a las %s", "Approved by %s at %s", who(r, it.ApprovedBy), clock(it.ApprovedAt)))
	case it.Status == plan.StatusPending && it.Reason != "":
		b.WriteString("\n❌ " + tr(lang, "Rechazado por %s a las %s: %s", "Rejected by %s at %s: %s", who(r, it.By), clock(it.At), it.Reason))
	}
	return Part{Key: "approval/" + it.Key, Title: "⏳ " + tr(lang, "Solicitud de aprobación", "Approval request"), Text: b.String(), Buttons: bs}
}

func targetLabel(r *plan.Run, it *plan.Item, lang string) string {
	if it.Server != "" {
		return it.Server
	}
	if it.Service != "" {
		return serviceName(r.Plan, it.Service, lang)
	}
	return tr(lang, "toda la contingencia", "whole run")
}

// serviceProgress counts finished and total items per service, for the
// status summary.
func serviceProgress(r *plan.Run) map[string][2]int {
	out := map[string][2]int{}
	for _, it := range r.Items {
		for _, s := range it.Services {
			if it.Service == "" && it.Server == "" {
				continue
			}
			c := out[s]
			c[1]++
			if it.Status.Finished() {
				c[0]++
			}
			out[s] = c // a shared server counts for every service that needs it
		}
	}
	return out
}

// who names an actor as the plan knows them (a Mattermost username or a
// Slack display name becomes the person's name), or as the platform said.
func who(r *plan.Run, a plan.Actor) string {
	for _, rl := range r.Plan.Roles {
		for _, pp := range r.Holders(rl.ID) {
			if pp.Identifies(a) {
				return pp.Name
			}
		}
	}
	return a.Name
}
