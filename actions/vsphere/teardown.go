package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// TeardownDrill removes what drill run runID created (issue 6 §6): every
// VM under the plan's drill folder whose contingencia.owner marker names
// the run is powered off and destroyed. VMs of other runs, and anything
// outside the drill folder, are left alone. It returns the inventory paths
// removed; running it again removes nothing.
func (c *Client) TeardownDrill(ctx context.Context, p *plan.Plan, runID string) ([]string, error) {
	if runID == "" {
		return nil, permanentf("desmontaje de simulacro sin corrida")
	}
	var dcs []string
	for _, s := range p.Servers {
		dc := s.VSphere.Datacenter
		if dc == "" {
			dc = strings.SplitN(strings.TrimPrefix(path.Clean(s.VSphere.Path), "/"), "/", 2)[0]
		}
		if dc != "" && !slices.Contains(dcs, dc) {
			dcs = append(dcs, dc)
		}
	}
	var removed []string
	for _, dcName := range dcs {
		req := actions.Request{RunID: runID, Plan: p, Drill: true}
		folder := ""
		if p.Drill != nil {
			folder = actions.InventoryFolder(dcName, p.Drill.Folder)
		}
		if err := actions.GuardDrill(req, dcName, actions.Target{Folder: cmp.Or(folder, "/")}); err != nil {
			return removed, err
		}
		finder := find.NewFinder(c.vim, true)
		dc, err := finder.Datacenter(ctx, dcName)
		if err != nil {
			return removed, classify(fmt.Errorf("finding datacenter %s: %w", dcName, err))
		}
		finder.SetDatacenter(dc)
		vms, err := finder.VirtualMachineList(ctx, folder+"/...")
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return removed, classify(fmt.Errorf("listing the drill folder %s: %w", folder, err))
		}
		for _, vm := range vms {
			if err := actions.GuardDrill(req, dcName, actions.Target{VM: vm.InventoryPath}); err != nil {
				return removed, err
			}
			var m mo.VirtualMachine
			if err := vm.Properties(ctx, vm.Reference(), []string{"config.extraConfig", "runtime.powerState"}, &m); err != nil {
				return removed, classify(fmt.Errorf("reading %s: %w", vm.InventoryPath, err))
			}
			if !ownedByRun(m, runID) {
				continue
			}
			if m.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
				task, err := vm.PowerOff(ctx)
				if err == nil {
					err = task.Wait(ctx)
				}
				if err != nil && !isInvalidPowerState(err) {
					return removed, classify(fmt.Errorf("powering off drill VM %s: %w", vm.InventoryPath, err))
				}
			}
			task, err := vm.Destroy(ctx)
			if err == nil {
				err = task.Wait(ctx)
			}
			if err != nil {
				return removed, classify(fmt.Errorf("destroying drill VM %s: %w", vm.InventoryPath, err))
			}
			c.log.InfoContext(ctx, "drill VM removed", "vm", vm.InventoryPath, "run", runID)
			removed = append(removed, vm.InventoryPath)
		}
	}
	return removed, nil
}

// ownedByRun reports whether the VM's owner marker names run runID.
func ownedByRun(m mo.VirtualMachine, runID string) bool {
	if m.Config == nil {
		return false
	}
	for _, o := range m.Config.ExtraConfig {
		if v := o.GetOptionValue(); v.Key == ownerKey {
			s, _ := v.Value.(string)
			return strings.HasPrefix(s, runID+"|")
		}
	}
	return false
}
