package page_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/actions/page"
	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ---- a real SMTP server, in process, with STARTTLS and AUTH PLAIN ----

type mailbox struct {
	mu     sync.Mutex
	msgs   []received
	got    chan struct{}
	reject map[string]bool // recipients refused with 550
}

// refuse makes the server reject mail to addr.
func (b *mailbox) refuse(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reject[addr] = true
}

type received struct {
	from string
	to   []string
	data string
	tls  bool
	user string
}

type backend struct{ box *mailbox }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{box: b.box, conn: c}, nil
}

type session struct {
	box  *mailbox
	conn *smtp.Conn
	msg  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "bot" || pass != "s3creto" {
			return errors.New("invalid credentials")
		}
		s.msg.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.msg.user == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.msg.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	if s.box.reject[to] {
		return &smtp.SMTPError{Code: 550, Message: "mailbox unavailable"}
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = string(b)
	_, s.msg.tls = s.conn.TLSConnectionState()
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.msg)
	s.box.mu.Unlock()
	s.box.got <- struct{}{}
	return nil
}
func (s *session) Reset()        { s.msg.from, s.msg.to = "", nil }
func (s *session) Logout() error { return nil }

// startSMTP serves SMTP with STARTTLS on loopback; the returned TLS
// config trusts its certificate.
func startSMTP(tb testing.TB) (addr string, box *mailbox, client *tls.Config) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	box = &mailbox{got: make(chan struct{}, 100), reject: map[string]bool{}}
	srv := smtp.NewServer(backend{box})
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	tb.Cleanup(func() { srv.Close(); <-done })
	return l.Addr().String(), box, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// ---- the chat side: records what the bot would show ----

type chatSurface struct {
	mu     sync.Mutex
	dms    []string // person: title
	posts  []string
	failDM map[string]bool // people whose DMs fail
}

// refuseDM makes direct messages to person fail.
func (s *chatSurface) refuseDM(person string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failDM == nil {
		s.failDM = map[string]bool{}
	}
	s.failDM[person] = true
}

func (s *chatSurface) Platform() string { return "slack" }
func (s *chatSurface) CreateChannel(_ context.Context, spec bot.ChannelSpec) (string, error) {
	return "C" + spec.Name, nil
}
func (s *chatSurface) Post(_ context.Context, _ string, p bot.Part, _ string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, len(p.Mentions))
	for i, m := range p.Mentions {
		names[i] = m.Name
	}
	s.posts = append(s.posts, strings.Join(names, ",")+" "+p.Text)
	return fmt.Sprint(len(s.posts)), nil
}
func (s *chatSurface) Update(context.Context, string, string, bot.Part, string) error { return nil }
func (s *chatSurface) Pin(context.Context, string, string) error                      { return nil }
func (s *chatSurface) DirectMessage(_ context.Context, p plan.Person, part bot.Part, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failDM[p.Name] {
		return errors.New("channel_not_found")
	}
	s.dms = append(s.dms, p.Name+": "+part.Title)
	return nil
}

// ---- fixture ----

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	path  string
	clock *clock
	box   *mailbox
	surf  *chatSurface
	email *page.Email
	store *sqlite.Store
	bot   *bot.Bot
	stop  func()
	p     *plan.Plan
}

func setup(t *testing.T) *fixture {
	t.Helper()
	addr, box, tlsCfg := startSMTP(t)
	email, err := page.NewEmail(page.EmailConfig{URL: "smtp://bot:s3creto@" + addr, From: "contingencia@example.gob.ec", TLS: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.LoadFile("../../testdata/plans/small.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Far in the past, so River's real clock is always past any due time
	// the fake clock computes: only the workers' own checks decide.
	f := &fixture{path: filepath.Join(t.TempDir(), "page.db"), clock: &clock{now: time.Now().Add(-24 * time.Hour).UTC()},
		box: box, surf: &chatSurface{}, email: email, p: p}
	f.start(t)
	t.Cleanup(func() { f.stop() })
	return f
}

// start opens the store and the bot with working River queues; stop
// closes them, as a process restart would.
func (f *fixture) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	workers := river.NewWorkers()
	var b *bot.Bot
	rec := &lateRecorder{get: func() *bot.Bot { return b }}
	if err := page.Workers(workers, page.Config{Recorder: rec, Chat: page.ChatVia(rec), Email: f.email, Now: f.clock.Now}); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.New(ctx, sqlite.Config{Path: f.path, Jobs: storage.JobsConfig{Workers: workers,
		Queues: map[string]river.QueueConfig{page.QueuePages: {MaxWorkers: 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b, err = bot.New(bot.Config{Plan: f.p, Store: st, Now: f.clock.Now, Jobs: page.JobsFor})
	if err != nil {
		t.Fatal(err)
	}
	b.Register(f.surf)
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.StartJobs(ctx); err != nil {
		t.Fatal(err)
	}
	f.store, f.bot = st, b
	f.stop = func() {
		_ = st.StopJobs(context.Background())
		cancel()
		b.Stop()
		st.Close()
	}
}

// lateRecorder lets the workers be registered before the bot exists.
type lateRecorder struct{ get func() *bot.Bot }

func (l *lateRecorder) Load(ctx context.Context, id string) (*plan.Run, error) {
	return l.get().Load(ctx, id)
}
func (l *lateRecorder) Record(ctx context.Context, id string, c plan.Command, key string) error {
	return l.get().Record(ctx, id, c, key)
}
func (l *lateRecorder) DirectMessage(ctx context.Context, r *plan.Run, p plan.Person, role, title, text string) error {
	return l.get().DirectMessage(ctx, r, p, role, title, text)
}
func (l *lateRecorder) Tell(ctx context.Context, r *plan.Run, text string, m []plan.Person) error {
	return l.get().Tell(ctx, r, text, m)
}

var ana = bot.Origin{Platform: "slack", UserID: "U0SM00001", UserName: "Ana Líder", ChannelID: "CG"}

func (f *fixture) declare(t *testing.T) string {
	t.Helper()
	rep, err := f.bot.Activate(context.Background(), ana, bot.Activation{Services: []string{"portal"}, Strategy: plan.StrategyOVF, Assessment: "corte eléctrico"})
	if err != nil || rep.RunID == "" {
		t.Fatalf("activate: %+v %v", rep, err)
	}
	return rep.RunID
}

// waitJobs waits until no job of kinds is available, running or retryable.
func (f *fixture) waitJobs(t *testing.T, kinds ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, stop := f.store.SubscribeJobs(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed)
	defer stop()
	for {
		jobs, err := f.store.Client().JobList(ctx, river.NewJobListParams().Kinds(kinds...).
			States(rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStatePending))
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs.Jobs) == 0 {
			return
		}
		select {
		case <-sub:
		case <-ctx.Done():
			t.Fatalf("jobs still pending: %d", len(jobs.Jobs))
		}
	}
}

// fire makes the scheduled escalation timers of a run due now for River
// (the workers still check the fake clock).
func (f *fixture) fire(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	// A timer due by the real clock before the fake one runs at once and
	// snoozes: let it settle into scheduled first, or it is missed here.
	f.waitJobs(t, "contingencia.escalate")
	jobs, err := f.store.Client().JobList(ctx, river.NewJobListParams().Kinds("contingencia.escalate").States(rivertype.JobStateScheduled))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs.Jobs {
		if _, err := f.store.Client().JobRetry(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	f.waitJobs(t, "contingencia.escalate", "contingencia.page")
}

func (f *fixture) events(t *testing.T, runID string, types ...plan.EventType) []plan.PageEvent {
	t.Helper()
	var out []plan.PageEvent
	err := f.store.Stream(context.Background(), runID, func(e plan.Event) error {
		for _, typ := range types {
			if e.Type == typ {
				var p plan.PageEvent
				if err := jsonUnmarshal(e.Payload, &p); err != nil {
					return err
				}
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
