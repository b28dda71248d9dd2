package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// defaultGuestID is the guest OS a VM built from a spec without guest_os
// gets.
const defaultGuestID = "otherGuest64"

// createSpec builds the configuration of a new VM from the server's spec
// in the plan: CPUs, memory, one thin disk per disks_gb entry on a
// paravirtual SCSI controller, one vmxnet3 NIC per network.
func (p *placement) createSpec(ctx context.Context, ds *object.Datastore) (types.VirtualMachineConfigSpec, error) {
	s := p.srv.Spec
	if s.CPUs <= 0 || s.MemoryMB <= 0 {
		return types.VirtualMachineConfigSpec{}, permanentf("el servidor %s no tiene cpus y memory_mb en su spec: no se puede crear una VM similar", p.srv.ID)
	}
	var devices object.VirtualDeviceList
	if len(s.DisksGB) > 0 {
		scsi, err := devices.CreateSCSIController("pvscsi")
		if err != nil {
			return types.VirtualMachineConfigSpec{}, fmt.Errorf("creating a SCSI controller: %w", err)
		}
		devices = append(devices, scsi)
		ctrl, err := devices.FindSCSIController("")
		if err != nil {
			return types.VirtualMachineConfigSpec{}, fmt.Errorf("finding the new SCSI controller: %w", err)
		}
		for _, gb := range s.DisksGB {
			disk := devices.CreateDisk(ctrl, ds.Reference(), "")
			disk.CapacityInKB = int64(gb) * 1024 * 1024
			devices = append(devices, disk)
		}
	}
	for i := range max(len(s.Networks), len(p.networks)) {
		name := p.nicNetwork(i)
		if name == "" {
			continue
		}
		nic, err := p.nic(ctx, name)
		if err != nil {
			return types.VirtualMachineConfigSpec{}, err
		}
		devices = append(devices, nic)
	}
	changes, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return types.VirtualMachineConfigSpec{}, fmt.Errorf("building the device changes: %w", err)
	}
	return types.VirtualMachineConfigSpec{
		Name:         p.name,
		GuestId:      cmp.Or(s.GuestOS, defaultGuestID),
		NumCPUs:      int32(s.CPUs),
		MemoryMB:     int64(s.MemoryMB),
		Files:        &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", ds.Name())},
		DeviceChange: changes,
		Annotation:   p.annotation(),
		ExtraConfig:  p.ownerConfig(),
	}, nil
}

// nic creates a vmxnet3 NIC on network name.
func (p *placement) nic(ctx context.Context, name string) (types.BaseVirtualDevice, error) {
	backing, err := p.backing(ctx, name)
	if err != nil {
		return nil, err
	}
	nic, err := object.VirtualDeviceList{}.CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return nil, fmt.Errorf("creating a NIC on %s: %w", name, err)
	}
	return nic, nil
}

func (p *placement) backing(ctx context.Context, name string) (types.BaseVirtualDeviceBackingInfo, error) {
	n, err := p.network(ctx, name)
	if err != nil {
		return nil, err
	}
	b, err := n.EthernetCardBackingInfo(ctx)
	if err != nil {
		return nil, classify(fmt.Errorf("attaching to network %s: %w", name, err))
	}
	return b, nil
}

// annotation marks what the bot created, for people looking at vCenter,
// for idempotency (ownership) and for the drill teardown.
func (p *placement) annotation() string {
	a := "Creada por contingencia " + p.marker() + " servidor " + p.srv.ID + ")"
	if p.req.Drill {
		a += " (simulacro)"
	}
	return a
}

// marker identifies this run's step in a VM's annotation.
func (p *placement) marker() string {
	return fmt.Sprintf("(corrida %s, paso %s,", p.req.RunID, p.req.Step)
}

// importing is appended to the annotation while a deploy uploads its
// disks, and removed when the import completed.
const importing = " [importando]"

// ownership says who made an existing VM at the target.
type ownership int

const (
	notOurs        ownership = iota // someone else's: never touched
	ours                            // made by this run's step: done
	oursIncomplete                  // this step's import that never completed
)

// ownerKey is the extraConfig key recording the run and step that made a
// VM (the annotation says the same for people, but may be edited).
const ownerKey = "contingencia.owner"

func (p *placement) ownerValue() string { return p.req.RunID + "|" + p.req.Step }

// ownerConfig is the extraConfig that marks a VM as made by this step.
func (p *placement) ownerConfig() []types.BaseOptionValue {
	return []types.BaseOptionValue{&types.OptionValue{Key: ownerKey, Value: p.ownerValue()}}
}

func (p *placement) owner(info vmInfo) ownership {
	if info.Config == nil {
		return notOurs
	}
	for _, o := range info.Config.ExtraConfig {
		if v := o.GetOptionValue(); v.Key == ownerKey && v.Value == p.ownerValue() {
			return ours
		}
	}
	if strings.Contains(info.Config.Annotation, p.marker()) && strings.HasSuffix(info.Config.Annotation, importing) {
		return oursIncomplete
	}
	return notOurs
}

// markOurs records in a VM's annotation and extraConfig that this step
// made it (after a deploy completed), with any device changes.
func (p *placement) markOurs(ctx context.Context, vm *object.VirtualMachine, changes ...types.BaseVirtualDeviceConfigSpec) error {
	task, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{Annotation: p.annotation(), ExtraConfig: p.ownerConfig(), DeviceChange: changes})
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		return classify(fmt.Errorf("annotating %s: %w", p.vmPath, err))
	}
	return nil
}

// retarget changes the NICs of devices (a template's) to the placement's
// networks, so that a clone in a drill never joins a production network.
func (p *placement) retarget(ctx context.Context, devices object.VirtualDeviceList) ([]types.BaseVirtualDeviceConfigSpec, error) {
	var changes []types.BaseVirtualDeviceConfigSpec
	for i, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		name := p.nicNetwork(i)
		if name == "" {
			continue
		}
		backing, err := p.backing(ctx, name)
		if err != nil {
			return nil, err
		}
		d.GetVirtualDevice().Backing = backing
		changes = append(changes, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: d})
	}
	return changes, nil
}
