package vsphere

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vapi/library"
	"github.com/vmware/govmomi/vapi/rest"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// StatCopy finds the server's OVF/OVA copy (seed §8.1) and returns its
// size and modification time: on a datastore ("[ds] folder/file.ova", in
// the server's datacenter) or at a local file path. Content library items
// ("biblioteca/elemento") are found through the vSphere REST API, with the
// session's credentials. The readiness check check.copy
// and the deploy pre-flight use it for the copy's age.
func (c *Client) StatCopy(ctx context.Context, srv *plan.Server) (st actions.CopyStat, err error) {
	err = c.withSession(ctx, func() error {
		st, err = c.statCopy(ctx, srv)
		return err
	})
	return st, err
}

func (c *Client) statCopy(ctx context.Context, srv *plan.Server) (actions.CopyStat, error) {
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
		return c.statLibrary(ctx, srv, cp.Library)
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

// statLibrary returns the size of a content library copy and when it
// last changed.
func (c *Client) statLibrary(ctx context.Context, srv *plan.Server, ref string) (actions.CopyStat, error) {
	_, item, err := c.libraryItem(ctx, srv, ref)
	if err != nil {
		return actions.CopyStat{}, err
	}
	st := actions.CopyStat{Location: "biblioteca " + ref, Size: item.Size}
	switch {
	case item.LastModifiedTime != nil:
		st.Modified = *item.LastModifiedTime
	case item.CreationTime != nil:
		st.Modified = *item.CreationTime
	}
	return st, nil
}

// libraryItem finds a content library item, "library/item", and returns
// it with the REST client that found it.
func (c *Client) libraryItem(ctx context.Context, srv *plan.Server, ref string) (*rest.Client, *library.Item, error) {
	libName, itemName, ok := strings.Cut(ref, "/")
	if !ok || libName == "" || itemName == "" {
		return nil, nil, permanentf("la copia de %s en biblioteca %q no tiene la forma «biblioteca/elemento»", srv.ID, ref)
	}
	rc, err := c.restClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	m := library.NewManager(rc)
	lib, err := m.GetLibraryByName(ctx, libName)
	if err != nil {
		return nil, nil, permanentf("la biblioteca de contenido %s de la copia de %s no existe: %v", libName, srv.ID, err)
	}
	ids, err := m.FindLibraryItems(ctx, library.FindItem{LibraryID: lib.ID, Name: itemName})
	if err != nil {
		return nil, nil, fmt.Errorf("buscando %s en la biblioteca %s: %w", itemName, libName, err)
	}
	if len(ids) == 0 {
		return nil, nil, permanentf("la copia de %s no está en la biblioteca %s (falta el elemento %s)", srv.ID, libName, itemName)
	}
	item, err := m.GetLibraryItem(ctx, ids[0])
	if err != nil {
		return nil, nil, fmt.Errorf("leyendo %s de la biblioteca %s: %w", itemName, libName, err)
	}
	return rc, item, nil
}

// restClient logs in to the vSphere REST API (content libraries) once,
// with the credentials of the SOAP session's URL.
func (c *Client) restClient(ctx context.Context) (*rest.Client, error) {
	c.restMu.Lock()
	defer c.restMu.Unlock()
	if c.rest != nil {
		return c.rest, nil
	}
	if c.user == nil {
		return nil, permanentf("consultar bibliotecas de contenido necesita usuario y clave en VSPHERE_URL")
	}
	rc := rest.NewClient(c.vim)
	if err := rc.Login(ctx, c.user); err != nil {
		return nil, classify(fmt.Errorf("iniciando sesión en la API REST de vSphere: %w", err))
	}
	c.rest = rc
	return rc, nil
}
