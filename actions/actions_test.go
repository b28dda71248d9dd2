package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/plan"
)

func TestPermanent(t *testing.T) {
	base := errors.New("la VM no existe")
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil stays nil", Permanent(nil), false},
		{"a marked error", Permanent(base), true},
		{"a wrapped marked error", fmt.Errorf("deploying db: %w", Permanent(base)), true},
		{"marking twice", Permanent(Permanent(base)), true},
		{"an unmarked error is transient", base, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsPermanent(tc.err); got != tc.want {
				t.Errorf("IsPermanent(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if !errors.Is(Permanent(base), base) {
		t.Error("Permanent hides the error it marks from errors.Is")
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
}

func TestValidateParams(t *testing.T) {
	cases := []struct {
		name    string
		kind    string
		params  map[string]any
		wantErr string
	}{
		{"valid plan values", "check.http", map[string]any{"url": "https://x", "status": 200, "timeout": "5s", "min_cert_validity": "30d"}, ""},
		{"JSON-decoded values", "check.http", map[string]any{"url": "https://x", "status": float64(200)}, ""},
		{"a list from JSON", "check.dns", map[string]any{"name": "x", "expect": []any{"10.0.0.1"}}, ""},
		{"an unknown kind", "vsphere.format_disk", nil, "acción desconocida"},
		{"a missing required parameter", "check.tcp", map[string]any{}, "falta el parámetro obligatorio \"address\""},
		{"an unknown parameter", "vsphere.power_on", map[string]any{"force": true}, "parámetro \"force\" no admitido"},
		{"a wrong type", "check.http", map[string]any{"url": "https://x", "status": "200"}, "debe ser un número entero"},
		{"a fractional number", "check.file", map[string]any{"path": "/x", "min_size": 1.5}, "debe ser un número entero"},
		{"a bad duration", "check.tcp", map[string]any{"address": "x:1", "timeout": "pronto"}, "no es una duración"},
		{"a list with a number", "check.dns", map[string]any{"name": "x", "expect": []any{"10.0.0.1", 3}}, "el elemento 2 debe ser texto"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateParams(tc.kind, tc.params)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateParams = %v", err)
				}
				return
			}
			if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ValidateParams = %v, want a permanent error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestRequestParams(t *testing.T) {
	r := Request{Params: map[string]any{
		"s": "texto", "i": float64(3), "b": true, "d": "2d", "l": []any{"a", "b"}, "bad": 7,
	}}
	if r.String("s", "") != "texto" || r.String("bad", "def") != "def" || r.String("none", "def") != "def" {
		t.Error("String")
	}
	if r.Int("i", 0) != 3 || r.Int("none", 9) != 9 {
		t.Error("Int")
	}
	if !r.Bool("b", false) || !r.Bool("none", true) {
		t.Error("Bool")
	}
	if r.Duration("d", 0) != 48*time.Hour || r.Duration("none", time.Second) != time.Second {
		t.Error("Duration")
	}
	if got := r.Strings("l"); len(got) != 2 || got[1] != "b" {
		t.Errorf("Strings = %v", got)
	}
	var got []int
	r.Progress = func(p int, _ string) { got = append(got, p) }
	r.Report(-5, "")
	r.Report(150, "")
	if len(got) != 2 || got[0] != 0 || got[1] != 100 {
		t.Errorf("Report clamps to 0..100: %v", got)
	}
	Request{}.Report(50, "a nil Progress is fine")
}

func TestCompareFacts(t *testing.T) {
	approved := Preflight{Facts: map[string]string{FactTarget: "/DC0/vm/q/db", FactPowerState: "poweredOff", FactSnapshotAt: "2026-11-20T10:00:00Z"}}
	cases := []struct {
		name    string
		now     map[string]string
		wantErr string
	}{
		{"same facts", map[string]string{FactTarget: "/DC0/vm/q/db", FactPowerState: "poweredOff", FactSnapshotAt: "2026-11-20T10:00:00Z"}, ""},
		{"a changed fact", map[string]string{FactTarget: "/DC0/vm/q/db", FactPowerState: "poweredOn", FactSnapshotAt: "2026-11-20T10:00:00Z"},
			"la situación cambió desde la aprobación (estado de energía: era «poweredOff», ahora «poweredOn»); hace falta una nueva confirmación"},
		{"a new and a gone fact", map[string]string{FactTarget: "/DC0/vm/q/db", FactPowerState: "poweredOff", FactHost: "esx-2"},
			"host: era (nada), ahora «esx-2»; fecha del snapshot: era «2026-11-20T10:00:00Z», ahora (nada)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CompareFacts(approved, Preflight{Facts: tc.now})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var stale *StaleError
			if !IsPermanent(err) || !errors.As(err, &stale) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CompareFacts = %v, want a permanent StaleError containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestGuardDrill(t *testing.T) {
	servers := []plan.Server{
		{ID: "db", VSphere: plan.VSphere{Path: "/DC0/vm/quipux/db-01", Datacenter: "DC0", Network: "prod-net"}},
		{ID: "web", VSphere: plan.VSphere{Path: "/DC0/vm/web/web-01", Folder: "web"}, Spec: plan.Spec{Networks: []string{"dmz"}}},
	}
	withDrill := func(d *plan.DrillTarget) *plan.Plan { return &plan.Plan{Servers: servers, Drill: d} }
	isolated := withDrill(&plan.DrillTarget{Folder: "simulacro", Network: "drill-net"})
	cases := []struct {
		name    string
		plan    *plan.Plan
		drill   bool
		target  Target
		wantErr string
	}{
		{"outside a drill anything goes", isolated, false, Target{VM: "/DC0/vm/quipux/db-01"}, ""},
		{"the drill copy in the drill folder", isolated, true, Target{VM: "/DC0/vm/simulacro/db-01-simulacro", Folder: "/DC0/vm/simulacro", Networks: []string{"drill-net"}}, ""},
		{"a subfolder of the drill folder", isolated, true, Target{VM: "/DC0/vm/simulacro/run7/db-01-simulacro"}, ""},
		{"a production VM", isolated, true, Target{VM: "/DC0/vm/quipux/db-01"}, "está fuera de la carpeta de simulacro /DC0/vm/simulacro"},
		{"a sibling with the same prefix", isolated, true, Target{VM: "/DC0/vm/simulacro-prod/db-01"}, "está fuera de la carpeta"},
		{"a production network", isolated, true, Target{VM: "/DC0/vm/simulacro/db-01-simulacro", Networks: []string{"prod-net"}}, "no es la red aislada de simulacro"},
		{"no drill target", withDrill(nil), true, Target{VM: "/DC0/vm/simulacro/x"}, "no define la carpeta y la red aisladas"},
		{"no plan", nil, true, Target{VM: "/DC0/vm/simulacro/x"}, "no define"},
		{"a drill folder over production VMs", withDrill(&plan.DrillTarget{Folder: "/DC0/vm", Network: "drill-net"}), true,
			Target{VM: "/DC0/vm/x-simulacro"}, "contiene la VM de producción /DC0/vm/quipux/db-01"},
		{"a drill folder equal to a production folder", withDrill(&plan.DrillTarget{Folder: "web", Network: "drill-net"}), true,
			Target{VM: "/DC0/vm/web/x-simulacro"}, "contiene la VM de producción /DC0/vm/web/web-01"},
		{"a production network as drill network", withDrill(&plan.DrillTarget{Folder: "simulacro", Network: "dmz"}), true,
			Target{VM: "/DC0/vm/simulacro/x"}, "la red de simulacro dmz es una red de producción (servidor web)"},
		{"an empty target", isolated, true, Target{}, "destino sin ruta"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := GuardDrill(Request{Drill: tc.drill, Plan: tc.plan}, "DC0", tc.target)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !IsPermanent(err) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "no se toca producción") {
				t.Fatalf("GuardDrill = %v, want a permanent refusal containing %q", err, tc.wantErr)
			}
		})
	}
}

// planner is an executor with a dry run whose facts the test changes.
type planner struct {
	state    string
	executed int
}

func (p *planner) Preflight(context.Context, Request) (Preflight, error) {
	return Preflight{Summary: "apagar", Facts: map[string]string{FactPowerState: p.state}, AlreadyDone: p.state == "poweredOff"}, nil
}

func (p *planner) Execute(context.Context, Request) (Result, error) {
	p.executed++
	return Result{Message: "hecho"}, nil
}

type provider map[string]Executor

func (p provider) Executors() map[string]Executor { return p }

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	pl := &planner{state: "poweredOn"}
	check := ExecutorFunc(func(context.Context, Request) (Result, error) { return Result{Message: "TCP ok"}, nil })
	reg := NewDefaultRegistry(provider{"vsphere.power_off": pl}, provider{"check.tcp": check})

	t.Run("lists and finds kinds", func(t *testing.T) {
		if got := strings.Join(reg.Kinds(), ","); got != "check.tcp,vsphere.power_off" {
			t.Errorf("Kinds = %s", got)
		}
		if _, ok := reg.Lookup("check.http"); ok {
			t.Error("Lookup found an unregistered kind")
		}
	})
	t.Run("an unregistered kind fails permanently", func(t *testing.T) {
		_, err := reg.Execute(ctx, Request{Kind: "check.http", Params: map[string]any{"url": "x"}})
		if !IsPermanent(err) || !strings.Contains(err.Error(), "no hay ejecutor") {
			t.Fatalf("Execute = %v", err)
		}
	})
	t.Run("invalid parameters fail before executing", func(t *testing.T) {
		_, err := reg.Execute(ctx, Request{Kind: "vsphere.power_off", Params: map[string]any{"force": "sí"}})
		if !IsPermanent(err) || pl.executed != 0 {
			t.Fatalf("Execute = %v, executed %d", err, pl.executed)
		}
	})
	t.Run("a checker has no pre-flight", func(t *testing.T) {
		_, planned, err := reg.Preflight(ctx, Request{Kind: "check.tcp", Params: map[string]any{"address": "x:1"}})
		if err != nil || planned {
			t.Fatalf("Preflight = %v, %v", planned, err)
		}
	})
	t.Run("an approved pre-flight that still holds executes", func(t *testing.T) {
		req := Request{Kind: "vsphere.power_off"}
		pf, planned, err := reg.Preflight(ctx, req)
		if err != nil || !planned || pf.Summary != "apagar" {
			t.Fatalf("Preflight = %+v, %v, %v", pf, planned, err)
		}
		req.Approved = &pf
		if _, err := reg.Execute(ctx, req); err != nil || pl.executed != 1 {
			t.Fatalf("Execute = %v, executed %d", err, pl.executed)
		}
	})
	t.Run("a stale approval is refused", func(t *testing.T) {
		req := Request{Kind: "vsphere.power_off"}
		pf, _, _ := reg.Preflight(ctx, req)
		pl.state = "suspended"
		req.Approved = &pf
		_, err := reg.Execute(ctx, req)
		var stale *StaleError
		if !errors.As(err, &stale) || !IsPermanent(err) || pl.executed != 1 {
			t.Fatalf("Execute = %v, executed %d; want a permanent StaleError and no execution", err, pl.executed)
		}
	})
	t.Run("changed facts of work already done do not block a re-delivered job", func(t *testing.T) {
		pl.state = "poweredOn"
		req := Request{Kind: "vsphere.power_off"}
		pf, _, _ := reg.Preflight(ctx, req)
		pl.state = "poweredOff"
		req.Approved = &pf
		if _, err := reg.Execute(ctx, req); err != nil || pl.executed != 2 {
			t.Fatalf("Execute = %v, executed %d; want the executor to run and report done", err, pl.executed)
		}
	})
	t.Run("registering mistakes panic", func(t *testing.T) {
		for name, fn := range map[string]func(){
			"unknown kind": func() { reg.Register("vsphere.format", check) },
			"twice":        func() { reg.Register("check.tcp", check) },
			"nil":          func() { reg.Register("check.dns", nil) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("Register (%s) did not panic", name)
					}
				}()
				fn()
			}()
		}
	})
}

func TestFormatAge(t *testing.T) {
	cases := map[time.Duration]string{
		850 * time.Millisecond:      "850 ms",
		40 * time.Second:            "40 s",
		12 * time.Minute:            "12 min",
		2*time.Hour + 5*time.Minute: "2 h 5 min",
		3 * time.Hour:               "3 h",
		76 * time.Hour:              "3 d 4 h",
		48 * time.Hour:              "2 d",
		-90 * time.Second:           "-1 min",
	}
	for d, want := range cases {
		if got := FormatAge(d); got != want {
			t.Errorf("FormatAge(%s) = %q, want %q", d, got, want)
		}
	}
}
