package vsphere

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vapi/library"
	"github.com/vmware/govmomi/vapi/rest"
	_ "github.com/vmware/govmomi/vapi/simulator" // the REST API in the simulator

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

func TestStatCopyInAContentLibrary(t *testing.T) {
	ctx := context.Background()
	m := simulator.VPX()
	defer m.Remove()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.RegisterEndpoints = true // the REST API, for content libraries
	s := m.Service.NewServer()
	defer s.Close()
	c, err := Connect(ctx, Config{URL: s.URL.String(), Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)

	// A library on LocalDS_0 holding the OVA copy of db.
	rc := rest.NewClient(c.Vim())
	if err := rc.Login(ctx, s.URL.User); err != nil {
		t.Fatal(err)
	}
	ds, err := find.NewFinder(c.Vim(), true).Datastore(ctx, "/DC0/datastore/LocalDS_0")
	if err != nil {
		t.Fatal(err)
	}
	lm := library.NewManager(rc)
	libID, err := lm.CreateLibrary(ctx, library.Library{Name: "copias", Type: "LOCAL",
		Storage: []library.StorageBacking{{DatastoreID: ds.Reference().Value, Type: "DATASTORE"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lm.CreateLibraryItem(ctx, library.Item{Name: "db.ova", Type: "ovf", LibraryID: libID}); err != nil {
		t.Fatal(err)
	}

	srv := &plan.Server{ID: "db", Copy: &plan.Copy{Format: plan.FormatOVA, Library: "copias/db.ova"}}
	st, err := c.StatCopy(ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	if st.Location != "biblioteca copias/db.ova" || st.Modified.IsZero() {
		t.Fatalf("stat %+v", st)
	}
	for _, ref := range []string{"copias/app.ova", "otra/db.ova", "sin-elemento"} {
		srv.Copy.Library = ref
		if _, err := c.StatCopy(ctx, srv); !actions.IsPermanent(err) {
			t.Fatalf("%s: %v, want a permanent error", ref, err)
		}
	}
}
