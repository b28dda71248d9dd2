package vsphere

import (
	"context"
	"fmt"

	"github.com/vmware/govmomi/vapi/vcenter"
	"github.com/vmware/govmomi/vim25/types"
)

// deployLibrary deploys a copy kept in a content library (plan:
// copy.library "library/item") through the vCenter REST API: vCenter
// reads the OVF and its disks from the library itself, so nothing is
// uploaded and there is no upload progress to report. The VM is named
// and annotated as an imported one ("[importando]" until Execute marks
// it complete), in the placement's pool, folder, host and datastore;
// Execute then moves its NICs onto the placement's networks.
func (e *Deploy) deployLibrary(ctx context.Context, p *placement, src *source) (types.ManagedObjectReference, error) {
	var none types.ManagedObjectReference
	d, err := p.destination(ctx)
	if err != nil {
		return none, err
	}
	rc, item, err := p.c.libraryItem(ctx, p.srv, src.library)
	if err != nil {
		return none, err
	}
	target := vcenter.Target{ResourcePoolID: d.pool.Reference().Value, FolderID: d.folder.Reference().Value}
	if d.host != nil {
		target.HostID = d.host.Reference().Value
	}
	deploy := vcenter.Deploy{
		DeploymentSpec: vcenter.DeploymentSpec{
			Name: p.name, Annotation: p.annotation() + importing, AcceptAllEULA: true,
			DefaultDatastoreID: d.ds.Reference().Value, StorageProvisioning: "thin",
		},
		Target: target,
	}
	p.req.Report(5, "desplegando "+p.name+" desde la biblioteca "+src.library)
	ref, err := vcenter.NewManager(rc).DeployLibraryItem(ctx, item.ID, deploy)
	if err != nil {
		return none, classify(fmt.Errorf("deploying library item %s as %s: %w", src.library, p.vmPath, err))
	}
	p.req.Report(90, "despliegue desde la biblioteca terminado")
	return *ref, nil
}
