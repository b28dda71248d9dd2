package mattermost

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
)

// Attachment colours: the header, approval requests, and rows by status.
const (
	colorHeader   = "#d24b4e"
	colorApproval = "#f0ad4e"
	colorDone     = "#3db887"
	colorFailed   = "#d24b4e"
	colorActive   = "#2389d7"
	colorPending  = "#8a8a8a"
)

var iconColors = map[string]string{
	"✅": colorDone, "⏭️": colorDone, "❌": colorFailed, "⏳": colorApproval, "⚙️": colorActive, "🔄": colorActive, "⬜": colorPending,
}

// renderer turns the bot's platform-neutral parts into Mattermost posts.
type renderer struct {
	sign      signer
	actionURL string
}

// post renders a part as a post of the bot in channel. The whole content
// lives in the message attachments and the message stays empty: an
// update that leaves the message alone is allowed even when the server
// sets ServiceSettings.PostEditTimeLimit.
func (rd renderer) post(channel string, p bot.Part, lang string) *model.Post {
	if p.Title == "" && len(p.Rows) == 0 && len(p.Buttons) == 0 {
		// A notice: plain text, with the mentions in the message so that
		// they notify.
		return &model.Post{ChannelId: channel, Message: strings.TrimSpace(mentions(p.Mentions) + "\n" + markdown(p.Text))}
	}
	var atts []*model.MessageAttachment
	first := &model.MessageAttachment{Fallback: p.Title, Title: p.Title, Text: markdown(p.Text), Color: colorHeader}
	if strings.HasPrefix(p.Key, "approval/") {
		first.Color = colorApproval
	} else if p.Key != "header" {
		first.Color = ""
	}
	first.Actions = rd.actions(p.Buttons, channel, lang)
	atts = append(atts, first)
	for _, r := range p.Rows {
		atts = append(atts, &model.MessageAttachment{
			Fallback: r.Icon + " " + r.Title,
			Color:    iconColors[r.Icon],
			Text:     rowText(r),
			Actions:  rd.actions(r.Buttons, channel, lang),
		})
	}
	post := &model.Post{ChannelId: channel, Message: mentions(p.Mentions)}
	post.AddProp(model.PostPropsAttachments, atts)
	return post
}

func rowText(r bot.Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s **%s** · %s · _%s_", r.Icon, r.Title, r.Owner, r.Status)
	if r.Detail != "" {
		b.WriteString("\n" + markdown(r.Detail))
	}
	return b.String()
}

// actions renders buttons.
func (rd renderer) actions(bs []bot.Button, channel, lang string) []*model.PostAction {
	var out []*model.PostAction
	for _, b := range bs {
		out = append(out, &model.PostAction{
			Id:    actionID(b.Value),
			Type:  model.PostActionTypeButton,
			Name:  b.Label,
			Style: style(b.Style),
			Integration: &model.PostActionIntegration{
				URL:     rd.actionURL,
				Context: rd.sign.sign(contextFor(b, channel, lang)),
			},
		})
	}
	return out
}

// Bounds of the texts a button context carries into its dialog.
const (
	maxContextLabel = 150
	maxContextText  = 3000
)

func contextFor(b bot.Button, channel, lang string) buttonContext {
	c := buttonContext{Run: b.Value.RunID, Step: b.Value.Step, Action: b.Value.String(), Channel: channel, Lang: lang,
		Label: fit(b.Label, maxContextLabel)}
	if b.Confirm != nil {
		c.Mode, c.Title, c.Text, c.OK = modeConfirm, fit(b.Confirm.Title, model.DialogTitleMaxLength), fit(b.Confirm.Text, maxContextText),
			fit(b.Confirm.OK, maxContextLabel)
	}
	if b.NeedsReason {
		c.Mode = modeReason
	}
	return c
}

func style(s string) string {
	switch s {
	case "primary", "danger":
		return s
	}
	return "default"
}

// ephemeralAttachments renders a reply's buttons (e.g. the confirmation
// of `cerrar`) for the slash-command response.
func (rd renderer) ephemeralAttachments(bs []bot.Button, channel, lang string) []*model.MessageAttachment {
	if len(bs) == 0 {
		return nil
	}
	return []*model.MessageAttachment{{Actions: rd.actions(bs, channel, lang)}}
}

// actionID names a button by what it does, kind and step, never by its
// position: a click reaches the server as post id + action id and the
// server looks the action up in the post as it is now, so a positional id
// would turn a late second click on "Start" into whatever button took its
// place after the update ("Done"). Ids are letters and digits only (the
// server does not find actions whose id has '-' or '_').
func actionID(v bot.ButtonValue) string {
	sum := sha256.Sum256([]byte(v.Step))
	return string(v.Kind) + hex.EncodeToString(sum[:6])
}

var (
	bold  = regexp.MustCompile(`(^|[^*\p{L}\p{N}])\*([^*\n]+?)\*($|[^*\p{L}\p{N}])`)
	fence = regexp.MustCompile("(?s)```(.*?)```")
)

// markdown turns the bot's chat markup (Slack style: *bold*, ```code```
// inline) into Mattermost Markdown (**bold**, fenced code blocks).
func markdown(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range fence.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(boldMarkup(s[last:m[0]]))
		code := strings.Trim(s[m[2]:m[3]], "\n")
		if m[0] > 0 && s[m[0]-1] != '\n' {
			b.WriteString("\n")
		}
		b.WriteString("```\n" + code + "\n```")
		last = m[1]
		if last < len(s) && s[last] != '\n' {
			b.WriteString("\n") // a closing fence ends its line
		}
	}
	b.WriteString(boldMarkup(s[last:]))
	return b.String()
}

func boldMarkup(s string) string {
	// Two passes: a match consumes the character after it, which may be
	// where the next bold begins.
	for range 2 {
		s = bold.ReplaceAllString(s, "$1**$2**$3")
	}
	return s
}

// fit shortens s to at most n bytes on a rune boundary (dialog titles
// and labels are limited in bytes).
func fit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
