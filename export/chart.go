package export

import (
	"time"
)

// chart is the per-service timeline chart, as fractions of its time axis
// (0 = the earliest declaration, 1 = the end of the axis), shared by the
// SVG (html) and the PDF renderers.
type chart struct {
	start, end time.Time
	rows       []chartRow
	ticks      []chartTick
}

type chartRow struct {
	label string
	m     Milestones
	// bar spans from the declaration to the restoration (or to the end of
	// the axis when not restored yet); rto is where the target falls (-1
	// when unknown).
	barFrom, barTo float64
	restored       bool
	rto            float64
	// markers: restore started, restored, verified (-1 when not reached).
	started, done, verified float64
}

type chartTick struct {
	at    float64
	label string
}

// newChart lays out the chart of sum's services.
func newChart(sum *Summary) chart {
	c := chart{}
	if len(sum.Services) == 0 {
		return c
	}
	c.start = sum.Services[0].Declared
	c.end = sum.LastAt
	for _, m := range sum.Services {
		if m.Declared.Before(c.start) {
			c.start = m.Declared
		}
		for _, t := range []time.Time{m.RestoreStarted, m.Restored, m.Verified} {
			if t.After(c.end) {
				c.end = t
			}
		}
		if m.RTO > 0 && m.Declared.Add(m.RTO).After(c.end) {
			c.end = m.Declared.Add(m.RTO)
		}
	}
	span := c.end.Sub(c.start)
	if span < time.Minute {
		span = time.Minute
	}
	span += span / 20 // room on the right for the last marker
	c.end = c.start.Add(span)
	pos := func(t time.Time) float64 {
		if t.IsZero() {
			return -1
		}
		return float64(t.Sub(c.start)) / float64(span)
	}
	for _, m := range sum.Services {
		row := chartRow{
			label: m.Name, m: m, barFrom: pos(m.Declared), rto: -1,
			started: pos(m.RestoreStarted), done: pos(m.Restored), verified: pos(m.Verified),
			restored: !m.Restored.IsZero(),
		}
		row.barTo = row.done
		if !row.restored {
			row.barTo = pos(sum.LastAt)
		}
		if m.RTO > 0 {
			row.rto = pos(m.Declared.Add(m.RTO))
		}
		c.rows = append(c.rows, row)
	}
	step := tickStep(span)
	layout := "15:04"
	if span > 24*time.Hour {
		layout = "01-02 15:04"
	}
	for t := c.start.Truncate(step); !t.After(c.end); t = t.Add(step) {
		if t.Before(c.start) {
			continue
		}
		c.ticks = append(c.ticks, chartTick{at: pos(t), label: t.UTC().Format(layout)})
	}
	return c
}

// color is the bar's colour for a service's RTO status, as RGB.
func (r chartRow) color() (red, green, blue uint8) {
	switch r.m.Status {
	case RTOMet:
		return 0x2e, 0x7d, 0x32
	case RTOMissed:
		return 0xc6, 0x28, 0x28
	}
	return 0x9e, 0x9e, 0x9e
}

// tickStep is the round interval that puts at most six ticks on span.
func tickStep(span time.Duration) time.Duration {
	for _, step := range []time.Duration{
		time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	} {
		if span/step <= 6 {
			return step
		}
	}
	return 24 * time.Hour * (span/(24*time.Hour)/6 + 1)
}
