package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/actions/check"
	"github.com/contingencia/contingencia/actions/page"
	"github.com/contingencia/contingencia/actions/vsphere"
	"github.com/contingencia/contingencia/bot/mattermost"
	"github.com/contingencia/contingencia/bot/slack"
)

func init() { commands = append(commands, newServeCmd) }

// serveFlags are serve's flags, each with an environment fallback.
type serveFlags struct {
	plan, listen, database, lang string
}

func newServeCmd(a *app) *cobra.Command {
	var f serveFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: Slack and/or Mattermost, job workers, /metrics, /healthz, /readyz",
		Args:  cobra.NoArgs,
	}
	c.Flags().StringVar(&f.plan, "plan", os.Getenv("CONTINGENCIA_PLAN"), "plan file (env CONTINGENCIA_PLAN; default: the embedded Quipux plan)")
	c.Flags().StringVar(&f.listen, "listen", envOr("CONTINGENCIA_LISTEN", "127.0.0.1:8080"), "HTTP address (env CONTINGENCIA_LISTEN)")
	c.Flags().StringVar(&f.database, "database", os.Getenv("DATABASE_URL"), "postgres://… or sqlite:PATH (env DATABASE_URL; default sqlite:contingencia.db)")
	c.Flags().StringVar(&f.lang, "lang", envOr("CONTINGENCIA_LANG", "es"), "language: es or en (env CONTINGENCIA_LANG)")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkLang(f.lang); err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		logger := slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: logLevel()}))
		return serve(ctx, f, logger, nil)
	}
	return c
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(envOr("CONTINGENCIA_LOG_LEVEL", "info"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

// serve runs until ctx ends; ready, when set, receives the bound address.
func serve(ctx context.Context, f serveFlags, logger *slog.Logger, ready chan<- string) error {
	var providers []actions.Provider
	cc := check.Config{Logger: logger}
	if u := os.Getenv("VSPHERE_URL"); u != "" {
		insecure, err := envBool("VSPHERE_INSECURE")
		if err != nil {
			return err
		}
		// vCenter may be down with the data centre: serve starts anyway
		// (chat, paging, checklists) and logs in when an action needs it.
		vc, err := vsphere.NewLazy(vsphere.Config{URL: u, Insecure: insecure, Logger: logger})
		if err != nil {
			return err
		}
		if err := vc.Connect(ctx); err != nil {
			logger.Warn("vSphere is not reachable yet: actions on it will retry", "err", err)
		}
		defer vc.Close(context.WithoutCancel(ctx))
		providers = append(providers, vc)
		cc.Copies = vc // copies on datastores, for the readiness checks
	}
	providers = append(providers, check.New(cc))
	var email *page.Email
	if u := os.Getenv("SMTP_URL"); u != "" {
		var err error
		if email, err = page.NewEmail(page.EmailConfig{URL: u, From: cmp.Or(os.Getenv("SMTP_FROM"), "contingencia@localhost")}); err != nil {
			return err
		}
	}
	as, err := assemble(ctx, wiring{planPath: f.plan, database: f.database, lang: f.lang, logger: logger,
		providers: providers, email: email, workers: true})
	if err != nil {
		return err
	}
	private, err := envBool("CONTINGENCIA_PRIVATE_CHANNELS")
	if err != nil {
		as.store.Close()
		return err
	}
	mux := http.NewServeMux()
	var background []func(context.Context) error

	if tok := os.Getenv("SLACK_BOT_TOKEN"); tok != "" {
		sa, err := slack.New(slack.Config{Bot: as.bot, Token: tok, SigningSecret: os.Getenv("SLACK_SIGNING_SECRET"),
			AppToken: os.Getenv("SLACK_APP_TOKEN"), APIURL: os.Getenv("SLACK_API_URL"), PrivateChannels: private, Logger: logger})
		if err != nil {
			as.store.Close()
			return err
		}
		as.bot.Register(sa)
		mux.Handle("/slack/", sa.Handler())
		if os.Getenv("SLACK_APP_TOKEN") != "" {
			background = append(background, sa.Run)
		}
		logger.Info("slack enabled", "socket_mode", os.Getenv("SLACK_APP_TOKEN") != "")
	}
	if u := os.Getenv("MATTERMOST_URL"); u != "" {
		ma, err := mattermost.New(mattermost.Config{URL: u, BotToken: os.Getenv("MATTERMOST_BOT_TOKEN"),
			CommandToken: os.Getenv("MATTERMOST_COMMAND_TOKEN"), PublicURL: os.Getenv("CONTINGENCIA_PUBLIC_URL"),
			ActionSecret: os.Getenv("MATTERMOST_ACTION_SECRET"), Team: os.Getenv("MATTERMOST_TEAM"), PrivateChannels: private, Logger: logger}, as.bot)
		if err != nil {
			as.store.Close()
			return err
		}
		as.bot.Register(ma)
		mux.Handle("/mattermost/", ma.Handler())
		logger.Info("mattermost enabled")
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := as.store.Ping(ctx); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(as.metrics, promhttp.HandlerOpts{}))

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := as.start(runCtx, true); err != nil {
		as.store.Close()
		return err
	}
	// Other replicas' appends (PostgreSQL NOTIFY) refresh this replica's messages.
	go func() {
		err := as.store.Listen(runCtx, func(runID string) {
			if runID != "" {
				as.bot.Refresh(runID)
			}
		})
		if err != nil && runCtx.Err() == nil {
			logger.Warn("listening for other replicas' changes", "err", err)
		}
	}()
	for _, run := range background {
		go func() {
			if err := run(runCtx); err != nil && runCtx.Err() == nil {
				logger.Error("background connection ended", "err", err)
				cancel()
			}
		}()
	}

	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		cancel()
		_ = as.stop(true)
		return fmt.Errorf("listening on %s: %w", f.listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	logger.Info("serving", "addr", l.Addr().String(), "plan", as.plan.ID, "plan_hash", as.plan.Hash)
	if ready != nil {
		ready <- l.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err = <-errc:
	case <-runCtx.Done():
	}
	// Graceful shutdown: finish in-flight requests, then let running jobs
	// finish (or release them to another replica), then stop publishing.
	shutdownCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer done()
	if serr := srv.Shutdown(shutdownCtx); serr != nil {
		logger.Warn("shutting down HTTP", "err", serr)
	}
	cancel()
	if serr := as.stop(true); serr != nil {
		logger.Warn("stopping", "err", serr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	logger.Info("stopped")
	return err
}
