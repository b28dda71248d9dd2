package mmtest

import (
	"encoding/json"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
)

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /api/v4/users/me", s.getMe)
	m.HandleFunc("GET /api/v4/users/{id}", s.getUser)
	m.HandleFunc("POST /api/v4/users/usernames", s.getUsersByUsernames)
	m.HandleFunc("GET /api/v4/teams/name/{name}", s.getTeamByName)
	m.HandleFunc("POST /api/v4/channels", s.createChannel)
	m.HandleFunc("POST /api/v4/channels/direct", s.createDirectChannel)
	m.HandleFunc("GET /api/v4/channels/{id}", s.getChannel)
	m.HandleFunc("GET /api/v4/teams/{team}/channels/name/{name}", s.getChannelByName)
	m.HandleFunc("POST /api/v4/channels/{id}/members", s.addChannelMembers)
	m.HandleFunc("POST /api/v4/posts", s.createPost)
	m.HandleFunc("GET /api/v4/posts/{id}", s.getPost)
	m.HandleFunc("PUT /api/v4/posts/{id}", s.updatePost)
	m.HandleFunc("POST /api/v4/posts/{id}/pin", s.pinPost)
	m.HandleFunc("POST /api/v4/posts/ephemeral", s.createEphemeralPost)
	m.HandleFunc("POST /api/v4/files", s.uploadFile)
	m.HandleFunc("POST /api/v4/actions/dialogs/open", s.openDialog)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		appError(w, "Handler", "api.context.404.app_error", "Sorry, we could not find the page.", http.StatusNotFound)
	})
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Bot)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	u, ok := s.users[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		appError(w, "SqlUserStore.Get", "app.user.missing_account.const", "Unable to find the user.", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) getUsersByUsernames(w http.ResponseWriter, r *http.Request) {
	var names []string
	if err := json.NewDecoder(r.Body).Decode(&names); err != nil || len(names) == 0 {
		invalidParam(w, "getUsersByUsernames", "usernames")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*model.User{}
	for _, n := range names {
		for _, u := range s.users {
			if u.Username == n {
				out = append(out, u)
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getTeamByName(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.teams {
		if t.Name == r.PathValue("name") {
			writeJSON(w, http.StatusOK, t)
			return
		}
	}
	appError(w, "SqlTeamStore.GetByName", "app.team.get_by_name.missing.app_error", "Unable to find the existing team.", http.StatusNotFound)
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) {
	var ch model.Channel
	if err := json.NewDecoder(r.Body).Decode(&ch); err != nil {
		invalidParam(w, "createChannel", "channel")
		return
	}
	if ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate {
		invalidParam(w, "createChannel", "channel.type")
		return
	}
	if !model.IsValidChannelIdentifier(ch.Name) || ch.DisplayName == "" || utf8.RuneCountInString(ch.DisplayName) > model.ChannelDisplayNameMaxRunes ||
		utf8.RuneCountInString(ch.Purpose) > model.ChannelPurposeMaxRunes || utf8.RuneCountInString(ch.Header) > model.ChannelHeaderMaxRunes {
		appError(w, "Channel.IsValid", "model.channel.is_valid.2_or_more.app_error", "Invalid channel.", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.teams[ch.TeamId]; !ok {
		permissionError(w, "createChannel")
		return
	}
	if s.channelByName(ch.TeamId, ch.Name) != nil {
		appError(w, "CreateChannel", "store.sql_channel.save_channel.exists.app_error", "A channel with that name already exists on the same team.", http.StatusBadRequest)
		return
	}
	ch.Id, ch.CreateAt, ch.CreatorId = model.NewId(), model.GetMillis(), s.Bot.Id
	ch.UpdateAt = ch.CreateAt
	c := ch
	s.channels[c.Id] = &c
	s.members[c.Id] = map[string]bool{s.Bot.Id: true}
	writeJSON(w, http.StatusCreated, &c)
}

// createDirectChannel returns the direct channel of two users, creating
// it the first time (201 either way, as the server does).
func (s *Server) createDirectChannel(w http.ResponseWriter, r *http.Request) {
	var ids []string
	if err := json.NewDecoder(r.Body).Decode(&ids); err != nil || len(ids) != 2 {
		invalidParam(w, "createDirectChannel", "user_ids")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.users[id]; !ok {
			invalidParam(w, "createDirectChannel", "user_id")
			return
		}
	}
	if ids[0] != s.Bot.Id && ids[1] != s.Bot.Id {
		permissionError(w, "createDirectChannel")
		return
	}
	name := model.GetDMNameFromIds(ids[0], ids[1])
	for _, ch := range s.channels {
		if ch.Type == model.ChannelTypeDirect && ch.Name == name {
			writeJSON(w, http.StatusCreated, ch)
			return
		}
	}
	ch := &model.Channel{Id: model.NewId(), Name: name, DisplayName: "", Type: model.ChannelTypeDirect, CreateAt: model.GetMillis()}
	s.channels[ch.Id] = ch
	s.members[ch.Id] = map[string]bool{ids[0]: true, ids[1]: true}
	writeJSON(w, http.StatusCreated, ch)
}

// DirectChannel finds the direct channel of two users.
func (s *Server) DirectChannel(a, b string) *model.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := model.GetDMNameFromIds(a, b)
	for _, ch := range s.channels {
		if ch.Type == model.ChannelTypeDirect && ch.Name == name {
			return ch
		}
	}
	return nil
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("id")]
	if !ok {
		appError(w, "GetChannel", "app.channel.get.existing.app_error", "Unable to find the existing channel.", http.StatusNotFound)
		return
	}
	if ch.Type != model.ChannelTypeOpen && !s.members[ch.Id][s.Bot.Id] {
		permissionError(w, "getChannel")
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (s *Server) getChannelByName(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelByName(r.PathValue("team"), r.PathValue("name"))
	if ch == nil {
		appError(w, "GetChannelByName", "app.channel.get_by_name.missing.app_error", "Channel does not exist.", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (s *Server) addChannelMembers(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserID  string   `json:"user_id"`
		UserIDs []string `json:"user_ids"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || (body.UserID == "" && len(body.UserIDs) == 0) {
		invalidParam(w, "addChannelMember", "user_id")
		return
	}
	ids := body.UserIDs
	if body.UserID != "" {
		ids = []string{body.UserID}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("id")]
	if !ok {
		appError(w, "GetChannel", "app.channel.get.existing.app_error", "Unable to find the existing channel.", http.StatusNotFound)
		return
	}
	if !s.members[ch.Id][s.Bot.Id] {
		permissionError(w, "addChannelMember")
		return
	}
	var out []*model.ChannelMember
	for _, id := range ids {
		if _, ok := s.users[id]; !ok {
			appError(w, "addChannelMember", "app.user.missing_account.const", "Unable to find the user.", http.StatusNotFound)
			return
		}
	}
	for _, id := range ids {
		s.members[ch.Id][id] = true
		out = append(out, &model.ChannelMember{ChannelId: ch.Id, UserId: id, Roles: "channel_user"})
	}
	if body.UserID != "" {
		writeJSON(w, http.StatusCreated, out[0])
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request) {
	var p model.Post
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		invalidParam(w, "createPost", "post")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[p.ChannelId]
	if !ok || !s.members[ch.Id][s.Bot.Id] {
		permissionError(w, "createPost")
		return
	}
	if status, id, msg := s.validPost(&p); status != 0 {
		appError(w, "createPost", id, msg, status)
		return
	}
	for _, fid := range p.FileIds {
		f, ok := s.files[fid]
		if !ok || f.Info.ChannelId != p.ChannelId || f.Info.PostId != "" {
			invalidParam(w, "createPost", "file_ids")
			return
		}
	}
	p.Id, p.CreateAt, p.UserId = model.NewId(), model.GetMillis(), s.Bot.Id
	p.UpdateAt = p.CreateAt
	p.GenerateActionIds()
	for _, fid := range p.FileIds {
		s.files[fid].Info.PostId = p.Id
	}
	c := p.Clone()
	s.posts[c.Id] = c
	s.order = append(s.order, c.Id)
	writeJSON(w, http.StatusCreated, c)
}

// validPost applies the server's limits on a post's content.
func (s *Server) validPost(p *model.Post) (int, string, string) {
	if utf8.RuneCountInString(p.Message) > model.PostMessageMaxRunesV2 {
		return http.StatusBadRequest, "model.post.is_valid.message_length.app_error", "Message too long."
	}
	raw, _ := json.Marshal(p.GetProps())
	if utf8.RuneCount(raw) > model.PostPropsMaxUserRunes {
		return http.StatusBadRequest, "model.post.is_valid.props.app_error", "Invalid props."
	}
	for _, a := range p.Attachments() {
		if err := a.IsValid(); err != nil {
			return http.StatusBadRequest, "api.post.create_post.invalid_attachment.app_error", err.Error()
		}
	}
	return 0, "", ""
}

func (s *Server) getPost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[r.PathValue("id")]
	if !ok || p.DeleteAt != 0 {
		appError(w, "SqlPostStore.GetSingle", "app.post.get.app_error", "Unable to get the post.", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// updatePost answers like api4.updatePost: a post that does not exist or
// was deleted gives a permission error (403), not a 404.
func (s *Server) updatePost(w http.ResponseWriter, r *http.Request) {
	var p model.Post
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		invalidParam(w, "updatePost", "post")
		return
	}
	if p.Id != r.PathValue("id") {
		invalidParam(w, "updatePost", "id")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.posts[p.Id]
	if !ok || old.DeleteAt != 0 || old.UserId != s.Bot.Id {
		permissionError(w, "updatePost")
		return
	}
	if status, id, msg := s.validPost(&p); status != 0 {
		appError(w, "updatePost", id, msg, status)
		return
	}
	upd := old.Clone()
	upd.Message = p.Message
	upd.SetProps(p.GetProps())
	upd.GenerateActionIds()
	upd.EditAt, upd.UpdateAt = model.GetMillis(), model.GetMillis()
	s.posts[p.Id] = upd
	writeJSON(w, http.StatusOK, upd)
}

func (s *Server) pinPost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[r.PathValue("id")]
	if !ok || p.DeleteAt != 0 {
		permissionError(w, "saveIsPinnedPost")
		return
	}
	p.IsPinned = true
	statusOK(w)
}

// createEphemeralPost refuses, as the server does for a bot without the
// create_post_ephemeral permission (the default).
func (s *Server) createEphemeralPost(w http.ResponseWriter, r *http.Request) {
	appError(w, "createEphemeralPost", "api.context.permissions.app_error", "You do not have the appropriate permissions.", http.StatusForbidden)
}

func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		appError(w, "uploadFile", "api.file.upload_file.read_request.app_error", "Unable to read the request.", http.StatusBadRequest)
		return
	}
	channel := r.FormValue("channel_id")
	fhs := r.MultipartForm.File["files"]
	if channel == "" || len(fhs) == 0 {
		invalidParam(w, "uploadFile", "channel_id")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.members[channel][s.Bot.Id] {
		permissionError(w, "uploadFile")
		return
	}
	resp := &model.FileUploadResponse{ClientIds: []string{}}
	for _, fh := range fhs {
		f, err := fh.Open()
		if err != nil {
			appError(w, "uploadFile", "api.file.upload_file.read_request.app_error", "Unable to read the request.", http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(f)
		f.Close()
		info := &model.FileInfo{Id: model.NewId(), ChannelId: channel, CreatorId: s.Bot.Id, Name: fh.Filename, Size: int64(len(data)),
			MimeType: http.DetectContentType(data), CreateAt: model.GetMillis()}
		s.files[info.Id] = &File{Info: info, Content: data}
		resp.FileInfos = append(resp.FileInfos, info)
	}
	writeJSON(w, http.StatusCreated, resp)
}

// openDialog checks the trigger id (signed by this server, at most
// TriggerTimeout old) and the dialog, like App.OpenInteractiveDialog. It
// is stricter than servers that only log an invalid dialog: a dialog the
// model's IsValid refuses is answered 400, so tests catch it.
func (s *Server) openDialog(w http.ResponseWriter, r *http.Request) {
	var req model.OpenDialogRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalidParam(w, "openDialog", "dialog")
		return
	}
	if req.URL == "" {
		invalidParam(w, "openDialog", "url")
		return
	}
	_, userID, appErr := req.DecodeAndVerifyTriggerId(s.key, TriggerTimeout)
	if appErr != nil {
		appError(w, appErr.Where, appErr.Id, appErr.Id, appErr.StatusCode)
		return
	}
	if err := req.IsValid(); err != nil {
		appError(w, "OpenInteractiveDialog", "app.open_interactive_dialog.invalid_dialog", err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.dialogs[userID] = append(s.dialogs[userID], Dialog{Request: req, UserID: userID, Channel: s.triggers[req.TriggerId]})
	s.mu.Unlock()
	statusOK(w)
}
