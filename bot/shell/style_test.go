package shell

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
	"github.com/contingencia/contingencia/storage/sqlite"
)

func TestStyle(t *testing.T) {
	tests := []struct {
		name  string
		color bool
		got   func(st style) string
		want  string
	}{
		{"bold is plain without colour", false, func(st style) string { return st.markdown("*Estado:* declarada") }, "Estado: declarada"},
		{"bold is bold with colour", true, func(st style) string { return st.markdown("*Estado:* declarada") }, "\x1b[1mEstado:\x1b[0m declarada"},
		{"code marks are dropped", false, func(st style) string { return st.markdown("use `estado`\n```plan```") }, "use estado\n\nplan\n"},
		{"a primary button is green", true, func(st style) string { return st.button(3, bot.Button{Label: "Ejecutar", Style: "primary"}) }, "\x1b[32m[3] Ejecutar\x1b[0m"},
		{"a danger button is red", true, func(st style) string { return st.button(4, bot.Button{Label: "Rechazar", Style: "danger"}) }, "\x1b[31m[4] Rechazar\x1b[0m"},
		{"a plain button has no colour codes", false, func(st style) string { return st.button(5, bot.Button{Label: "Omitir"}) }, "[5] Omitir"},
		{"mentions come first", false, func(st style) string {
			r := st.render(bot.Part{Text: "lo esperamos", Mentions: []plan.Person{{Name: "Carla Datos"}, {Name: "Diego Sistemas"}}}, newNumbering().frame("x"), false)
			return fmt.Sprint(r.full())
		}, "[   @Carla Datos @Diego Sistemas lo esperamos]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(style{color: tt.color}); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAsPicksThePersonHoldingTheRole(t *testing.T) {
	f := setup(t, setupOptions{})
	tests := []struct{ query, want string }{
		{"dba", "Carla Datos"},
		{"Administrador del Sistema", "Diego Sistemas"},
		{"system administrator", "Diego Sistemas"},
		{"líder", "Ana Líder"},
		{"leader", "Ana Líder"},
		{"persona beto suplente", "Beto Suplente"},
		{"person carla.datos@example.gob.ec", "Carla Datos"},
		{"persona Zoe Externa", "Zoe Externa"}, // outside the plan: acts once assigned
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if err := f.shell.As(tt.query); err != nil {
				t.Fatal(err)
			}
			if got := f.shell.Responder().Name; got != tt.want {
				t.Fatalf("as %q acts as %s, want %s", tt.query, got, tt.want)
			}
		})
	}
	if err := f.shell.As("bombero"); err == nil {
		t.Fatal("as an unknown role: no error")
	}
}

func ExampleShell_As() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "shell-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	p, err := plan.LoadFile("../../testdata/plans/small.yaml", nil)
	if err != nil {
		panic(err)
	}
	st, err := sqlite.New(ctx, sqlite.Config{Path: dir + "/example.db"})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	b, err := bot.New(bot.Config{Plan: p, Store: st})
	if err != nil {
		panic(err)
	}
	sh, err := New(Config{Out: os.Stdout}, b)
	if err != nil {
		panic(err)
	}
	fmt.Println(sh.Responder().Name)
	if err := sh.As("dba"); err != nil {
		panic(err)
	}
	fmt.Println(sh.Origin().UserID)
	// Output:
	// Ana Líder
	// 👤 Ahora actúa como Carla Datos (Administrador de Base de Datos).
	// carla.datos@example.gob.ec
}
