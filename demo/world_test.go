package demo

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia"
	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quipux loads the embedded Quipux plan.
func quipux(tb testing.TB) *plan.Plan {
	tb.Helper()
	p, err := plan.Load(contingencia.DefaultPlanName, contingencia.DefaultPlan, actions.Catalog())
	if err != nil {
		tb.Fatalf("loading the Quipux plan: %v", err)
	}
	return p
}

// start runs a world for the test and closes it after.
func start(tb testing.TB, p *plan.Plan) (*World, *actions.Registry) {
	tb.Helper()
	w, err := Start(context.Background(), Config{Plan: p, Dir: tb.TempDir()})
	if err != nil {
		tb.Fatalf("starting the world: %v", err)
	}
	tb.Cleanup(w.Close)
	return w, actions.NewDefaultRegistry(w.Providers...)
}

func TestWorldRestoresAndVerifiesAService(t *testing.T) {
	orig := quipux(t)
	w, reg := start(t, orig)
	ctx := context.Background()
	svc, ok := w.Plan.Service("quipux")
	if !ok {
		t.Fatal("no quipux service")
	}
	servers := []string{"quipux-db", "quipux-files"} // an OVA and an OVF copy
	for _, id := range servers {
		srv, _ := w.Plan.Server(id)
		t.Run("deploys and verifies "+id+" from its "+string(srv.Copy.Format)+" copy", func(t *testing.T) {
			req := actions.Request{RunID: "CONT-2026-0001", Step: "restauracion-ovf/levantar-servidor@" + id, Kind: "vsphere.deploy_ovf",
				Params: map[string]any{"power_on": true}, Plan: w.Plan, Server: srv}
			res, err := reg.Execute(ctx, req)
			if err != nil {
				t.Fatalf("deploy: %v", err)
			}
			t.Log(res.Message)
			req.Kind, req.Step, req.Params = "vsphere.verify_config", "restauracion-ovf/verificar-configuracion@"+id, nil
			res, err = reg.Execute(ctx, req)
			if err != nil {
				t.Fatalf("verify_config after the deploy: %v", err)
			}
			if !strings.Contains(res.Message, "VMware Tools en ejecución") {
				t.Fatalf("verify_config: %s", res.Message)
			}
		})
	}
	for _, ch := range svc.Checks {
		t.Run("check "+ch.ID+" passes", func(t *testing.T) {
			res, err := reg.Execute(ctx, actions.Request{RunID: "CONT-2026-0001", Step: "pruebas/pruebas-funcionales@quipux", Kind: ch.Action,
				Params: ch.Params, Plan: w.Plan, Service: svc})
			if err != nil {
				t.Fatalf("%s: %v", ch.Action, err)
			}
			t.Log(res.Message)
		})
	}
	t.Run("keeps the plan's hash and leaves the original unbound", func(t *testing.T) {
		if w.Plan.Hash != orig.Hash || w.Plan.Hash == "" {
			t.Fatalf("hash %q, want %q", w.Plan.Hash, orig.Hash)
		}
		o, _ := orig.Server("quipux-db")
		if o.Copy.Path != "/srv/respaldos/ovf/quipux/quipux-db.ova" {
			t.Fatalf("the original plan's copy moved to %s", o.Copy.Path)
		}
		os, _ := orig.Service("quipux")
		if dsn := os.Checks[3].Params["dsn"]; !strings.Contains(dsn.(string), "verify-full") {
			t.Fatalf("the original plan's DSN changed to %s", dsn)
		}
	})
}

func TestEveryCheckOfThePlanPasses(t *testing.T) {
	w, reg := start(t, quipux(t))
	ctx := context.Background()
	for i := range w.Plan.Services {
		svc := &w.Plan.Services[i]
		for _, ch := range svc.Checks {
			t.Run(svc.ID+"/"+ch.ID, func(t *testing.T) {
				if _, err := reg.Execute(ctx, actions.Request{Kind: ch.Action, Params: ch.Params, Plan: w.Plan, Service: svc}); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestNothingLeavesTheMachine(t *testing.T) {
	w, _ := start(t, quipux(t))
	tests := []struct{ network, addr string }{
		{"tcp", "example.com:443"},
		{"tcp", "quipux.example.gob.ec:80"},
		{"udp", "8.8.8.8:53"},
	}
	for _, tt := range tests {
		t.Run(tt.network+" "+tt.addr+" is refused", func(t *testing.T) {
			c, err := w.Dialer.DialContext(context.Background(), tt.network, tt.addr)
			if err == nil {
				c.Close()
				t.Fatal("dialled")
			}
		})
	}
}

func TestStartRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"without a plan", Config{Dir: t.TempDir()}},
		{"without a directory", Config{Plan: &plan.Plan{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Start(context.Background(), tt.cfg); err == nil {
				t.Fatal("Start accepted it")
			}
		})
	}
}
