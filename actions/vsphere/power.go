package vsphere

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

// PowerOn runs vsphere.power_on: the target VM is powered on, unless it
// already is.
type PowerOn struct{ c *Client }

// Execute implements actions.Executor.
func (e *PowerOn) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	p, err := e.c.place(ctx, req)
	if err != nil {
		return actions.Result{}, err
	}
	vm, err := p.mustFindVM(ctx)
	if err != nil {
		return actions.Result{}, err
	}
	return p.powerOn(ctx, vm, 0, 100)
}

// powerOn powers vm on, reporting progress between lo and hi.
func (p *placement) powerOn(ctx context.Context, vm *object.VirtualMachine, lo, hi int) (actions.Result, error) {
	info, err := p.info(ctx, vm)
	if err != nil {
		return actions.Result{}, err
	}
	details := map[string]any{"vm": p.vmPath, "host": info.Host}
	if info.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
		p.req.Report(hi, p.name+" ya estaba encendida")
		return actions.Result{Message: fmt.Sprintf("La VM %s ya estaba encendida", p.vmPath), Details: details, AlreadyDone: true}, nil
	}
	start := p.c.now()
	task, err := vm.PowerOn(ctx)
	if err == nil {
		_, err = wait(ctx, p.req, task, lo, hi, "encendiendo "+p.name)
	}
	if isInvalidPowerState(err) {
		return actions.Result{Message: fmt.Sprintf("La VM %s ya estaba encendida", p.vmPath), Details: details, AlreadyDone: true}, nil
	}
	if err != nil {
		return actions.Result{}, classify(fmt.Errorf("powering on %s: %w", p.vmPath, err))
	}
	return actions.Result{
		Message: fmt.Sprintf("VM %s encendida en %s (host %s)", p.vmPath, actions.FormatAge(p.c.now().Sub(start)), info.Host),
		Details: details,
	}, nil
}

// PowerOff runs vsphere.power_off: a guest shutdown through VMware Tools,
// or a hard power off with force: true. Destructive: it has a pre-flight.
type PowerOff struct{ c *Client }

// Preflight implements actions.Planner.
func (e *PowerOff) Preflight(ctx context.Context, req actions.Request) (actions.Preflight, error) {
	p, _, info, err := e.c.locate(ctx, req)
	if err != nil {
		return actions.Preflight{}, err
	}
	how := "apagado ordenado del sistema invitado"
	if req.Bool("force", false) {
		how = "apagado forzado (sin cerrar el sistema invitado)"
	}
	summary := fmt.Sprintf("Apagar %s: %s. Estado actual: %s; host %s.", p.vmPath, how, powerWord(info.Runtime.PowerState), info.Host)
	off := info.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOff
	if off {
		summary = fmt.Sprintf("La VM %s ya está apagada: no se hará nada.", p.vmPath)
	}
	return actions.Preflight{Summary: summary, AlreadyDone: off, Facts: map[string]string{
		actions.FactTarget:     p.vmPath,
		actions.FactPowerState: string(info.Runtime.PowerState),
		actions.FactHost:       info.Host,
	}}, nil
}

// Execute implements actions.Executor.
func (e *PowerOff) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	p, vm, info, err := e.c.locate(ctx, req)
	if err != nil {
		return actions.Result{}, err
	}
	done := actions.Result{Message: fmt.Sprintf("La VM %s ya estaba apagada", p.vmPath), Details: map[string]any{"vm": p.vmPath}, AlreadyDone: true}
	if info.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOff {
		return done, nil
	}
	start := p.c.now()
	if req.Bool("force", false) {
		task, err := vm.PowerOff(ctx)
		if err == nil {
			_, err = wait(ctx, req, task, 0, 100, "apagando "+p.name)
		}
		if isInvalidPowerState(err) {
			return done, nil
		}
		if err != nil {
			return actions.Result{}, classify(fmt.Errorf("powering off %s: %w", p.vmPath, err))
		}
	} else {
		if toolsWord(info.Guest) != "en ejecución" {
			return actions.Result{}, permanentf("las VMware Tools de %s no están en ejecución: no se puede hacer un apagado ordenado; use force: true para un apagado forzado", p.vmPath)
		}
		req.Report(0, "apagado ordenado de "+p.name)
		err := vm.ShutdownGuest(ctx)
		if isInvalidPowerState(err) {
			return done, nil
		}
		if err != nil {
			return actions.Result{}, classify(fmt.Errorf("shutting down the guest of %s (use force: true when VMware Tools are not running): %w", p.vmPath, err))
		}
		if err := vm.WaitForPowerState(ctx, types.VirtualMachinePowerStatePoweredOff); err != nil {
			return actions.Result{}, classify(fmt.Errorf("waiting for %s to power off: %w", p.vmPath, err))
		}
		req.Report(100, p.name+" apagada")
	}
	return actions.Result{
		Message: fmt.Sprintf("VM %s apagada en %s", p.vmPath, actions.FormatAge(p.c.now().Sub(start))),
		Details: map[string]any{"vm": p.vmPath, "host": info.Host},
	}, nil
}
