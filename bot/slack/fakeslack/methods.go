package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// BotUserID is the bot's own user id in the workspace.
const BotUserID = "U023BECGF"

func (w *Workspace) authTest(url.Values) (any, string) {
	return map[string]any{"url": "https://contingencia.slack.com/", "team": "Contingencia", "user": "contingencia",
		"team_id": "T0CONTIN", "user_id": BotUserID, "bot_id": "B0CONTIN"}, ""
}

// message finds a live or deleted message; w.mu is held.
func (w *Workspace) message(channel, ts string) *Message {
	for _, m := range w.messages {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

func (w *Workspace) postMessage(p url.Values) (any, string) {
	channel := p.Get("channel")
	if channel == "" {
		return nil, "channel_not_found"
	}
	blocks, code := checkMessage(p)
	if code != "" {
		return nil, code
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	m := &Message{Channel: channel, TS: w.ts(), Text: p.Get("text"), Blocks: blocks}
	w.messages = append(w.messages, m)
	return map[string]any{"channel": channel, "ts": m.TS, "message": map[string]any{"type": "message", "text": m.Text,
		"ts": m.TS, "user": BotUserID, "blocks": blocks}}, ""
}

func (w *Workspace) update(p url.Values) (any, string) {
	blocks, code := checkMessage(p)
	if code != "" {
		return nil, code
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.message(p.Get("channel"), p.Get("ts"))
	if m == nil || m.Deleted {
		return nil, "message_not_found"
	}
	m.Text, m.Blocks = p.Get("text"), blocks
	m.Updates++
	return map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text}, ""
}

func (w *Workspace) delete(p url.Values) (any, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.message(p.Get("channel"), p.Get("ts"))
	if m == nil || m.Deleted {
		return nil, "message_not_found"
	}
	m.Deleted = true
	return map[string]any{"channel": m.Channel, "ts": m.TS}, ""
}

func (w *Workspace) postEphemeral(p url.Values) (any, string) {
	if p.Get("channel") == "" {
		return nil, "channel_not_found"
	}
	if p.Get("user") == "" {
		return nil, "user_not_found"
	}
	blocks, code := checkMessage(p)
	if code != "" {
		return nil, code
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ephemerals = append(w.ephemerals, Ephemeral{Channel: p.Get("channel"), User: p.Get("user"), Text: p.Get("text"), Blocks: blocks})
	return map[string]any{"message_ts": w.ts()}, ""
}

func (w *Workspace) viewsOpen(p url.Values) (any, string) {
	trigger := p.Get("trigger_id")
	if trigger == "" {
		return nil, "invalid_trigger_id"
	}
	var view map[string]any
	if err := json.Unmarshal([]byte(p.Get("view")), &view); err != nil || view["type"] != "modal" {
		return nil, "invalid_arguments"
	}
	if code := checkModal(view); code != "" {
		return nil, code
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.triggers[trigger] {
		return nil, "exchanged_trigger_id"
	}
	w.triggers[trigger] = true
	view["id"] = w.id("V")
	raw, _ := json.Marshal(view)
	w.views = append(w.views, View{ID: view["id"].(string), TriggerID: trigger, View: raw})
	return map[string]any{"view": view}, ""
}

var channelName = regexp.MustCompile(`^[a-z0-9_-]+$`)

func channelJSON(c *Channel) map[string]any {
	return map[string]any{"id": c.ID, "name": c.Name, "is_channel": !c.Private, "is_group": false, "is_private": c.Private,
		"is_archived": false, "is_member": true, "creator": BotUserID, "created": 1767225600,
		"topic": map[string]any{"value": c.Topic}, "num_members": len(c.Members)}
}

func (w *Workspace) create(p url.Values) (any, string) {
	name := p.Get("name")
	switch {
	case name == "":
		return nil, "invalid_name_required"
	case utf8.RuneCountInString(name) > 80:
		return nil, "invalid_name_maxlength"
	case !channelName.MatchString(name):
		return nil, "invalid_name_specials"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.channels {
		if c.Name == name {
			return nil, "name_taken"
		}
	}
	c := &Channel{ID: w.id("C"), Name: name, Private: p.Get("is_private") == "true", Members: []string{BotUserID}}
	w.channels = append(w.channels, c)
	return map[string]any{"channel": channelJSON(c)}, ""
}

// channel finds a channel; w.mu is held.
func (w *Workspace) channel(id string) *Channel {
	for _, c := range w.channels {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (w *Workspace) invite(p url.Values) (any, string) {
	users := strings.FieldsFunc(p.Get("users"), func(r rune) bool { return r == ',' })
	if len(users) == 0 {
		return nil, "no_user"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.channel(p.Get("channel"))
	if c == nil {
		return nil, "channel_not_found"
	}
	added := 0
	for _, u := range users {
		switch {
		case u == BotUserID:
			return nil, "cant_invite_self"
		case !strings.HasPrefix(u, "U") && !strings.HasPrefix(u, "W"):
			return nil, "user_not_found"
		case !slices.Contains(c.Members, u):
			c.Members = append(c.Members, u)
			added++
		}
	}
	if added == 0 {
		return nil, "already_in_channel"
	}
	return map[string]any{"channel": channelJSON(c)}, ""
}

func (w *Workspace) list(p url.Values) (any, string) {
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	start, _ := strconv.Atoi(p.Get("cursor"))
	w.mu.Lock()
	defer w.mu.Unlock()
	var page []any
	end := min(start+limit, len(w.channels))
	for _, c := range w.channels[min(start, end):end] {
		page = append(page, channelJSON(c))
	}
	next := ""
	if end < len(w.channels) {
		next = strconv.Itoa(end)
	}
	return map[string]any{"channels": page, "response_metadata": map[string]any{"next_cursor": next}}, ""
}

func (w *Workspace) setTopic(p url.Values) (any, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.channel(p.Get("channel"))
	if c == nil {
		return nil, "channel_not_found"
	}
	if utf8.RuneCountInString(p.Get("topic")) > 250 {
		return nil, "too_long"
	}
	c.Topic = p.Get("topic")
	return map[string]any{"channel": channelJSON(c)}, ""
}

func (w *Workspace) pin(p url.Values) (any, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch, ts := p.Get("channel"), p.Get("timestamp")
	if m := w.message(ch, ts); m == nil || m.Deleted {
		return nil, "message_not_found"
	}
	if slices.Contains(w.pins, Pin{ch, ts}) {
		return nil, "already_pinned"
	}
	w.pins = append(w.pins, Pin{ch, ts})
	return nil, ""
}

func (w *Workspace) uploadURL(p url.Values) (any, string) {
	n, err := strconv.Atoi(p.Get("length"))
	if p.Get("filename") == "" || err != nil || n <= 0 {
		return nil, "invalid_arguments"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f := &File{ID: w.id("F"), Name: p.Get("filename"), Length: n}
	w.files[f.ID] = f
	return map[string]any{"upload_url": w.URL() + "upload/" + f.ID, "file_id": f.ID}, ""
}

// upload receives the bytes of a file (a multipart form with a "file"
// part, or the raw body), as files.slack.com does.
func (w *Workspace) upload(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	var content []byte
	var err error
	if f, _, ferr := r.FormFile("file"); ferr == nil {
		content, err = io.ReadAll(f)
		f.Close()
	} else {
		content, err = io.ReadAll(r.Body)
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f, ok := w.files[id]
	if !ok {
		http.Error(rw, "unknown upload", http.StatusNotFound)
		return
	}
	f.Content, f.Uploaded = content, true
	fmt.Fprintf(rw, "OK - %d", len(content))
}

func (w *Workspace) completeUpload(p url.Values) (any, string) {
	var files []struct{ ID, Title string }
	if err := json.Unmarshal([]byte(p.Get("files")), &files); err != nil || len(files) == 0 {
		return nil, "invalid_arguments"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []any
	for _, in := range files {
		f, ok := w.files[in.ID]
		if !ok || !f.Uploaded {
			return nil, "file_not_found"
		}
		if len(f.Content) != f.Length {
			return nil, "file_upload_size_mismatch"
		}
		f.Title, f.Channel, f.Completed = in.Title, p.Get("channel_id"), true
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	return map[string]any{"files": out}, ""
}

// respond receives a message posted to a response_url.
func (w *Workspace) respond(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !json.Valid(body) {
		http.Error(rw, "invalid_payload", http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	w.responses = append(w.responses, Response{Path: r.URL.Path, Body: body})
	w.mu.Unlock()
	_, _ = io.WriteString(rw, "ok")
}

// open answers conversations.open for one user with their direct-message
// channel, D followed by the user id (Slack: {"channel": {"id": "D…"}}).
func (w *Workspace) open(p url.Values) (any, string) {
	users := strings.Split(p.Get("users"), ",")
	if p.Get("users") == "" || len(users) != 1 {
		return nil, "users_list_not_supplied"
	}
	if !strings.HasPrefix(users[0], "U") && !strings.HasPrefix(users[0], "W") {
		return nil, "user_not_found"
	}
	return map[string]any{"channel": map[string]any{"id": "D" + users[0][1:]}}, ""
}
