package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/contingencia/contingencia/plan"
)

func (b *Bot) cmdStatus(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	return b.withRun(ctx, o, in, lang, func(runID string) (Reply, error) {
		var text string
		err := b.read(ctx, runID, func(r *plan.Run) error {
			text = StatusText(r, lang, b.cfg.Now())
			return nil
		})
		return Reply{RunID: runID, Text: text}, err
	})
}

// StatusText is the `estado` summary: phase, per-service progress against
// its RTO, who is on what, and who was paged.
func StatusText(r *plan.Run, lang string, now time.Time) string {
	p := r.Plan
	var b strings.Builder
	kind := tr(lang, "Contingencia", "Contingency")
	if r.Declared.Drill {
		kind = tr(lang, "Simulacro", "Drill")
	}
	elapsed := r.Elapsed(now)
	fmt.Fprintf(&b, "*%s %s* · %s · %s %s\n", kind, r.ID, stateName(r.State(), lang), tr(lang, "transcurrido", "elapsed"), span(elapsed))
	prog := serviceProgress(r)
	for _, id := range r.ServiceOrder() {
		s, _ := p.Service(id)
		c := prog[id]
		line := fmt.Sprintf("• %s: %d/%d", serviceName(p, id, lang), c[0], c[1])
		if s != nil && s.RTO > 0 {
			mark := "🟢"
			if elapsed > s.RTO.D() {
				mark = "🔴"
			} else if elapsed > s.RTO.D()*3/4 {
				mark = "🟠"
			}
			line += fmt.Sprintf(" · RTO %s %s", span(s.RTO.D()), mark)
		}
		b.WriteString(line + "\n")
	}
	var active []string
	for _, it := range r.Items {
		switch it.Status {
		case plan.StatusInProgress, plan.StatusRunning, plan.StatusAwaitingApproval, plan.StatusFailed:
			name := who(r, it.By)
			if name == "" {
				name = roleName(p, it.Step.Owner, lang)
			}
			active = append(active, fmt.Sprintf("• %s %s · %s (%s)", statusIcons[it.Status], row(r, it, lang).Title, name, statusName(it.Status, lang)))
		}
	}
	if len(active) > 0 {
		b.WriteString("*" + tr(lang, "En curso", "In progress") + "*\n" + strings.Join(active, "\n") + "\n")
	} else if next := nextOpen(r); next != nil {
		b.WriteString(tr(lang, "*Siguiente:* %s (%s)\n", "*Next:* %s (%s)\n", row(r, next, lang).Title, roleName(p, next.Step.Owner, lang)))
	}
	if line := pagingLine(r, lang); line != "" {
		b.WriteString("*" + tr(lang, "Avisos", "Pages") + ":* " + line + "\n")
	}
	if n := len(r.Notes); n > 0 {
		last := r.Notes[n-1]
		b.WriteString(tr(lang, "*Última nota* (%s, %s): %s\n", "*Last note* (%s, %s): %s\n", last.By.Name, clock(last.At), last.Text))
	}
	return strings.TrimRight(b.String(), "\n")
}

func nextOpen(r *plan.Run) *plan.Item {
	for _, it := range r.Items {
		if !it.Status.Finished() {
			return it
		}
	}
	return nil
}

func (b *Bot) cmdPlan(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	p := b.cfg.Plan
	var s strings.Builder
	fmt.Fprintf(&s, "*%s* (%s)\n", p.Title.In(lang), p.Document)
	for _, id := range p.DefaultOrder(allServices(p)) {
		svc, _ := p.Service(id)
		fmt.Fprintf(&s, "%d. %s (`%s`) · RTO %s · RPO %s · %d %s\n", svc.Priority, svc.Name.In(lang), svc.ID, svc.RTO, svc.RPO,
			len(p.ServersOf(id)), tr(lang, "servidores", "servers"))
	}
	s.WriteString("*" + tr(lang, "Equipo", "Team") + "*\n")
	for _, rl := range p.Roles {
		names := make([]string, len(rl.People))
		for i, pp := range rl.People {
			names[i] = pp.Name
		}
		fmt.Fprintf(&s, "• %s (`%s`, %s): %s\n", rl.Name.In(lang), rl.ID, rl.Unit, strings.Join(names, ", "))
	}
	return Reply{Text: strings.TrimRight(s.String(), "\n")}, nil
}

func (b *Bot) cmdHelp(ctx context.Context, o Origin, in Intent, lang string) (Reply, error) {
	text := HelpText(lang)
	if in.Unknown != "" {
		text = tr(lang, "No entiendo «%s».\n", "I do not understand %q.\n", in.Unknown) + text
	}
	return Reply{Text: text, Refused: in.Unknown != ""}, nil
}

// HelpText lists the commands.
func HelpText(lang string) string {
	if lang == "en" {
		return strings.Join([]string{
			"*/contingencia* commands:",
			"• `activate [service…]` declare a contingency (opens the form)",
			"• `drill [service…]` start a drill on the isolated target",
			"• `status [CONT-…]` phase, progress per service, who is on what",
			"• `priorities service…` reorder the affected services (leader)",
			"• `note TEXT` add a note to the timeline",
			"• `assign ROLE @user` hand a role over for this run (leader)",
			"• `export [csv|json|md|html|pdf]` upload the timeline",
			"• `close` put in production and close (after the tests)",
			"• `abort REASON` end a run that should not go on (leader)",
			"• `backups` check the plan's backups (§8.1)",
			"• `plan` services, priorities and team",
			"• `help` this text",
		}, "\n")
	}
	return strings.Join([]string{
		"Órdenes de */contingencia*:",
		"• `activar [servicio…]` declara una contingencia (abre el formulario)",
		"• `simulacro [servicio…]` inicia un simulacro sobre el destino aislado",
		"• `estado [CONT-…]` fase, avance por servicio, quién hace qué",
		"• `prioridades servicio…` reordena los servicios afectados (líder)",
		"• `nota TEXTO` agrega una nota a la línea de tiempo",
		"• `asignar ROL @usuario` entrega un rol en esta contingencia (líder)",
		"• `exportar [csv|json|md|html|pdf]` sube la línea de tiempo",
		"• `cerrar` pone en producción y cierra (tras las pruebas)",
		"• `abortar MOTIVO` termina una contingencia que no debe seguir (líder)",
		"• `respaldos` verifica los respaldos del plan (§8.1)",
		"• `plan` servicios, prioridades y equipo",
		"• `ayuda` este texto",
	}, "\n")
}
