package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/contingencia/contingencia/plan"
)

// summaryLine is the last line of a JSON Lines export.
type summaryLine struct {
	Summary *Summary `json:"summary"`
}

// writeJSONL writes one event per line, then the summary line, in one pass.
func writeJSONL(ctx context.Context, w *bufio.Writer, src Source, p *plan.Plan, opts Options) (Summary, error) {
	sc := newScanner(p, opts)
	buf := make([]byte, 0, 1024)
	err := src.Stream(ctx, opts.RunID, func(e plan.Event) error {
		if err := sc.add(e); err != nil {
			return err
		}
		buf = appendEvent(buf[:0], e)
		_, err := w.Write(buf)
		return err
	})
	if err != nil {
		return Summary{}, fmt.Errorf("reading the timeline: %w", err)
	}
	sum, err := sc.summary()
	if err != nil {
		return sum, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(summaryLine{Summary: &sum}); err != nil {
		return sum, fmt.Errorf("writing the summary line: %w", err)
	}
	return sum, nil
}

// appendEvent appends e as one JSON line with the fields and names of
// plan.Event's JSON form. It is what encoding/json would write, without
// reflection: exports of long runs spend most of their time here.
func appendEvent(b []byte, e plan.Event) []byte {
	b = append(b, `{"run_id":`...)
	b = appendString(b, e.RunID)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"at":"`...)
	b = e.At.UTC().AppendFormat(b, plan.TimeFormat)
	b = append(b, `","actor":{"platform":`...)
	b = appendString(b, e.Actor.Platform)
	b = append(b, `,"user_id":`...)
	b = appendString(b, e.Actor.UserID)
	b = append(b, `,"name":`...)
	b = appendString(b, e.Actor.Name)
	b = append(b, `},"type":`...)
	b = appendString(b, string(e.Type))
	b = append(b, `,"payload":`...)
	b = appendPayload(b, e.Payload)
	if e.IdempotencyKey != "" {
		b = append(b, `,"idempotency_key":`...)
		b = appendString(b, e.IdempotencyKey)
	}
	b = append(b, `,"prev_hash":`...)
	b = appendString(b, e.PrevHash)
	b = append(b, `,"hash":`...)
	b = appendString(b, e.Hash)
	return append(b, "}\n"...)
}

// appendPayload appends a payload compacted onto one line. An empty one is
// {} (what the chain hashes for it); one that is not JSON at all (only a
// tampered store holds such a thing) is kept as a JSON string, so that the
// line stays readable and verification names the event.
func appendPayload(b []byte, p json.RawMessage) []byte {
	if len(bytes.TrimSpace(p)) == 0 {
		return append(b, "{}"...)
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, p); err != nil {
		return appendString(b, string(p))
	}
	return buf.Bytes()
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does
// without HTML escaping: control characters, quotes and backslashes
// escaped, invalid UTF-8 replaced with U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
