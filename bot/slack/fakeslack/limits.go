package fakeslack

import (
	"encoding/json"
	"net/url"
	"unicode/utf8"
)

// Block Kit limits Slack enforces (docs.slack.dev, "Block Kit" reference):
// a message over them is refused with invalid_blocks.
const (
	maxMessageBlocks = 50
	maxModalBlocks   = 100
	maxSectionText   = 3000
	maxHeaderText    = 150
	maxActions       = 25
	maxContextElems  = 10
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxActionID      = 255
	maxConfirmTitle  = 100
	maxConfirmText   = 300
	maxConfirmButton = 30
	maxModalTitle    = 24
	maxMessageText   = 40000
)

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type     string   `json:"type"`
	Text     *textObj `json:"text"`
	Value    string   `json:"value"`
	ActionID string   `json:"action_id"`
	Confirm  *struct {
		Title   *textObj `json:"title"`
		Text    *textObj `json:"text"`
		Confirm *textObj `json:"confirm"`
		Deny    *textObj `json:"deny"`
	} `json:"confirm"`
}

type block struct {
	Type     string    `json:"type"`
	BlockID  string    `json:"block_id"`
	Text     *textObj  `json:"text"`
	Elements []element `json:"elements"`
}

// checkMessage validates a message's text and blocks as chat.postMessage
// does.
func checkMessage(p url.Values) (json.RawMessage, string) {
	raw := p.Get("blocks")
	if raw == "" {
		if p.Get("text") == "" {
			return nil, "no_text"
		}
		if utf8.RuneCountInString(p.Get("text")) > maxMessageText {
			return nil, "msg_too_long"
		}
		return nil, ""
	}
	var blocks []block
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return nil, "invalid_blocks_format"
	}
	if len(blocks) > maxMessageBlocks || !checkBlocks(blocks) {
		return nil, "invalid_blocks"
	}
	return json.RawMessage(raw), ""
}

func tooLong(t *textObj, n int) bool { return t != nil && utf8.RuneCountInString(t.Text) > n }

func checkBlocks(blocks []block) bool {
	ids := map[string]bool{}
	for _, b := range blocks {
		if b.BlockID != "" {
			if ids[b.BlockID] || len(b.BlockID) > 255 {
				return false
			}
			ids[b.BlockID] = true
		}
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" || tooLong(b.Text, maxHeaderText) {
				return false
			}
		case "section":
			if b.Text == nil || tooLong(b.Text, maxSectionText) {
				return false
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > maxContextElems {
				return false
			}
		case "actions":
			if len(b.Elements) == 0 || len(b.Elements) > maxActions || !checkElements(b.Elements) {
				return false
			}
		}
	}
	return true
}

func checkElements(els []element) bool {
	actionIDs := map[string]bool{}
	for _, e := range els {
		if e.ActionID != "" {
			if actionIDs[e.ActionID] || len(e.ActionID) > maxActionID {
				return false
			}
			actionIDs[e.ActionID] = true
		}
		if e.Type != "button" {
			continue
		}
		if e.Text == nil || e.Text.Type != "plain_text" || tooLong(e.Text, maxButtonText) || len(e.Value) > maxButtonValue {
			return false
		}
		if c := e.Confirm; c != nil {
			if c.Title == nil || c.Text == nil || c.Confirm == nil || c.Deny == nil || tooLong(c.Title, maxConfirmTitle) ||
				tooLong(c.Text, maxConfirmText) || tooLong(c.Confirm, maxConfirmButton) || tooLong(c.Deny, maxConfirmButton) {
				return false
			}
		}
	}
	return true
}

// checkModal validates a modal view as views.open does.
func checkModal(view map[string]any) string {
	title, _ := view["title"].(map[string]any)
	text, _ := title["text"].(string)
	if text == "" || utf8.RuneCountInString(text) > maxModalTitle {
		return "invalid_arguments"
	}
	raw, _ := json.Marshal(view["blocks"])
	var blocks []block
	if err := json.Unmarshal(raw, &blocks); err != nil || len(blocks) > maxModalBlocks || !checkBlocks(blocks) {
		return "invalid_arguments"
	}
	if pm, _ := view["private_metadata"].(string); len(pm) > 3000 {
		return "invalid_arguments"
	}
	return ""
}
