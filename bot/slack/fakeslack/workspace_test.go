package fakeslack_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/bot/slack/fakeslack"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func setup(tb testing.TB) (*fakeslack.Workspace, *slack.Client) {
	tb.Helper()
	ws := fakeslack.New()
	tb.Cleanup(ws.Close)
	tr := &http.Transport{}
	tb.Cleanup(tr.CloseIdleConnections)
	return ws, slack.New("xoxb-test", slack.OptionAPIURL(ws.URL()), slack.OptionHTTPClient(&http.Client{Transport: tr}))
}

func code(err error) string {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	return ""
}

// The fake answers as Slack documents, so slack-go decodes its answers
// and errors as it would Slack's.
func TestWorkspaceAnswersLikeSlack(t *testing.T) {
	ctx := context.Background()
	ws, api := setup(t)

	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "cont-2026-0001"})
	if err != nil || ch.ID == "" || ch.Name != "cont-2026-0001" {
		t.Fatalf("conversations.create: %+v %v", ch, err)
	}
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"a taken channel name", func() error {
			_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "cont-2026-0001"})
			return err
		}, "name_taken"},
		{"a channel name with capitals", func() error {
			_, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "Cont 1"})
			return err
		}, "invalid_name_specials"},
		{"inviting someone already there", func() error {
			if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U0EJ00001"); err != nil {
				return err
			}
			_, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U0EJ00001")
			return err
		}, "already_in_channel"},
		{"updating a message that does not exist", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, ch.ID, "1.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"a message of more than 50 blocks", func() error {
			blocks := make([]slack.Block, 51)
			for i := range blocks {
				blocks[i] = slack.NewDividerBlock()
			}
			_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionBlocks(blocks...))
			return err
		}, "invalid_blocks"},
		{"a button label over 75 characters", func() error {
			b := slack.NewButtonBlockElement("a", "v", slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("x", 76), false, false))
			_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionBlocks(slack.NewActionBlock("b", b)))
			return err
		}, "invalid_blocks"},
		{"a trigger id used twice", func() error {
			v := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Hola", false, false)}
			if _, err := api.OpenViewContext(ctx, "trigger-1", v); err != nil {
				return err
			}
			_, err := api.OpenViewContext(ctx, "trigger-1", v)
			return err
		}, "exchanged_trigger_id"},
		{"pinning twice", func() error {
			_, ts, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("cabecera", false))
			if err != nil {
				return err
			}
			if err := api.AddPinContext(ctx, ch.ID, slack.NewRefToMessage(ch.ID, ts)); err != nil {
				return err
			}
			return api.AddPinContext(ctx, ch.ID, slack.NewRefToMessage(ch.ID, ts))
		}, "already_pinned"},
		{"an injected error code", func() error {
			ws.FailNext("chat.postMessage", fakeslack.Fault{Error: "channel_not_found"})
			_, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.call()); got != tc.want {
				t.Fatalf("error %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("a 429 carries Retry-After", func(t *testing.T) {
		ws.FailNext("chat.update", fakeslack.Fault{Status: 429, RetryAfter: 3 * time.Second})
		_, _, _, err := api.UpdateMessageContext(ctx, ch.ID, "1.000001", slack.MsgOptionText("x", false))
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
			t.Fatalf("error %v, want a rate limit of 3s", err)
		}
	})
	t.Run("files upload v2 shares the file in the channel", func(t *testing.T) {
		content := []byte("run,format\nCONT-2026-0001,csv\n")
		f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: bytes.NewReader(content), FileSize: len(content),
			Filename: "cont-2026-0001.csv", Title: "CONT-2026-0001 (CSV)", Channel: ch.ID})
		if err != nil {
			t.Fatal(err)
		}
		files := ws.Files()
		if len(files) != 1 || files[0].ID != f.ID || files[0].Channel != ch.ID || !bytes.Equal(files[0].Content, content) {
			t.Fatalf("files %+v", files)
		}
	})
	t.Run("without a token", func(t *testing.T) {
		anon := slack.New("", slack.OptionAPIURL(ws.URL()), slack.OptionHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
		if _, _, err := anon.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("x", false)); code(err) != "not_authed" {
			t.Fatalf("error %v, want not_authed", err)
		}
	})
}
