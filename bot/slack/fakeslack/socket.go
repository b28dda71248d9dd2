package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// PingInterval is how often the fake sends websocket pings, as Slack does
// to keep a Socket Mode connection alive.
const PingInterval = 5 * time.Second

// Socket drives Socket Mode: it accepts the app's websocket connection,
// says hello, sends envelopes and hands back the app's acks.
type Socket struct {
	mu        sync.Mutex
	conn      *websocket.Conn
	writeMu   sync.Mutex
	connected chan struct{}
	closed    bool
	seq       int
	acks      map[string]chan json.RawMessage
}

func newSocket() *Socket {
	return &Socket{connected: make(chan struct{}), acks: map[string]chan json.RawMessage{}}
}

// serve runs one connection until it ends.
func (s *Socket) serve(c *websocket.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.conn = c
	select {
	case <-s.connected:
	default:
		close(s.connected)
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.conn == c {
			s.conn = nil
		}
		s.mu.Unlock()
	}()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(stop)
	ping := func() error {
		return c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
	}
	if err := ping(); err != nil {
		return
	}
	wg.Go(func() {
		t := time.NewTicker(PingInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if ping() != nil {
					return
				}
			}
		}
	})
	hello := map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0CONTIN"},
		"debug_info":      map[string]any{"host": "applink-fake", "approximate_connection_time": 3600}}
	if s.write(c, hello) != nil {
		return
	}
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := c.ReadJSON(&ack); err != nil {
			return
		}
		s.mu.Lock()
		ch, ok := s.acks[ack.EnvelopeID]
		delete(s.acks, ack.EnvelopeID)
		s.mu.Unlock()
		if ok {
			ch <- ack.Payload
		}
	}
}

func (s *Socket) write(c *websocket.Conn, v any) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.WriteJSON(v)
}

// WaitConnected waits until the app has connected.
func (s *Socket) WaitConnected(ctx context.Context) error {
	select {
	case <-s.connected:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the Socket Mode connection: %w", ctx.Err())
	}
}

// Envelope is one Socket Mode request.
type Envelope struct {
	Type         string // slash_commands, interactive
	Payload      any
	RetryAttempt int
}

// Send delivers an envelope and waits for the app's ack, returning the
// ack's payload (null when it had none).
func (s *Socket) Send(ctx context.Context, e Envelope) (json.RawMessage, error) {
	s.mu.Lock()
	c := s.conn
	if c == nil {
		s.mu.Unlock()
		return nil, errors.New("no Socket Mode connection")
	}
	s.seq++
	id := fmt.Sprintf("env-%06d", s.seq)
	ch := make(chan json.RawMessage, 1)
	s.acks[id] = ch
	s.mu.Unlock()
	msg := map[string]any{"envelope_id": id, "type": e.Type, "payload": e.Payload,
		"accepts_response_payload": e.Type != "events_api", "retry_attempt": e.RetryAttempt}
	if e.RetryAttempt > 0 {
		msg["retry_reason"] = "timeout"
	}
	if err := s.write(c, msg); err != nil {
		return nil, fmt.Errorf("sending envelope %s: %w", id, err)
	}
	select {
	case p := <-ch:
		return p, nil
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.acks, id)
		s.mu.Unlock()
		return nil, fmt.Errorf("waiting for the ack of %s: %w", id, ctx.Err())
	}
}

func (s *Socket) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.conn != nil {
		_ = s.conn.Close()
	}
}
