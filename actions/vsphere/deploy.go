package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf/importer"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// Deploy runs vsphere.deploy_ovf: it deploys the server's OVF or OVA copy
// (plan: servers[].copy) with govmomi's ovf/importer — import spec, NFC
// lease, upload of the disks with progress — into the server's datacenter,
// pool, datastore, folder and network, or the drill's in a drill.
//
// The VM's annotation records the run and step that made it, with an
// "[importando]" suffix until the upload completed: a VM this step already
// deployed is reported as done; one it left half-imported (a worker died)
// is removed and deployed again; a VM someone else put at the target is
// never deployed over (permanent error).
type Deploy struct{ c *Client }

// source locates a copy for the importer.
type source struct {
	location string // for messages
	format   plan.CopyFormat
	archive  importer.Archive
	ovf      string // path of the descriptor inside the archive
	library  string // or a content library item, "library/item"
}

func (e *Deploy) source(ctx context.Context, p *placement) (*source, error) {
	cp := p.srv.Copy
	if cp == nil {
		return nil, permanentf("el servidor %s no tiene copia OVF/OVA en el plan", p.srv.ID)
	}
	loc := cp.Path
	if loc == "" {
		loc = cp.Datastore
	}
	format := cp.Format
	if cp.Library != "" && loc == "" {
		return &source{location: "biblioteca " + cp.Library, format: cmp.Or(format, plan.FormatOVF), library: cp.Library}, nil
	}
	if format == "" {
		format = plan.FormatOVF
		if strings.EqualFold(path.Ext(loc), ".ova") {
			format = plan.FormatOVA
		}
	}
	s := &source{location: loc, format: format}
	opener := importer.Opener{Client: p.c.vim}
	var target string
	if cp.Datastore != "" {
		var dp object.DatastorePath
		if !dp.FromString(cp.Datastore) || dp.Path == "" {
			return nil, permanentf("la ruta de datastore %q de %s no tiene la forma «[datastore] carpeta/archivo»", cp.Datastore, p.srv.ID)
		}
		ds, err := p.finder.Datastore(ctx, dp.Datastore)
		if err != nil {
			return nil, classify(fmt.Errorf("finding datastore %s of the copy: %w", dp.Datastore, err))
		}
		if format == plan.FormatOVF {
			s.archive = &datastoreArchive{ctx: ctx, ds: ds, dir: path.Dir(dp.Path)}
			s.ovf = path.Base(dp.Path)
			return s, nil
		}
		target = ds.NewURL(dp.Path).String()
	} else {
		target = cp.Path
	}
	if format == plan.FormatOVA {
		s.archive = &importer.TapeArchive{Path: target, Opener: opener}
		s.ovf = "*.ovf"
	} else {
		s.archive = &importer.FileArchive{Path: target, Opener: opener}
		s.ovf = target
	}
	return s, nil
}

// datastoreArchive reads an OVF and its disks from a datastore folder.
type datastoreArchive struct {
	ctx context.Context
	ds  *object.Datastore
	dir string
}

func (a *datastoreArchive) Open(name string) (io.ReadCloser, int64, error) {
	return a.ds.Download(a.ctx, path.Join(a.dir, name), &soap.DefaultDownload)
}

// copyStat is the copy's age, when it can be known.
func (e *Deploy) copyStat(ctx context.Context, p *placement) (actions.CopyStat, bool) {
	st, err := p.c.statCopy(ctx, p.srv) // the executor is already within withSession
	if err != nil {
		p.c.log.DebugContext(ctx, "copy age unknown", "server", p.srv.ID, "err", err)
		return st, false
	}
	return st, true
}

// Preflight implements actions.Planner.
func (e *Deploy) Preflight(ctx context.Context, req actions.Request) (actions.Preflight, error) {
	p, err := e.c.place(ctx, req)
	if err != nil {
		return actions.Preflight{}, err
	}
	src, err := e.source(ctx, p)
	if err != nil {
		return actions.Preflight{}, err
	}
	vm, err := p.findVM(ctx)
	if err != nil {
		return actions.Preflight{}, err
	}
	facts := map[string]string{
		actions.FactTarget:    p.vmPath,
		actions.FactExists:    "no",
		actions.FactSource:    src.location,
		actions.FactPlacement: p.placementName(),
		actions.FactDatastore: p.store,
		actions.FactNetwork:   strings.Join(p.networks, ","),
	}
	redeploy := ""
	if vm != nil {
		info, err := p.info(ctx, vm)
		if err != nil {
			return actions.Preflight{}, err
		}
		facts[actions.FactExists] = "sí"
		facts[actions.FactPowerState] = string(info.Runtime.PowerState)
		switch p.owner(info) {
		case ours:
			return actions.Preflight{Summary: fmt.Sprintf("La VM %s ya fue desplegada por este paso: no se hará nada.", p.vmPath), Facts: facts, AlreadyDone: true}, nil
		case notOurs:
			return actions.Preflight{Summary: fmt.Sprintf("Ya existe una VM en %s que esta corrida no creó (%s, host %s): "+
				"no se desplegará encima; elimínela o renómbrela antes si debe reemplazarse.", p.vmPath, powerWord(info.Runtime.PowerState), info.Host), Facts: facts}, nil
		case oursIncomplete:
			redeploy = fmt.Sprintf(" Antes se eliminará el despliegue incompleto que este paso dejó en %s.", p.vmPath)
		}
	}
	age := "de fecha desconocida"
	if st, ok := e.copyStat(ctx, p); ok {
		facts[actions.FactSourceAt] = actions.FormatTime(st.Modified)
		age = fmt.Sprintf("de hace %s (%s): se pierden los datos posteriores a la copia", actions.FormatAge(st.Age(p.c.now())), actions.FormatTime(st.Modified))
	}
	return actions.Preflight{
		Summary: fmt.Sprintf("Desplegar la copia %s %s %s como %s en %s, datastore %s, red %s.",
			strings.ToUpper(string(src.format)), src.location, age, p.vmPath,
			p.placementName(), orDefault(p.store), orDefault(strings.Join(p.networks, ", "))) + redeploy,
		Facts: facts,
	}, nil
}

// Execute implements actions.Executor.
func (e *Deploy) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	p, err := e.c.place(ctx, req)
	if err != nil {
		return actions.Result{}, err
	}
	powerOn := req.Bool("power_on", false)
	vm, err := p.findVM(ctx)
	if err != nil {
		return actions.Result{}, err
	}
	if vm != nil {
		info, err := p.info(ctx, vm)
		if err != nil {
			return actions.Result{}, err
		}
		switch p.owner(info) {
		case notOurs:
			return actions.Result{}, permanentf("ya existe una VM en %s que esta corrida no creó (%s): no se despliega encima; elimínela o renómbrela si debe reemplazarse",
				p.vmPath, powerWord(info.Runtime.PowerState))
		case ours:
			res := actions.Result{Message: fmt.Sprintf("La VM %s ya estaba desplegada por este paso; no se despliega de nuevo", p.vmPath), Details: map[string]any{"vm": p.vmPath}, AlreadyDone: true}
			if powerOn {
				on, err := p.powerOn(ctx, vm, 0, 100)
				if err != nil {
					return actions.Result{}, err
				}
				res.Message += "; " + lowerFirst(on.Message)
			}
			return res, nil
		case oursIncomplete:
			// An earlier attempt of this step died mid-upload: its VM is
			// ours and unusable.
			req.Report(0, "eliminando el despliegue incompleto de "+p.name)
			task, err := vm.Destroy(ctx)
			if err == nil {
				err = task.Wait(ctx)
			}
			if err != nil {
				return actions.Result{}, classify(fmt.Errorf("removing the incomplete deploy %s: %w", p.vmPath, err))
			}
			p.c.log.InfoContext(ctx, "removed an incomplete deploy", "vm", p.vmPath, "run", req.RunID, "step", req.Step)
		}
	}
	src, err := e.source(ctx, p)
	if err != nil {
		return actions.Result{}, err
	}
	start := p.c.now()
	req.Report(0, "preparando el despliegue de "+p.name)
	var ref types.ManagedObjectReference
	if src.library != "" {
		ref, err = e.deployLibrary(ctx, p, src)
	} else {
		ref, err = e.importCopy(ctx, p, src)
	}
	if err != nil {
		return actions.Result{}, err
	}
	details := map[string]any{"vm": p.vmPath, "source": src.location, "format": string(src.format)}
	msg := fmt.Sprintf("VM %s desplegada desde la copia %s %s", p.vmPath, strings.ToUpper(string(src.format)), src.location)
	if st, ok := e.copyStat(ctx, p); ok {
		details["copy_at"] = actions.FormatTime(st.Modified)
		msg += fmt.Sprintf(" (de hace %s)", actions.FormatAge(st.Age(start)))
	}
	msg += " en " + actions.FormatAge(p.c.now().Sub(start))
	vm = object.NewVirtualMachine(p.c.vim, ref)
	vm.InventoryPath = p.vmPath
	var nics []types.BaseVirtualDeviceConfigSpec
	if src.library != "" {
		// vCenter kept the OVF's networks: put every NIC on the
		// server's (the drill's) before anything can power it on.
		devices, err := vm.Device(ctx)
		if err == nil {
			nics, err = p.retarget(ctx, devices)
		}
		if err != nil {
			return actions.Result{}, classify(fmt.Errorf("%s, pero no se pudieron leer sus redes: %w", msg, err))
		}
	}
	if err := p.markOurs(ctx, vm, nics...); err != nil {
		return actions.Result{}, fmt.Errorf("%s, pero no se pudo marcar como completo: %w", msg, err)
	}
	if powerOn {
		on, err := p.powerOn(ctx, vm, 90, 100)
		if err != nil {
			return actions.Result{}, fmt.Errorf("%s, pero no se pudo encender: %w", msg, err)
		}
		msg += "; " + lowerFirst(on.Message)
	}
	req.Report(100, "despliegue terminado")
	return actions.Result{Message: msg, Details: details}, nil
}

// importCopy creates the import spec, opens the NFC lease, uploads every
// file with progress (5–90 %) and completes the lease.
func (e *Deploy) importCopy(ctx context.Context, p *placement, src *source) (types.ManagedObjectReference, error) {
	var none types.ManagedObjectReference
	d, err := p.destination(ctx)
	if err != nil {
		return none, err
	}
	descriptor, err := importer.ReadOvf(src.ovf, src.archive)
	if err != nil {
		return none, actions.Permanent(fmt.Errorf("reading the OVF descriptor of %s: %w", src.location, err))
	}
	env, err := importer.ReadEnvelope(descriptor)
	if err != nil {
		return none, actions.Permanent(fmt.Errorf("parsing the OVF descriptor of %s: %w", src.location, err))
	}
	opts := importer.Options{Name: &p.name, Annotation: p.annotation() + importing, DiskProvisioning: "thin"}
	if env.Network != nil {
		for i, n := range env.Network.Networks {
			if target := p.nicNetwork(i); target != "" {
				opts.NetworkMapping = append(opts.NetworkMapping, importer.Network{Name: n.Name, Network: target})
			}
		}
	}
	imp := &importer.Importer{
		Client: p.c.vim, Finder: p.finder, Datacenter: p.dc, Datastore: d.ds,
		ResourcePool: d.pool, Host: d.host, Folder: d.folder, Archive: src.archive, Name: p.name,
		Log: func(s string) (int, error) {
			p.c.log.DebugContext(ctx, "ovf import", "vm", p.vmPath, "msg", strings.TrimSpace(s))
			return len(s), nil
		},
	}
	p.req.Report(2, "creando la especificación de importación")
	info, lease, err := imp.ImportVApp(ctx, src.ovf, opts)
	if err != nil {
		return none, classify(fmt.Errorf("importing %s as %s: %w", src.location, p.vmPath, err))
	}
	p.req.Report(5, "subiendo discos")
	updater := lease.StartUpdater(ctx, info)
	var total, base int64
	for _, it := range info.Items {
		total += it.Size
	}
	last := 5
	for _, it := range info.Items {
		err := func() error {
			f, size, err := src.archive.Open(it.Path)
			if err != nil {
				return actions.Permanent(fmt.Errorf("opening %s in %s: %w", it.Path, src.location, err))
			}
			defer f.Close()
			sink := &uploadSink{ctx: ctx, req: p.req, base: base, size: max(it.Size, size), total: max(total, size), lo: 5, hi: 90, last: &last}
			err = lease.Upload(ctx, it, f, soap.Upload{ContentLength: size, Progress: sink})
			sink.wait()
			if err != nil {
				return classify(fmt.Errorf("uploading %s of %s: %w", it.Path, src.location, err))
			}
			base += max(it.Size, size)
			return nil
		}()
		if err != nil {
			updater.Done()
			abortCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if aerr := lease.Abort(abortCtx, &types.LocalizedMethodFault{Fault: &types.FileFault{File: it.Path}, LocalizedMessage: err.Error()}); aerr != nil {
				p.c.log.WarnContext(ctx, "aborting the NFC lease", "vm", p.vmPath, "err", aerr)
			}
			return none, err
		}
	}
	updater.Done()
	if err := lease.Complete(ctx); err != nil {
		return none, classify(fmt.Errorf("completing the import of %s: %w", p.vmPath, err))
	}
	p.req.Report(90, "discos subidos")
	return info.Entity, nil
}
