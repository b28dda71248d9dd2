package slack

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Run serves Socket Mode with the app token until ctx ends: slash
// commands and interactions arrive over a websocket the bot opens, so no
// public URL is needed. Each envelope is acknowledged (a slash command's
// ack carries its ephemeral reply, a modal's its validation errors),
// then the follow-up work runs. It returns nil when ctx ends.
func (a *Adapter) Run(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: Socket Mode needs an app token (SLACK_APP_TOKEN)")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client := socketmode.New(a.api, socketmode.OptionLog(slogLogger{a.log}))
	runErr := make(chan error, 1)
	go func() { runErr <- client.RunContext(ctx) }()

	var wg sync.WaitGroup
	defer wg.Wait()
	for range a.cfg.SocketWorkers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case evt := <-client.Events:
					a.socketEvent(ctx, client, evt, cancel)
				}
			}
		})
	}
	err := <-runErr
	cancel()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		return nil
	}
	return fmt.Errorf("slack socket mode: %w", err)
}

func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event, stop context.CancelFunc) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.log.Info("connecting to Slack (Socket Mode)")
	case socketmode.EventTypeConnected:
		a.log.Info("connected to Slack (Socket Mode)")
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("Slack refused the app token (invalid_auth)")
		stop()
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage,
		socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("Socket Mode trouble", "type", evt.Type, "data", fmt.Sprint(evt.Data))
	case socketmode.EventTypeSlashCommand:
		c, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		if c.UserID == "" || c.ChannelID == "" {
			a.ack(ctx, client, evt.Request, outcome{body: ephemeral(a.failure())})
			return
		}
		a.ack(ctx, client, evt.Request, a.command(ctx, c, evt.Request.RetryAttempt))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		out, err := a.interaction(ctx, cb, evt.Request.RetryAttempt)
		if err != nil {
			a.log.Warn("ignoring a malformed interaction", "err", err)
		}
		a.ack(ctx, client, evt.Request, out)
	case socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			a.ack(ctx, client, evt.Request, outcome{})
		}
	}
}

func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, req *socketmode.Request, out outcome) {
	if out.after != nil || out.resend != nil {
		a.beginFollowUp()
		defer a.endFollowUp()
	}
	if err := client.AckCtx(ctx, req.EnvelopeID, out.body); err != nil {
		if out.resend == nil || ctx.Err() != nil {
			a.log.Warn("acknowledging a Socket Mode envelope", "envelope", req.EnvelopeID, "err", err)
			return
		}
		// Too large for an ack: acknowledge bare, answer separately.
		if err := client.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
			a.log.Warn("acknowledging a Socket Mode envelope", "envelope", req.EnvelopeID, "err", err)
		}
		out.resend(context.WithoutCancel(ctx))
	}
	if out.after != nil {
		out.after(context.WithoutCancel(ctx))
	}
}

// slogLogger gives socketmode's logger interface our slog logger.
type slogLogger struct {
	l interface{ Debug(string, ...any) }
}

func (s slogLogger) Output(_ int, msg string) error {
	s.l.Debug(msg)
	return nil
}
