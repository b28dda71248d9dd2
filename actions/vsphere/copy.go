package vsphere

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// StatCopy finds the server's OVF/OVA copy (seed §8.1) and returns its
// size and modification time: on a datastore ("[ds] folder/file.ova", in
// the server's datacenter) or at a local file path. Content library items
// are not supported yet (permanent error). The readiness check check.copy
// and the deploy pre-flight use it for the copy's age.
func (c *Client) StatCopy(ctx context.Context, srv *plan.Server) (actions.CopyStat, error) {
	if srv == nil || srv.Copy == nil {
		return actions.CopyStat{}, permanentf("el servidor no tiene copia OVF/OVA en el plan")
	}
	cp := srv.Copy
	switch {
	case cp.Datastore != "":
		return c.statDatastore(ctx, srv, cp.Datastore)
	case cp.Path != "" && !strings.Contains(cp.Path, "://"):
		fi, err := os.Stat(cp.Path)
		if err != nil {
			return actions.CopyStat{}, permanentf("la copia de %s no está en %s: %v", srv.ID, cp.Path, err)
		}
		return actions.CopyStat{Location: cp.Path, Size: fi.Size(), Modified: fi.ModTime()}, nil
	case cp.Library != "":
		return actions.CopyStat{}, permanentf("la copia de %s está en la biblioteca de contenido %s, que aún no se consulta", srv.ID, cp.Library)
	}
	return actions.CopyStat{}, permanentf("la copia de %s (%s) no es un archivo local ni una ruta de datastore", srv.ID, cp.Path)
}

func (c *Client) statDatastore(ctx context.Context, srv *plan.Server, dsPath string) (actions.CopyStat, error) {
	var p object.DatastorePath
	if !p.FromString(dsPath) || p.Path == "" {
		return actions.CopyStat{}, permanentf("la ruta de datastore %q de %s no tiene la forma «[datastore] carpeta/archivo»", dsPath, srv.ID)
	}
	finder := find.NewFinder(c.vim, true)
	dcName := srv.VSphere.Datacenter
	if dcName == "" {
		dcName = strings.SplitN(strings.TrimPrefix(path.Clean(srv.VSphere.Path), "/"), "/", 2)[0]
	}
	dc, err := finder.Datacenter(ctx, dcName)
	if err != nil {
		return actions.CopyStat{}, classify(fmt.Errorf("finding datacenter %s: %w", dcName, err))
	}
	finder.SetDatacenter(dc)
	ds, err := finder.Datastore(ctx, p.Datastore)
	if err != nil {
		return actions.CopyStat{}, classify(fmt.Errorf("finding datastore %s: %w", p.Datastore, err))
	}
	fi, err := ds.Stat(ctx, p.Path)
	if err != nil {
		return actions.CopyStat{}, classify(fmt.Errorf("looking for the copy %s: %w", dsPath, err))
	}
	info := fi.GetFileInfo()
	st := actions.CopyStat{Location: dsPath, Size: info.FileSize}
	if info.Modification != nil {
		st.Modified = *info.Modification
	}
	return st, nil
}
