package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// report holds what the people formats (md, html, pdf) share: the language,
// the plan's step titles and the run facts as label/value pairs.
type report struct {
	lang   string
	opts   Options
	p      *plan.Plan
	sum    *Summary
	titles map[string]plan.Text // "procedure/step" → title
}

func newReport(p *plan.Plan, opts Options, sum *Summary) *report {
	r := &report{lang: opts.Lang, opts: opts, p: p, sum: sum, titles: map[string]plan.Text{}}
	if p != nil {
		for _, pr := range p.Procedures {
			for _, st := range pr.Steps {
				r.titles[pr.ID+"/"+st.ID] = st.Title
			}
		}
	}
	return r
}

func (r *report) t(id string) string { return tr(r.lang, id) }

// fact is one line of an export's header.
type fact struct {
	label, value string
	alert        bool
}

// title is the document's title.
func (r *report) title() string {
	if r.sum.Drill {
		return r.t("title.drill") + " " + r.sum.RunID
	}
	return r.t("title") + " " + r.sum.RunID
}

// facts lists the run facts every people format shows first.
func (r *report) facts() []fact {
	s := r.sum
	planName := s.PlanID
	if r.p != nil && r.p.ID == s.PlanID {
		planName = s.PlanID + " — " + r.p.Title.In(r.lang)
		if r.p.Document != "" {
			planName += " (" + r.p.Document + ")"
		}
	}
	yesNo := r.t("no")
	if s.Drill {
		yesNo = r.t("yes")
	}
	fs := []fact{
		{label: r.t("run"), value: s.RunID},
		{label: r.t("plan"), value: planName},
		{label: r.t("plan.hash"), value: s.PlanHash},
		{label: r.t("drill"), value: yesNo},
	}
	switch plan.Strategy(s.Strategy) {
	case plan.StrategyOVF:
		fs = append(fs, fact{label: r.t("strategy"), value: r.t("strategy.ovf")})
	case plan.StrategyLibrary:
		fs = append(fs, fact{label: r.t("strategy"), value: r.t("strategy.lib")})
	}
	state := r.t("state.open")
	if s.Ended != "" {
		state = r.t("state." + s.Ended)
	}
	fs = append(fs,
		fact{label: r.t("state"), value: state},
		fact{label: r.t("first"), value: fmtTime(s.FirstAt)},
		fact{label: r.t("last"), value: fmtTime(s.LastAt)},
		fact{label: r.t("events"), value: fmt.Sprint(s.Events)},
		fact{label: r.t("head"), value: s.Head},
		fact{label: r.t("chain"), value: r.chainText(), alert: s.ChainError != nil},
		fact{label: r.t("generated"), value: fmtTime(s.GeneratedAt)},
	)
	return fs
}

// warnings are the notes shown under the facts.
func (r *report) warnings() []string {
	var ws []string
	if r.sum.PlanMissing {
		ws = append(ws, r.t("plan.missing"))
	}
	if r.sum.PlanMismatch {
		ws = append(ws, fmt.Sprintf(r.t("plan.mismatch"), r.p.Hash))
	}
	return ws
}

func (r *report) chainText() string {
	b := r.sum.ChainError
	if b == nil {
		return r.t("chain.ok")
	}
	return fmt.Sprintf(r.t("chain.bad"), b.Seq, b.Type, fmtTime(b.At), b.Reason)
}

// actor renders who caused an event: name, platform and user id.
func actor(a plan.Actor) string {
	return fmt.Sprintf("%s (%s, %s)", a.Name, a.Platform, a.UserID)
}

// detail renders an event's payload for people: the step's title when the
// payload names a plan step, then the payload itself.
func (r *report) detail(e plan.Event) string {
	payload := strings.TrimSpace(string(e.Payload))
	if payload == "{}" || payload == "" {
		payload = ""
	}
	step := stepOf(e.Payload)
	if step == "" {
		return payload
	}
	proc, st, target, ok := plan.SplitItemKey(step)
	if !ok {
		return payload
	}
	title, ok := r.titles[proc+"/"+st]
	if !ok {
		return payload
	}
	label := title.In(r.lang)
	if target != "" {
		label += " [" + target + "]"
	}
	return label + " — " + payload
}

// stepOf returns the "step" field of a payload without decoding the rest.
func stepOf(payload []byte) string {
	const key = `"step":"`
	i := strings.Index(string(payload), key)
	if i < 0 {
		return ""
	}
	rest := payload[i+len(key):]
	j := strings.IndexByte(string(rest), '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// milestone cells.
func (r *report) when(t time.Time) string {
	if t.IsZero() {
		return r.t("none")
	}
	return fmtTime(t)
}

func (r *report) dur(d time.Duration, set bool) string {
	if !set {
		return r.t("none")
	}
	return fmtDur(d)
}

func (r *report) status(s RTOStatus) string {
	switch s {
	case RTOMet:
		return r.t("rto.met")
	case RTOMissed:
		return r.t("rto.missed")
	case RTOPending:
		return r.t("rto.pending")
	}
	return r.t("rto.unknown")
}

// milestoneRow is one service's line of the milestone table.
func (r *report) milestoneRow(m Milestones) []string {
	prio := r.t("none")
	if m.Priority > 0 {
		prio = fmt.Sprint(m.Priority)
	}
	return []string{
		m.Name + " (" + m.Service + ")", prio, r.when(m.Declared), r.when(m.RestoreStarted),
		r.when(m.Restored), r.when(m.Verified), r.dur(m.RTO, m.RTO > 0),
		r.dur(m.Achieved, !m.Restored.IsZero()), r.status(m.Status),
	}
}

func (r *report) milestoneHeader() []string {
	return []string{
		r.t("service"), r.t("priority"), r.t("declared"), r.t("restore.start"), r.t("restored"),
		r.t("verified"), r.t("rto.target"), r.t("rto.achieved"), r.t("rto.status"),
	}
}

// hasRPO says whether the RPO table has anything to show: a target or a
// restored data point for some service.
func (r *report) hasRPO() bool {
	for _, m := range r.sum.Services {
		if m.RPO > 0 || !m.DataAt.IsZero() {
			return true
		}
	}
	return false
}

func (r *report) rpoHeader() []string {
	return []string{r.t("service"), r.t("rpo.target"), r.t("rpo.data_at"), r.t("rpo.achieved"), r.t("rto.status")}
}

// rpoRow is one service's line of the RPO table.
func (r *report) rpoRow(m Milestones) []string {
	status := r.status(m.RPOStatus)
	if m.DataAt.IsZero() {
		status = r.t("rpo.no_data")
	}
	return []string{m.Name + " (" + m.Service + ")", r.dur(m.RPO, m.RPO > 0), r.when(m.DataAt),
		r.dur(m.DataLoss, !m.DataAt.IsZero()), status}
}

func (r *report) eventHeader() []string {
	return []string{r.t("col.seq"), r.t("col.at"), r.t("col.type"), r.t("col.actor"), r.t("col.detail")}
}

// fmtTime is how people formats show a time: UTC, to the second.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// fmtDur renders a duration as "1d 2h 3m 4s", leaving out zero parts.
func fmtDur(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	d = d.Round(time.Second)
	parts := []struct {
		unit string
		size time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for _, p := range parts {
		if n := d / p.size; n > 0 {
			if b.Len() > 0 && !(neg && b.Len() == 1) {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%d%s", n, p.unit)
			d -= n * p.size
		}
	}
	if b.Len() == 0 || (neg && b.Len() == 1) {
		b.WriteString("0s")
	}
	return b.String()
}
