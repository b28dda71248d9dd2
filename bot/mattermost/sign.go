package mattermost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// signer makes and checks the MACs of button contexts and dialog states.
type signer struct{ key []byte }

// newSigner uses secret when given, else derives a key from both tokens:
// rotating either token then invalidates the buttons already posted (the
// publisher re-renders open runs on start, so they are replaced).
func newSigner(secret, botToken, commandToken string) signer {
	if secret != "" {
		return signer{key: []byte(secret)}
	}
	m := hmac.New(sha256.New, []byte("contingencia/mattermost/actions/v1"))
	m.Write([]byte(botToken))
	m.Write([]byte{0})
	m.Write([]byte(commandToken))
	return signer{key: m.Sum(nil)}
}

// mac is the HMAC-SHA256 of the fields, each length-prefixed so that no
// two different field lists encode alike.
func (s signer) mac(purpose string, fields ...string) string {
	m := hmac.New(sha256.New, s.key)
	var n [8]byte
	for _, f := range append([]string{purpose}, fields...) {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// verify compares in constant time.
func (s signer) verify(mac, purpose string, fields ...string) bool {
	got, err := hex.DecodeString(mac)
	if err != nil {
		return false
	}
	want, _ := hex.DecodeString(s.mac(purpose, fields...))
	return hmac.Equal(got, want)
}

// The keys of a button's integration context. Every value is a string;
// mac covers all the others in this order.
var contextKeys = []string{"run", "step", "action", "channel", "lang", "mode", "label", "title", "text", "ok"}

// Button modes: what a click does before the bot sees it.
const (
	modeDirect  = ""        // the click goes straight to the bot
	modeConfirm = "confirm" // a dialog shows the confirmation first
	modeReason  = "reason"  // a dialog asks for the reason first
)

// buttonContext is what a button carries back on a click.
type buttonContext struct {
	Run, Step, Action, Channel, Lang, Mode string
	// Label names the button; Title, Text and OK are its confirmation.
	Label, Title, Text, OK string
}

func (c buttonContext) values() []string {
	return []string{c.Run, c.Step, c.Action, c.Channel, c.Lang, c.Mode, c.Label, c.Title, c.Text, c.OK}
}

// sign returns the integration context of a button.
func (s signer) sign(c buttonContext) map[string]any {
	out := make(map[string]any, len(contextKeys)+1)
	vals := c.values()
	for i, k := range contextKeys {
		out[k] = vals[i]
	}
	out["mac"] = s.mac("button", vals...)
	return out
}

var errForged = errors.New("button context not signed by this bot")

// open checks a context Mattermost sent back: exactly the keys the bot
// writes, all strings, and a MAC that verifies.
func (s signer) open(ctx map[string]any) (buttonContext, error) {
	if len(ctx) != len(contextKeys)+1 {
		return buttonContext{}, errForged
	}
	str := func(k string) (string, bool) {
		v, ok := ctx[k].(string)
		return v, ok
	}
	vals := make([]string, len(contextKeys))
	for i, k := range contextKeys {
		v, ok := str(k)
		if !ok {
			return buttonContext{}, errForged
		}
		vals[i] = v
	}
	mac, ok := str("mac")
	if !ok || !s.verify(mac, "button", vals...) {
		return buttonContext{}, errForged
	}
	return buttonContext{Run: vals[0], Step: vals[1], Action: vals[2], Channel: vals[3], Lang: vals[4], Mode: vals[5],
		Label: vals[6], Title: vals[7], Text: vals[8], OK: vals[9]}, nil
}

// dialogState is what a dialog carries from its opening to its
// submission: who it was opened for, from where, and for what.
type dialogState struct {
	Kind     string `json:"k"` // "activate" or "click"
	UserID   string `json:"u"`
	UserName string `json:"n"`
	Channel  string `json:"c"`
	Lang     string `json:"l,omitempty"`
	Drill    bool   `json:"d,omitempty"`
	Action   string `json:"a,omitempty"`  // click: the button value
	Reason   bool   `json:"r,omitempty"`  // click: a reason is required
	Delivery string `json:"id,omitempty"` // the delivery that opened it
}

// seal encodes a state as base64url(JSON).MAC.
func (s signer) seal(st dialogState) string {
	raw, _ := json.Marshal(st)
	body := base64.RawURLEncoding.EncodeToString(raw)
	return body + "." + s.mac("dialog", body)
}

// unseal checks and decodes a sealed state.
func (s signer) unseal(state string) (dialogState, error) {
	body, mac, ok := strings.Cut(state, ".")
	if !ok || !s.verify(mac, "dialog", body) {
		return dialogState{}, errors.New("dialog state not signed by this bot")
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return dialogState{}, fmt.Errorf("decoding dialog state: %w", err)
	}
	var st dialogState
	if err := json.Unmarshal(raw, &st); err != nil {
		return dialogState{}, fmt.Errorf("decoding dialog state: %w", err)
	}
	return st, nil
}
