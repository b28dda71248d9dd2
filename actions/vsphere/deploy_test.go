package vsphere

import (
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

func TestDeploy(t *testing.T) {
	simulate(t, func(e *env) {
		cases := []struct {
			name, server string
		}{
			{"deploys an OVA file", "web-quipux-01"},
			{"deploys an OVF with its disk", "files-quipux-01"},
			{"deploys an OVA from a datastore", "mail-quipux-01"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				path := "/DC0/vm/quipux/" + tc.server
				var prog progressLog
				req := e.request(t, "vsphere.deploy_ovf", tc.server, map[string]any{"power_on": true})
				req.Progress = prog.report
				pf, planned, err := e.reg.Preflight(e.ctx, req)
				if err != nil || !planned {
					t.Fatalf("Preflight = %v, %v", planned, err)
				}
				if !strings.Contains(pf.Summary, "Desplegar la copia") || pf.Facts[actions.FactExists] != "no" ||
					pf.Facts[actions.FactTarget] != path || pf.Facts[actions.FactDatastore] != "LocalDS_0" {
					t.Errorf("pre-flight = %+v", pf)
				}
				if tc.server != "mail-quipux-01" && pf.Facts[actions.FactSourceAt] == "" {
					t.Errorf("pre-flight without the copy's date: %+v", pf.Facts)
				}
				req.Approved = &pf
				res, err := e.reg.Execute(e.ctx, req)
				if err != nil {
					t.Fatalf("Execute: %v", err)
				}
				if res.AlreadyDone || !strings.Contains(res.Message, "desplegada") {
					t.Errorf("result = %+v", res)
				}
				if got := e.powerState(t, path); got != types.VirtualMachinePowerStatePoweredOn {
					t.Errorf("power state after deploy = %s", got)
				}
				if got := e.networks(t, path); !slices.Equal(got, []string{"DC0_DVPG0"}) {
					t.Errorf("NIC networks = %v, want [DC0_DVPG0]", got)
				}
				got := prog.values()
				if len(got) < 3 || got[len(got)-1] != 100 || !slices.IsSorted(got) {
					t.Errorf("progress = %v, want increasing up to 100", got)
				}

				// A re-delivered job still carries the approval given
				// before the deploy: the VM this step made is "already
				// done", not a stale approval.
				again, err := e.reg.Execute(e.ctx, req)
				if err != nil || !again.AlreadyDone {
					t.Errorf("second run = %+v, %v; want already done", again, err)
				}
			})
		}
	})
}

func TestDeployOwnership(t *testing.T) {
	simulate(t, func(e *env) {
		t.Run("never deploys over a VM this run did not make", func(t *testing.T) {
			srv := *e.server(t, "db-quipux-01")
			srv.Copy = e.server(t, "web-quipux-01").Copy
			req := e.request(t, "vsphere.deploy_ovf", "db-quipux-01", nil)
			req.Server = &srv
			req.Step = "otro-paso"
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil || !strings.Contains(pf.Summary, "que esta corrida no creó") {
				t.Fatalf("Preflight = %+v, %v", pf, err)
			}
			_, err = e.reg.Execute(e.ctx, req)
			if !actions.IsPermanent(err) || !strings.Contains(err.Error(), "no se despliega encima") {
				t.Fatalf("Execute = %v, want a permanent refusal", err)
			}
		})
		t.Run("removes and redeploys what a dead attempt left half-imported", func(t *testing.T) {
			const path = "/DC0/vm/quipux/web-quipux-01"
			req := e.request(t, "vsphere.deploy_ovf", "web-quipux-01", nil)
			if _, err := e.reg.Execute(e.ctx, req); err != nil {
				t.Fatal(err)
			}
			// Make it look like the upload never completed.
			vm := e.vm(t, path)
			before := vm.Reference()
			p, err := e.client.place(e.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			task, err := vm.Reconfigure(e.ctx, types.VirtualMachineConfigSpec{
				Annotation:  p.annotation() + importing,
				ExtraConfig: []types.BaseOptionValue{&types.OptionValue{Key: ownerKey, Value: ""}},
			})
			if err == nil {
				err = task.Wait(e.ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
			pf, _, err := e.reg.Preflight(e.ctx, req)
			if err != nil || !strings.Contains(pf.Summary, "se eliminará el despliegue incompleto") {
				t.Fatalf("Preflight = %+v, %v", pf, err)
			}
			res, err := e.reg.Execute(e.ctx, req)
			if err != nil || res.AlreadyDone {
				t.Fatalf("Execute = %+v, %v; want a new deploy", res, err)
			}
			if after := e.vm(t, path).Reference(); after == before {
				t.Errorf("the half-imported VM %s was kept", before)
			}
		})
	})
}
