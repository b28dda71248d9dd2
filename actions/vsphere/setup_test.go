package vsphere

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// ovfDir is testdata/ovf at the repository root.
func ovfDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "ovf")
}

// testPlan is a small plan in the shape of the Quipux one, placed in the
// simulator's default inventory (DC0, DC0_C0, LocalDS_0, DC0_DVPG0) with
// an isolated drill folder and port group (DC0_DVPG1).
func testPlan(tb testing.TB) *plan.Plan {
	tb.Helper()
	dir := ovfDir(tb)
	srv := func(id, role string, spec plan.Spec) plan.Server {
		return plan.Server{
			ID: id, Role: plan.ServerRole(role),
			VSphere: plan.VSphere{
				Path: "/DC0/vm/quipux/" + id, Datacenter: "DC0", Cluster: "DC0_C0",
				Datastore: "LocalDS_0", Network: "DC0_DVPG0",
			},
			Spec: spec,
		}
	}
	small := plan.Spec{CPUs: 2, MemoryMB: 2048, DisksGB: []int{10}, Networks: []string{"DC0_DVPG0"}}
	db := srv("db-quipux-01", "database", small)
	db.Snapshot = "RollBack"
	app := srv("app-quipux-01", "app", plan.Spec{CPUs: 1, MemoryMB: 1024, DisksGB: []int{5}, Networks: []string{"DC0_DVPG0"}})
	app.VSphere.Template = "/DC0/vm/plantillas/plantilla-app"
	web := srv("web-quipux-01", "web", plan.Spec{CPUs: 1, MemoryMB: 128, Networks: []string{"DC0_DVPG0"}})
	web.Copy = &plan.Copy{Format: plan.FormatOVA, Path: filepath.Join(dir, "contingencia-tiny.ova")}
	files := srv("files-quipux-01", "files", plan.Spec{CPUs: 1, MemoryMB: 128, Networks: []string{"DC0_DVPG0"}})
	files.Copy = &plan.Copy{Format: plan.FormatOVF, Path: filepath.Join(dir, "contingencia-tiny.ovf")}
	mail := srv("mail-quipux-01", "mail", plan.Spec{CPUs: 1, MemoryMB: 128, Networks: []string{"DC0_DVPG0"}})
	mail.Copy = &plan.Copy{Format: plan.FormatOVA, Datastore: "[LocalDS_0] copias/contingencia-tiny.ova"}
	dns := srv("dns-quipux-01", "dns", plan.Spec{CPUs: 1, MemoryMB: 512, DisksGB: []int{2, 3}, Networks: []string{"DC0_DVPG0"}})
	return &plan.Plan{
		ID:      "quipux-test",
		Servers: []plan.Server{db, app, web, files, mail, dns},
		Drill:   &plan.DrillTarget{Folder: "simulacro", Network: "DC0_DVPG1"},
	}
}

// env is a simulated vCenter seeded from testPlan: db-quipux-01 and
// app-quipux-01 exist (db powered on, with snapshots RollBack then
// despues), a template plantilla-app, the OVA copy on LocalDS_0; the
// other servers do not exist yet.
type env struct {
	ctx    context.Context
	model  *simulator.Model
	vim    *vim25.Client
	client *Client
	reg    *actions.Registry
	plan   *plan.Plan
	finder *find.Finder
	now    time.Time
}

// simulate runs fn against a fresh simulator. Not parallel: some tests
// set simulator.TaskDelay, a package global.
func simulate(t *testing.T, fn func(e *env)) {
	t.Helper()
	m := simulator.VPX()
	m.Portgroup = 2
	defer m.Remove()
	err := m.Run(func(ctx context.Context, vim *vim25.Client) error {
		e := &env{ctx: ctx, model: m, vim: vim, plan: testPlan(t), now: time.Now()}
		e.client = New(vim, Config{Now: func() time.Time { return e.now }})
		e.reg = actions.NewDefaultRegistry(e.client)
		e.finder = find.NewFinder(vim, true)
		dc, err := e.finder.Datacenter(ctx, "DC0")
		if err != nil {
			t.Fatalf("finding DC0: %v", err)
		}
		e.finder.SetDatacenter(dc)
		e.seed(t, dc)
		fn(e)
		return nil
	})
	if err != nil {
		t.Fatalf("simulator: %v", err)
	}
}

func (e *env) server(tb testing.TB, id string) *plan.Server {
	tb.Helper()
	s, ok := e.plan.Server(id)
	if !ok {
		tb.Fatalf("no server %s in the test plan", id)
	}
	return s
}

// request builds a request for kind on server id.
func (e *env) request(tb testing.TB, kind, id string, params map[string]any) actions.Request {
	tb.Helper()
	return actions.Request{RunID: "CONT-2026-0001", Step: "test/" + kind + "@" + id, Kind: kind,
		Params: params, Plan: e.plan, Server: e.server(tb, id)}
}

func (e *env) seed(tb testing.TB, dc *object.Datacenter) {
	tb.Helper()
	ctx := e.ctx
	folders, err := dc.Folders(ctx)
	if err != nil {
		tb.Fatalf("datacenter folders: %v", err)
	}
	for _, name := range []string{"quipux", "plantillas"} {
		if _, err := folders.VmFolder.CreateFolder(ctx, name); err != nil {
			tb.Fatalf("creating folder %s: %v", name, err)
		}
	}
	// The production VMs, built from the plan's spec by the clone
	// executor itself (no template for db; app is created the same way).
	for _, id := range []string{"db-quipux-01", "app-quipux-01"} {
		req := e.request(tb, "vsphere.clone", id, map[string]any{"template": ""})
		srv := *req.Server
		srv.VSphere.Template = ""
		req.Server = &srv
		if _, err := e.reg.Execute(ctx, req); err != nil {
			tb.Fatalf("seeding %s: %v", id, err)
		}
	}
	db := e.vm(tb, "/DC0/vm/quipux/db-quipux-01")
	for _, snap := range []string{"RollBack", "despues"} {
		task, err := db.CreateSnapshot(ctx, snap, "", false, false)
		if err != nil {
			tb.Fatalf("snapshot %s: %v", snap, err)
		}
		if err := task.Wait(ctx); err != nil {
			tb.Fatalf("snapshot %s: %v", snap, err)
		}
	}
	e.powerOn(tb, db)
	// The template of app-quipux-01: like the server, two NICs on production.
	tpl := e.server(tb, "app-quipux-01")
	tplSrv := *tpl
	tplSrv.VSphere.Path = "/DC0/vm/plantillas/plantilla-app"
	tplSrv.VSphere.Template = ""
	tplSrv.Spec.Networks = []string{"DC0_DVPG0", "DC0_DVPG0"}
	req := e.request(tb, "vsphere.clone", "app-quipux-01", nil)
	req.Server = &tplSrv
	if _, err := e.reg.Execute(ctx, req); err != nil {
		tb.Fatalf("seeding the template: %v", err)
	}
	if err := e.vm(tb, "/DC0/vm/plantillas/plantilla-app").MarkAsTemplate(ctx); err != nil {
		tb.Fatalf("marking the template: %v", err)
	}
	// The OVA copy of mail-quipux-01 on the datastore.
	ds, err := e.finder.Datastore(ctx, "LocalDS_0")
	if err != nil {
		tb.Fatalf("datastore: %v", err)
	}
	if err := object.NewFileManager(e.vim).MakeDirectory(ctx, ds.Path("copias"), dc, true); err != nil {
		tb.Fatalf("mkdir copias: %v", err)
	}
	if err := ds.UploadFile(ctx, filepath.Join(ovfDir(tb), "contingencia-tiny.ova"), "copias/contingencia-tiny.ova", nil); err != nil {
		tb.Fatalf("uploading the OVA copy: %v", err)
	}
}

func (e *env) vm(tb testing.TB, path string) *object.VirtualMachine {
	tb.Helper()
	vm, err := e.finder.VirtualMachine(e.ctx, path)
	if err != nil {
		tb.Fatalf("finding %s: %v", path, err)
	}
	return vm
}

func (e *env) exists(tb testing.TB, path string) bool {
	tb.Helper()
	_, err := e.finder.VirtualMachine(e.ctx, path)
	if err != nil && !isNotFound(err) {
		tb.Fatalf("finding %s: %v", path, err)
	}
	return err == nil
}

func (e *env) props(tb testing.TB, vm *object.VirtualMachine) mo.VirtualMachine {
	tb.Helper()
	var m mo.VirtualMachine
	if err := vm.Properties(e.ctx, vm.Reference(), []string{"runtime", "config", "snapshot", "guest", "network"}, &m); err != nil {
		tb.Fatalf("reading %s: %v", vm.InventoryPath, err)
	}
	return m
}

func (e *env) powerState(tb testing.TB, path string) types.VirtualMachinePowerState {
	tb.Helper()
	return e.props(tb, e.vm(tb, path)).Runtime.PowerState
}

func (e *env) powerOn(tb testing.TB, vm *object.VirtualMachine) {
	tb.Helper()
	task, err := vm.PowerOn(e.ctx)
	if err == nil {
		err = task.Wait(e.ctx)
	}
	if err != nil {
		tb.Fatalf("powering on %s: %v", vm.InventoryPath, err)
	}
}

// networks names the networks of a VM's NICs.
func (e *env) networks(tb testing.TB, path string) []string {
	tb.Helper()
	vm := e.vm(tb, path)
	p := &placement{c: e.client}
	nets, err := p.nicNetworks(e.ctx, object.VirtualDeviceList(e.props(tb, vm).Config.Hardware.Device))
	if err != nil {
		tb.Fatalf("networks of %s: %v", path, err)
	}
	return nets
}

// progressLog records progress reports.
type progressLog struct {
	mu      sync.Mutex
	percent []int
}

func (p *progressLog) report(percent int, _ string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.percent = append(p.percent, percent)
}

func (p *progressLog) values() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.percent...)
}

// setGuestTools sets what the simulator reports about VMware Tools.
func (e *env) setGuestTools(tb testing.TB, path string, running bool) {
	tb.Helper()
	vm := e.vm(tb, path)
	status := types.VirtualMachineToolsRunningStatusGuestToolsNotRunning
	if running {
		status = types.VirtualMachineToolsRunningStatusGuestToolsRunning
	}
	sim := e.model.Map().Get(vm.Reference())
	ctx := e.model.Service.Context
	e.model.Map().WithLock(ctx, sim, func() {
		e.model.Map().Update(ctx, sim, []types.PropertyChange{{Name: "guest.toolsRunningStatus", Val: string(status)}})
	})
}
