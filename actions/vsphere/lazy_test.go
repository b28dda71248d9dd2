package vsphere

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// TestLazyWaitsForVCenter: while vCenter cannot be reached the executors
// fail as retryable, saying why; once it answers, the same provider runs
// them. The dry runs stay where the registry expects them.
func TestLazyWaitsForVCenter(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "https://contingencia:secreto@" + ln.Addr().String() + "/sdk"
	ln.Close()
	l, err := NewLazy(Config{URL: down, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	reg := actions.NewDefaultRegistry(l)
	srv := &plan.Server{ID: "vm0", VSphere: plan.VSphere{Path: "/DC0/vm/DC0_H0_VM0"}}
	_, err = reg.Execute(ctx, actions.Request{Kind: "vsphere.power_on", Server: srv})
	if err == nil || actions.IsPermanent(err) || !strings.Contains(err.Error(), "vCenter no disponible") {
		t.Fatalf("power_on with vCenter down = %v, want a retryable error saying vCenter is down", err)
	}
	for kind, e := range l.Executors() {
		_, lazy := e.(actions.Planner)
		_, real := New(nil, Config{}).Executors()[kind].(actions.Planner)
		if lazy != real {
			t.Errorf("%s: has a dry run %v, want %v", kind, lazy, real)
		}
	}

	s := passwordSimulator(t)
	l.mu.Lock()
	l.cfg.URL, l.lastErr = s.URL.String(), nil // vCenter is back
	l.mu.Unlock()
	res, err := reg.Execute(ctx, actions.Request{Kind: "vsphere.power_on", Server: srv})
	if err != nil || !res.AlreadyDone {
		t.Fatalf("power_on once vCenter answers = %+v, %v", res, err)
	}
	if _, err := NewLazy(Config{URL: "https://vcenter.example/sdk"}); err == nil || !strings.Contains(err.Error(), "no user and password") {
		t.Fatalf("a URL without credentials = %v", err)
	}
}
