package export

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/contingencia/contingencia/plan"
)

// writeMarkdown renders the report as Markdown: title, facts, milestones
// and the event table.
func writeMarkdown(_ context.Context, w *bufio.Writer, sum *Summary, r *report, rows func(func(plan.Event) error) error) error {
	fmt.Fprintf(w, "# %s\n\n", mdEscape(r.title()))
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	for _, f := range r.facts() {
		v := mdEscape(f.value)
		if f.alert {
			v = "**" + v + "**"
		}
		fmt.Fprintf(w, "| %s | %s |\n", mdEscape(f.label), v)
	}
	for _, warn := range r.warnings() {
		fmt.Fprintf(w, "\n> %s\n", mdEscape(warn))
	}
	fmt.Fprintf(w, "\n## %s\n\n", r.t("services"))
	if len(sum.Services) == 0 {
		fmt.Fprintf(w, "%s\n", r.t("chart.empty"))
	} else {
		mdRow(w, mdEscapeAll(r.milestoneHeader()))
		mdRule(w, len(r.milestoneHeader()))
		for _, m := range sum.Services {
			mdRow(w, mdEscapeAll(r.milestoneRow(m)))
		}
	}
	if r.hasRPO() {
		fmt.Fprintf(w, "\n## %s\n\n", r.t("rpo"))
		mdRow(w, mdEscapeAll(r.rpoHeader()))
		mdRule(w, len(r.rpoHeader()))
		for _, m := range sum.Services {
			mdRow(w, mdEscapeAll(r.rpoRow(m)))
		}
	}
	fmt.Fprintf(w, "\n## %s\n\n", r.t("timeline"))
	mdRow(w, mdEscapeAll(r.eventHeader()))
	mdRule(w, len(r.eventHeader()))
	cells := make([]string, 5)
	err := rows(func(e plan.Event) error {
		cells[0], cells[1], cells[2], cells[3], cells[4] = fmt.Sprint(e.Seq), fmtTime(e.At), mdEscape(string(e.Type)), mdEscape(actor(e.Actor)), mdEscape(r.detail(e))
		mdRow(w, cells)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n---\n%s\n", mdEscape(r.t("footer")))
	return nil
}

// mdRow writes a table row of cells already escaped.
func mdRow(w *bufio.Writer, cells []string) {
	w.WriteString("|")
	for _, c := range cells {
		w.WriteByte(' ')
		w.WriteString(c)
		w.WriteString(" |")
	}
	w.WriteByte('\n')
}

func mdRule(w *bufio.Writer, n int) {
	w.WriteString("|")
	for range n {
		w.WriteString("---|")
	}
	w.WriteByte('\n')
}

// mdEscaper keeps cell text from breaking the table or turning into
// markup: pipes, newlines and the characters Markdown gives meaning to.
var mdEscaper = strings.NewReplacer(
	"|", `\|`, "\r\n", "<br>", "\n", "<br>", "\r", " ", `\`, `\\`, "*", `\*`, "_", `\_`,
	"`", "\\`", "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`,
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

func mdEscapeAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdEscape(c)
	}
	return out
}
