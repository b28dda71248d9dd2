package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Actor is who caused an event: a person on a platform, or the bot itself.
type Actor struct {
	Platform string `json:"platform"` // slack, mattermost, shell, system
	UserID   string `json:"user_id"`
	Name     string `json:"name"`
}

// System is the actor of events the bot records on its own (action results,
// escalations).
var System = Actor{Platform: "system", UserID: "contingencia", Name: "contingencia"}

// EventType names what happened. The set is closed: Apply knows every one.
type EventType string

// Event is one row of a run's timeline, append-only. Seq starts at 1.
// Hash = SHA-256(PrevHash ‖ canonical JSON of the other fields).
type Event struct {
	RunID          string          `json:"run_id"`
	Seq            int64           `json:"seq"`
	At             time.Time       `json:"at"`
	Actor          Actor           `json:"actor"`
	Type           EventType       `json:"type"`
	Payload        json.RawMessage `json:"payload"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
	PrevHash       string          `json:"prev_hash"`
	Hash           string          `json:"hash"`
}

// GenesisHash is the PrevHash of a run's first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// TimeFormat is how times appear in the canonical form: UTC, microseconds,
// the precision every store keeps.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// canonical is the hashed form of an event: fixed field order, UTC
// microsecond time, payload re-encoded with sorted keys.
type canonical struct {
	RunID          string          `json:"run_id"`
	Seq            int64           `json:"seq"`
	At             string          `json:"at"`
	Actor          Actor           `json:"actor"`
	Type           EventType       `json:"type"`
	Payload        json.RawMessage `json:"payload"`
	IdempotencyKey string          `json:"idempotency_key"`
}

// CanonicalPayload re-encodes a JSON payload with sorted object keys, no
// insignificant whitespace and numbers kept as written, so that a payload
// read back from a store that reformats JSON (PostgreSQL's JSONB) hashes the
// same as the one written.
func CanonicalPayload(p json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(p)) == 0 {
		return json.RawMessage("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical payload: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("canonical payload: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// ComputeHash returns the chain hash of e given its PrevHash.
func ComputeHash(e Event) (string, error) {
	payload, err := CanonicalPayload(e.Payload)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(canonical{
		RunID: e.RunID, Seq: e.Seq, At: e.At.UTC().Format(TimeFormat), Actor: e.Actor,
		Type: e.Type, Payload: payload, IdempotencyKey: e.IdempotencyKey,
	}); err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(bytes.TrimRight(buf.Bytes(), "\n"))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Seal sets e's sequence, previous hash and hash, truncating its time to
// the microsecond so that it survives a round trip through any store.
func Seal(e *Event, seq int64, prevHash string) error {
	e.Seq = seq
	e.PrevHash = prevHash
	e.At = e.At.UTC().Truncate(time.Microsecond)
	payload, err := CanonicalPayload(e.Payload)
	if err != nil {
		return err
	}
	e.Payload = payload
	h, err := ComputeHash(*e)
	if err != nil {
		return err
	}
	e.Hash = h
	return nil
}

// ChainError names the first event where a chain does not verify.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("event %d: %s", e.Seq, e.Reason)
}

// Verifier checks a run's events one by one, in order, with constant
// memory, so that exports of any length can be verified while streaming.
type Verifier struct {
	next int64
	prev string
}

// NewVerifier returns a verifier expecting seq 1 with the genesis hash.
func NewVerifier() *Verifier { return &Verifier{next: 1, prev: GenesisHash} }

// Add checks the next event; the first failure is a *ChainError.
func (v *Verifier) Add(e Event) error {
	if e.Seq != v.next {
		return &ChainError{Seq: e.Seq, Reason: fmt.Sprintf("expected seq %d (gap, duplicate or reordering)", v.next)}
	}
	if e.PrevHash != v.prev {
		return &ChainError{Seq: e.Seq, Reason: "prev_hash does not match the previous event's hash"}
	}
	h, err := ComputeHash(e)
	if err != nil {
		return &ChainError{Seq: e.Seq, Reason: err.Error()}
	}
	if h != e.Hash {
		return &ChainError{Seq: e.Seq, Reason: "content does not match its hash (altered after it was recorded)"}
	}
	v.next++
	v.prev = e.Hash
	return nil
}

// Count is the number of events verified so far.
func (v *Verifier) Count() int64 { return v.next - 1 }

// Head is the hash of the last verified event (GenesisHash when none).
func (v *Verifier) Head() string { return v.prev }

// IsZero reports whether the actor is unset.
func (a Actor) IsZero() bool { return a == Actor{} }
