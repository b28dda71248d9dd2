package mattermost

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/bot"
)

func TestMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bold labels", "*Estado:* pruebas\n*Servicios:* Quipux", "**Estado:** pruebas\n**Servicios:** Quipux"},
		{"bold next to bold", "*a* *b*", "**a** **b**"},
		{"asterisks inside words stay", "2*3*4 y a*b", "2*3*4 y a*b"},
		{"inline code fence becomes a block", "Resumen:\n```deploy db```", "Resumen:\n```\ndeploy db\n```"},
		{"no bold inside code", "x ```*a*``` *b*", "x \n```\n*a*\n```\n **b**"},
		{"already Markdown is kept", "**ya**", "**ya**"},
		{"plain text", "sin marcas", "sin marcas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := markdown(tt.in); got != tt.want {
				t.Fatalf("markdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"corto", 24, "corto"},
		{"¿Cerrar la contingencia?", 24, "¿Cerrar la contingen…"},
		{"ññññ", 5, "ñ…"},
	}
	for _, tt := range tests {
		if got := fit(tt.in, tt.n); got != tt.want || len(got) > tt.n {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"Retry-After", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"reset only", http.Header{"X-Ratelimit-Reset": {"3"}}, 3 * time.Second},
		{"zero waits a second", http.Header{"Retry-After": {"0"}}, time.Second},
		{"nothing", http.Header{}, time.Second},
		{"garbage", http.Header{"Retry-After": {"soon"}}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.header); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestTokenOK(t *testing.T) {
	tests := []struct {
		header string
		ok     bool
	}{
		{"Token secret", true},
		{"token secret", true},
		{"Token  secret ", true},
		{"Token secreto", false},
		{"Token secre", false},
		{"Bearer secret", false},
		{"secret", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tokenOK(tt.header, "secret"); got != tt.ok {
			t.Errorf("tokenOK(%q) = %v", tt.header, got)
		}
	}
	for _, tokens := range []string{"otro, secret", "secret,otro", " secret "} {
		if !tokenOK("Token secret", tokens) {
			t.Errorf("secret not accepted among %q", tokens)
		}
	}
	for _, tokens := range []string{"", ",", "otro,"} {
		if tokenOK("Token secret", tokens) || tokenOK("Token ", tokens) {
			t.Errorf("accepted against %q", tokens)
		}
	}
}

func TestSigner(t *testing.T) {
	s := newSigner("", "bot", "cmd")
	c := buttonContext{Run: "CONT-2026-0001", Step: "a/b", Action: "CONT-2026-0001|done|a/b|3", Channel: "ch", Lang: "es"}
	t.Run("a signed context opens", func(t *testing.T) {
		got, err := s.open(s.sign(c))
		if err != nil || got != c {
			t.Fatalf("open = %+v, %v", got, err)
		}
	})
	t.Run("another token makes another key", func(t *testing.T) {
		if _, err := newSigner("", "bot", "other").open(s.sign(c)); err == nil {
			t.Fatal("a context signed with other tokens opened")
		}
	})
	t.Run("fields do not run into each other", func(t *testing.T) {
		if s.mac("p", "ab", "c") == s.mac("p", "a", "bc") {
			t.Fatal("length prefixes missing")
		}
	})
	t.Run("a sealed state unseals, an altered one does not", func(t *testing.T) {
		st := dialogState{Kind: callbackClick, UserID: "u", UserName: "n", Channel: "c", Action: c.Action, Reason: true}
		sealed := s.seal(st)
		if got, err := s.unseal(sealed); err != nil || got != st {
			t.Fatalf("unseal = %+v, %v", got, err)
		}
		body, mac, _ := strings.Cut(sealed, ".")
		for _, bad := range []string{body + "x." + mac, body, "." + mac, body + "." + strings.Repeat("0", len(mac))} {
			if _, err := s.unseal(bad); err == nil {
				t.Errorf("unseal(%q) succeeded", bad)
			}
		}
	})
}

func TestStringList(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want []string
		ok   bool
	}{
		{"array", []any{"quipux", "FirmaEC", "quipux"}, []string{"quipux", "firmaec"}, true},
		{"comma string", "quipux, bsg", []string{"quipux", "bsg"}, true},
		{"absent", nil, nil, true},
		{"number", 3.0, nil, false},
		{"array with a number", []any{"a", 1.0}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := stringList(tt.in)
			if ok != tt.ok || strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("stringList(%v) = %v, %v", tt.in, got, ok)
			}
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	b := goldenAdapter(t, loadPlan(t, "small.yaml")).bot
	good := Config{URL: "https://chat.example.gob.ec", BotToken: "b", CommandToken: "c", PublicURL: "https://bot.example.gob.ec"}
	tests := []struct {
		name  string
		alter func(*Config)
		want  string
	}{
		{"missing tokens", func(c *Config) { c.BotToken, c.CommandToken = "", "" }, "BotToken"},
		{"missing public URL", func(c *Config) { c.PublicURL = "" }, "PublicURL"},
		{"relative public URL", func(c *Config) { c.PublicURL = "/mattermost" }, "PublicURL"},
		{"server URL without scheme", func(c *Config) { c.URL = "chat.example.gob.ec" }, "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.alter(&cfg)
			if _, err := New(cfg, b); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error naming %s", err, tt.want)
			}
		})
	}
	if _, err := New(good, nil); err == nil {
		t.Fatal("New without a bot succeeded")
	}
	if _, err := New(good, b); err != nil {
		t.Fatal(err)
	}
}

func TestActionIDsFollowTheButtonNotItsPlace(t *testing.T) {
	rd := renderer{sign: newSigner("k", "", ""), actionURL: "https://bot/mattermost/actions"}
	v := func(k bot.ButtonKind, seq int64) bot.ButtonValue {
		return bot.ButtonValue{RunID: "CONT-2026-0001", Kind: k, Step: "eval/assess", Seq: seq}
	}
	pending := rd.actions([]bot.Button{{Label: "Iniciar", Value: v(bot.ButtonStart, 3)}, {Label: "Hecho", Value: v(bot.ButtonDone, 3)}}, "ch", "es")
	started := rd.actions([]bot.Button{{Label: "Hecho", Value: v(bot.ButtonDone, 4)}}, "ch", "es")
	if pending[1].Id != started[0].Id {
		t.Fatalf("the done button changed id across renders: %s, %s", pending[1].Id, started[0].Id)
	}
	if pending[0].Id == started[0].Id {
		t.Fatal("after an update, the start button's id names the done button")
	}
	for _, a := range append(pending, started...) {
		for _, r := range a.Id {
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
				t.Fatalf("action id %q has %q", a.Id, r)
			}
		}
	}
}
