package mmtest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestAnswersLikeTheServer checks, through the real Client4, the answers
// the adapter relies on.
func TestAnswersLikeTheServer(t *testing.T) {
	s := New("token")
	t.Cleanup(s.Close)
	team := s.AddTeam("gobierno")
	ch := s.AddChannel(team.Id, "town-square", model.ChannelTypeOpen)
	c := model.NewAPIv4Client(s.URL)
	c.SetToken("token")
	ctx := context.Background()
	post, _, err := c.CreatePost(ctx, &model.Post{ChannelId: ch.Id, Message: "hola"})
	if err != nil {
		t.Fatal(err)
	}
	appErr := func(t *testing.T, err error, resp *model.Response, status int, id string) {
		t.Helper()
		var ae *model.AppError
		if !errors.As(err, &ae) || resp == nil || resp.StatusCode != status || ae.Id != id {
			t.Fatalf("got %v (status %v), want %d %s", err, resp, status, id)
		}
	}
	t.Run("a wrong token is a 401 AppError", func(t *testing.T) {
		bad := model.NewAPIv4Client(s.URL)
		bad.SetToken("other")
		_, resp, err := bad.GetMe(ctx, "")
		appErr(t, err, resp, http.StatusUnauthorized, "api.context.session_expired.app_error")
	})
	t.Run("updating a deleted post is a permission error", func(t *testing.T) {
		p, _, err := c.CreatePost(ctx, &model.Post{ChannelId: ch.Id, Message: "borrar"})
		if err != nil {
			t.Fatal(err)
		}
		s.DeletePost(p.Id)
		p.Message = "editado"
		_, resp, err := c.UpdatePost(ctx, p.Id, p)
		appErr(t, err, resp, http.StatusForbidden, "api.context.permissions.app_error")
		_, resp, err = c.GetPost(ctx, p.Id, "")
		appErr(t, err, resp, http.StatusNotFound, "app.post.get.app_error")
	})
	t.Run("an existing channel name is refused", func(t *testing.T) {
		_, resp, err := c.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "town-square", DisplayName: "x", Type: model.ChannelTypeOpen})
		appErr(t, err, resp, http.StatusBadRequest, "store.sql_channel.save_channel.exists.app_error")
	})
	t.Run("bots cannot post ephemerally", func(t *testing.T) {
		_, resp, err := c.CreatePostEphemeral(ctx, &model.PostEphemeral{UserID: s.Bot.Id, Post: &model.Post{ChannelId: ch.Id, Message: "x"}})
		appErr(t, err, resp, http.StatusForbidden, "api.context.permissions.app_error")
	})
	t.Run("a rate limited call is a plain 429 with the limiter's headers", func(t *testing.T) {
		s.RateLimit(http.MethodPut, "/api/v4/posts/", 1, 2)
		_, resp, err := c.UpdatePost(ctx, post.Id, post)
		if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" ||
			resp.Header.Get("X-Ratelimit-Reset") != "2" || resp.Header.Get("X-Ratelimit-Remaining") != "0" {
			t.Fatalf("got %v %+v", err, resp)
		}
		if _, _, err := c.UpdatePost(ctx, post.Id, post); err != nil {
			t.Fatalf("the limit outlived its count: %v", err)
		}
	})
	t.Run("a dialog needs a fresh trigger id of this server", func(t *testing.T) {
		d := model.OpenDialogRequest{URL: "http://127.0.0.1/d", Dialog: model.Dialog{CallbackId: "x", Title: "Título"}}
		d.TriggerId = "bm90LWEtdHJpZ2dlcg=="
		resp, err := c.OpenInteractiveDialog(ctx, d)
		appErr(t, err, resp, http.StatusBadRequest, "interactive_message.decode_trigger_id.missing_data")
		d.TriggerId = s.trigger(s.Bot.Id, ch.Id)
		if _, err := c.OpenInteractiveDialog(ctx, d); err != nil {
			t.Fatal(err)
		}
		d.Dialog.Title = "Un título demasiado largo para Mattermost"
		resp, err = c.OpenInteractiveDialog(ctx, d)
		appErr(t, err, resp, http.StatusBadRequest, "app.open_interactive_dialog.invalid_dialog")
	})
	c.HTTPClient.CloseIdleConnections()
}
