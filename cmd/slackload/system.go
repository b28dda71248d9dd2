package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contingencia/contingencia/bot"
	slackbot "github.com/contingencia/contingencia/bot/slack"
	"github.com/contingencia/contingencia/bot/slack/fakeslack"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

// system is what the load runs against: the bot's URL and secret, the run,
// and the store to check the timeline in.
type system struct {
	url, secret string
	runs        []target
	plan        *plan.Plan
	store       storage.Store
	people      []plan.Person // responders (plan people with a Slack id)
	flush       func(ctx context.Context) error
	closers     []func()
}

// target is a run under load.
type target struct {
	runID   string
	channel string // the run's Slack channel, where commands are typed
	step    string // a checklist step clicks are about
}

func (s *system) runIDs() []string {
	ids := make([]string, len(s.runs))
	for i, t := range s.runs {
		ids[i] = t.runID
	}
	return ids
}

func (s *system) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *system) load(o options) error {
	p, err := plan.LoadFile(o.planPath, nil)
	if err != nil {
		return fmt.Errorf("loading the plan: %w", err)
	}
	s.plan = p
	for _, rl := range p.Roles {
		for _, pp := range rl.People {
			if pp.Slack != "" {
				s.people = append(s.people, pp)
			}
		}
	}
	if len(s.people) == 0 {
		return errors.New("the plan has nobody with a Slack id to play the responders")
	}
	return nil
}

// startSystem starts the bot, the Slack adapter, a local Slack API and a
// PostgreSQL schema of their own, and declares a drill to load.
func startSystem(ctx context.Context, o options) (_ *system, err error) {
	if !strings.HasPrefix(o.database, "postgres") {
		return nil, usageError{errors.New("the in-process system needs a PostgreSQL --database (postgres://…)")}
	}
	s := &system{secret: randomHex(16)}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := s.load(o); err != nil {
		return nil, err
	}
	schema := "slackload_" + randomHex(4)
	s.closers = append(s.closers, func() { dropSchema(o.database, schema) })
	db, err := stores.Open(ctx, o.database, stores.Config{Schema: schema, MaxConns: o.concurrency + 4})
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL: %w", err)
	}
	s.closers = append(s.closers, func() { _ = db.Close() })
	s.store = db

	ws := fakeslack.New()
	s.closers = append(s.closers, ws.Close)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	b, err := bot.New(bot.Config{Plan: s.plan, Store: db, Logger: logger})
	if err != nil {
		return nil, err
	}
	a, err := slackbot.New(slackbot.Config{Bot: b, Token: "xoxb-slackload", SigningSecret: s.secret, APIURL: ws.URL(), Logger: logger})
	if err != nil {
		return nil, err
	}
	b.Register(a)
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := b.Start(bctx); err != nil {
		cancel()
		return nil, err
	}
	s.closers = append(s.closers, func() { cancel(); b.Stop() })
	s.flush = func(ctx context.Context) error {
		if err := b.Flush(ctx); err != nil {
			return err
		}
		return a.Flush(ctx)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	s.closers = append(s.closers, func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
		<-served
	})
	s.url = "http://" + ln.Addr().String()

	for range o.runs {
		if err := s.declare(ctx, b); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// declare starts a drill of the plan's first service, as its first
// leader, and waits for its channel.
func (s *system) declare(ctx context.Context, b *bot.Bot) error {
	p := s.plan
	rl, _ := p.Role(p.Leaders[0])
	leader := rl.People[0]
	var strategy plan.Strategy
	for _, pr := range p.Procedures {
		if pr.Phase == plan.PhaseRestoring {
			strategy = pr.Strategy
			break
		}
	}
	o := bot.Origin{Platform: slackbot.Platform, UserID: leader.Slack, UserName: leader.Name, ChannelID: "C0LOADORIGIN", Delivery: "slackload-" + randomHex(4)}
	rep, err := b.Activate(ctx, o, bot.Activation{Services: []string{p.Services[0].ID}, Strategy: strategy, Drill: true,
		Assessment: "Prueba de carga (slackload)", Channel: "C0LOADORIGIN"})
	if err != nil || rep.Refused {
		return fmt.Errorf("declaring the drill to load: %v %s", err, rep.Text)
	}
	if err := s.flush(ctx); err != nil {
		return err
	}
	return s.locate(ctx, rep.RunID)
}

// locate adds a run to load, reading its channel and a step to click on
// from the store.
func (s *system) locate(ctx context.Context, runID string) error {
	evs, err := s.store.Load(ctx, runID)
	if err != nil {
		return fmt.Errorf("loading %s: %w", runID, err)
	}
	r, err := plan.Replay(runID, s.plan, evs)
	if err != nil {
		return fmt.Errorf("replaying %s: %w", runID, err)
	}
	ch, ok := r.Channels[slackbot.Platform]
	if !ok {
		return fmt.Errorf("%s has no Slack channel yet", runID)
	}
	if len(r.Items) == 0 {
		return fmt.Errorf("%s has no checklist", runID)
	}
	s.runs = append(s.runs, target{runID: runID, channel: ch.Channel, step: r.Items[len(r.Items)-1].Key})
	return nil
}

// attach loads a bot already running at --target.
func attach(ctx context.Context, o options) (_ *system, err error) {
	s := &system{url: strings.TrimRight(o.target, "/"), secret: o.secret}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := s.load(o); err != nil {
		return nil, err
	}
	db, err := stores.Open(ctx, o.database, stores.Config{MaxConns: 4})
	if err != nil {
		return nil, fmt.Errorf("opening the bot's database: %w", err)
	}
	s.closers = append(s.closers, func() { _ = db.Close() })
	s.store = db
	for _, id := range strings.Split(o.runID, ",") {
		if err := s.locate(ctx, strings.TrimSpace(id)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func dropSchema(url, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "slackload: dropping schema %s: %v\n", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		fmt.Fprintf(os.Stderr, "slackload: dropping schema %s: %v\n", schema, err)
	}
}
