package vsphere

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

const dbPath = "/DC0/vm/quipux/db-quipux-01"

func TestRevert(t *testing.T) {
	simulate(t, func(e *env) {
		current := func(t *testing.T) string {
			t.Helper()
			m := e.props(t, e.vm(t, dbPath))
			if m.Snapshot == nil || m.Snapshot.CurrentSnapshot == nil {
				t.Fatal("db has no current snapshot")
			}
			var name string
			walkSnapshots(m.Snapshot.RootSnapshotList, func(s *types.VirtualMachineSnapshotTree) {
				if s.Snapshot == *m.Snapshot.CurrentSnapshot {
					name = s.Name
				}
			})
			return name
		}
		t.Run("pre-flight names the snapshot, its age and the VM's state", func(t *testing.T) {
			e.now = time.Now().Add(50 * time.Hour)
			req := e.request(t, "vsphere.revert_snapshot", "db-quipux-01", nil)
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{dbPath, "«RollBack»", "creado hace 2 d 2 h", "encendida", "se pierden los cambios posteriores", "LocalDS_0"} {
				if !strings.Contains(pf.Summary, want) {
					t.Errorf("summary %q lacks %q", pf.Summary, want)
				}
			}
			if pf.Facts[actions.FactCurrentSnap] != "despues" || pf.Facts[actions.FactPowerState] != "poweredOn" || pf.Facts[actions.FactSnapshotAt] == "" {
				t.Errorf("facts = %v", pf.Facts)
			}
		})
		t.Run("refuses when the facts changed since approval", func(t *testing.T) {
			req := e.request(t, "vsphere.revert_snapshot", "db-quipux-01", nil)
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			pf.Facts[actions.FactPowerState] = "poweredOff" // approved while it was off
			req.Approved = &pf
			_, err = e.reg.Execute(e.ctx, req)
			if !actions.IsPermanent(err) || !strings.Contains(err.Error(), "estado de energía: era «poweredOff», ahora «poweredOn»") {
				t.Fatalf("Execute = %v, want a permanent stale-approval error naming the power state", err)
			}
			if got := current(t); got != "despues" {
				t.Errorf("current snapshot = %s after a refused revert", got)
			}
		})
		t.Run("reverts to RollBack and powers on", func(t *testing.T) {
			var prog progressLog
			req := e.request(t, "vsphere.revert_snapshot", "db-quipux-01", map[string]any{"power_on": true})
			req.Progress = prog.report
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			req.Approved = &pf
			res, err := e.reg.Execute(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.AlreadyDone || !strings.Contains(res.Message, "revertida al snapshot «RollBack»") {
				t.Errorf("result = %+v", res)
			}
			if got := current(t); got != "RollBack" {
				t.Errorf("current snapshot = %s, want RollBack", got)
			}
			if got := e.powerState(t, dbPath); got != types.VirtualMachinePowerStatePoweredOn {
				t.Errorf("power state = %s, want poweredOn", got)
			}
			if v := prog.values(); len(v) == 0 || v[len(v)-1] != 100 {
				t.Errorf("progress = %v", v)
			}
		})
		t.Run("a second run does nothing", func(t *testing.T) {
			res, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.revert_snapshot", "db-quipux-01", nil))
			if err != nil || !res.AlreadyDone {
				t.Fatalf("second revert = %+v, %v; want already done", res, err)
			}
		})
		t.Run("another step reverts again, though RollBack is current", func(t *testing.T) {
			req := e.request(t, "vsphere.revert_snapshot", "db-quipux-01", nil)
			req.Step = "restore-library/rollback@db-quipux-01"
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil || pf.Facts[actions.FactCurrentSnap] != "RollBack" || !strings.HasPrefix(pf.Summary, "Revertir") {
				t.Fatalf("Preflight = %+v, %v", pf, err)
			}
			res, err := e.reg.Execute(e.ctx, req)
			if err != nil || res.AlreadyDone {
				t.Fatalf("Execute = %+v, %v; want a revert", res, err)
			}
		})
		t.Run("an unknown snapshot is a permanent error", func(t *testing.T) {
			_, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.revert_snapshot", "db-quipux-01", map[string]any{"snapshot": "nope"}))
			if !actions.IsPermanent(err) || !strings.Contains(err.Error(), "tiene: RollBack, despues") {
				t.Fatalf("Execute = %v", err)
			}
		})
		t.Run("a missing VM is a permanent error", func(t *testing.T) {
			_, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.revert_snapshot", "web-quipux-01", map[string]any{"snapshot": "x"}))
			if !actions.IsPermanent(err) || !strings.Contains(err.Error(), "no existe") {
				t.Fatalf("Execute = %v", err)
			}
		})
	})
}

func TestPower(t *testing.T) {
	simulate(t, func(e *env) {
		steps := []struct {
			name, kind  string
			params      map[string]any
			wantState   types.VirtualMachinePowerState
			alreadyDone bool
		}{
			{"powers off by force", "vsphere.power_off", map[string]any{"force": true}, types.VirtualMachinePowerStatePoweredOff, false},
			{"powering off again does nothing", "vsphere.power_off", map[string]any{"force": true}, types.VirtualMachinePowerStatePoweredOff, true},
			{"powers on", "vsphere.power_on", nil, types.VirtualMachinePowerStatePoweredOn, false},
			{"powering on again does nothing", "vsphere.power_on", nil, types.VirtualMachinePowerStatePoweredOn, true},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				res, err := e.reg.Execute(e.ctx, e.request(t, s.kind, "db-quipux-01", s.params))
				if err != nil {
					t.Fatal(err)
				}
				if res.AlreadyDone != s.alreadyDone {
					t.Errorf("AlreadyDone = %v, want %v (%s)", res.AlreadyDone, s.alreadyDone, res.Message)
				}
				if got := e.powerState(t, dbPath); got != s.wantState {
					t.Errorf("power state = %s, want %s", got, s.wantState)
				}
			})
		}
		t.Run("a guest shutdown without VMware Tools is refused", func(t *testing.T) {
			_, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.power_off", "db-quipux-01", nil))
			if !actions.IsPermanent(err) || !strings.Contains(err.Error(), "force: true") {
				t.Fatalf("Execute = %v, want a permanent error suggesting force", err)
			}
		})
		t.Run("a guest shutdown with VMware Tools powers off", func(t *testing.T) {
			e.setGuestTools(t, dbPath, true)
			req := e.request(t, "vsphere.power_off", "db-quipux-01", nil)
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil || !strings.Contains(pf.Summary, "apagado ordenado") || !strings.Contains(pf.Summary, "encendida") {
				t.Fatalf("Preflight = %+v, %v", pf, err)
			}
			if _, err := e.reg.Execute(e.ctx, req); err != nil {
				t.Fatal(err)
			}
			if got := e.powerState(t, dbPath); got != types.VirtualMachinePowerStatePoweredOff {
				t.Errorf("power state = %s", got)
			}
		})
	})
}

func TestClone(t *testing.T) {
	simulate(t, func(e *env) {
		t.Run("clones the template onto the server's network", func(t *testing.T) {
			// app-quipux-01 exists; clone it under another name by
			// pointing the server elsewhere.
			srv := *e.server(t, "app-quipux-01")
			srv.VSphere.Path = "/DC0/vm/quipux/app-quipux-02"
			req := e.request(t, "vsphere.clone", "app-quipux-01", map[string]any{"power_on": true})
			req.Server = &srv
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil || !strings.Contains(pf.Summary, "clonando /DC0/vm/plantillas/plantilla-app") || pf.Facts[actions.FactExists] != "no" {
				t.Fatalf("Preflight = %+v, %v", pf, err)
			}
			res, err := e.reg.Execute(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Message, "creada desde /DC0/vm/plantillas/plantilla-app") {
				t.Errorf("message = %q", res.Message)
			}
			if got := e.networks(t, srv.VSphere.Path); !slices.Equal(got, []string{"DC0_DVPG0", "DC0_DVPG0"}) {
				t.Errorf("networks = %v", got)
			}
			if got := e.powerState(t, srv.VSphere.Path); got != types.VirtualMachinePowerStatePoweredOn {
				t.Errorf("power state = %s", got)
			}
			again, err := e.reg.Execute(e.ctx, req)
			if err != nil || !again.AlreadyDone {
				t.Errorf("second clone = %+v, %v", again, err)
			}
		})
		t.Run("creates a VM from the plan's spec when there is no template", func(t *testing.T) {
			res, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.clone", "dns-quipux-01", nil))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Message, "spec del plan") {
				t.Errorf("message = %q", res.Message)
			}
			m := e.props(t, e.vm(t, "/DC0/vm/quipux/dns-quipux-01"))
			hw := m.Config.Hardware
			if hw.NumCPU != 1 || hw.MemoryMB != 512 {
				t.Errorf("hardware = %d CPU, %d MB", hw.NumCPU, hw.MemoryMB)
			}
		})
		t.Run("a missing template is a permanent error", func(t *testing.T) {
			_, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.clone", "web-quipux-01", map[string]any{"template": "/DC0/vm/plantillas/nope"}))
			if !actions.IsPermanent(err) {
				t.Fatalf("Execute = %v, want permanent", err)
			}
			if e.exists(t, "/DC0/vm/quipux/web-quipux-01") {
				t.Error("a VM was created without its template")
			}
		})
	})
}

func TestVerify(t *testing.T) {
	simulate(t, func(e *env) {
		t.Run("matching configuration", func(t *testing.T) {
			res, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.verify_config", "db-quipux-01", nil))
			if err != nil {
				t.Fatal(err)
			}
			want := "Configuración de " + dbPath + " conforme al plan: 2 vCPU, 2048 MB, discos 10 GB; 1 NIC en DC0_DVPG0; encendida"
			if res.Message != want {
				t.Errorf("message = %q\nwant      %q", res.Message, want)
			}
		})
		t.Run("differences are a readable permanent error", func(t *testing.T) {
			vm := e.vm(t, dbPath)
			task, err := vm.Reconfigure(e.ctx, types.VirtualMachineConfigSpec{MemoryMB: 1024, NumCPUs: 4})
			if err == nil {
				err = task.Wait(e.ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.power_off", "db-quipux-01", map[string]any{"force": true})); err != nil {
				t.Fatal(err)
			}
			srv := *e.server(t, "db-quipux-01")
			srv.Spec.GuestTools = true
			req := e.request(t, "vsphere.verify_config", "db-quipux-01", nil)
			req.Server = &srv
			_, err = e.reg.Execute(e.ctx, req)
			var mm *MismatchError
			if !actions.IsPermanent(err) || !errorsAs(err, &mm) {
				t.Fatalf("Execute = %v, want a permanent MismatchError", err)
			}
			want := "la configuración de " + dbPath + " difiere del plan: CPU: plan 2, VM 4; memoria: plan 2048 MB, VM 1024 MB; " +
				"estado de energía: plan encendida, VM apagada; VMware Tools: plan en ejecución, VM no en ejecución"
			if err.Error() != want {
				t.Errorf("error = %q\nwant    %q", err, want)
			}
		})
	})
}
