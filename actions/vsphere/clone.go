package vsphere

import (
	"context"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

// Clone runs vsphere.clone, the seed's "create a new one with similar
// characteristics": it clones the template (param template, default the
// server's vsphere.template) into the server's place, or, with no
// template, creates a VM from the server's spec in the plan. NICs are
// attached to the placement's networks (the drill network in a drill).
// A VM this step already made is reported as done; a VM someone else put
// at the target is never replaced (permanent error).
type Clone struct{ c *Client }

type cloneState struct {
	p        *placement
	existing *object.VirtualMachine
	tplName  string
	tpl      *object.VirtualMachine
	tplInfo  vmInfo
}

func (e *Clone) look(ctx context.Context, req actions.Request) (*cloneState, error) {
	p, err := e.c.place(ctx, req)
	if err != nil {
		return nil, err
	}
	s := &cloneState{p: p, tplName: req.String("template", req.Server.VSphere.Template)}
	if s.existing, err = p.findVM(ctx); err != nil {
		return nil, err
	}
	if s.tplName != "" {
		tpl, err := p.finder.VirtualMachine(ctx, s.tplName)
		if err != nil {
			return nil, classify(fmt.Errorf("finding template %s: %w", s.tplName, err))
		}
		s.tpl = tpl
		if s.tplInfo, err = p.info(ctx, tpl); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *cloneState) source() string {
	if s.tpl != nil {
		return s.tpl.InventoryPath
	}
	return "spec del plan"
}

// Preflight implements actions.Planner.
func (e *Clone) Preflight(ctx context.Context, req actions.Request) (actions.Preflight, error) {
	s, err := e.look(ctx, req)
	if err != nil {
		return actions.Preflight{}, err
	}
	p := s.p
	facts := map[string]string{
		actions.FactTarget:    p.vmPath,
		actions.FactExists:    "no",
		actions.FactSource:    s.source(),
		actions.FactPlacement: p.placementName(),
		actions.FactDatastore: p.store,
		actions.FactNetwork:   strings.Join(p.networks, ","),
	}
	if s.existing != nil {
		info, err := p.info(ctx, s.existing)
		if err != nil {
			return actions.Preflight{}, err
		}
		facts[actions.FactExists] = "sí"
		facts[actions.FactPowerState] = string(info.Runtime.PowerState)
		if p.owner(info) == notOurs {
			return actions.Preflight{Summary: fmt.Sprintf("Ya existe una VM en %s que esta corrida no creó (%s): no se creará otra encima; "+
				"elimínela o renómbrela antes si debe reemplazarse.", p.vmPath, powerWord(info.Runtime.PowerState)), Facts: facts}, nil
		}
		return actions.Preflight{Summary: fmt.Sprintf("La VM %s ya fue creada por este paso: no se creará otra.", p.vmPath), Facts: facts, AlreadyDone: true}, nil
	}
	var from string
	if s.tpl != nil {
		from = "clonando " + s.tpl.InventoryPath
		if cfg := s.tplInfo.Config; cfg != nil && !cfg.Modified.IsZero() {
			facts[actions.FactSourceAt] = actions.FormatTime(cfg.Modified)
			from += fmt.Sprintf(" (modificada hace %s)", actions.FormatAge(p.c.now().Sub(cfg.Modified)))
		}
	} else {
		from = "con la spec del plan (" + describeSpec(p.srv.Spec.CPUs, p.srv.Spec.MemoryMB, p.srv.Spec.DisksGB) + ")"
	}
	return actions.Preflight{
		Summary: fmt.Sprintf("Crear %s %s en %s, datastore %s, red %s.", p.vmPath, from,
			p.placementName(), orDefault(p.store), orDefault(strings.Join(p.networks, ", "))),
		Facts: facts,
	}, nil
}

// Execute implements actions.Executor.
func (e *Clone) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	s, err := e.look(ctx, req)
	if err != nil {
		return actions.Result{}, err
	}
	p := s.p
	powerOn := req.Bool("power_on", false)
	if s.existing != nil {
		info, err := p.info(ctx, s.existing)
		if err != nil {
			return actions.Result{}, err
		}
		if p.owner(info) == notOurs {
			return actions.Result{}, permanentf("ya existe una VM en %s que esta corrida no creó (%s): no se crea otra encima; elimínela o renómbrela si debe reemplazarse",
				p.vmPath, powerWord(info.Runtime.PowerState))
		}
		res := actions.Result{Message: fmt.Sprintf("La VM %s ya fue creada por este paso; no se crea otra", p.vmPath), Details: map[string]any{"vm": p.vmPath}, AlreadyDone: true}
		if powerOn {
			on, err := p.powerOn(ctx, s.existing, 0, 100)
			if err != nil {
				return actions.Result{}, err
			}
			res.Message += "; " + lowerFirst(on.Message)
		}
		return res, nil
	}
	d, err := p.destination(ctx)
	if err != nil {
		return actions.Result{}, err
	}
	hi := 100
	if powerOn {
		hi = 85
	}
	start := p.c.now()
	var task *object.Task
	if s.tpl != nil {
		devices, err := s.tpl.Device(ctx)
		if err != nil {
			return actions.Result{}, classify(fmt.Errorf("reading the devices of template %s: %w", s.tplName, err))
		}
		nics, err := p.retarget(ctx, devices)
		if err != nil {
			return actions.Result{}, err
		}
		poolRef, dsRef := d.pool.Reference(), d.ds.Reference()
		spec := types.VirtualMachineCloneSpec{
			Location: types.VirtualMachineRelocateSpec{Pool: &poolRef, Datastore: &dsRef, DeviceChange: nics},
			Config:   &types.VirtualMachineConfigSpec{Annotation: p.annotation(), ExtraConfig: p.ownerConfig()},
		}
		if d.host != nil {
			h := d.host.Reference()
			spec.Location.Host = &h
		}
		task, err = s.tpl.Clone(ctx, d.folder, p.name, spec)
		if err != nil {
			return actions.Result{}, classify(fmt.Errorf("cloning %s into %s: %w", s.tplName, p.vmPath, err))
		}
	} else {
		spec, err := p.createSpec(ctx, d.ds)
		if err != nil {
			return actions.Result{}, err
		}
		task, err = d.folder.CreateVM(ctx, spec, d.pool, d.host)
		if err != nil {
			return actions.Result{}, classify(fmt.Errorf("creating %s from the plan's spec: %w", p.vmPath, err))
		}
	}
	info, err := wait(ctx, req, task, 0, hi, "creando "+p.name)
	if err != nil {
		return actions.Result{}, classify(fmt.Errorf("creating %s from %s: %w", p.vmPath, s.source(), err))
	}
	msg := fmt.Sprintf("VM %s creada desde %s en %s", p.vmPath, s.source(), actions.FormatAge(p.c.now().Sub(start)))
	if powerOn {
		ref, ok := info.Result.(types.ManagedObjectReference)
		if !ok {
			return actions.Result{}, fmt.Errorf("%s, pero la tarea no devolvió la VM", msg)
		}
		vm := object.NewVirtualMachine(p.c.vim, ref)
		vm.InventoryPath = p.vmPath
		on, err := p.powerOn(ctx, vm, hi, 100)
		if err != nil {
			return actions.Result{}, fmt.Errorf("%s, pero no se pudo encender: %w", msg, err)
		}
		msg += "; " + lowerFirst(on.Message)
	}
	return actions.Result{Message: msg, Details: map[string]any{"vm": p.vmPath, "source": s.source()}}, nil
}

// describeSpec renders CPUs, memory and disks for messages.
func describeSpec(cpus, memMB int, disksGB []int) string {
	s := fmt.Sprintf("%d vCPU, %d MB", cpus, memMB)
	if len(disksGB) > 0 {
		parts := make([]string, len(disksGB))
		for i, d := range disksGB {
			parts[i] = fmt.Sprint(d)
		}
		s += ", discos " + strings.Join(parts, "+") + " GB"
	}
	return s
}

func orDefault(s string) string {
	if s == "" {
		return "por defecto"
	}
	return s
}
