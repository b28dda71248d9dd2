package actions

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
)

// DrillSuffix is appended to the name of every VM a drill creates, so a
// drill copy can never take a production VM's name.
const DrillSuffix = "-simulacro"

// Target is where a vSphere action is about to act, as absolute inventory
// paths (e.g. /DC0/vm/simulacro/db-01-simulacro).
type Target struct {
	VM       string   // the VM acted upon or created
	Folder   string   // folder a VM is created in, if any
	Networks []string // networks (port groups) NICs are attached to
}

// InventoryFolder makes folder an absolute inventory path: absolute paths
// are kept, relative ones are taken under the datacenter's VM folder
// ("quipux" → "/DC0/vm/quipux"). Empty stays empty.
func InventoryFolder(datacenter, folder string) string {
	switch {
	case folder == "":
		return ""
	case strings.HasPrefix(folder, "/"):
		return path.Clean(folder)
	}
	return path.Join("/", datacenter, "vm", folder)
}

// within reports whether p is dir or inside it.
func within(p, dir string) bool {
	p, dir = path.Clean(p), path.Clean(dir)
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// GuardDrill refuses, with a permanent error, a drill request whose target
// lies outside the plan's drill folder and network. Outside a drill it
// allows everything. It also refuses a plan whose drill target is not
// isolated: a drill folder holding production VMs, or a drill network that
// production servers use. datacenter resolves a relative drill folder.
func GuardDrill(req Request, datacenter string, t Target) error {
	if !req.Drill {
		return nil
	}
	refuse := func(format string, args ...any) error {
		return Permanent(fmt.Errorf("simulacro: "+format+"; no se toca producción", args...))
	}
	if req.Plan == nil || req.Plan.Drill == nil || req.Plan.Drill.Folder == "" || req.Plan.Drill.Network == "" {
		return refuse("el plan no define la carpeta y la red aisladas de simulacro")
	}
	drill := req.Plan.Drill
	folder := InventoryFolder(datacenter, drill.Folder)
	for _, s := range req.Plan.Servers {
		dc := cmp.Or(s.VSphere.Datacenter, datacenter)
		if p := s.VSphere.Path; p != "" && within(p, folder) {
			return refuse("la carpeta de simulacro %s contiene la VM de producción %s", folder, p)
		}
		if f := InventoryFolder(dc, s.VSphere.Folder); f != "" && within(f, folder) {
			return refuse("la carpeta de simulacro %s contiene la carpeta de producción %s", folder, f)
		}
		if drill.Network == s.VSphere.Network || slices.Contains(s.Spec.Networks, drill.Network) {
			return refuse("la red de simulacro %s es una red de producción (servidor %s)", drill.Network, s.ID)
		}
	}
	if t.VM == "" && t.Folder == "" {
		return refuse("destino sin ruta de inventario")
	}
	for _, p := range []string{t.VM, t.Folder} {
		if p != "" && !within(p, folder) {
			return refuse("el destino %s está fuera de la carpeta de simulacro %s", p, folder)
		}
	}
	for _, s := range req.Plan.Servers {
		if t.VM != "" && s.VSphere.Path != "" && path.Clean(t.VM) == path.Clean(s.VSphere.Path) {
			return refuse("el destino %s es la VM de producción del servidor %s", t.VM, s.ID)
		}
	}
	for _, n := range t.Networks {
		if n != drill.Network {
			return refuse("la red %s no es la red aislada de simulacro %s", n, drill.Network)
		}
	}
	return nil
}

// DrillVMName is the name a drill gives the copy of a production VM.
func DrillVMName(name string) string {
	if strings.HasSuffix(name, DrillSuffix) {
		return name
	}
	return name + DrillSuffix
}
