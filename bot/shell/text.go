package shell

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/contingencia/contingencia/bot"
)

// ANSI styles, used only when Config.Color is set.
const (
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiReset = "\x1b[0m"
)

type style struct{ color bool }

func (st style) wrap(code, s string) string {
	if !st.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

var (
	boldPattern = regexp.MustCompile(`\*([^*\n]+)\*`)
	codePattern = regexp.MustCompile("`([^`\n]+)`")
)

// markdown turns the message model's Markdown-ish text into terminal text:
// *bold* is bold (or plain), code fences and backticks are dropped.
func (st style) markdown(text string) string {
	text = strings.ReplaceAll(text, "```", "\n")
	text = boldPattern.ReplaceAllStringFunc(text, func(m string) string { return st.wrap(ansiBold, m[1:len(m)-1]) })
	return codePattern.ReplaceAllString(text, "$1")
}

// button renders a numbered button: [3] Ejecutar.
func (st style) button(num int, b bot.Button) string {
	s := fmt.Sprintf("[%d] %s", num, b.Label)
	switch b.Style {
	case "primary":
		return st.wrap(ansiGreen, s)
	case "danger":
		return st.wrap(ansiRed, s)
	}
	return st.wrap(ansiCyan, s)
}

// rendered is a part as text, kept per message so that an update prints
// only what changed.
type rendered struct {
	title   string
	text    []string
	rowKeys []string
	rows    map[string]string
	buttons string
}

// render lays a part out as text, numbering its buttons in frame f.
func (st style) render(p bot.Part, f *frame, pinned bool) rendered {
	out := rendered{rows: map[string]string{}}
	if p.Title != "" {
		out.title = "── " + st.wrap(ansiBold, p.Title)
		if pinned {
			out.title += " 📌"
		}
	}
	text := st.markdown(p.Text)
	if len(p.Mentions) > 0 {
		names := make([]string, len(p.Mentions))
		for i, m := range p.Mentions {
			names[i] = st.wrap(ansiBold, "@"+m.Name)
		}
		text = strings.Join(names, " ") + " " + text
	}
	for line := range strings.SplitSeq(strings.TrimRight(text, "\n"), "\n") {
		if strings.TrimSpace(line) != "" {
			out.text = append(out.text, line)
		}
	}
	for _, r := range p.Rows {
		out.rowKeys = append(out.rowKeys, r.Key)
		out.rows[r.Key] = st.row(r, f)
	}
	where := p.Title
	if strings.HasPrefix(p.Key, "approval/") && len(out.text) > 0 {
		where += ": " + out.text[0] // which approval
	}
	out.buttons = st.buttons(p.Buttons, where, f)
	return out
}

// row renders one checklist line: icon title · owner · detail  [n] buttons.
func (st style) row(r bot.Row, f *frame) string {
	icon := r.Icon
	if icon == "" {
		icon = "·"
	}
	fields := []string{r.Title}
	if r.Owner != "" {
		fields = append(fields, st.wrap(ansiDim, r.Owner))
	}
	if r.Detail != "" {
		fields = append(fields, r.Detail)
	}
	line := "  " + icon + " " + strings.Join(fields, " · ")
	if bs := st.buttons(r.Buttons, r.Title, f); bs != "" {
		line += "  " + bs
	}
	return line
}

func (st style) buttons(bs []bot.Button, where string, f *frame) string {
	labels := make([]string, len(bs))
	for i, b := range bs {
		labels[i] = st.button(f.number(b, where), b)
	}
	return strings.Join(labels, "  ")
}

// full is the whole part, as posted.
func (r rendered) full() []string {
	var lines []string
	if r.title != "" {
		lines = append(lines, r.title)
	}
	for _, l := range r.text {
		lines = append(lines, "   "+l)
	}
	for _, k := range r.rowKeys {
		lines = append(lines, r.rows[k])
	}
	if r.buttons != "" {
		lines = append(lines, "   "+r.buttons)
	}
	return lines
}

// changes is what an update prints: the part's title, then only the text
// lines, rows and buttons that differ from what was shown before. It is
// empty when nothing visible changed.
func (r rendered) changes(before rendered, marker string) []string {
	var lines []string
	seen := map[string]int{}
	for _, l := range before.text {
		seen[l]++
	}
	for _, l := range r.text {
		if seen[l] > 0 {
			seen[l]--
			continue
		}
		lines = append(lines, "   "+l)
	}
	for _, k := range r.rowKeys {
		if before.rows[k] != r.rows[k] {
			lines = append(lines, r.rows[k])
		}
	}
	if r.buttons != before.buttons && r.buttons != "" {
		lines = append(lines, "   "+r.buttons)
	}
	if len(lines) == 0 && r.title == before.title {
		return nil
	}
	title := r.title
	if title == "" {
		title = "──"
	}
	return append([]string{marker + " " + strings.TrimPrefix(title, "── ")}, lines...)
}
