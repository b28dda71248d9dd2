package postgres

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// jsonbKeepsNumbers reports whether PostgreSQL's JSONB gives payload's
// numbers back as written. JSONB stores numbers as numeric, so it rewrites
// exponents (1e2 → 100) and negative zero (-0 → 0); such a payload would
// no longer hash the same, so the store keeps its exact text as well.
func jsonbKeepsNumbers(payload []byte) bool {
	if !bytes.ContainsAny(payload, "eE-") {
		return true // fast path: no exponent, no sign (letters in strings aside)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return errors.Is(err, io.EOF)
		}
		n, ok := tok.(json.Number)
		if !ok {
			continue
		}
		s := string(n)
		if strings.ContainsAny(s, "eE") {
			return false
		}
		if strings.HasPrefix(s, "-") && strings.Trim(s, "-0.") == "" {
			return false
		}
	}
}
