package vsphere

import (
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

func TestDrill(t *testing.T) {
	simulate(t, func(e *env) {
		drill := func(t *testing.T, kind, id string, params map[string]any) actions.Request {
			req := e.request(t, kind, id, params)
			req.Drill = true
			return req
		}
		t.Run("deploys into the drill folder and network", func(t *testing.T) {
			res, err := e.reg.Execute(e.ctx, drill(t, "vsphere.deploy_ovf", "db-quipux-01", nil))
			if err == nil {
				t.Fatalf("db has no copy, Execute = %+v", res)
			}
			srv := *e.server(t, "db-quipux-01")
			srv.Copy = e.server(t, "web-quipux-01").Copy
			req := drill(t, "vsphere.deploy_ovf", "db-quipux-01", map[string]any{"power_on": true})
			req.Server = &srv
			res, err = e.reg.Execute(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			const copyPath = "/DC0/vm/simulacro/db-quipux-01-simulacro"
			if !strings.Contains(res.Message, copyPath) {
				t.Errorf("message = %q", res.Message)
			}
			if got := e.networks(t, copyPath); len(got) != 1 || got[0] != "DC0_DVPG1" {
				t.Errorf("drill copy networks = %v, want [DC0_DVPG1]", got)
			}
			if got := e.powerState(t, dbPath); got != types.VirtualMachinePowerStatePoweredOn {
				t.Errorf("production VM power state = %s", got)
			}
		})
		t.Run("power off in a drill touches the drill copy only", func(t *testing.T) {
			if _, err := e.reg.Execute(e.ctx, drill(t, "vsphere.power_off", "db-quipux-01", map[string]any{"force": true})); err != nil {
				t.Fatal(err)
			}
			if got := e.powerState(t, "/DC0/vm/simulacro/db-quipux-01-simulacro"); got != types.VirtualMachinePowerStatePoweredOff {
				t.Errorf("drill copy = %s", got)
			}
			if got := e.powerState(t, dbPath); got != types.VirtualMachinePowerStatePoweredOn {
				t.Errorf("production VM = %s, want untouched (poweredOn)", got)
			}
		})
		t.Run("verify in a drill expects the drill network", func(t *testing.T) {
			_, err := e.reg.Execute(e.ctx, drill(t, "vsphere.verify_config", "db-quipux-01", nil))
			var mm *MismatchError
			if !errorsAs(err, &mm) {
				t.Fatalf("err = %v", err)
			}
			for _, d := range mm.Diff {
				if d.Field == "NIC y redes" {
					t.Errorf("networks differ in the drill: %+v", d)
				}
			}
		})
		t.Run("teardown removes this run's drill VMs only", func(t *testing.T) {
			other := drill(t, "vsphere.deploy_ovf", "web-quipux-01", nil)
			other.RunID = "CONT-2026-0002"
			if _, err := e.reg.Execute(e.ctx, other); err != nil {
				t.Fatal(err)
			}
			removed, err := e.client.TeardownDrill(e.ctx, e.plan, "CONT-2026-0001")
			if err != nil {
				t.Fatal(err)
			}
			if len(removed) != 1 || removed[0] != "/DC0/vm/simulacro/db-quipux-01-simulacro" {
				t.Errorf("removed = %v", removed)
			}
			if e.exists(t, "/DC0/vm/simulacro/db-quipux-01-simulacro") {
				t.Error("the drill copy is still there")
			}
			if !e.exists(t, "/DC0/vm/simulacro/web-quipux-01-simulacro") || !e.exists(t, dbPath) {
				t.Error("teardown removed another run's drill copy or a production VM")
			}
			again, err := e.client.TeardownDrill(e.ctx, e.plan, "CONT-2026-0001")
			if err != nil || len(again) != 0 {
				t.Errorf("second teardown = %v, %v; want nothing", again, err)
			}
		})
		refusals := []struct {
			name  string
			drill *plan.DrillTarget
			want  string
		}{
			{"no drill target in the plan", nil, "no define"},
			{"a drill folder holding production VMs", &plan.DrillTarget{Folder: "quipux", Network: "DC0_DVPG1"}, "contiene la VM de producción"},
			{"a production network as drill network", &plan.DrillTarget{Folder: "simulacro", Network: "DC0_DVPG0"}, "es una red de producción"},
		}
		for _, tc := range refusals {
			t.Run("refuses "+tc.name, func(t *testing.T) {
				p := *e.plan
				p.Drill = tc.drill
				for _, kind := range []string{"vsphere.power_off", "vsphere.revert_snapshot", "vsphere.clone", "vsphere.deploy_ovf"} {
					req := drill(t, kind, "db-quipux-01", map[string]any{"force": true})
					if kind != "vsphere.power_off" {
						req.Params = nil
					}
					req.Plan = &p
					_, err := e.reg.Execute(e.ctx, req)
					if !actions.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "no se toca producción") {
						t.Errorf("%s: err = %v, want a permanent refusal containing %q", kind, err, tc.want)
					}
				}
				if got := e.powerState(t, dbPath); got != types.VirtualMachinePowerStatePoweredOn {
					t.Errorf("production VM = %s", got)
				}
			})
		}
	})
}
