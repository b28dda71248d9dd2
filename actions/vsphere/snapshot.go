package vsphere

import (
	"context"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

// Revert runs vsphere.revert_snapshot: the seed's "RollBack" of a server
// to its named snapshot (param snapshot, default the server's snapshot),
// optionally powering it on after.
//
// After reverting it records the run, step and snapshot in the VM's
// extraConfig (key contingencia.revert): a re-delivered job finds it and
// reports done, instead of throwing away what happened since the first
// revert. The current snapshot alone cannot say so: it usually already is
// the RollBack snapshot before any revert.
type Revert struct{ c *Client }

// revertKey is the extraConfig key of the revert marker.
const revertKey = "contingencia.revert"

// snapshotState is what a revert looks at.
type snapshotState struct {
	p       *placement
	info    vmInfo
	name    string
	snap    *types.VirtualMachineSnapshotTree
	current string // name of the current snapshot, "" when none
	done    bool   // this step already reverted the VM to this snapshot
}

// mark is the revert marker of this step and snapshot.
func (s *snapshotState) mark() string {
	return fmt.Sprintf("%s|%s|%s", s.p.req.RunID, s.p.req.Step, s.snap.Snapshot.Value)
}

func (e *Revert) look(ctx context.Context, req actions.Request) (*snapshotState, error) {
	name := req.String("snapshot", "")
	if name == "" && req.Server != nil {
		name = req.Server.Snapshot
	}
	if name == "" {
		return nil, actions.Permanent(fmt.Errorf("el servidor %s no tiene snapshot en el plan y el paso no indica uno", req.Target()))
	}
	p, _, info, err := e.c.locate(ctx, req)
	if err != nil {
		return nil, err
	}
	s := &snapshotState{p: p, info: info, name: name}
	var matches []*types.VirtualMachineSnapshotTree
	var names []string
	if info.Snapshot != nil {
		walkSnapshots(info.Snapshot.RootSnapshotList, func(t *types.VirtualMachineSnapshotTree) {
			names = append(names, t.Name)
			if t.Name == name {
				matches = append(matches, t)
			}
			if info.Snapshot.CurrentSnapshot != nil && t.Snapshot == *info.Snapshot.CurrentSnapshot {
				s.current = t.Name
			}
		})
	}
	switch len(matches) {
	case 0:
		have := "no tiene snapshots"
		if len(names) > 0 {
			have = "tiene: " + strings.Join(names, ", ")
		}
		return nil, actions.Permanent(fmt.Errorf("la VM %s no tiene el snapshot «%s» (%s)", p.vmPath, name, have))
	case 1:
		s.snap = matches[0]
		if info.Config != nil {
			for _, o := range info.Config.ExtraConfig {
				if v := o.GetOptionValue(); v.Key == revertKey && v.Value == s.mark() {
					s.done = true
				}
			}
		}
	default:
		return nil, actions.Permanent(fmt.Errorf("la VM %s tiene %d snapshots llamados «%s»; renombre los sobrantes", p.vmPath, len(matches), name))
	}
	return s, nil
}

func walkSnapshots(list []types.VirtualMachineSnapshotTree, fn func(*types.VirtualMachineSnapshotTree)) {
	for i := range list {
		fn(&list[i])
		walkSnapshots(list[i].ChildSnapshotList, fn)
	}
}

// Preflight implements actions.Planner.
func (e *Revert) Preflight(ctx context.Context, req actions.Request) (actions.Preflight, error) {
	s, err := e.look(ctx, req)
	if err != nil {
		return actions.Preflight{}, err
	}
	p := s.p
	age := actions.FormatAge(p.c.now().Sub(s.snap.CreateTime))
	summary := fmt.Sprintf("Revertir %s al snapshot «%s», creado hace %s (%s): se pierden los cambios posteriores. "+
		"Estado actual: %s; host %s; datastore %s.",
		p.vmPath, s.name, age, actions.FormatTime(s.snap.CreateTime),
		powerWord(s.info.Runtime.PowerState), s.info.Host, strings.Join(s.info.Datastores, ", "))
	if s.done {
		summary = fmt.Sprintf("La VM %s ya fue revertida al snapshot «%s» por este paso: no se revertirá de nuevo.", p.vmPath, s.name)
	}
	return actions.Preflight{Summary: summary, AlreadyDone: s.done, Facts: map[string]string{
		actions.FactTarget:      p.vmPath,
		actions.FactHost:        s.info.Host,
		actions.FactDatastore:   strings.Join(s.info.Datastores, ","),
		actions.FactPowerState:  string(s.info.Runtime.PowerState),
		actions.FactSnapshot:    s.name,
		actions.FactSnapshotAt:  actions.FormatTime(s.snap.CreateTime),
		actions.FactCurrentSnap: s.current,
	}}, nil
}

// Execute implements actions.Executor.
func (e *Revert) Execute(ctx context.Context, req actions.Request) (actions.Result, error) {
	s, err := e.look(ctx, req)
	if err != nil {
		return actions.Result{}, err
	}
	p := s.p
	details := map[string]any{"vm": p.vmPath, "snapshot": s.name, "snapshot_at": actions.FormatTime(s.snap.CreateTime)}
	powerOn := req.Bool("power_on", false)
	if s.done {
		res := actions.Result{Message: fmt.Sprintf("La VM %s ya había sido revertida al snapshot «%s» por este paso", p.vmPath, s.name), Details: details, AlreadyDone: true}
		if powerOn && s.info.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			vm, err := p.mustFindVM(ctx)
			if err != nil {
				return actions.Result{}, err
			}
			on, err := p.powerOn(ctx, vm, 0, 100)
			if err != nil {
				return actions.Result{}, err
			}
			res.Message += "; " + lowerFirst(on.Message)
		}
		return res, nil
	}
	vm, err := p.mustFindVM(ctx)
	if err != nil {
		return actions.Result{}, err
	}
	start := p.c.now()
	hi := 100
	if powerOn {
		hi = 80
	}
	res, err := methods.RevertToSnapshot_Task(ctx, p.c.vim, &types.RevertToSnapshot_Task{
		This: s.snap.Snapshot, SuppressPowerOn: types.NewBool(true),
	})
	if err == nil {
		_, err = wait(ctx, req, object.NewTask(p.c.vim, res.Returnval), 0, hi, "revirtiendo "+p.name+" a «"+s.name+"»")
	}
	if err != nil {
		return actions.Result{}, classify(fmt.Errorf("reverting %s to snapshot %q: %w", p.vmPath, s.name, err))
	}
	// The revert is done whatever happens to the marker: a failure to
	// write it is logged, not returned (a retry would revert again).
	mark, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{ExtraConfig: []types.BaseOptionValue{&types.OptionValue{Key: revertKey, Value: s.mark()}}})
	if err == nil {
		err = mark.Wait(ctx)
	}
	if err != nil {
		p.c.log.WarnContext(ctx, "recording the revert marker", "vm", p.vmPath, "err", err)
	}
	msg := fmt.Sprintf("VM %s revertida al snapshot «%s» (de hace %s) en %s", p.vmPath, s.name,
		actions.FormatAge(start.Sub(s.snap.CreateTime)), actions.FormatAge(p.c.now().Sub(start)))
	if powerOn {
		on, err := p.powerOn(ctx, vm, hi, 100)
		if err != nil {
			return actions.Result{}, fmt.Errorf("%s, pero no se pudo encender: %w", msg, err)
		}
		msg += "; " + lowerFirst(on.Message)
	}
	return actions.Result{Message: msg, Details: details}, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
