package demo

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// servePostgres is a PostgreSQL stand-in built on pgproto3: it accepts
// any user without a password, speaks the simple and the extended query
// protocol, and answers each query the checks run with the value they
// expect (one text column, one row). Any other query is an error.
func (s *services) servePostgres(queries map[string]string, log *slog.Logger) (string, error) {
	l, err := listen()
	if err != nil {
		return "", err
	}
	var (
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
		wg    sync.WaitGroup
	)
	s.wg.Go(func() {
		for pid := uint32(1); ; pid++ {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
					_ = c.Close()
				}()
				_ = c.SetDeadline(time.Now().Add(time.Minute))
				if err := (&pgSession{conn: c, be: pgproto3.NewBackend(c, c), queries: queries, pid: pid}).serve(); err != nil &&
					!errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
					log.Debug("simulated PostgreSQL session ended", "err", err)
				}
			})
		}
	})
	s.stops = append(s.stops, func() {
		_ = l.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String(), nil
}

// pgSession is one client connection to the stand-in.
type pgSession struct {
	conn       net.Conn
	be         *pgproto3.Backend
	queries    map[string]string
	pid        uint32
	statements map[string]string // prepared statement → query
	portals    map[string]string // portal → query
	failed     bool              // an extended-protocol error: skip until Sync
}

func (p *pgSession) serve() error {
	if err := p.startup(); err != nil {
		return err
	}
	p.statements, p.portals = map[string]string{}, map[string]string{}
	for {
		msg, err := p.be.Receive()
		if err != nil {
			return err
		}
		if p.failed {
			if _, ok := msg.(*pgproto3.Sync); !ok {
				continue
			}
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			if v, ok := p.answer(m.String); ok {
				p.be.Send(rowDescription())
				p.be.Send(&pgproto3.DataRow{Values: [][]byte{[]byte(v)}})
				p.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")})
			} else {
				p.be.Send(p.unknown(m.String))
			}
			p.be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
			if err := p.be.Flush(); err != nil {
				return err
			}
		case *pgproto3.Parse:
			if _, ok := p.answer(m.Query); !ok {
				p.be.Send(p.unknown(m.Query))
				p.failed = true
				continue
			}
			p.statements[m.Name] = m.Query
			p.be.Send(&pgproto3.ParseComplete{})
		case *pgproto3.Describe:
			if m.ObjectType == 'S' {
				p.be.Send(&pgproto3.ParameterDescription{})
			}
			p.be.Send(rowDescription())
		case *pgproto3.Bind:
			p.portals[m.DestinationPortal] = p.statements[m.PreparedStatement]
			p.be.Send(&pgproto3.BindComplete{})
		case *pgproto3.Execute:
			v, _ := p.answer(p.portals[m.Portal])
			p.be.Send(&pgproto3.DataRow{Values: [][]byte{[]byte(v)}})
			p.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")})
		case *pgproto3.Close:
			if m.ObjectType == 'S' {
				delete(p.statements, m.Name)
			} else {
				delete(p.portals, m.Name)
			}
			p.be.Send(&pgproto3.CloseComplete{})
		case *pgproto3.Sync:
			p.failed = false
			p.be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
			if err := p.be.Flush(); err != nil {
				return err
			}
		case *pgproto3.Flush:
			if err := p.be.Flush(); err != nil {
				return err
			}
		case *pgproto3.Terminate:
			return nil
		default:
			p.be.Send(&pgproto3.ErrorResponse{Severity: "ERROR", Code: "0A000", Message: fmt.Sprintf("mensaje %T no soportado por la base de datos simulada", msg)})
			p.be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
			if err := p.be.Flush(); err != nil {
				return err
			}
		}
	}
}

// startup declines TLS and accepts the client without a password.
func (p *pgSession) startup() error {
	for started := false; !started; {
		msg, err := p.be.ReceiveStartupMessage()
		if err != nil {
			return err
		}
		switch msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := p.conn.Write([]byte{'N'}); err != nil {
				return err
			}
		case *pgproto3.StartupMessage:
			started = true
		default:
			return fmt.Errorf("unexpected startup message %T", msg)
		}
	}
	p.be.Send(&pgproto3.AuthenticationOk{})
	for k, v := range map[string]string{
		"server_version": "16.0 (contingencia demo, simulado)", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"DateStyle": "ISO, MDY", "integer_datetimes": "on", "standard_conforming_strings": "on", "TimeZone": "UTC",
	} {
		p.be.Send(&pgproto3.ParameterStatus{Name: k, Value: v})
	}
	p.be.Send(&pgproto3.BackendKeyData{ProcessID: p.pid, SecretKey: []byte{0, 0, 0, 1}})
	p.be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	return p.be.Flush()
}

func (p *pgSession) answer(query string) (string, bool) {
	v, ok := p.queries[normQuery(query)]
	return v, ok
}

func (p *pgSession) unknown(query string) *pgproto3.ErrorResponse {
	return &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "42P01",
		Message: fmt.Sprintf("la base de datos simulada de la demostración no conoce la consulta %q", query)}
}

// rowDescription describes the stand-in's one text column.
func rowDescription() *pgproto3.RowDescription {
	return &pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{
		Name: []byte("resultado"), DataTypeOID: 25, DataTypeSize: -1, TypeModifier: -1, Format: 0,
	}}}
}
