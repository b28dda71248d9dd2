package vsphere

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vapi/library"
	"github.com/vmware/govmomi/vapi/rest"
	_ "github.com/vmware/govmomi/vapi/simulator" // the REST API in the simulator
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

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

// TestDeployFromAContentLibrary: the copy of web-quipux-01 is an OVF
// template in the content library "copias"; the deploy goes through the
// vCenter REST API, lands where the plan says (the drill's folder and
// network in a drill), is marked as this step's, and a re-delivered job
// finds it done.
func TestDeployFromAContentLibrary(t *testing.T) {
	m := simulator.VPX()
	m.Portgroup = 2
	defer m.Remove()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.RegisterEndpoints = true
	s := m.Service.NewServer()
	defer s.Close()
	ctx := context.Background()
	c, err := Connect(ctx, Config{URL: s.URL.String(), Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	e := &env{ctx: ctx, model: m, vim: c.Vim(), plan: testPlan(t), now: time.Now(), client: c}
	e.reg = actions.NewDefaultRegistry(c)
	e.finder = find.NewFinder(c.Vim(), true)
	dc, err := e.finder.Datacenter(ctx, "DC0")
	if err != nil {
		t.Fatal(err)
	}
	e.finder.SetDatacenter(dc)
	e.seed(t, dc)
	// The descriptor only: the simulator's library import parses disks as
	// stream-optimized VMDKs, which the 64-byte stand-in is not, and its
	// deploy reads the descriptor alone (vCenter reads the disks from the
	// library itself, nothing of the bot's).
	uploadLibraryItem(t, c, s.URL.User, "copias", "web", filepath.Join(ovfDir(t), "contingencia-tiny.ovf"))

	web := *e.server(t, "web-quipux-01")
	web.Copy = &plan.Copy{Format: plan.FormatOVF, Library: "copias/web"}
	request := func(t *testing.T, drill bool) actions.Request {
		req := e.request(t, "vsphere.deploy_ovf", "web-quipux-01", map[string]any{"power_on": true})
		req.Server, req.Drill = &web, drill
		return req
	}
	for _, tc := range []struct {
		name    string
		drill   bool
		path    string
		network string
	}{
		{"in a drill, into the drill's folder and network", true, "/DC0/vm/simulacro/web-quipux-01-simulacro", "DC0_DVPG1"},
		{"in production", false, "/DC0/vm/quipux/web-quipux-01", "DC0_DVPG0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var prog progressLog
			req := request(t, tc.drill)
			req.Progress = prog.report
			pf, planned, err := e.reg.Preflight(ctx, req)
			if err != nil || !planned {
				t.Fatalf("Preflight = %v, %v", planned, err)
			}
			if !strings.Contains(pf.Summary, "biblioteca copias/web") || pf.Facts[actions.FactSourceAt] == "" || pf.Facts[actions.FactTarget] != tc.path {
				t.Errorf("pre-flight = %+v", pf)
			}
			req.Approved = &pf
			res, err := e.reg.Execute(ctx, req)
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if !strings.Contains(res.Message, tc.path) || !strings.Contains(res.Message, "biblioteca copias/web") {
				t.Errorf("result = %+v", res)
			}
			if got := e.networks(t, tc.path); !slices.Equal(got, []string{tc.network}) {
				t.Errorf("NIC networks = %v, want [%s]", got, tc.network)
			}
			if got := e.powerState(t, tc.path); got != types.VirtualMachinePowerStatePoweredOn {
				t.Errorf("power state = %s", got)
			}
			if got := prog.values(); len(got) < 3 || got[len(got)-1] != 100 || !slices.IsSorted(got) {
				t.Errorf("progress = %v, want increasing up to 100", got)
			}
			again, err := e.reg.Execute(ctx, req)
			if err != nil || !again.AlreadyDone {
				t.Errorf("second run = %+v, %v; want already done", again, err)
			}
		})
	}
	t.Run("a missing item is a permanent error", func(t *testing.T) {
		missing := web
		missing.Copy = &plan.Copy{Format: plan.FormatOVF, Library: "copias/no-existe"}
		missing.VSphere.Path = "/DC0/vm/quipux/web-quipux-02"
		req := request(t, false)
		req.Server = &missing
		if _, err := e.reg.Execute(ctx, req); !actions.IsPermanent(err) || !strings.Contains(err.Error(), "no-existe") {
			t.Fatalf("err = %v, want a permanent error naming the item", err)
		}
	})
}

// uploadLibraryItem creates library lib on LocalDS_0 (unless it exists)
// and an OVF item holding files, the way `govc library.import` does.
func uploadLibraryItem(t *testing.T, c *Client, user *url.Userinfo, lib, item string, files ...string) {
	t.Helper()
	ctx := context.Background()
	rc := rest.NewClient(c.Vim())
	if err := rc.Login(ctx, user); err != nil {
		t.Fatal(err)
	}
	ds, err := find.NewFinder(c.Vim(), true).Datastore(ctx, "/DC0/datastore/LocalDS_0")
	if err != nil {
		t.Fatal(err)
	}
	lm := library.NewManager(rc)
	libID, err := lm.CreateLibrary(ctx, library.Library{Name: lib, Type: "LOCAL",
		Storage: []library.StorageBacking{{DatastoreID: ds.Reference().Value, Type: "DATASTORE"}}})
	if err != nil {
		t.Fatal(err)
	}
	itemID, err := lm.CreateLibraryItem(ctx, library.Item{Name: item, Type: library.ItemTypeOVF, LibraryID: libID})
	if err != nil {
		t.Fatal(err)
	}
	session, err := lm.CreateLibraryItemUpdateSession(ctx, library.Session{LibraryItemID: itemID})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		up, err := lm.AddLibraryItemFile(ctx, session, library.UpdateFile{Name: filepath.Base(name), SourceType: "PUSH", Size: fi.Size()})
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(up.UploadEndpoint.URI)
		if err != nil {
			t.Fatal(err)
		}
		p := soap.DefaultUpload
		p.ContentLength = fi.Size()
		err = rc.Upload(ctx, f, u, &p)
		f.Close()
		if err != nil {
			t.Fatalf("uploading %s: %v", name, err)
		}
	}
	if err := lm.CompleteLibraryItemUpdateSession(ctx, session); err != nil {
		t.Fatal(err)
	}
}
