package vsphere

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

// Verify runs vsphere.verify_config (seed §6 "verificar configuración de
// servidor"): the VM's CPUs, memory, disks, NICs and their networks, power
// state (on) and, when the spec asks, VMware Tools running and guest OS,
// against the server's spec in the plan. A difference is a permanent error
// whose message is the readable diff.
type Verify struct{ c *Client }

// Mismatch is one difference between the plan and the VM.
type Mismatch struct {
	Field string `json:"field"`
	Plan  string `json:"plan"`
	VM    string `json:"vm"`
}

// Execute implements actions.Executor.
func (e *Verify) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	p, _, info, err := e.c.locate(ctx, req)
	if err != nil {
		return actions.Result{}, err
	}
	if info.Config == nil {
		return actions.Result{}, fmt.Errorf("reading the configuration of %s: vCenter returned none yet", p.vmPath)
	}
	nets, err := p.nicNetworks(ctx, object.VirtualDeviceList(info.Config.Hardware.Device))
	if err != nil {
		return actions.Result{}, err
	}
	spec := p.srv.Spec
	var diff []Mismatch
	add := func(field, plan, vm string) {
		if plan != vm {
			diff = append(diff, Mismatch{Field: field, Plan: plan, VM: vm})
		}
	}
	hw := info.Config.Hardware
	if spec.CPUs > 0 {
		add("CPU", fmt.Sprint(spec.CPUs), fmt.Sprint(hw.NumCPU))
	}
	if spec.MemoryMB > 0 {
		add("memoria", fmt.Sprintf("%d MB", spec.MemoryMB), fmt.Sprintf("%d MB", hw.MemoryMB))
	}
	disks := diskSizesGB(object.VirtualDeviceList(hw.Device))
	if len(spec.DisksGB) > 0 {
		add("discos", gbList(spec.DisksGB), gbList(disks))
	}
	if want := p.expectedNetworks(); len(want) > 0 {
		add("NIC y redes", netList(want), netList(nets))
	}
	add("estado de energía", powerWord(types.VirtualMachinePowerStatePoweredOn), powerWord(info.Runtime.PowerState))
	if spec.GuestTools {
		add("VMware Tools", "en ejecución", toolsWord(info.Guest))
	}
	if spec.GuestOS != "" {
		add("sistema invitado", spec.GuestOS, info.Config.GuestId)
	}
	details := map[string]any{
		"vm": p.vmPath, "cpus": hw.NumCPU, "memory_mb": hw.MemoryMB, "disks_gb": disks,
		"networks": nets, "power_state": string(info.Runtime.PowerState),
	}
	if len(diff) > 0 {
		details["diff"] = diff
		parts := make([]string, len(diff))
		for i, d := range diff {
			parts[i] = fmt.Sprintf("%s: plan %s, VM %s", d.Field, d.Plan, d.VM)
		}
		return actions.Result{Details: details}, actions.Permanent(&MismatchError{VM: p.vmPath, Diff: diff, text: strings.Join(parts, "; ")})
	}
	msg := fmt.Sprintf("Configuración de %s conforme al plan: %s; %s; %s", p.vmPath,
		describeSpec(int(hw.NumCPU), int(hw.MemoryMB), disks), netList(nets), powerWord(info.Runtime.PowerState))
	if spec.GuestTools {
		msg += "; VMware Tools en ejecución"
	}
	return actions.Result{Message: msg, Details: details}, nil
}

// MismatchError is the readable diff of a failed verification, returned
// wrapped in actions.Permanent: the configuration will not fix itself.
type MismatchError struct {
	VM   string
	Diff []Mismatch
	text string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("la configuración de %s difiere del plan: %s", e.VM, e.text)
}

// expectedNetworks is one network per NIC the plan expects: the spec's,
// or the drill network for as many NICs in a drill.
func (p *placement) expectedNetworks() []string {
	if p.req.Drill {
		return p.networks
	}
	return p.srv.Spec.Networks
}

// nicNetworks names the network of each NIC, in device order.
func (p *placement) nicNetworks(ctx context.Context, devices object.VirtualDeviceList) ([]string, error) {
	var out []string
	var refs []types.ManagedObjectReference
	for _, d := range devices.SelectByType((*types.VirtualEthernetCard)(nil)) {
		switch b := d.GetVirtualDevice().Backing.(type) {
		case *types.VirtualEthernetCardNetworkBackingInfo:
			out = append(out, b.DeviceName)
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			ref := types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: b.Port.PortgroupKey}
			refs = append(refs, ref)
			out = append(out, "\x00"+ref.Value)
		case *types.VirtualEthernetCardOpaqueNetworkBackingInfo:
			out = append(out, b.OpaqueNetworkId)
		default:
			out = append(out, "?")
		}
	}
	names, err := p.names(ctx, refs)
	if err != nil {
		return nil, err
	}
	for i, n := range out {
		if key, ok := strings.CutPrefix(n, "\x00"); ok {
			out[i] = names[types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: key}]
		}
	}
	return out, nil
}

func diskSizesGB(devices object.VirtualDeviceList) []int {
	var out []int
	for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		kb := disk.CapacityInKB
		if disk.CapacityInBytes > 0 {
			kb = disk.CapacityInBytes / 1024
		}
		out = append(out, int((kb+512*1024)/(1024*1024)))
	}
	return out
}

func gbList(l []int) string {
	if len(l) == 0 {
		return "ninguno"
	}
	parts := make([]string, len(l))
	for i, d := range l {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "+") + " GB"
}

func netList(l []string) string {
	switch len(l) {
	case 0:
		return "sin NIC"
	case 1:
		return "1 NIC en " + l[0]
	}
	return fmt.Sprintf("%d NIC en %s", len(l), strings.Join(slices.Clone(l), ", "))
}

func toolsWord(g *types.GuestInfo) string {
	if g == nil || g.ToolsRunningStatus == "" {
		return "sin datos"
	}
	if g.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning) {
		return "en ejecución"
	}
	return "no en ejecución"
}
