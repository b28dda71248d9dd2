package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// placement is where a request acts: the production VM of a server, or its
// drill copy in a drill, with the datacenter, pool, datastore, folder and
// networks a new VM gets.
type placement struct {
	c        *Client
	req      actions.Request
	srv      *plan.Server
	dcName   string
	finder   *find.Finder
	dc       *object.Datacenter
	vmPath   string   // absolute inventory path of the target VM
	name     string   // its name
	folder   string   // absolute inventory path of its folder
	networks []string // one per NIC (at least one when any network is known)
	store    string   // datastore name ("" = the datacenter's default)
	pool     string   // resource pool path ("" = the cluster's or host's)
	cluster  string
	host     string
}

// place resolves the request's target and checks the drill guard before
// anything is looked up.
func (c *Client) place(ctx context.Context, req actions.Request) (*placement, error) {
	srv := req.Server
	if srv == nil {
		return nil, actions.Permanent(fmt.Errorf("la acción %s necesita un servidor del plan", req.Kind))
	}
	prod := path.Clean(srv.VSphere.Path)
	if srv.VSphere.Path == "" || !strings.HasPrefix(prod, "/") {
		return nil, actions.Permanent(fmt.Errorf("el servidor %s no tiene una ruta de inventario absoluta (vsphere.path)", srv.ID))
	}
	dcName := srv.VSphere.Datacenter
	if dcName == "" {
		dcName = strings.SplitN(strings.TrimPrefix(prod, "/"), "/", 2)[0]
	}
	p := &placement{
		c: c, req: req, srv: srv, dcName: dcName,
		store: srv.VSphere.Datastore, pool: srv.VSphere.ResourcePool,
		cluster: srv.VSphere.Cluster, host: srv.VSphere.Host,
	}
	nics := max(len(srv.Spec.Networks), 1)
	if req.Drill {
		if req.Plan == nil || req.Plan.Drill == nil {
			return nil, actions.GuardDrill(req, dcName, actions.Target{VM: prod})
		}
		d := req.Plan.Drill
		p.folder = actions.InventoryFolder(dcName, d.Folder)
		p.name = actions.DrillVMName(path.Base(prod))
		p.vmPath = path.Join(p.folder, p.name)
		for range nics {
			p.networks = append(p.networks, d.Network)
		}
		p.store = cmp.Or(d.Datastore, p.store)
		p.pool = cmp.Or(d.ResourcePool, p.pool)
	} else {
		p.vmPath, p.name, p.folder = prod, path.Base(prod), path.Dir(prod)
		p.networks = srv.Spec.Networks
		if len(p.networks) == 0 && srv.VSphere.Network != "" {
			p.networks = []string{srv.VSphere.Network}
		}
	}
	if err := actions.GuardDrill(req, dcName, actions.Target{VM: p.vmPath, Folder: p.folder, Networks: p.networks}); err != nil {
		return nil, err
	}
	p.finder = find.NewFinder(c.vim, true)
	dc, err := p.finder.Datacenter(ctx, dcName)
	if err != nil {
		return nil, classify(fmt.Errorf("finding datacenter %s: %w", dcName, err))
	}
	p.dc = dc
	p.finder.SetDatacenter(dc)
	return p, nil
}

// findVM returns the target VM, or nil when it does not exist.
func (p *placement) findVM(ctx context.Context) (*object.VirtualMachine, error) {
	vm, err := p.finder.VirtualMachine(ctx, p.vmPath)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, classify(fmt.Errorf("finding VM %s: %w", p.vmPath, err))
	}
	if p.req.Drill {
		// Defence in depth: the object found must be where the guard said.
		if err := actions.GuardDrill(p.req, p.dcName, actions.Target{VM: vm.InventoryPath}); err != nil {
			return nil, err
		}
	}
	return vm, nil
}

// mustFindVM returns the target VM or a permanent error naming it.
func (p *placement) mustFindVM(ctx context.Context) (*object.VirtualMachine, error) {
	vm, err := p.findVM(ctx)
	if err == nil && vm == nil {
		err = actions.Permanent(fmt.Errorf("la VM %s no existe", p.vmPath))
	}
	return vm, err
}

// resourcePool resolves where a new VM runs: the configured pool, else
// the cluster's root pool, else the host's, else the datacenter default.
func (p *placement) resourcePool(ctx context.Context) (*object.ResourcePool, error) {
	var rp *object.ResourcePool
	var err error
	switch {
	case p.pool != "":
		rp, err = p.finder.ResourcePool(ctx, p.pool)
	case p.cluster != "":
		var cl *object.ClusterComputeResource
		if cl, err = p.finder.ClusterComputeResource(ctx, p.cluster); err == nil {
			rp, err = cl.ResourcePool(ctx)
		}
	case p.host != "":
		var h *object.HostSystem
		if h, err = p.finder.HostSystem(ctx, p.host); err == nil {
			rp, err = h.ResourcePool(ctx)
		}
	default:
		rp, err = p.finder.DefaultResourcePool(ctx)
	}
	if err != nil {
		return nil, classify(fmt.Errorf("finding the resource pool of %s (%s): %w", p.srv.ID, p.placementName(), err))
	}
	return rp, nil
}

// placementName names the cluster or pool for messages.
func (p *placement) placementName() string {
	return cmp.Or(p.pool, p.cluster, p.host, "pool por defecto de "+p.dcName)
}

func (p *placement) datastore(ctx context.Context) (*object.Datastore, error) {
	var ds *object.Datastore
	var err error
	if p.store != "" {
		ds, err = p.finder.Datastore(ctx, p.store)
	} else {
		ds, err = p.finder.DefaultDatastore(ctx)
	}
	if err != nil {
		return nil, classify(fmt.Errorf("finding datastore %q: %w", p.store, err))
	}
	return ds, nil
}

func (p *placement) hostSystem(ctx context.Context) (*object.HostSystem, error) {
	if p.host == "" {
		return nil, nil
	}
	h, err := p.finder.HostSystem(ctx, p.host)
	if err != nil {
		return nil, classify(fmt.Errorf("finding host %s: %w", p.host, err))
	}
	return h, nil
}

func (p *placement) network(ctx context.Context, name string) (object.NetworkReference, error) {
	n, err := p.finder.Network(ctx, name)
	if err != nil {
		return nil, classify(fmt.Errorf("finding network %s: %w", name, err))
	}
	return n, nil
}

// nicNetwork is the network of NIC i (the last one repeats).
func (p *placement) nicNetwork(i int) string {
	if len(p.networks) == 0 {
		return ""
	}
	return p.networks[min(i, len(p.networks)-1)]
}

// destination is where a new VM goes.
type destination struct {
	folder *object.Folder
	pool   *object.ResourcePool
	ds     *object.Datastore
	host   *object.HostSystem // nil: vCenter chooses
}

func (p *placement) destination(ctx context.Context) (destination, error) {
	var d destination
	var err error
	if d.folder, err = p.targetFolder(ctx); err != nil {
		return d, err
	}
	if d.pool, err = p.resourcePool(ctx); err != nil {
		return d, err
	}
	if d.ds, err = p.datastore(ctx); err != nil {
		return d, err
	}
	d.host, err = p.hostSystem(ctx)
	return d, err
}

// targetFolder returns the folder new VMs go in. In a drill it is created
// when missing (the guard has checked it is the drill folder); a missing
// production folder is an error.
func (p *placement) targetFolder(ctx context.Context) (*object.Folder, error) {
	f, err := p.finder.Folder(ctx, p.folder)
	if err == nil {
		return f, nil
	}
	if !isNotFound(err) || !p.req.Drill {
		return nil, classify(fmt.Errorf("finding folder %s: %w", p.folder, err))
	}
	folders, err := p.dc.Folders(ctx)
	if err != nil {
		return nil, classify(fmt.Errorf("finding the folders of %s: %w", p.dcName, err))
	}
	root := path.Join("/", p.dcName, "vm")
	rel, ok := strings.CutPrefix(p.folder, root+"/")
	if !ok {
		return nil, actions.Permanent(fmt.Errorf("la carpeta de simulacro %s no está bajo %s", p.folder, root))
	}
	cur := folders.VmFolder
	at := root
	for _, name := range strings.Split(rel, "/") {
		at = path.Join(at, name)
		next, err := p.finder.Folder(ctx, at)
		if isNotFound(err) {
			next, err = cur.CreateFolder(ctx, name)
			if err != nil {
				return nil, classify(fmt.Errorf("creating drill folder %s: %w", at, err))
			}
			p.c.log.InfoContext(ctx, "created drill folder", "folder", at, "run", p.req.RunID)
		} else if err != nil {
			return nil, classify(fmt.Errorf("finding folder %s: %w", at, err))
		}
		cur = next
	}
	return cur, nil
}

// vmInfo is what the executors read about a VM.
type vmInfo struct {
	mo.VirtualMachine
	Host       string
	Datastores []string
}

var vmProps = []string{"name", "runtime", "config", "snapshot", "guest", "datastore", "network", "resourcePool"}

func (p *placement) info(ctx context.Context, vm *object.VirtualMachine) (vmInfo, error) {
	var v vmInfo
	if err := vm.Properties(ctx, vm.Reference(), vmProps, &v.VirtualMachine); err != nil {
		return v, classify(fmt.Errorf("reading VM %s: %w", vm.InventoryPath, err))
	}
	refs := append([]types.ManagedObjectReference(nil), v.VirtualMachine.Datastore...)
	if v.Runtime.Host != nil {
		refs = append(refs, *v.Runtime.Host)
	}
	names, err := p.names(ctx, refs)
	if err != nil {
		return v, err
	}
	for _, r := range v.VirtualMachine.Datastore {
		v.Datastores = append(v.Datastores, names[r])
	}
	if v.Runtime.Host != nil {
		v.Host = names[*v.Runtime.Host]
	}
	return v, nil
}

// names reads the name of each managed entity.
func (p *placement) names(ctx context.Context, refs []types.ManagedObjectReference) (map[types.ManagedObjectReference]string, error) {
	out := make(map[types.ManagedObjectReference]string, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	var content []types.ObjectContent
	if err := property.DefaultCollector(p.c.vim).Retrieve(ctx, refs, []string{"name"}, &content); err != nil {
		return nil, classify(fmt.Errorf("reading inventory names: %w", err))
	}
	for _, oc := range content {
		for _, prop := range oc.PropSet {
			if name, ok := prop.Val.(string); ok && prop.Name == "name" {
				out[oc.Obj] = name
			}
		}
	}
	return out, nil
}

// powerWord returns the VM's power state in Spanish for messages.
func powerWord(s types.VirtualMachinePowerState) string {
	switch s {
	case types.VirtualMachinePowerStatePoweredOn:
		return "encendida"
	case types.VirtualMachinePowerStatePoweredOff:
		return "apagada"
	case types.VirtualMachinePowerStateSuspended:
		return "suspendida"
	}
	return string(s)
}

// locate places a request and finds the VM it acts on, with its current
// state: what every action on an existing VM starts with.
func (c *Client) locate(ctx context.Context, req actions.Request) (*placement, *object.VirtualMachine, vmInfo, error) {
	p, err := c.place(ctx, req)
	if err != nil {
		return nil, nil, vmInfo{}, err
	}
	vm, err := p.mustFindVM(ctx)
	if err != nil {
		return nil, nil, vmInfo{}, err
	}
	info, err := p.info(ctx, vm)
	if err != nil {
		return nil, nil, vmInfo{}, err
	}
	return p, vm, info, nil
}
