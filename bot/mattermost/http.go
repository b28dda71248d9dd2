package mattermost

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// readJSON decodes a bounded JSON body, answering 405, 413 or 400 itself
// when it cannot; it reports whether the caller may go on.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, "request body larger than 1 MiB", http.StatusRequestEntityTooLarge)
		return false
	case err != nil:
		http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		http.Error(w, "malformed JSON body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// tokenOK checks an `Authorization: Token …` header against the command
// tokens (one, or several separated by commas: one per team) in constant
// time; comparing digests also hides the tokens' lengths.
func tokenOK(header, tokens string) bool {
	scheme, got, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Token") {
		return false
	}
	g := sha256.Sum256([]byte(strings.TrimSpace(got)))
	match := 0
	for _, want := range strings.Split(tokens, ",") {
		if want = strings.TrimSpace(want); want == "" {
			continue
		}
		x := sha256.Sum256([]byte(want))
		match |= subtle.ConstantTimeCompare(g[:], x[:])
	}
	return match == 1
}

// delivery shortens a trigger id into the delivery id of an origin: the
// same trigger always gives the same id, so a repeated request is one
// delivery.
func delivery(trigger string) string {
	if trigger == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(trigger))
	return hex.EncodeToString(sum[:16])
}
