package slack

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// Block Kit limits (docs.slack.dev, Block Kit reference). Rendering stays
// within them, truncating with a visible "…" instead of failing.
const (
	MaxBlocks        = 50   // blocks in a message
	MaxSectionText   = 3000 // characters of a section's text
	MaxHeaderText    = 150  // characters of a header
	MaxButtonText    = 75   // characters of a button's label
	MaxActions       = 25   // elements of an actions block
	maxConfirmTitle  = 100
	maxConfirmText   = 300
	maxConfirmButton = 30
	maxFallbackText  = 3000
)

// Action ids say what a button press asks of the adapter: a plain click,
// or a click that needs a reason typed first (skip, reject).
const (
	actionClick  = "click"
	actionReason = "reason"
)

// truncate cuts s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// escape makes text safe for mrkdwn: &, < and > are Slack's control
// characters (links, mentions, @channel), never meant by the bot's text.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// mentions names people the Slack way (<@U…>); people without a Slack
// id are named in plain text.
func mentions(people []plan.Person) string {
	var out []string
	for _, p := range people {
		if p.Slack != "" && slackID.MatchString(p.Slack) {
			out = append(out, "<@"+p.Slack+">")
		} else if p.Name != "" {
			out = append(out, escape(p.Name))
		}
	}
	return strings.Join(out, " ")
}

var slackID = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

func plain(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, n), true, false)
}

func mrkdwn(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(escape(s), n), false, false)
}

// PartBlocks renders one part of a run as Block Kit: a header, the part's
// text, a section per checklist row followed by its buttons, and the
// part's buttons last. A part longer than a message allows ends with a
// context block saying how many rows were left out.
func PartBlocks(p bot.Part, lang string) []slack.Block {
	var head, tail []slack.Block
	if p.Title != "" {
		head = append(head, slack.NewHeaderBlock(plain(p.Title, MaxHeaderText), slack.HeaderBlockOptionBlockID("title")))
	}
	if m := mentions(p.Mentions); m != "" || strings.TrimSpace(p.Text) != "" {
		// Mentions are Slack syntax, not text: they are not escaped.
		text := mrkdwn(p.Text, MaxSectionText-len(m)-1)
		text.Text = strings.TrimSpace(m + " " + text.Text)
		head = append(head, slack.NewSectionBlock(text, nil, nil, slack.SectionBlockOptionBlockID("text")))
	}
	if a := actions("part", p.Buttons); a != nil {
		tail = append(tail, a)
	}
	budget := MaxBlocks - len(head) - len(tail)
	var rows []slack.Block
	for i, r := range p.Rows {
		blocks := rowBlocks(i, r)
		if len(rows)+len(blocks) > budget-1 && i < len(p.Rows)-1 || len(rows)+len(blocks) > budget {
			left := len(p.Rows) - i
			msg := fmt.Sprintf("… %d filas más no caben en este mensaje: use `/contingencia estado`.", left)
			if lang == "en" {
				msg = fmt.Sprintf("… %d more rows do not fit in this message: use `/contingencia status`.", left)
			}
			rows = append(rows, slack.NewContextBlock("more", slack.NewTextBlockObject(slack.MarkdownType, msg, false, false)))
			break
		}
		rows = append(rows, blocks...)
	}
	out := append(head, rows...)
	return append(out, tail...)
}

func rowBlocks(i int, r bot.Row) []slack.Block {
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s*\n", r.Icon, escape(r.Title))
	line := []string{escape(r.Owner), "_" + escape(r.Status) + "_"}
	if r.Detail != "" {
		line = append(line, escape(r.Detail))
	}
	b.WriteString(strings.Join(line, " · "))
	text := slack.NewTextBlockObject(slack.MarkdownType, truncate(b.String(), MaxSectionText), false, false)
	out := []slack.Block{slack.NewSectionBlock(text, nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("row/%d", i)))}
	if a := actions(fmt.Sprintf("row/%d/actions", i), r.Buttons); a != nil {
		out = append(out, a)
	}
	return out
}

// actions renders buttons as one actions block (nil when there are none).
func actions(blockID string, buttons []bot.Button) *slack.ActionBlock {
	var els []slack.BlockElement
	for i, btn := range buttons {
		if len(els) == MaxActions {
			break
		}
		if e := button(i, btn); e != nil {
			els = append(els, e)
		}
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewActionBlock(blockID, els...)
}

func button(i int, btn bot.Button) *slack.ButtonBlockElement {
	value := btn.Value.String()
	if len(value) > bot.MaxButtonValue {
		return nil // the bot could not read it back
	}
	kind := actionClick
	if btn.NeedsReason {
		kind = actionReason
	}
	e := slack.NewButtonBlockElement(fmt.Sprintf("%s/%s/%d", kind, btn.Value.Kind, i), value, plain(btn.Label, MaxButtonText))
	switch btn.Style {
	case "primary":
		e.Style = slack.StylePrimary
	case "danger":
		e.Style = slack.StyleDanger
	}
	if c := btn.Confirm; c != nil {
		e.Confirm = slack.NewConfirmationBlockObject(plain(c.Title, maxConfirmTitle), plain(c.Text, maxConfirmText),
			plain(c.OK, maxConfirmButton), plain(c.Cancel, maxConfirmButton))
		if btn.Style == "danger" {
			e.Confirm.Style = slack.StyleDanger
		}
	}
	return e
}

// fallback is a part's notification text (shown where blocks are not).
func fallback(p bot.Part) string {
	s := p.Title
	if s == "" {
		s = p.Text
	}
	return truncate(s, maxFallbackText)
}

// ReplyBlocks renders an ephemeral reply: its text and its buttons.
func ReplyBlocks(r bot.Reply) []slack.Block {
	var out []slack.Block
	if strings.TrimSpace(r.Text) != "" {
		chunks := split(escape(r.Text), MaxSectionText)
		if len(chunks) > MaxBlocks-1 {
			chunks = chunks[:MaxBlocks-1]
			chunks[len(chunks)-1] = truncate(chunks[len(chunks)-1]+"…", MaxSectionText)
		}
		for i, c := range chunks {
			text := slack.NewTextBlockObject(slack.MarkdownType, c, false, false)
			out = append(out, slack.NewSectionBlock(text, nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("reply/%d", i))))
		}
	}
	if a := actions("reply/actions", r.Buttons); a != nil {
		out = append(out, a)
	}
	return out
}

// split cuts a long text into pieces of at most n characters, at line
// breaks when it can, so a long status reads on across sections.
func split(s string, n int) []string {
	var out []string
	for utf8.RuneCountInString(s) > n {
		r := []rune(s)
		cut := n
		if i := strings.LastIndex(string(r[:n]), "\n"); i > 0 {
			cut = utf8.RuneCountInString(string(r[:n])[:i])
		}
		out = append(out, string(r[:cut]))
		s = strings.TrimLeft(string(r[cut:]), "\n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// message is the JSON of a message in an HTTP response, a Socket Mode ack
// or a response_url post.
type message struct {
	ResponseType    string        `json:"response_type,omitempty"`
	ReplaceOriginal bool          `json:"replace_original,omitempty"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
}

func ephemeral(r bot.Reply) *message {
	return &message{ResponseType: "ephemeral", Text: truncate(r.Text, maxFallbackText), Blocks: ReplyBlocks(r)}
}
