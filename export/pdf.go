package export

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/contingencia/contingencia/plan"
)

// A4 landscape, in points.
const (
	pdfW      = 841.89
	pdfH      = 595.28
	pdfMargin = 36.0
	pdfBottom = pdfH - pdfMargin - 14 // the footer sits below
	pdfWidth  = pdfW - 2*pdfMargin
)

// pdfDoc wraps gopdf with the cursor, the page footer and error keeping,
// so that drawing code reads top to bottom.
type pdfDoc struct {
	pdf   *gopdf.GoPdf
	r     *report
	y     float64
	page  int
	err   error
	monoW float64 // advance of one Go Mono glyph at monoSize
}

const monoSize = 7.0

// writePDF renders the report as a PDF: facts, milestones, the chart and
// the event table (at most Options.MaxPDFEvents events).
func writePDF(_ context.Context, w *bufio.Writer, sum *Summary, r *report, rows func(func(plan.Event) error) error) error {
	d := &pdfDoc{pdf: &gopdf.GoPdf{}, r: r}
	d.pdf.Start(gopdf.Config{Unit: gopdf.UnitPT, PageSize: gopdf.Rect{W: pdfW, H: pdfH}})
	d.pdf.SetInfo(gopdf.PdfInfo{
		Title: r.title(), Subject: sum.RunID + " " + sum.Head, Creator: "contingencia",
		Producer: "contingencia", CreationDate: sum.GeneratedAt,
	})
	for _, f := range []struct {
		name string
		ttf  []byte
	}{{"regular", goregular.TTF}, {"bold", gobold.TTF}, {"mono", gomono.TTF}} {
		// A glyph the Go fonts lack (emoji, CJK) prints as "?" rather than vanishing.
		opt := gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return '?' }}
		if err := d.pdf.AddTTFFontDataWithOption(f.name, f.ttf, opt); err != nil {
			return fmt.Errorf("loading font %s: %w", f.name, err)
		}
	}
	d.newPage()
	d.font("mono", monoSize)
	if mw, err := d.pdf.MeasureTextWidth("M"); err == nil && mw > 0 {
		d.monoW = mw
	} else {
		d.monoW = monoSize * 0.6
	}

	d.font("bold", 16)
	d.text(pdfMargin, r.title())
	d.y += 24
	d.facts()
	d.services(sum)
	d.chart(sum)
	if err := d.events(sum, rows); err != nil {
		return err
	}
	if d.err != nil {
		return fmt.Errorf("drawing the PDF: %w", d.err)
	}
	if err := d.pdf.Write(w); err != nil {
		return fmt.Errorf("writing the PDF: %w", err)
	}
	return nil
}

func (d *pdfDoc) keep(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}

func (d *pdfDoc) font(family string, size float64) {
	d.keep(d.pdf.SetFont(family, "", size))
}

func (d *pdfDoc) color(r, g, b uint8) { d.pdf.SetTextColor(r, g, b) }

// text writes s with its top-left corner at (x, d.y).
func (d *pdfDoc) text(x float64, s string) {
	if s == "" {
		return
	}
	d.pdf.SetXY(x, d.y)
	d.keep(d.pdf.Cell(nil, s))
}

// newPage starts a page with its footer: run id, head hash, page number.
func (d *pdfDoc) newPage() {
	d.pdf.AddPage()
	d.page++
	d.y = pdfH - pdfMargin
	d.font("regular", 7)
	d.color(0x75, 0x75, 0x75)
	d.text(pdfMargin, fmt.Sprintf("%s · %s · %s %d", d.r.sum.RunID, d.r.sum.Head, d.r.t("page"), d.page))
	d.color(0, 0, 0)
	d.y = pdfMargin
}

// need starts a new page unless h points fit below the cursor.
func (d *pdfDoc) need(h float64) {
	if d.y+h > pdfBottom {
		d.newPage()
	}
}

func (d *pdfDoc) heading(s string) {
	d.need(60)
	d.y += 10
	d.font("bold", 12)
	d.text(pdfMargin, s)
	d.y += 18
}

func (d *pdfDoc) facts() {
	for _, f := range d.r.facts() {
		d.need(12)
		d.font("bold", 9)
		d.text(pdfMargin, f.label)
		d.font("regular", 9)
		if f.alert {
			d.color(0xc6, 0x28, 0x28)
		}
		for i, line := range d.wrap(f.value, pdfWidth-200) {
			if i > 0 {
				d.y += 11
			}
			d.text(pdfMargin+200, line)
		}
		d.color(0, 0, 0)
		d.y += 12
	}
	for _, warn := range d.r.warnings() {
		d.font("regular", 9)
		d.color(0xef, 0x6c, 0x00)
		for _, line := range d.wrap(warn, pdfWidth) {
			d.need(12)
			d.text(pdfMargin, line)
			d.y += 11
		}
		d.color(0, 0, 0)
	}
}

// wrap splits s into lines no wider than width in the current font.
func (d *pdfDoc) wrap(s string, width float64) []string {
	lines, err := d.pdf.SplitTextWithWordWrap(s, width)
	if err != nil || len(lines) == 0 {
		return []string{s}
	}
	return lines
}

var pdfServiceCols = []float64{170, 40, 85, 85, 85, 85, 65, 70, 85}

func (d *pdfDoc) services(sum *Summary) {
	d.heading(d.r.t("services"))
	if len(sum.Services) == 0 {
		d.font("regular", 9)
		d.text(pdfMargin, d.r.t("chart.empty"))
		d.y += 12
		return
	}
	d.font("bold", 7.5)
	d.row(pdfServiceCols, d.r.milestoneHeader(), 10, nil)
	d.font("regular", 7.5)
	for _, m := range sum.Services {
		d.row(pdfServiceCols, d.r.milestoneRow(m), 10, statusColor(m.Status))
	}
	if !d.r.hasRPO() {
		return
	}
	d.heading(d.r.t("rpo"))
	d.font("bold", 7.5)
	d.row(pdfRPOCols, d.r.rpoHeader(), 10, nil)
	d.font("regular", 7.5)
	for _, m := range sum.Services {
		d.row(pdfRPOCols, d.r.rpoRow(m), 10, statusColor(m.RPOStatus))
	}
}

var pdfRPOCols = []float64{170, 70, 95, 130, 95}

// statusColor is the colour of a met or missed result (nil: black).
func statusColor(s RTOStatus) *[3]uint8 {
	switch s {
	case RTOMet:
		return &[3]uint8{0x2e, 0x7d, 0x32}
	case RTOMissed:
		return &[3]uint8{0xc6, 0x28, 0x28}
	}
	return nil
}

// row writes one line of a table, each cell cut to its column; the last
// cell takes color when not nil.
func (d *pdfDoc) row(cols []float64, cells []string, h float64, last *[3]uint8) {
	d.need(h + 2)
	x := pdfMargin
	for i, c := range cells {
		if i == len(cells)-1 && last != nil {
			d.color(last[0], last[1], last[2])
		}
		d.text(x, d.fit(c, cols[i]-4))
		x += cols[i]
	}
	d.color(0, 0, 0)
	d.y += h + 2
}

// fit cuts s to width in the current font, marking the cut with "…".
func (d *pdfDoc) fit(s string, width float64) string {
	if w, err := d.pdf.MeasureTextWidth(s); err != nil || w <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 1 {
		rs = rs[:len(rs)-1]
		if w, err := d.pdf.MeasureTextWidth(string(rs) + "…"); err == nil && w <= width {
			break
		}
	}
	return string(rs) + "…"
}

func (d *pdfDoc) chart(sum *Summary) {
	if len(sum.Services) == 0 {
		return
	}
	c := newChart(sum)
	const labelW, rowH = 190.0, 22.0
	plotW := pdfWidth - labelW - 10
	d.heading(d.r.t("chart"))
	d.need(rowH*float64(len(c.rows)) + 40)
	top := d.y
	x := func(f float64) float64 { return pdfMargin + labelW + f*plotW }
	axisY := top + rowH*float64(len(c.rows))
	d.pdf.SetLineWidth(0.5)
	d.pdf.SetStrokeColor(0xe0, 0xe0, 0xe0)
	d.font("regular", 7)
	d.color(0x61, 0x61, 0x61)
	for _, t := range c.ticks {
		d.pdf.Line(x(t.at), top, x(t.at), axisY)
		d.y = axisY + 3
		d.text(x(t.at)-12, t.label)
	}
	d.color(0, 0, 0)
	for i, row := range c.rows {
		y := top + rowH*float64(i)
		mid := y + rowH/2
		red, green, blue := row.color()
		d.font("regular", 8)
		d.y = mid - 5
		d.text(pdfMargin, d.fit(row.label, labelW-8))
		if row.barTo > row.barFrom {
			d.pdf.SetFillColor(red, green, blue)
			if !row.restored {
				d.pdf.SetFillColor(mix(red), mix(green), mix(blue))
			}
			d.pdf.RectFromUpperLeftWithStyle(x(row.barFrom), mid-4, (row.barTo-row.barFrom)*plotW, 8, "F")
		}
		if row.rto >= 0 {
			d.pdf.SetStrokeColor(0x42, 0x42, 0x42)
			d.pdf.SetLineType("dashed")
			d.pdf.Line(x(row.rto), y+2, x(row.rto), y+rowH-2)
			d.pdf.SetLineType("solid")
		}
		if row.started >= 0 {
			px := x(row.started)
			d.pdf.SetFillColor(0x15, 0x65, 0xc0)
			d.pdf.Polygon([]gopdf.Point{{X: px, Y: mid - 4}, {X: px - 4, Y: mid - 10}, {X: px + 4, Y: mid - 10}}, "F")
		}
		if row.done >= 0 {
			px := x(row.done)
			d.pdf.SetStrokeColor(red, green, blue)
			d.pdf.SetLineWidth(1.5)
			d.pdf.Oval(px-3.5, mid-3.5, px+3.5, mid+3.5)
			d.pdf.SetLineWidth(0.5)
		}
		if row.verified >= 0 {
			px := x(row.verified)
			d.pdf.SetFillColor(0x6a, 0x1b, 0x9a)
			d.pdf.Polygon([]gopdf.Point{{X: px, Y: mid + 4}, {X: px + 4, Y: mid + 8}, {X: px, Y: mid + 12}, {X: px - 4, Y: mid + 8}}, "F")
		}
	}
	d.y = axisY + 16
	d.font("regular", 7.5)
	for _, line := range d.wrap(d.r.t("chart.legend"), pdfWidth) {
		d.need(10)
		d.text(pdfMargin, line)
		d.y += 10
	}
}

// mix lightens a colour channel halfway to white.
func mix(c uint8) uint8 { return c + (255-c)/2 }

// events writes the event table in Go Mono: per event a line with seq,
// time, type and actor, up to three lines of detail, and its hash.
func (d *pdfDoc) events(sum *Summary, rows func(func(plan.Event) error) error) error {
	d.heading(d.r.t("timeline"))
	limit := int64(d.r.opts.MaxPDFEvents)
	if limit > 0 && sum.Events > limit {
		d.font("regular", 9)
		d.color(0xef, 0x6c, 0x00)
		for _, line := range d.wrap(fmt.Sprintf(d.r.t("pdf.truncated"), limit, sum.Events), pdfWidth) {
			d.text(pdfMargin, line)
			d.y += 11
		}
		d.color(0, 0, 0)
		d.y += 4
	}
	perLine := max(int((pdfWidth-40)/d.monoW), 40)
	const lineH = 8.5
	var n int64
	err := rows(func(e plan.Event) error {
		n++
		if limit > 0 && n > limit {
			return errStop
		}
		detail := wrapRunes(d.r.detail(e), perLine, 3)
		d.need(lineH * float64(2+len(detail)))
		d.font("mono", monoSize)
		d.text(pdfMargin, fmt.Sprintf("%7d  %s  %-22s %s", e.Seq, fmtTime(e.At), e.Type, actor(e.Actor)))
		d.y += lineH
		for _, l := range detail {
			d.text(pdfMargin+40, l)
			d.y += lineH
		}
		d.color(0x75, 0x75, 0x75)
		d.text(pdfMargin+40, "hash "+e.Hash)
		d.color(0, 0, 0)
		d.y += lineH + 2
		return nil
	})
	return err
}

// wrapRunes cuts s into at most maxLines lines of n runes, marking a cut
// with "…".
func wrapRunes(s string, n, maxLines int) []string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return nil
	}
	rs := []rune(s)
	var out []string
	for len(rs) > 0 && len(out) < maxLines {
		k := min(n, len(rs))
		out = append(out, string(rs[:k]))
		rs = rs[k:]
	}
	if len(rs) > 0 {
		last := []rune(out[len(out)-1])
		out[len(out)-1] = string(last[:len(last)-1]) + "…"
	}
	return out
}
