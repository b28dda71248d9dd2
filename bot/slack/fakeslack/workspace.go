package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// Workspace is a fake Slack workspace served over HTTP on loopback.
type Workspace struct {
	srv    *slacktest.Server
	socket *Socket

	mu         sync.Mutex
	seq        int
	channels   []*Channel
	messages   []*Message
	ephemerals []Ephemeral
	views      []View
	triggers   map[string]bool // exchanged trigger ids
	pins       []Pin
	files      map[string]*File
	responses  []Response
	faults     map[string][]Fault
	calls      map[string]int
}

// Channel is a conversation created through conversations.create.
type Channel struct {
	ID, Name, Topic string
	Private         bool
	Members         []string
}

// Message is a message posted with chat.postMessage.
type Message struct {
	Channel, TS, Text string
	Blocks            json.RawMessage
	Updates           int
	Deleted           bool
}

// Ephemeral is a message only one user sees (chat.postEphemeral).
type Ephemeral struct {
	Channel, User, Text string
	Blocks              json.RawMessage
}

// View is a modal opened with views.open.
type View struct {
	ID, TriggerID string
	View          json.RawMessage
}

// Pin is a message pinned with pins.add.
type Pin struct{ Channel, TS string }

// File is an upload of the files upload v2 flow.
type File struct {
	ID, Name, Title, Channel string
	Length                   int
	Content                  []byte
	Uploaded, Completed      bool
}

// Response is a message posted to a response_url.
type Response struct {
	Path string
	Body json.RawMessage
}

// Fault makes one call of a method fail: with an HTTP status (429 carries
// Retry-After) or with a Slack error code in an ok=false answer.
type Fault struct {
	Status     int
	RetryAfter time.Duration
	Error      string
}

// New starts a workspace on 127.0.0.1; Close stops it.
func New() *Workspace {
	w := &Workspace{triggers: map[string]bool{}, files: map[string]*File{}, faults: map[string][]Fault{}, calls: map[string]int{}}
	w.socket = newSocket()
	methods := map[string]func(url.Values) (any, string){
		"chat.postMessage":             w.postMessage,
		"chat.update":                  w.update,
		"chat.delete":                  w.delete,
		"chat.postEphemeral":           w.postEphemeral,
		"views.open":                   w.viewsOpen,
		"conversations.create":         w.create,
		"conversations.invite":         w.invite,
		"conversations.open":           w.open,
		"conversations.list":           w.list,
		"conversations.setTopic":       w.setTopic,
		"pins.add":                     w.pin,
		"files.getUploadURLExternal":   w.uploadURL,
		"files.completeUploadExternal": w.completeUpload,
		"auth.test":                    w.authTest,
	}
	w.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		for name, fn := range methods {
			c.Handle("/"+name, w.method(name, fn))
		}
		// apps.connections.open stays slacktest's: it hands out the URL of
		// /ws, which is ours.
		c.Handle("/upload/", w.upload)
		c.Handle("/response/", w.respond)
		c.Handle("/ws", slacktest.Websocket(w.socket.serve))
	})
	w.srv.Start()
	return w
}

// URL is the API base to give slack.OptionAPIURL (ends with a slash).
func (w *Workspace) URL() string { return w.srv.GetAPIURL() }

// ResponseURL is a response_url this workspace accepts.
func (w *Workspace) ResponseURL(id string) string { return w.URL() + "response/" + id }

// Socket is the Socket Mode side: send envelopes, read acks.
func (w *Workspace) Socket() *Socket { return w.socket }

// Close stops the server and any Socket Mode connection.
func (w *Workspace) Close() {
	w.socket.close()
	w.srv.Stop()
}

// FailNext makes the next call of method fail with f (faults queue up).
func (w *Workspace) FailNext(method string, f Fault) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.faults[method] = append(w.faults[method], f)
}

// Calls counts the calls of a method, failed ones included.
func (w *Workspace) Calls(method string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls[method]
}

// DeleteMessage deletes a message as a person would in the Slack client.
func (w *Workspace) DeleteMessage(channel, ts string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m := w.message(channel, ts); m != nil {
		m.Deleted = true
		return true
	}
	return false
}

// Channels returns the channels created so far.
func (w *Workspace) Channels() []Channel {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Channel, len(w.channels))
	for i, c := range w.channels {
		out[i] = *c
		out[i].Members = slices.Clone(c.Members)
	}
	return out
}

// AddChannel creates a channel as a person would (e.g. a name taken before the bot).
func (w *Workspace) AddChannel(name string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := &Channel{ID: w.id("C"), Name: name}
	w.channels = append(w.channels, c)
	return c.ID
}

// Messages returns the channel's messages that were not deleted, oldest first.
func (w *Workspace) Messages(channel string) []Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Message
	for _, m := range w.messages {
		if m.Channel == channel && !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// Ephemerals returns the ephemeral messages sent to a user.
func (w *Workspace) Ephemerals(user string) []Ephemeral {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Ephemeral
	for _, e := range w.ephemerals {
		if e.User == user {
			out = append(out, e)
		}
	}
	return out
}

// Views returns the modals opened so far.
func (w *Workspace) Views() []View {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.views)
}

// Pins returns the pinned messages.
func (w *Workspace) Pins() []Pin {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.pins)
}

// Files returns the completed uploads.
func (w *Workspace) Files() []File {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []File
	for _, f := range w.files {
		if f.Completed {
			out = append(out, *f)
		}
	}
	return out
}

// Responses returns what was posted to response URLs.
func (w *Workspace) Responses() []Response {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.responses)
}

// id makes a Slack-looking id; w.mu is held.
func (w *Workspace) id(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%08d", prefix, w.seq)
}

// ts makes a message timestamp; w.mu is held.
func (w *Workspace) ts() string {
	w.seq++
	return fmt.Sprintf("1767225600.%06d", w.seq)
}

// method serves one Web API method: authentication, faults, parameters
// (form or JSON body), then the answer with ok set.
func (w *Workspace) method(name string, fn func(url.Values) (any, string)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		params, err := readParams(r)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.calls[name]++
		var fault *Fault
		if q := w.faults[name]; len(q) > 0 {
			fault, w.faults[name] = &q[0], q[1:]
		}
		w.mu.Unlock()
		rw.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch {
		case fault != nil && fault.Status == http.StatusTooManyRequests:
			rw.Header().Set("Retry-After", strconv.Itoa(int(fault.RetryAfter.Round(time.Second)/time.Second)))
			rw.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(rw, `{"ok":false,"error":"ratelimited"}`)
			return
		case fault != nil && fault.Status != 0:
			rw.WriteHeader(fault.Status)
			return
		case fault != nil:
			writeError(rw, fault.Error)
			return
		case params.Get("token") == "" && !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
			writeError(rw, "not_authed")
			return
		}
		out, slackErr := fn(params)
		if slackErr != "" {
			writeError(rw, slackErr)
			return
		}
		raw, _ := json.Marshal(out)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		if m == nil {
			m = map[string]any{}
		}
		m["ok"] = true
		_ = json.NewEncoder(rw).Encode(m)
	}
}

func writeError(rw http.ResponseWriter, code string) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(rw).Encode(map[string]any{"ok": false, "error": code})
}

// readParams reads a method's arguments from a form or a JSON body; JSON
// objects and arrays stay JSON text, as in a form.
func readParams(r *http.Request) (url.Values, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	vals := url.Values{}
	if ct == "application/json" {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("decoding JSON body: %w", err)
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				vals.Set(k, s)
			} else {
				vals.Set(k, string(v))
			}
		}
	} else if len(body) > 0 {
		if vals, err = url.ParseQuery(string(body)); err != nil {
			return nil, fmt.Errorf("decoding form: %w", err)
		}
	}
	for k, v := range r.URL.Query() {
		if vals.Get(k) == "" {
			vals[k] = v
		}
	}
	return vals, nil
}
