package page

import (
	"fmt"
	"strings"

	"github.com/contingencia/contingencia/plan"
)

// Message is what a page says, whatever carries it.
type Message struct {
	RunID      string
	PlanTitle  string
	Role       string // role id paged for
	RoleName   string
	Person     plan.Person
	Level      int // 0 = the role's own people; n = escalation link n
	Services   []string
	Assessment string
	Drill      bool
	Link       string // the run's channel link, when the platform gives one
	Lang       string
}

// NewMessage builds the page of a person for a role of a run.
func NewMessage(r *plan.Run, role string, person plan.Person, level int, lang string) Message {
	m := Message{RunID: r.ID, PlanTitle: r.Plan.Title.In(lang), Role: role, RoleName: role, Person: person, Level: level,
		Assessment: r.Declared.Assessment, Drill: r.Declared.Drill, Lang: lang}
	if rl, ok := r.Plan.Role(role); ok {
		m.RoleName = rl.Name.In(lang)
	}
	for _, id := range r.ServiceOrder() {
		if s, ok := r.Plan.Service(id); ok {
			m.Services = append(m.Services, s.Name.In(lang))
		}
	}
	return m
}

func (m Message) tr(es, en string, args ...any) string {
	if m.Lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(es, args...)
}

// Subject is the one-line summary (e-mail subject, notification title).
func (m Message) Subject() string {
	kind := m.tr("CONTINGENCIA", "CONTINGENCY")
	if m.Drill {
		kind = m.tr("SIMULACRO", "DRILL")
	}
	s := m.tr("[%s %s] Se le necesita como %s", "[%s %s] You are needed as %s", kind, m.RunID, m.RoleName)
	if m.Level > 0 {
		s += m.tr(" (escalamiento)", " (escalation)")
	}
	return s
}

// Text is the body: what is happening, what is asked, where to go.
func (m Message) Text() string {
	var b strings.Builder
	b.WriteString(m.tr("Hola %s:\n\n", "Hello %s,\n\n", m.Person.Name))
	if m.Drill {
		b.WriteString(m.tr("Se inició el SIMULACRO %s del plan «%s».\n", "DRILL %s of the plan %q has started.\n", m.RunID, m.PlanTitle))
	} else {
		b.WriteString(m.tr("Se declaró la CONTINGENCIA %s del plan «%s».\n", "CONTINGENCY %s of the plan %q was declared.\n", m.RunID, m.PlanTitle))
	}
	b.WriteString(m.tr("Servicios afectados: %s.\n", "Affected services: %s.\n", strings.Join(m.Services, ", ")))
	if m.Assessment != "" {
		b.WriteString(m.tr("Evaluación de daños: %s\n", "Damage assessment: %s\n", m.Assessment))
	}
	if m.Level > 0 {
		b.WriteString(m.tr("Nadie con el rol %s confirmó a tiempo: se le escala a usted.\n", "Nobody holding %s acknowledged in time: this is escalated to you.\n", m.RoleName))
	} else {
		b.WriteString(m.tr("Se le necesita como %s.\n", "You are needed as %s.\n", m.RoleName))
	}
	if m.Link != "" {
		b.WriteString(m.tr("\nCanal de la contingencia: %s\n", "\nContingency channel: %s\n", m.Link))
	}
	b.WriteString(m.tr("\nConfirme la recepción con el botón «Confirmar» en el chat, o con `/contingencia estado %s`.\n",
		"\nAcknowledge with the \"Acknowledge\" button in chat, or with `/contingencia status %s`.\n", m.RunID))
	return b.String()
}
