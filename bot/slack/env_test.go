package slack_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/contingencia/contingencia/storage/storetest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contingencia/contingencia/bot"
	slackbot "github.com/contingencia/contingencia/bot/slack"
	"github.com/contingencia/contingencia/bot/slack/fakeslack"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/stores"
)

const (
	signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	botToken      = "xoxb-test-token"
	appToken      = "xapp-test-token"
	originChannel = "C0ORIGIN01"
)

// defaultPostgres is this machine's PostgreSQL (trust auth, user root),
// used when DATABASE_URL is unset outside CI.
const defaultPostgres = "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"

var (
	pgOnce sync.Once
	pgErr  error
)

// postgresURL is the test database (storetest.PostgresURL: fails when
// CI=true and it is unreachable, skips otherwise).
func postgresURL(tb testing.TB) string {
	tb.Helper()
	return storetest.PostgresURL(tb)
}

// openStore opens a migrated store of the kind named: "sqlite" in a temp
// dir, or "postgres" in a schema of its own dropped at the end.
func openStore(tb testing.TB, kind string) storage.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		db  stores.DB
		err error
	)
	switch kind {
	case "sqlite":
		db, err = stores.Open(ctx, "sqlite:"+filepath.Join(tb.TempDir(), "contingencia.db"), stores.Config{})
	case "postgres":
		u, schema := storetest.PostgresSchema(tb)
		db, err = stores.Open(ctx, u, stores.Config{Schema: schema})
	default:
		tb.Fatalf("unknown store %q", kind)
	}
	if err != nil {
		tb.Fatalf("opening the %s store: %v", kind, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func loadPlan(tb testing.TB, name string) *plan.Plan {
	tb.Helper()
	p, err := plan.LoadFile(filepath.Join("..", "..", "testdata", "plans", name+".yaml"), nil)
	if err != nil {
		tb.Fatalf("loading plan %s: %v", name, err)
	}
	return p
}

// env is a bot with the Slack adapter, a fake Slack and a real store.
type env struct {
	tb      testing.TB
	plan    *plan.Plan
	store   storage.Store
	bot     *bot.Bot
	adapter *slackbot.Adapter
	ws      *fakeslack.Workspace
	srv     *httptest.Server
	client  *http.Client
	exports atomic.Int32
	seq     atomic.Int64
}

type envOptions struct {
	plan    string // quipux (default) or small
	store   string // sqlite (default) or postgres
	socket  bool   // Socket Mode instead of HTTP
	private bool   // run channels are private
}

func setup(tb testing.TB, o envOptions) *env {
	tb.Helper()
	if o.plan == "" {
		o.plan = "quipux"
	}
	if o.store == "" {
		o.store = "sqlite"
	}
	e := &env{tb: tb, plan: loadPlan(tb, o.plan), ws: fakeslack.New()}
	tb.Cleanup(e.ws.Close)
	e.store = openStore(tb, o.store)
	logger := slog.New(slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b, err := bot.New(bot.Config{Plan: e.plan, Store: e.store, Logger: logger,
		Export: func(ctx context.Context, w io.Writer, runID, format, lang string) error {
			e.exports.Add(1)
			_, err := fmt.Fprintf(w, "run,format\n%s,%s\n", runID, format)
			return err
		}})
	if err != nil {
		tb.Fatal(err)
	}
	e.bot = b
	transport := &http.Transport{}
	tb.Cleanup(transport.CloseIdleConnections)
	cfg := slackbot.Config{Bot: b, Token: botToken, SigningSecret: signingSecret, APIURL: e.ws.URL(),
		HTTPClient: &http.Client{Transport: transport}, PrivateChannels: o.private, Logger: logger}
	if o.socket {
		cfg.AppToken = appToken
	}
	a, err := slackbot.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	e.adapter = a
	b.Register(a)
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			b.Stop()
		}
	}
	tb.Cleanup(stop)
	e.srv = httptest.NewServer(a.Handler())
	tb.Cleanup(e.srv.Close)
	clientTransport := &http.Transport{}
	tb.Cleanup(clientTransport.CloseIdleConnections)
	e.client = &http.Client{Transport: clientTransport, Timeout: 30 * time.Second}
	if o.socket {
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		tb.Cleanup(func() {
			stop()
			if err := <-done; err != nil {
				tb.Errorf("Socket Mode Run: %v", err)
			}
		})
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		if err := e.ws.Socket().WaitConnected(wctx); err != nil {
			tb.Fatal(err)
		}
	}
	return e
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// flush waits for the publisher and the adapter's follow-up work.
func (e *env) flush() {
	e.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.adapter.Flush(ctx); err != nil {
		e.tb.Fatalf("flushing the adapter: %v", err)
	}
	if err := e.bot.Flush(ctx); err != nil {
		e.tb.Fatalf("flushing the publisher: %v", err)
	}
	if err := e.adapter.Flush(ctx); err != nil {
		e.tb.Fatalf("flushing the adapter: %v", err)
	}
}

func (e *env) trigger() string { return fmt.Sprintf("%d.%d.trigger", time.Now().Unix(), e.seq.Add(1)) }

// sign computes Slack's v0 request signature.
func sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// request is one signed HTTP request to the adapter.
type request struct {
	path    string
	body    []byte
	at      time.Time // signing time (now when zero)
	secret  string    // signing secret (the right one when empty)
	retry   int       // X-Slack-Retry-Num
	headers map[string]string
}

type answer struct {
	status int
	body   []byte
}

func (e *env) post(r request) answer {
	e.tb.Helper()
	if r.at.IsZero() {
		r.at = time.Now()
	}
	if r.secret == "" {
		r.secret = signingSecret
	}
	ts := strconv.FormatInt(r.at.Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+r.path, strings.NewReader(string(r.body)))
	if err != nil {
		e.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(r.secret, ts, r.body))
	if r.retry > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(r.retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.tb.Fatalf("POST %s: %v", r.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		e.tb.Fatalf("reading the answer of %s: %v", r.path, err)
	}
	return answer{status: res.StatusCode, body: body}
}

// person is a Slack user of the plan.
type person struct{ ID, Name string }

func personOf(p plan.Person) person { return person{ID: p.Slack, Name: p.Name} }

func (p person) json() map[string]any {
	return map[string]any{"id": p.ID, "username": strings.ToLower(strings.ReplaceAll(p.Name, " ", ".")), "name": p.Name, "team_id": "T0CONTIN"}
}

// commandForm is the form Slack posts for `/contingencia TEXT`.
func (e *env) commandForm(who person, channel, text, trigger string) url.Values {
	return url.Values{
		"token": {"deprecated-verification-token"}, "team_id": {"T0CONTIN"}, "team_domain": {"contingencia"},
		"channel_id": {channel}, "channel_name": {"general"}, "user_id": {who.ID}, "user_name": {who.Name},
		"command": {"/contingencia"}, "text": {text}, "api_app_id": {"A0CONTIN"}, "is_enterprise_install": {"false"},
		"response_url": {e.ws.ResponseURL("commands/" + trigger)}, "trigger_id": {trigger},
	}
}

// interactionForm wraps an interaction payload as Slack posts it.
func interactionForm(tb testing.TB, payload any) []byte {
	tb.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(url.Values{"payload": {string(raw)}}.Encode())
}
