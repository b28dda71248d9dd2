package mmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mattermost/mattermost/server/public/model"
)

// trigger makes a trigger id for a user in a channel, as the server does
// for a slash command or a click.
func (s *Server) trigger(userID, channelID string) string {
	_, id, appErr := model.GenerateTriggerId(userID, s.key)
	if appErr != nil {
		panic(appErr)
	}
	s.mu.Lock()
	s.triggers[id] = channelID
	s.mu.Unlock()
	return id
}

// CommandResult is what a slash command produced.
type CommandResult struct {
	Status   int
	Body     string
	Response *model.CommandResponse // when Status is 200
}

// Command sends `/contingencia text` typed by user in channel to the
// integration at commandURL, the way the server executes a custom slash
// command (POST form, Authorization: Token), and shows the ephemeral
// answer to the user.
func (s *Server) Command(commandURL, token string, user *model.User, channel *model.Channel, text string) (CommandResult, error) {
	return s.CommandRaw(commandURL, "Token "+token, s.CommandForm(user, channel, text))
}

// CommandForm is the form of a slash command.
func (s *Server) CommandForm(user *model.User, channel *model.Channel, text string) url.Values {
	s.mu.Lock()
	team := s.teams[channel.TeamId]
	s.mu.Unlock()
	f := url.Values{}
	f.Set("channel_id", channel.Id)
	f.Set("channel_name", channel.Name)
	if team != nil {
		f.Set("team_domain", team.Name)
		f.Set("team_id", team.Id)
	}
	f.Set("text", text)
	f.Set("user_id", user.Id)
	f.Set("user_name", user.Username)
	f.Set("command", "/contingencia")
	f.Set("response_url", s.URL+"/hooks/commands/"+model.NewId())
	f.Set("trigger_id", s.trigger(user.Id, channel.Id))
	return f
}

// CommandRaw posts a slash-command form with the given Authorization.
func (s *Server) CommandRaw(commandURL, authorization string, form url.Values) (CommandResult, error) {
	req, err := http.NewRequest(http.MethodPost, commandURL, bytes.NewBufferString(form.Encode()))
	if err != nil {
		return CommandResult{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if authorization != "" {
		req.Header.Set(model.HeaderAuth, authorization)
	}
	resp, body, err := s.deliver(req)
	if err != nil {
		return CommandResult{}, err
	}
	res := CommandResult{Status: resp.StatusCode, Body: string(body)}
	if resp.StatusCode != http.StatusOK {
		return res, nil
	}
	cr, err := model.CommandResponseFromHTTPBody(resp.Header.Get("Content-Type"), bytes.NewReader(body))
	if err != nil {
		return res, fmt.Errorf("decoding the command response: %w", err)
	}
	res.Response = cr
	// CreateCommandPost: an ephemeral response with no text and no
	// attachments shows nothing.
	if (cr.ResponseType == "" || cr.ResponseType == model.CommandResponseTypeEphemeral) && (cr.Text != "" || cr.Attachments != nil) {
		p := &model.Post{Id: model.NewId(), ChannelId: form.Get("channel_id"), UserId: form.Get("user_id"), Message: cr.Text,
			CreateAt: model.GetMillis(), Type: model.PostTypeEphemeral}
		if cr.Attachments != nil {
			p.AddProp(model.PostPropsAttachments, cr.Attachments)
			p.GenerateActionIds()
		}
		s.mu.Lock()
		s.eph[p.UserId] = append(s.eph[p.UserId], cr.Text)
		s.ephPosts[p.Id] = p
		s.mu.Unlock()
	}
	return res, nil
}

// EphemeralPosts returns the ephemeral posts shown to a user.
func (s *Server) EphemeralPosts(userID string) []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.Post
	for _, p := range s.ephPosts {
		if p.UserId == userID {
			out = append(out, p.Clone())
		}
	}
	return out
}

// ClickResult is what a button click produced.
type ClickResult struct {
	// Status is the integration's HTTP status; the server shows the user
	// an error for anything but 200.
	Status    int
	Ephemeral string
}

// Click presses a button of a post (stored or ephemeral) as user: the
// server sends model.PostActionIntegrationRequest with the action's
// context to its integration URL, then applies the response.
func (s *Server) Click(user *model.User, postID, actionID string) (ClickResult, error) {
	s.mu.Lock()
	p, ok := s.posts[postID]
	if !ok {
		p, ok = s.ephPosts[postID]
	}
	if ok {
		p = p.Clone()
	}
	s.mu.Unlock()
	if !ok || p.DeleteAt != 0 {
		return ClickResult{}, fmt.Errorf("post %s not found", postID)
	}
	action := p.GetAction(actionID)
	if action == nil || action.Integration == nil {
		return ClickResult{}, fmt.Errorf("post %s has no action %s", postID, actionID)
	}
	req := s.ActionRequest(user, p, action)
	return s.ClickRaw(action.Integration.URL, req)
}

// ActionRequest is the request the server sends for a click.
func (s *Server) ActionRequest(user *model.User, p *model.Post, action *model.PostAction) model.PostActionIntegrationRequest {
	s.mu.Lock()
	ch := s.channels[p.ChannelId]
	var team *model.Team
	if ch != nil {
		team = s.teams[ch.TeamId]
	}
	s.mu.Unlock()
	req := model.PostActionIntegrationRequest{UserId: user.Id, UserName: user.Username, ChannelId: p.ChannelId, PostId: p.Id,
		Type: action.Type, DataSource: action.DataSource, Context: action.Integration.Context}
	if ch != nil {
		req.ChannelName = ch.Name
	}
	if team != nil {
		req.TeamId, req.TeamName = team.Id, team.Name
	}
	req.TriggerId = s.trigger(user.Id, p.ChannelId)
	return req
}

// ClickRaw sends an action request as is (tests forge them).
func (s *Server) ClickRaw(actionURL string, req model.PostActionIntegrationRequest) (ClickResult, error) {
	resp, raw, err := s.deliverJSON(actionURL, req)
	if err != nil {
		return ClickResult{}, err
	}
	res := ClickResult{Status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		return res, nil
	}
	var out model.PostActionIntegrationResponse
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return res, fmt.Errorf("decoding the action response: %w", err)
		}
	}
	res.Ephemeral = out.EphemeralText
	s.mu.Lock()
	defer s.mu.Unlock()
	if out.EphemeralText != "" {
		s.eph[req.UserId] = append(s.eph[req.UserId], out.EphemeralText)
	}
	if out.Update != nil {
		if p, ok := s.posts[req.PostId]; ok {
			p.Message = out.Update.Message
			p.SetProps(out.Update.GetProps())
			p.GenerateActionIds()
		}
	}
	return res, nil
}

// DialogResult is what a dialog submission produced.
type DialogResult struct {
	Status   int
	Response model.SubmitDialogResponse
}

// Submit submits a dialog as its user, the way the server relays a
// submission to the dialog's URL: an integration answering anything but
// 200 is an error for the user, an empty body is an accepted submission.
func (s *Server) Submit(user *model.User, d Dialog, submission map[string]any) (DialogResult, error) {
	return s.SubmitRaw(d.Request.URL, s.SubmitRequest(user, d, submission))
}

// SubmitRequest is the request the server sends for a submission.
func (s *Server) SubmitRequest(user *model.User, d Dialog, submission map[string]any) model.SubmitDialogRequest {
	s.mu.Lock()
	ch := s.channels[d.Channel]
	s.mu.Unlock()
	// The server clears the URL before relaying (App.SubmitInteractiveDialog).
	req := model.SubmitDialogRequest{Type: "dialog_submission", CallbackId: d.Request.Dialog.CallbackId,
		State: d.Request.Dialog.State, UserId: user.Id, ChannelId: d.Channel, Submission: submission}
	if ch != nil {
		req.TeamId = ch.TeamId
	}
	return req
}

// SubmitRaw sends a submission as is.
func (s *Server) SubmitRaw(dialogURL string, req model.SubmitDialogRequest) (DialogResult, error) {
	resp, raw, err := s.deliverJSON(dialogURL, req)
	if err != nil {
		return DialogResult{}, err
	}
	res := DialogResult{Status: resp.StatusCode}
	if resp.StatusCode == http.StatusOK && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &res.Response); err != nil {
			return res, fmt.Errorf("decoding the submit response: %w", err)
		}
	}
	return res, nil
}

// deliverJSON posts v as JSON to an integration, as DoActionRequest does.
func (s *Server) deliverJSON(target string, v any) (*http.Response, []byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return s.deliver(req)
}
