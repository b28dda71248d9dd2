package export

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/contingencia/contingencia/plan"
)

const htmlStyle = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#212121}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}table.facts th{width:16rem}td.mono,code{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.alert{color:#c62828;font-weight:bold}.met{color:#2e7d32;font-weight:bold}.missed{color:#c62828;font-weight:bold}
.warn{background:#fff3e0;border-left:4px solid #ef6c00;padding:.5rem 1rem}footer{margin-top:2rem;color:#666;font-size:.8rem}
svg text{font-family:system-ui,sans-serif}`

// writeHTML renders the report as one self-contained HTML page.
func writeHTML(_ context.Context, w *bufio.Writer, sum *Summary, r *report, rows func(func(plan.Event) error) error) error {
	esc := html.EscapeString
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\"/>\n", r.lang)
	fmt.Fprintf(w, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n", esc(r.title()), htmlStyle)
	fmt.Fprintf(w, "<h1>%s</h1>\n<table class=\"facts\">\n", esc(r.title()))
	for _, f := range r.facts() {
		class := ""
		if f.alert {
			class = ` class="alert"`
		}
		fmt.Fprintf(w, "<tr><th>%s</th><td%s>%s</td></tr>\n", esc(f.label), class, esc(f.value))
	}
	w.WriteString("</table>\n")
	for _, warn := range r.warnings() {
		fmt.Fprintf(w, "<p class=\"warn\">%s</p>\n", esc(warn))
	}

	fmt.Fprintf(w, "<h2>%s</h2>\n", esc(r.t("chart")))
	if len(sum.Services) == 0 {
		fmt.Fprintf(w, "<p>%s</p>\n", esc(r.t("chart.empty")))
	} else {
		writeSVG(w, newChart(sum), r)
		fmt.Fprintf(w, "<p><small>%s</small></p>\n", esc(r.t("chart.legend")))
	}

	serviceTable(w, r.t("services"), r.milestoneHeader(), sum.Services, r.milestoneRow, func(m Milestones) RTOStatus { return m.Status })
	if r.hasRPO() {
		serviceTable(w, r.t("rpo"), r.rpoHeader(), sum.Services, r.rpoRow, func(m Milestones) RTOStatus { return m.RPOStatus })
	}

	fmt.Fprintf(w, "<h2>%s</h2>\n<table class=\"events\">\n<tr>", esc(r.t("timeline")))
	for _, h := range append(r.eventHeader(), r.t("col.hash")) {
		fmt.Fprintf(w, "<th>%s</th>", esc(h))
	}
	w.WriteString("</tr>\n")
	err := rows(func(e plan.Event) error {
		w.WriteString("<tr id=\"e")
		w.WriteString(strconv.FormatInt(e.Seq, 10))
		w.WriteString("\"><td>")
		w.WriteString(strconv.FormatInt(e.Seq, 10))
		w.WriteString("</td><td>")
		w.WriteString(fmtTime(e.At))
		w.WriteString("</td><td><code>")
		w.WriteString(esc(string(e.Type)))
		w.WriteString("</code></td><td>")
		w.WriteString(esc(actor(e.Actor)))
		w.WriteString("</td><td class=\"mono\">")
		w.WriteString(esc(r.detail(e)))
		w.WriteString("</td><td class=\"mono\">")
		w.WriteString(esc(e.Hash))
		_, err := w.WriteString("</td></tr>\n")
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "</table>\n<footer>%s</footer>\n</body>\n</html>\n", esc(r.t("footer")))
	return nil
}

// writeSVG draws the chart inline: one row per service.
func writeSVG(w *bufio.Writer, c chart, r *report) {
	const (
		labelW = 240.0
		plotW  = 640.0
		rowH   = 34.0
		top    = 10.0
	)
	height := top + rowH*float64(len(c.rows)) + 30
	width := labelW + plotW + 20
	x := func(f float64) float64 { return labelW + f*plotW }
	f2 := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	esc := html.EscapeString
	fmt.Fprintf(w, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" role=\"img\" aria-label=\"%s\">\n",
		f2(width), f2(height), f2(width), f2(height), esc(r.t("chart")))
	axisY := top + rowH*float64(len(c.rows))
	for _, t := range c.ticks {
		fmt.Fprintf(w, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#e0e0e0\"/>\n", f2(x(t.at)), f2(top), f2(x(t.at)), f2(axisY))
		fmt.Fprintf(w, "<text x=\"%s\" y=\"%s\" font-size=\"11\" text-anchor=\"middle\" fill=\"#616161\">%s</text>\n", f2(x(t.at)), f2(axisY+16), esc(t.label))
	}
	for i, row := range c.rows {
		y := top + rowH*float64(i)
		mid := y + rowH/2
		red, green, blue := row.color()
		fmt.Fprintf(w, "<g class=\"service\" data-service=\"%s\">\n", esc(row.m.Service))
		fmt.Fprintf(w, "<text x=\"0\" y=\"%s\" font-size=\"12\">%s</text>\n", f2(mid+4), esc(truncateRunes(row.label, 34)))
		if row.barTo > row.barFrom {
			fmt.Fprintf(w, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"12\" rx=\"2\" fill=\"rgb(%d,%d,%d)\" fill-opacity=\"%s\"><title>%s: %s → %s (%s)</title></rect>\n",
				f2(x(row.barFrom)), f2(mid-6), f2((row.barTo-row.barFrom)*plotW), red, green, blue, map[bool]string{true: "0.9", false: "0.45"}[row.restored],
				esc(row.m.Name), esc(r.when(row.m.Declared)), esc(r.when(row.m.Restored)), esc(r.status(row.m.Status)))
		}
		if row.rto >= 0 {
			fmt.Fprintf(w, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#424242\" stroke-dasharray=\"4 3\"><title>%s %s</title></line>\n",
				f2(x(row.rto)), f2(y+3), f2(x(row.rto)), f2(y+rowH-3), esc(r.t("rto.target")), esc(fmtDur(row.m.RTO)))
		}
		if row.started >= 0 {
			px := x(row.started)
			fmt.Fprintf(w, "<path d=\"M%s %sL%s %sL%s %sZ\" fill=\"#1565c0\"><title>%s %s</title></path>\n",
				f2(px), f2(mid-11), f2(px-5), f2(mid-3), f2(px+5), f2(mid-3), esc(r.t("restore.start")), esc(r.when(row.m.RestoreStarted)))
		}
		if row.done >= 0 {
			fmt.Fprintf(w, "<circle cx=\"%s\" cy=\"%s\" r=\"5\" fill=\"#fff\" stroke=\"rgb(%d,%d,%d)\" stroke-width=\"2\"><title>%s %s</title></circle>\n",
				f2(x(row.done)), f2(mid), red, green, blue, esc(r.t("restored")), esc(r.when(row.m.Restored)))
		}
		if row.verified >= 0 {
			px := x(row.verified)
			fmt.Fprintf(w, "<path d=\"M%s %sL%s %sL%s %sL%s %sZ\" fill=\"#6a1b9a\"><title>%s %s</title></path>\n",
				f2(px), f2(mid+3), f2(px+5), f2(mid+8), f2(px), f2(mid+13), f2(px-5), f2(mid+8), esc(r.t("verified")), esc(r.when(row.m.Verified)))
		}
		w.WriteString("</g>\n")
	}
	w.WriteString("</svg>\n")
}

// truncateRunes shortens s to n runes, marking the cut with "…".
func truncateRunes(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// serviceTable writes a table with a row per service; the last cell, the
// result, is coloured when met or missed.
func serviceTable(w *bufio.Writer, title string, header []string, services []Milestones, row func(Milestones) []string, status func(Milestones) RTOStatus) {
	esc := html.EscapeString
	fmt.Fprintf(w, "<h2>%s</h2>\n<table class=\"services\">\n<tr>", esc(title))
	for _, h := range header {
		fmt.Fprintf(w, "<th>%s</th>", esc(h))
	}
	w.WriteString("</tr>\n")
	for _, m := range services {
		w.WriteString("<tr>")
		cells := row(m)
		for i, c := range cells {
			class := ""
			if st := status(m); i == len(cells)-1 && (st == RTOMet || st == RTOMissed) {
				class = ` class="` + string(st) + `"`
			}
			fmt.Fprintf(w, "<td%s>%s</td>", class, esc(c))
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</table>\n")
}
