package mattermost

import (
	"context"
	"encoding/json"
	"github.com/contingencia/contingencia/storage/storetest"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/bot/mattermost/mmtest"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	botToken     = "bot-token-0123456789"
	commandToken = "command-token-abcdefgh"
)

// fixture is the adapter serving on loopback, its bot on a real store,
// and the fake Mattermost server both call.
type fixture struct {
	ctx   context.Context
	mm    *mmtest.Server
	bot   *bot.Bot
	ad    *Adapter
	srv   *httptest.Server
	store storage.Store
	plan  *plan.Plan
	team  *model.Team
	town  *model.Channel
	users map[string]*model.User // by username
}

// setup starts everything for a plan file on a store.
func setup(tb testing.TB, planFile string, store storage.Store, configure ...func(*Config)) *fixture {
	tb.Helper()
	return setupBot(tb, planFile, store, nil, configure...)
}

// setupBot is setup with a hook on the bot's configuration.
func setupBot(tb testing.TB, planFile string, store storage.Store, botConfig func(*bot.Config), configure ...func(*Config)) *fixture {
	tb.Helper()
	p, err := plan.LoadFile(filepath.Join("..", "..", "testdata", "plans", planFile), nil)
	if err != nil {
		tb.Fatalf("loading %s: %v", planFile, err)
	}
	mm := mmtest.New(botToken)
	tb.Cleanup(mm.Close)
	f := &fixture{mm: mm, store: store, plan: p, users: map[string]*model.User{}}
	mm.AllowUntrustedInternalConnections("127.0.0.0/8") // the bot listens on loopback
	f.team = mm.AddTeam("gobierno")
	var ids []string
	for _, rl := range p.Roles {
		for _, pp := range rl.People {
			if pp.Mattermost != "" && f.users[pp.Mattermost] == nil {
				f.users[pp.Mattermost] = mm.AddUser(pp.Mattermost)
				ids = append(ids, f.users[pp.Mattermost].Id)
			}
		}
	}
	f.users["zoe.extrana"] = mm.AddUser("zoe.extrana") // holds no role
	f.town = mm.AddChannel(f.team.Id, "town-square", model.ChannelTypeOpen, append(ids, f.users["zoe.extrana"].Id)...)

	bcfg := bot.Config{Plan: p, Store: store, Export: exportJSONL(store)}
	if botConfig != nil {
		botConfig(&bcfg)
	}
	b, err := bot.New(bcfg)
	if err != nil {
		tb.Fatal(err)
	}
	f.bot = b
	var handler httpHandlerSwap
	f.srv = httptest.NewServer(&handler)
	tb.Cleanup(f.srv.Close)
	cfg := Config{URL: mm.URL, BotToken: botToken, CommandToken: commandToken, PublicURL: f.srv.URL}
	for _, c := range configure {
		c(&cfg)
	}
	f.ad, err = New(cfg, b)
	if err != nil {
		tb.Fatal(err)
	}
	handler.set(f.ad.Handler())
	b.Register(f.ad)
	ctx, cancel := context.WithCancel(context.Background())
	f.ctx = ctx
	if err := b.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cancel()
		b.Stop()
	})
	return f
}

// httpHandlerSwap lets the test server start before the adapter, whose
// public URL is the server's.
type httpHandlerSwap struct{ h atomic.Pointer[http.Handler] }

func (s *httpHandlerSwap) set(h http.Handler) { s.h.Store(&h) }

func (s *httpHandlerSwap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// exportJSONL writes a run's events as JSON lines: the export wiring the
// tests need, straight from the store.
func exportJSONL(store storage.Store) func(ctx context.Context, w io.Writer, runID, format, lang string) error {
	return func(ctx context.Context, w io.Writer, runID, format, lang string) error {
		enc := json.NewEncoder(w)
		return store.Stream(ctx, runID, func(e plan.Event) error { return enc.Encode(e) })
	}
}

// sqliteStore opens a SQLite store in a temporary directory.
func sqliteStore(tb testing.TB) storage.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := stores.Open(ctx, "sqlite:"+filepath.Join(tb.TempDir(), "contingencia.db"), stores.Config{})
	if err != nil {
		tb.Fatalf("opening SQLite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// postgresStore opens a PostgreSQL store in a fresh schema, dropped at
// the end. Unreachable PostgreSQL fails the test when CI=true, else
// skips it.
func postgresStore(tb testing.TB) storage.Store {
	tb.Helper()
	url, schema := storetest.PostgresSchema(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := stores.Open(ctx, url, stores.Config{Schema: schema})
	if err != nil {
		tb.Fatalf("opening PostgreSQL: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
