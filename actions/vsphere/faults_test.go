package vsphere

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
)

func TestFaults(t *testing.T) {
	simulate(t, func(e *env) {
		svc := simulator.ServiceFromContext(e.ctx)
		powerOff := func(t *testing.T) {
			t.Helper()
			if _, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.power_off", "db-quipux-01", map[string]any{"force": true})); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("a task failing twice is transient, then works", func(t *testing.T) {
			powerOff(t)
			svc.AddFaultRule(&simulator.FaultInjectionRule{
				MethodName: "PowerOnVM_Task", ObjectType: "VirtualMachine", ObjectName: "db-quipux-01",
				Probability: 1, FaultType: simulator.FaultTypeGeneric, Message: "host ocupado", MaxCount: 2, Enabled: true,
			})
			defer svc.ClearFaultRules()
			req := e.request(t, "vsphere.power_on", "db-quipux-01", nil)
			for attempt := 1; attempt <= 2; attempt++ {
				_, err := e.reg.Execute(e.ctx, req)
				if err == nil || actions.IsPermanent(err) {
					t.Fatalf("attempt %d: err = %v, want a transient error", attempt, err)
				}
			}
			res, err := e.reg.Execute(e.ctx, req)
			if err != nil || res.AlreadyDone {
				t.Fatalf("attempt 3 = %+v, %v; want powered on", res, err)
			}
			if got := e.powerState(t, dbPath); got != types.VirtualMachinePowerStatePoweredOn {
				t.Errorf("power state = %s", got)
			}
		})
		permanent := []struct {
			name  string
			fault simulator.FaultType
		}{
			{"no permission is permanent", simulator.FaultTypeNoPermission},
			{"insufficient resources are permanent", simulator.FaultTypeInsufficientResourcesFault},
			{"an invalid argument is permanent", simulator.FaultTypeInvalidArgument},
		}
		for _, tc := range permanent {
			t.Run(tc.name, func(t *testing.T) {
				powerOff(t)
				svc.AddFaultRule(&simulator.FaultInjectionRule{
					MethodName: "PowerOnVM_Task", ObjectType: "*", ObjectName: "*",
					Probability: 1, FaultType: tc.fault, Enabled: true,
				})
				defer svc.ClearFaultRules()
				_, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.power_on", "db-quipux-01", nil))
				if !actions.IsPermanent(err) {
					t.Fatalf("err = %v, want permanent", err)
				}
			})
		}
		t.Run("invalid power state on power on means already on", func(t *testing.T) {
			// The inventory said off, vCenter says it is on: a race with
			// another operator. The fault is classified as done.
			powerOff(t)
			svc.AddFaultRule(&simulator.FaultInjectionRule{
				MethodName: "PowerOnVM_Task", ObjectType: "*", ObjectName: "*", Probability: 1, Enabled: true,
				FaultType: simulator.FaultTypeCustom,
				Fault:     &types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOn, ExistingState: types.VirtualMachinePowerStatePoweredOn},
			})
			defer svc.ClearFaultRules()
			res, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.power_on", "db-quipux-01", nil))
			if err != nil || !res.AlreadyDone {
				t.Fatalf("Execute = %+v, %v; want already done", res, err)
			}
		})
	})
}

// TestSlowTask sets simulator.TaskDelay, a package global: not parallel.
func TestSlowTask(t *testing.T) {
	const delay, timeout = 3 * time.Second, time.Second
	simulator.TaskDelay.MethodDelay = map[string]int{"PowerOff": int(delay.Milliseconds()), "LockHandoff": 0}
	defer func() { simulator.TaskDelay.MethodDelay = nil }()
	simulate(t, func(e *env) {
		ctx, cancel := context.WithTimeout(e.ctx, timeout)
		defer cancel()
		start := time.Now()
		_, err := e.reg.Execute(ctx, e.request(t, "vsphere.power_off", "db-quipux-01", map[string]any{"force": true}))
		if !errors.Is(err, context.DeadlineExceeded) || actions.IsPermanent(err) {
			t.Fatalf("Execute = %v, want a transient deadline error", err)
		}
		if d := time.Since(start); d >= delay {
			t.Errorf("Execute returned after %s, not at its timeout", d)
		}
		// Let the task finish before the simulator stops.
		wctx, wcancel := context.WithTimeout(e.ctx, 4*delay)
		defer wcancel()
		if err := e.vm(t, dbPath).WaitForPowerState(wctx, types.VirtualMachinePowerStatePoweredOff); err != nil {
			t.Fatalf("the slow power off never completed (did it start before the timeout?): %v", err)
		}
		res, err := e.reg.Execute(e.ctx, e.request(t, "vsphere.power_off", "db-quipux-01", map[string]any{"force": true}))
		if err != nil || !res.AlreadyDone {
			t.Errorf("retry after the task finished = %+v, %v; want already done", res, err)
		}
	})
}
