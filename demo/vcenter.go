package demo

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// vcenter is govmomi's vCenter simulator (VPX model) on a loopback port,
// with one logged-in client.
type vcenter struct {
	model  *simulator.Model
	server *simulator.Server
	client *govmomi.Client
	url    string
	log    *slog.Logger
	mu     sync.Mutex // serialises boot
}

// startVCenter starts the simulator and seeds its inventory from p: the
// folder of every server's placement, the drill folder, and every network
// p names (as port groups of the first distributed switch).
func startVCenter(ctx context.Context, p *plan.Plan, log *slog.Logger) (*vcenter, error) {
	m := simulator.VPX()
	if err := m.Create(); err != nil {
		return nil, fmt.Errorf("creating the simulated vCenter: %w", err)
	}
	m.Service.TLS = new(tls.Config)
	m.Service.RegisterEndpoints = true
	s := m.Service.NewServer()
	c, err := govmomi.NewClient(ctx, s.URL, true)
	if err != nil {
		s.Close()
		m.Remove()
		return nil, fmt.Errorf("logging in to the simulated vCenter: %w", err)
	}
	u := *s.URL
	u.User = nil
	vc := &vcenter{model: m, server: s, client: c, url: u.String(), log: log}
	if err := vc.seed(ctx, p); err != nil {
		vc.close()
		return nil, fmt.Errorf("seeding the simulated vCenter from the plan: %w", err)
	}
	return vc, nil
}

func (vc *vcenter) close() {
	_ = vc.client.Logout(context.Background())
	vc.client.CloseIdleConnections()
	vc.server.Close()
	vc.model.Remove()
}

func (vc *vcenter) seed(ctx context.Context, p *plan.Plan) error {
	finder := find.NewFinder(vc.client.Client, false)
	var folders []string
	nets := map[string]bool{}
	dcs := map[string]bool{}
	for _, s := range p.Servers {
		v := s.VSphere
		dc := v.Datacenter
		if dc == "" && v.Path != "" {
			dc = strings.SplitN(strings.TrimPrefix(path.Clean(v.Path), "/"), "/", 2)[0]
		}
		if dc != "" {
			dcs[dc] = true
		}
		folder := v.Folder
		if folder == "" && v.Path != "" {
			folder = path.Dir(path.Clean(v.Path))
		}
		if folder != "" {
			if !strings.HasPrefix(folder, "/") && dc != "" {
				folder = path.Join("/", dc, "vm", folder)
			}
			folders = append(folders, folder)
		}
		for _, n := range append([]string{v.Network}, s.Spec.Networks...) {
			if n != "" {
				nets[n] = true
			}
		}
	}
	for dc := range dcs {
		d, err := finder.Datacenter(ctx, dc)
		if err != nil {
			return fmt.Errorf("the simulated vCenter has datacenter DC0 only; the plan names %s: %w", dc, err)
		}
		finder.SetDatacenter(d)
	}
	if d := p.Drill; d != nil {
		if d.Folder != "" {
			f := d.Folder
			if !strings.HasPrefix(f, "/") {
				for dc := range dcs {
					folders = append(folders, path.Join("/", dc, "vm", f))
				}
			} else {
				folders = append(folders, f)
			}
		}
		if d.Network != "" {
			nets[d.Network] = true
		}
	}
	for _, f := range folders {
		if err := vc.mkdirAll(ctx, finder, path.Clean(f)); err != nil {
			return err
		}
	}
	for n := range nets {
		if err := vc.ensureNetwork(ctx, finder, n); err != nil {
			return err
		}
	}
	return nil
}

// mkdirAll creates the VM folder at abs (/DC/vm/a/b) and its parents.
func (vc *vcenter) mkdirAll(ctx context.Context, finder *find.Finder, abs string) error {
	parts := strings.Split(strings.TrimPrefix(abs, "/"), "/")
	if len(parts) < 2 || parts[1] != "vm" {
		return fmt.Errorf("folder %s is not a VM folder (/DATACENTER/vm/…)", abs)
	}
	at := "/" + parts[0] + "/vm"
	cur, err := finder.Folder(ctx, at)
	if err != nil {
		return fmt.Errorf("finding %s: %w", at, err)
	}
	for _, name := range parts[2:] {
		at = path.Join(at, name)
		next, err := finder.Folder(ctx, at)
		var nf *find.NotFoundError
		if errors.As(err, &nf) {
			next, err = cur.CreateFolder(ctx, name)
		}
		if err != nil {
			return fmt.Errorf("creating folder %s: %w", at, err)
		}
		cur = next
	}
	return nil
}

// ensureNetwork adds a port group named name to the first distributed
// switch when no network has that name.
func (vc *vcenter) ensureNetwork(ctx context.Context, finder *find.Finder, name string) error {
	if _, err := finder.Network(ctx, name); err == nil {
		return nil
	}
	m := view.NewManager(vc.client.Client)
	v, err := m.CreateContainerView(ctx, vc.client.ServiceContent.RootFolder, []string{"VmwareDistributedVirtualSwitch"}, true)
	if err != nil {
		return fmt.Errorf("listing the distributed switches: %w", err)
	}
	defer v.Destroy(ctx)
	var switches []mo.DistributedVirtualSwitch
	if err := v.Retrieve(ctx, []string{"VmwareDistributedVirtualSwitch"}, []string{"name"}, &switches); err != nil {
		return fmt.Errorf("listing the distributed switches: %w", err)
	}
	if len(switches) == 0 {
		return fmt.Errorf("adding network %s: no distributed switch in the simulated vCenter", name)
	}
	dvs := object.NewDistributedVirtualSwitch(vc.client.Client, switches[0].Reference())
	task, err := dvs.AddPortgroup(ctx, []types.DVPortgroupConfigSpec{{Name: name, Type: string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding), NumPorts: 32}})
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		return fmt.Errorf("adding port group %s: %w", name, err)
	}
	vc.log.Debug("simulated vCenter: added a port group", "network", name)
	return nil
}

// boot makes the simulated guests of powered-on VMs report VMware Tools
// running (and of powered-off ones not running): the simulator does not.
func (vc *vcenter) boot(ctx context.Context) error {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	m := view.NewManager(vc.client.Client)
	v, err := m.CreateContainerView(ctx, vc.client.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return fmt.Errorf("listing the simulated VMs: %w", err)
	}
	defer v.Destroy(context.WithoutCancel(ctx))
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"runtime.powerState", "guest.toolsRunningStatus"}, &vms); err != nil {
		return fmt.Errorf("reading the simulated VMs: %w", err)
	}
	reg := vc.model.Map()
	sctx := vc.model.Service.Context
	for _, vm := range vms {
		want := types.VirtualMachineToolsRunningStatusGuestToolsNotRunning
		if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			want = types.VirtualMachineToolsRunningStatusGuestToolsRunning
		}
		if vm.Guest != nil && vm.Guest.ToolsRunningStatus == string(want) {
			continue
		}
		obj := reg.Get(vm.Reference())
		if obj == nil {
			continue // removed meanwhile
		}
		reg.WithLock(sctx, obj, func() {
			reg.Update(sctx, obj, []types.PropertyChange{{Name: "guest.toolsRunningStatus", Val: string(want)}})
		})
	}
	return nil
}

// booting wraps the vSphere executors: after each one the simulated
// guests boot, as real ones would once powered on.
type booting struct {
	inner  actions.Provider
	vc     *vcenter
	serial *sync.Mutex // one action at a time, when set
}

func (b *booting) Executors() map[string]actions.Executor {
	out := map[string]actions.Executor{}
	for kind, e := range b.inner.Executors() {
		be := &bootingExecutor{inner: e, vc: b.vc, serial: b.serial}
		if p, ok := e.(actions.Planner); ok {
			out[kind] = &bootingPlanner{bootingExecutor: be, planner: p}
			continue
		}
		out[kind] = be
	}
	return out
}

type bootingExecutor struct {
	inner  actions.Executor
	vc     *vcenter
	serial *sync.Mutex
}

func (e *bootingExecutor) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	if e.serial != nil {
		e.serial.Lock()
		defer e.serial.Unlock()
	}
	res, err := e.inner.Execute(ctx, req)
	if berr := e.vc.boot(ctx); berr != nil && err == nil {
		return res, fmt.Errorf("%s, but the simulated guests did not boot: %w", res.Message, berr)
	}
	return res, err
}

// bootingPlanner keeps the inner executor's dry run.
type bootingPlanner struct {
	*bootingExecutor
	planner actions.Planner
}

func (e *bootingPlanner) Preflight(ctx context.Context, req actions.Request) (actions.Preflight, error) {
	if e.serial != nil {
		e.serial.Lock()
		defer e.serial.Unlock()
	}
	return e.planner.Preflight(ctx, req)
}
