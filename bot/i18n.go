package bot

import (
	"fmt"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// tr picks the Spanish or English text; Spanish is the default.
func tr(lang, es, en string, args ...any) string {
	if lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(es, args...)
}

var statusIcons = map[plan.Status]string{
	plan.StatusPending: "⬜", plan.StatusInProgress: "🔄", plan.StatusAwaitingApproval: "⏳",
	plan.StatusRunning: "⚙️", plan.StatusScheduled: "🕒", plan.StatusDone: "✅", plan.StatusFailed: "❌", plan.StatusSkipped: "⏭️",
}

func statusName(s plan.Status, lang string) string {
	switch s {
	case plan.StatusPending:
		return tr(lang, "pendiente", "pending")
	case plan.StatusInProgress:
		return tr(lang, "en curso", "in progress")
	case plan.StatusAwaitingApproval:
		return tr(lang, "esperando aprobación", "awaiting approval")
	case plan.StatusRunning:
		return tr(lang, "ejecutándose", "running")
	case plan.StatusScheduled:
		return tr(lang, "programado", "scheduled")
	case plan.StatusDone:
		return tr(lang, "hecho", "done")
	case plan.StatusFailed:
		return tr(lang, "falló", "failed")
	case plan.StatusSkipped:
		return tr(lang, "omitido", "skipped")
	}
	return string(s)
}

func stateName(s plan.RunState, lang string) string {
	switch s {
	case plan.StateDeclared:
		return tr(lang, "declarada", "declared")
	case plan.StateAssessing:
		return tr(lang, "evaluación de daños", "damage assessment")
	case plan.StateRestoring:
		return tr(lang, "restauración", "restoring")
	case plan.StateTesting:
		return tr(lang, "pruebas", "testing")
	case plan.StateClosed:
		return tr(lang, "cerrada", "closed")
	case plan.StateAborted:
		return tr(lang, "abortada", "aborted")
	}
	return string(s)
}

func phaseName(p plan.Phase, lang string) string { return stateName(plan.RunState(p), lang) }

func strategyName(s plan.Strategy, lang string) string {
	switch s {
	case plan.StrategyOVF:
		return tr(lang, "copias OVF/OVA a través del proveedor", "OVF/OVA copies through the provider")
	case plan.StrategyLibrary:
		return tr(lang, "rollback desde la librería de respaldos", "rollback from the backup library")
	}
	return string(s)
}

// clock formats a time for chat: HH:MM UTC.
func clock(t time.Time) string { return t.UTC().Format("15:04") + " UTC" }

// span formats a duration as 1h05m.
func span(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}
