package slack

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
)

// tell sends a reply only the user sees: to the interaction's
// response_url when there is one (it works in any conversation), else
// with chat.postEphemeral in the channel.
func (a *Adapter) tell(ctx context.Context, channel, user, responseURL string, rep bot.Reply) {
	if responseURL != "" && a.trustedResponseURL(responseURL) {
		err := a.respond(ctx, responseURL, ephemeral(rep))
		if err == nil {
			return
		}
		a.log.Warn("answering through response_url", "user", user, "err", err)
	}
	if channel == "" {
		a.log.Warn("no channel to answer the user in", "user", user)
		return
	}
	ctx, cancel := a.call(ctx)
	defer cancel()
	_, err := a.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(truncate(rep.Text, maxFallbackText), false),
		slack.MsgOptionBlocks(ReplyBlocks(rep)...))
	if err != nil {
		a.log.Warn("sending an ephemeral reply", "user", user, "channel", channel, "err", err)
	}
}

// trustedResponseURL accepts Slack's hooks host, or the configured API
// host (a local Slack in tests): the adapter posts nowhere else.
func (a *Adapter) trustedResponseURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme == "https" && u.Host == "hooks.slack.com" {
		return true
	}
	api, err := url.Parse(cmp.Or(a.cfg.APIURL, slack.APIURL))
	return err == nil && u.Scheme == api.Scheme && u.Host == api.Host
}

func (a *Adapter) respond(ctx context.Context, responseURL string, m *message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := a.call(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	client := cmp.Or(a.cfg.HTTPClient, http.DefaultClient)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("response_url answered %s", res.Status)
	}
	return nil
}

// upload shares an export in a channel with the files upload v2 flow:
// files.getUploadURLExternal, the bytes to the upload URL, then
// files.completeUploadExternal with the channel.
func (a *Adapter) upload(ctx context.Context, f bot.File, fallbackChannel string) error {
	channel := cmp.Or(f.Channel, fallbackChannel)
	if len(f.Content) == 0 {
		return fmt.Errorf("export %s is empty", f.Name)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*a.cfg.CallTimeout)
	defer cancel()
	_, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(f.Content), FileSize: len(f.Content), Filename: f.Name, Title: f.Title, Channel: channel,
	})
	return slackError(fmt.Sprintf("uploading %s to %s", f.Name, channel), err)
}
