package mmtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// TriggerTimeout is how long a trigger id opens a dialog. Servers allow
// between 3 s (InteractiveDialogTriggerTimeoutMilliseconds) and their
// OutgoingIntegrationRequestsTimeout; the fake holds integrations to the
// shortest.
const TriggerTimeout = 3 * time.Second

// Server is a fake Mattermost server. Its zero value is not usable: call
// New. All methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	// BotToken is the only token the API accepts.
	BotToken string
	// Bot is the bot account's user.
	Bot *model.User

	key  *ecdsa.PrivateKey // signs trigger ids
	mu   sync.Mutex
	mux  *http.ServeMux
	http *http.Client

	users     map[string]*model.User // by id
	teams     map[string]*model.Team
	channels  map[string]*model.Channel
	members   map[string]map[string]bool // channel → user ids
	posts     map[string]*model.Post
	order     []string // post ids in creation order
	files     map[string]*File
	dialogs   map[string][]Dialog // user → dialogs opened for them
	eph       map[string][]string // user → ephemeral texts shown to them
	limits    []*limit
	calls     []string               // "METHOD /path" of every API call
	triggers  map[string]string      // trigger id → channel it was made in
	ephPosts  map[string]*model.Post // ephemeral posts (never stored by the real server)
	untrusted string                 // AllowedUntrustedInternalConnections
}

// File is an uploaded file.
type File struct {
	Info    *model.FileInfo
	Content []byte
}

// Dialog is a dialog the integration opened.
type Dialog struct {
	Request model.OpenDialogRequest
	UserID  string
	Channel string
}

type limit struct {
	method, prefix string
	n              int
	retryAfter     int
}

// New starts a fake server with one bot account.
func New(botToken string) *Server {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	s := &Server{BotToken: botToken, key: key, mux: http.NewServeMux(), http: &http.Client{Timeout: 30 * time.Second},
		users: map[string]*model.User{}, teams: map[string]*model.Team{}, channels: map[string]*model.Channel{},
		members: map[string]map[string]bool{}, posts: map[string]*model.Post{}, files: map[string]*File{},
		dialogs: map[string][]Dialog{}, eph: map[string][]string{}, triggers: map[string]string{}, ephPosts: map[string]*model.Post{}}
	s.Bot = s.AddUser("contingencia-bot")
	s.Bot.IsBot = true
	s.routes()
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server and its client's idle connections.
func (s *Server) Close() {
	s.Server.Close()
	s.http.CloseIdleConnections()
}

// AddUser creates a user.
func (s *Server) AddUser(username string) *model.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &model.User{Id: model.NewId(), Username: username, CreateAt: model.GetMillis(), Roles: model.SystemUserRoleId}
	s.users[u.Id] = u
	return u
}

// User finds a user by username.
func (s *Server) User(username string) *model.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Username == username {
			return u
		}
	}
	return nil
}

// AddTeam creates a team.
func (s *Server) AddTeam(name string) *model.Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &model.Team{Id: model.NewId(), Name: name, DisplayName: name, Type: model.TeamOpen}
	s.teams[t.Id] = t
	return t
}

// AddChannel creates a channel with members (the bot is always one).
func (s *Server) AddChannel(teamID, name string, typ model.ChannelType, members ...string) *model.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := &model.Channel{Id: model.NewId(), TeamId: teamID, Name: name, DisplayName: name, Type: typ, CreateAt: model.GetMillis()}
	s.channels[ch.Id] = ch
	s.members[ch.Id] = map[string]bool{s.Bot.Id: true}
	for _, m := range members {
		s.members[ch.Id][m] = true
	}
	return ch
}

// ChannelByName finds a channel of a team.
func (s *Server) ChannelByName(teamID, name string) *model.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channelByName(teamID, name)
}

func (s *Server) channelByName(teamID, name string) *model.Channel {
	for _, ch := range s.channels {
		if ch.TeamId == teamID && ch.Name == name && ch.DeleteAt == 0 {
			return ch
		}
	}
	return nil
}

// Members lists the usernames in a channel.
func (s *Server) Members(channelID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.members[channelID] {
		out = append(out, s.users[id].Username)
	}
	return out
}

// Posts returns copies of a channel's live posts in creation order.
func (s *Server) Posts(channelID string) []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.Post
	for _, id := range s.order {
		p := s.posts[id]
		if p.ChannelId == channelID && p.DeleteAt == 0 {
			out = append(out, p.Clone())
		}
	}
	return out
}

// Post returns a copy of a post (deleted ones too).
func (s *Server) Post(id string) *model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.posts[id]; ok {
		return p.Clone()
	}
	return nil
}

// DeletePost deletes a post the way a user would.
func (s *Server) DeletePost(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.posts[id]; ok {
		p.DeleteAt = model.GetMillis()
	}
}

// Files returns the uploaded files.
func (s *Server) Files() []*File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*File
	for _, f := range s.files {
		out = append(out, f)
	}
	return out
}

// Dialogs returns the dialogs opened for a user, oldest first.
func (s *Server) Dialogs(userID string) []Dialog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Dialog(nil), s.dialogs[userID]...)
}

// Ephemeral returns the ephemeral texts shown to a user, oldest first.
func (s *Server) Ephemeral(userID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.eph[userID]...)
}

// Calls returns "METHOD /api/v4/…" for every API call received.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// RateLimit makes the next n API calls whose method matches and whose
// path starts with prefix answer 429, as the server's rate limiter does.
func (s *Server) RateLimit(method, prefix string, n, retryAfterSeconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = append(s.limits, &limit{method: method, prefix: prefix, n: n, retryAfter: retryAfterSeconds})
}

// serve authenticates, rate limits and routes an API call.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	var lim *limit
	for _, l := range s.limits {
		if l.n > 0 && (l.method == "" || l.method == r.Method) && strings.HasPrefix(r.URL.Path, l.prefix) {
			l.n--
			lim = l
			break
		}
	}
	s.mu.Unlock()
	if lim != nil {
		// What the throttled limiter in front of the API answers: plain
		// text, not an AppError.
		w.Header().Set("X-Ratelimit-Limit", "10")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", strconv.Itoa(lim.retryAfter))
		w.Header().Set("Retry-After", strconv.Itoa(lim.retryAfter))
		http.Error(w, "limit exceeded", http.StatusTooManyRequests)
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get(model.HeaderAuth), " ")
	if !strings.EqualFold(scheme, model.HeaderBearer) || token != s.BotToken {
		appError(w, "ServiceHandler", "api.context.session_expired.app_error", "Invalid or expired session, please login again.", http.StatusUnauthorized)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// appError writes the JSON body of a model.AppError.
func appError(w http.ResponseWriter, where, id, msg string, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(model.HeaderRequestId, model.NewId())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&model.AppError{Id: id, Message: msg, DetailedError: where, StatusCode: status,
		RequestId: w.Header().Get(model.HeaderRequestId)})
}

func invalidParam(w http.ResponseWriter, where, name string) {
	appError(w, where, "api.context.invalid_body_param.app_error", "Invalid or missing "+name+" in request body.", http.StatusBadRequest)
}

func permissionError(w http.ResponseWriter, where string) {
	appError(w, where, "api.context.permissions.app_error", "You do not have the appropriate permissions.", http.StatusForbidden)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func statusOK(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}
