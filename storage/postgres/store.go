package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/contingencia/contingencia/storage"
)

// DefaultChannel is the NOTIFY channel of appends (prefixed with the schema
// when Config.Schema is set).
const DefaultChannel = "contingencia_events"

// Config configures a Store. Only URL is required.
type Config struct {
	// URL is a PostgreSQL connection URL or DSN.
	URL string
	// Schema, when set, holds every table (ours and River's): it is the
	// connections' search_path, created by Migrate. Tests use one each.
	Schema string
	// MaxConns bounds the pool (pgxpool's default, max(4, CPUs), when 0).
	MaxConns int32
	// Logger receives the store's and River's logs (discarded when nil).
	Logger *slog.Logger
	// Jobs configures the River client.
	Jobs storage.JobsConfig
	// NotifyDelay is how long appends are gathered into one NOTIFY
	// transaction (default 10ms; negative: none).
	NotifyDelay time.Duration
}

// DefaultNotifyDelay is Config.NotifyDelay's default.
const DefaultNotifyDelay = 10 * time.Millisecond

// Store is the PostgreSQL timeline store. It implements storage.Backend.
type Store struct {
	*storage.RiverJobs[pgx.Tx]

	pool    *pgxpool.Pool
	schema  string
	channel string
	logger  *slog.Logger
	addr    string

	heads    headCache
	notifier *notifier

	closeOnce sync.Once
}

var _ storage.Backend = (*Store)(nil)

// New connects to PostgreSQL and checks that it answers. It does not
// migrate: call Migrate (storage/stores.Open does).
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("postgres store: no database URL")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("parsing the PostgreSQL URL: %s", redact(err.Error(), ""))
	}
	addr := net.JoinHostPort(pcfg.ConnConfig.Host, strconv.Itoa(int(pcfg.ConnConfig.Port)))
	password := pcfg.ConnConfig.Password
	if cfg.Schema != "" {
		pcfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{cfg.Schema}.Sanitize()
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	logger := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, &unreachableError{addr: addr, msg: redact(err.Error(), password), err: err}
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, &unreachableError{addr: addr, msg: redact(err.Error(), password), err: err}
	}
	jobs, err := storage.NewRiverJobs(riverpgxv5.New(pool), cfg.Jobs, cfg.Schema, logger)
	if err != nil {
		pool.Close()
		return nil, err
	}
	channel := DefaultChannel
	if cfg.Schema != "" {
		channel = cfg.Schema + "." + DefaultChannel
	}
	return &Store{
		RiverJobs: jobs,
		pool:      pool,
		schema:    cfg.Schema,
		channel:   channel,
		logger:    logger,
		addr:      addr,
		notifier:  newNotifier(pool, channel, cmp.Or(cfg.NotifyDelay, DefaultNotifyDelay), logger),
	}, nil
}

// Pool is the store's connection pool (River and checks share it).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping implements storage.Store: the database answers and its schema is
// the one this binary needs.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return &unreachableError{addr: s.addr, msg: err.Error(), err: err}
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	return storage.CheckSchemaVersion(v, len(migrations))
}

// Close stops the job workers if they run and closes the pool. Calling it
// again does nothing.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		err = s.StopJobs(context.Background())
		s.notifier.close()
		s.pool.Close()
	})
	return err
}

// unreachableError says which server could not be reached, without the
// password the URL may carry.
type unreachableError struct {
	addr string
	msg  string
	err  error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("cannot reach PostgreSQL at %s: %s", e.addr, e.msg)
}

func (e *unreachableError) Unwrap() error { return e.err }

// redact removes a password from an error message.
func redact(msg, password string) string {
	if password == "" {
		return msg
	}
	return strings.ReplaceAll(msg, password, "xxxxx")
}
