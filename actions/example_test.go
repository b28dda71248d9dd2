package actions_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/contingencia/contingencia/actions"
)

// A destructive action is approved on its pre-flight; just before running
// it, the executor's facts are compared with the approved ones.
func ExampleCompareFacts() {
	approved := actions.Preflight{
		Summary: "Apagar /DC0/vm/quipux/db-01: apagado forzado. Estado actual: apagada.",
		Facts:   map[string]string{actions.FactTarget: "/DC0/vm/quipux/db-01", actions.FactPowerState: "poweredOff"},
	}
	now := actions.Preflight{Facts: map[string]string{actions.FactTarget: "/DC0/vm/quipux/db-01", actions.FactPowerState: "poweredOn"}}

	err := actions.CompareFacts(approved, now)
	var stale *actions.StaleError
	fmt.Println(errors.As(err, &stale), actions.IsPermanent(err))
	fmt.Println(err)
	// Output:
	// true true
	// la situación cambió desde la aprobación (estado de energía: era «poweredOff», ahora «poweredOn»); hace falta una nueva confirmación
}

type tcpCheck struct{}

func (tcpCheck) Executors() map[string]actions.Executor {
	return map[string]actions.Executor{
		"check.tcp": actions.ExecutorFunc(func(_ context.Context, req actions.Request) (actions.Result, error) {
			return actions.Result{Message: "TCP " + req.String("address", "") + " abierto"}, nil
		}),
	}
}

// Providers (the vSphere client, the checks) contribute executors; the
// registry validates parameters against the catalog before running them.
func ExampleNewDefaultRegistry() {
	reg := actions.NewDefaultRegistry(tcpCheck{})
	ctx := context.Background()

	res, err := reg.Execute(ctx, actions.Request{Kind: "check.tcp", Params: map[string]any{"address": "db:5432"}})
	fmt.Println(res.Message, err)

	_, err = reg.Execute(ctx, actions.Request{Kind: "check.tcp", Params: map[string]any{"adress": "db:5432"}})
	fmt.Println(actions.IsPermanent(err), err)
	// Output:
	// TCP db:5432 abierto <nil>
	// true check.tcp: parámetro "adress" no admitido; falta el parámetro obligatorio "address"
}
