package plan

import (
	"fmt"
	"slices"
	"strings"
)

// Validate checks the meaning of a parsed plan: required fields, unique
// ids, references between services, servers, roles and units, dependency
// cycles, enumerations, procedures and their steps, and (when cat is not
// nil) the actions steps and checks run with their parameters. It returns
// every problem found, sorted by position. Positions come from Parse; a
// plan built in code gets problems without positions.
func Validate(p *Plan, cat Catalog) Problems {
	v := &validator{p: p, cat: cat, pos: p.pos}
	v.index()
	v.plan()
	v.units()
	v.roles()
	v.services()
	v.servers()
	v.readiness()
	v.procedures()
	v.cycles()
	sortProblems(v.problems)
	return v.problems
}

// validator collects the problems of one plan.
type validator struct {
	p        *Plan
	cat      Catalog
	pos      srcPositions
	problems Problems

	unitIDs, roleIDs, serviceIDs, serverIDs map[string]int // id → index of its first use
}

// add reports a problem at the value written at path.
func (v *validator) add(path, format string, args ...any) {
	line, col := v.pos.at(path)
	v.problems = append(v.problems, Problem{File: v.p.Source, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// index maps the ids of units, roles, services and servers to their first
// index, reporting ids used twice.
func (v *validator) index() {
	v.unitIDs = v.ids("units", "unit", len(v.p.Units), func(i int) string { return v.p.Units[i].ID })
	v.roleIDs = v.ids("roles", "role", len(v.p.Roles), func(i int) string { return v.p.Roles[i].ID })
	v.serviceIDs = v.ids("services", "service", len(v.p.Services), func(i int) string { return v.p.Services[i].ID })
	v.serverIDs = v.ids("servers", "server", len(v.p.Servers), func(i int) string { return v.p.Servers[i].ID })
}

// ids indexes the ids of the list at path and reports duplicates and ids
// that are not plain words: ids are typed in chat commands and joined into
// checklist keys ("procedure/step@server").
func (v *validator) ids(path, kind string, n int, id func(int) string) map[string]int {
	seen := make(map[string]int, n)
	for i := range n {
		s := id(i)
		if s == "" {
			continue
		}
		if !plainID(s) {
			v.add(fmt.Sprintf("%s[%d].id", path, i), "%s id %q must be a plain word: ASCII letters, digits, '-', '_' or '.', starting with a letter or digit", kind, s)
		}
		if first, dup := seen[s]; dup {
			v.add(fmt.Sprintf("%s[%d].id", path, i), "%s id %q is used twice (first %s)", kind, s, v.where(fmt.Sprintf("%s[%d].id", path, first)))
			continue
		}
		seen[s] = i
	}
	return seen
}

// plainID reports whether id is a letter or digit followed by letters,
// digits, '-', '_' or '.'.
func plainID(id string) bool {
	for i, r := range id {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || r != '-' && r != '_' && r != '.') {
			return false
		}
	}
	return true
}

// where describes the position of path for "first at …" remarks.
func (v *validator) where(path string) string {
	line, _ := v.pos.at(path)
	if line < 1 {
		return "earlier in the plan"
	}
	return fmt.Sprintf("at line %d", line)
}

// elemName is how messages call an element: `service "web"`, or `service #3`
// when it has no id.
func elemName(kind, id string, i int) string {
	if id == "" {
		return fmt.Sprintf("%s #%d", kind, i+1)
	}
	return fmt.Sprintf("%s %q", kind, id)
}

// required reports a missing value: field is empty. A value written with
// the wrong type was already reported by Parse and is not reported again.
func (v *validator) required(path, owner, field string, empty bool) {
	if !empty {
		return
	}
	present, bad := v.pos.written(path)
	switch {
	case bad:
	case present:
		v.add(path, "%s has an empty %s", owner, field)
	default:
		v.add(path, "%s has no %s", owner, field)
	}
}

// requiredText reports a missing text, or one without its Spanish version.
func (v *validator) requiredText(path, owner, field string, t Text) {
	if t.ES == "" && t.EN != "" {
		v.add(path, "%s has its %s only in English; add the Spanish text (es)", owner, field)
		return
	}
	v.required(path, owner, field, t.ES == "")
}

// positive reports a duration or priority that is missing or not above 0.
func (v *validator) positive(path, owner, field string, n int64) {
	if n > 0 {
		return
	}
	present, bad := v.pos.written(path)
	switch {
	case bad:
	case present:
		v.add(path, "%s has %s %s; it must be more than zero", owner, field, v.written(path, n))
	default:
		v.add(path, "%s has no %s", owner, field)
	}
}

func (v *validator) written(path string, n int64) string {
	if strings.HasSuffix(path, "priority") {
		return fmt.Sprint(n)
	}
	return Duration(n).String()
}

// checkEnum reports a value that is not one of allowed; empty values are left
// to required.
func checkEnum[T ~string](v *validator, path, owner, field string, value T, allowed ...T) {
	if value == "" || slices.Contains(allowed, value) {
		return
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	v.add(path, "%s has %s %q, which is not one of: %s", owner, field, value, strings.Join(names, ", "))
}

func (v *validator) plan() {
	p := v.p
	v.required("id", "the plan", "id", p.ID == "")
	v.requiredText("title", "the plan", "title", p.Title)
	if len(p.Leaders) == 0 {
		present, bad := v.pos.written("leaders")
		if !bad {
			if present {
				v.add("leaders", "the plan's leaders list is empty; name the roles that may lead a run")
			} else {
				v.add("leaders", "the plan has no leaders; name in leaders the roles that may lead a run")
			}
		}
	}
	for _, list := range []struct {
		key   string
		empty bool
	}{
		{"units", len(p.Units) == 0},
		{"roles", len(p.Roles) == 0},
		{"services", len(p.Services) == 0},
		{"servers", len(p.Servers) == 0},
		{"procedures", len(p.Procedures) == 0},
	} {
		v.required(list.key, "the plan", list.key, list.empty)
	}
	for i, id := range p.Leaders {
		v.roleRef(fmt.Sprintf("leaders[%d]", i), "the plan", "leader", id)
	}
	for i, t := range p.Terms {
		v.required(fmt.Sprintf("terms[%d].term", i), fmt.Sprintf("term #%d", i+1), "term", t.Term == "")
	}
	if d := p.Drill; d != nil {
		v.required("drill.folder", "the drill target", "folder", d.Folder == "")
		v.required("drill.network", "the drill target", "network", d.Network == "")
	}
}

// roleRef reports a reference to a role the plan does not have.
func (v *validator) roleRef(path, owner, field, id string) {
	if id == "" {
		return
	}
	if _, ok := v.roleIDs[id]; !ok {
		v.add(path, "%s has %s %q, which is not a role of this plan", owner, field, id)
	}
}

func (v *validator) units() {
	for i, u := range v.p.Units {
		path := fmt.Sprintf("units[%d]", i)
		name := elemName("unit", u.ID, i)
		v.required(path+".id", name, "id", u.ID == "")
		v.requiredText(path+".name", name, "name", u.Name)
	}
}

func (v *validator) roles() {
	for i, r := range v.p.Roles {
		path := fmt.Sprintf("roles[%d]", i)
		name := elemName("role", r.ID, i)
		v.required(path+".id", name, "id", r.ID == "")
		v.requiredText(path+".name", name, "name", r.Name)
		v.required(path+".unit", name, "unit", r.Unit == "")
		if _, ok := v.unitIDs[r.Unit]; r.Unit != "" && !ok {
			v.add(path+".unit", "%s belongs to unit %q, which is not a unit of this plan", name, r.Unit)
		}
		checkEnum(v, path+".team", name, "team", r.Team, TeamLeader, TeamMain)
		for j, p := range r.People {
			v.required(fmt.Sprintf("%s.people[%d].name", path, j), fmt.Sprintf("person #%d of %s", j+1, name), "name", p.Name == "")
		}
		for j, e := range r.Escalation {
			epath := fmt.Sprintf("%s.escalation[%d]", path, j)
			switch {
			case e == r.ID && e != "":
				v.add(epath, "%s escalates to itself", name)
			default:
				v.roleRef(epath, name, "escalation", e)
			}
		}
	}
}

func (v *validator) services() {
	type slot struct {
		group    string
		priority int
	}
	priorities := map[slot]int{}
	for i, s := range v.p.Services {
		path := fmt.Sprintf("services[%d]", i)
		name := elemName("service", s.ID, i)
		v.required(path+".id", name, "id", s.ID == "")
		v.requiredText(path+".name", name, "name", s.Name)
		v.positive(path+".priority", name, "priority", int64(s.Priority))
		v.positive(path+".rto", name, "rto", int64(s.RTO))
		v.positive(path+".rpo", name, "rpo", int64(s.RPO))
		v.required(path+".servers", name, "servers", len(s.Servers) == 0)
		for j, id := range s.Servers {
			if _, ok := v.serverIDs[id]; !ok && id != "" {
				v.add(fmt.Sprintf("%s.servers[%d]", path, j), "%s needs server %q, which is not a server of this plan", name, id)
			}
		}
		for j, id := range s.DependsOn {
			if _, ok := v.serviceIDs[id]; !ok && id != "" {
				v.add(fmt.Sprintf("%s.depends_on[%d]", path, j), "%s depends on service %q, which is not a service of this plan", name, id)
			}
		}
		v.roleRef(path+".manager", name, "manager", s.Manager)
		if s.Priority > 0 {
			k := slot{s.Group, s.Priority}
			if first, dup := priorities[k]; dup {
				group := "as service " + fmt.Sprintf("%q", v.p.Services[first].ID)
				if s.Group != "" {
					group += fmt.Sprintf(" in group %q", s.Group)
				}
				v.add(path+".priority", "%s has priority %d, the same %s; priorities must be unique within a group", name, s.Priority, group)
			} else {
				priorities[k] = i
			}
		}
		v.ids(path+".checks", "check", len(s.Checks), func(j int) string { return s.Checks[j].ID })
		for j, c := range s.Checks {
			cpath := fmt.Sprintf("%s.checks[%d]", path, j)
			cname := elemName("check", c.ID, j) + " of " + name
			v.required(cpath+".id", cname, "id", c.ID == "")
			v.required(cpath+".action", cname, "action", c.Action == "")
			v.action(cpath, cname, c.Action, c.Params)
		}
	}
}

func (v *validator) servers() {
	for i, s := range v.p.Servers {
		path := fmt.Sprintf("servers[%d]", i)
		name := elemName("server", s.ID, i)
		v.required(path+".id", name, "id", s.ID == "")
		v.required(path+".role", name, "role", s.Role == "")
		checkEnum(v, path+".role", name, "role", s.Role, ServerRoles...)
		v.required(path+".vsphere.path", name, "vsphere.path", s.VSphere.Path == "")
		v.required(path+".vsphere.datacenter", name, "vsphere.datacenter", s.VSphere.Datacenter == "")
		v.required(path+".vsphere.datastore", name, "vsphere.datastore", s.VSphere.Datastore == "")
		for j, id := range s.DependsOn {
			if _, ok := v.serverIDs[id]; !ok && id != "" {
				v.add(fmt.Sprintf("%s.depends_on[%d]", path, j), "%s depends on server %q, which is not a server of this plan", name, id)
			}
		}
		if c := s.Copy; c != nil {
			v.required(path+".copy.format", name, "copy.format", c.Format == "")
			checkEnum(v, path+".copy.format", name, "copy format", c.Format, FormatOVF, FormatOVA)
			set := 0
			for _, loc := range []string{c.Path, c.Datastore, c.Library} {
				if loc != "" {
					set++
				}
			}
			if set != 1 {
				v.add(path+".copy", "%s: its copy must be located by exactly one of path, datastore or library (it has %d)", name, set)
			}
		}
		if b := s.Backup; b != nil {
			v.required(path+".backup.kind", name, "backup.kind", b.Kind == "")
			checkEnum(v, path+".backup.kind", name, "backup kind", b.Kind, BackupStorage, BackupTape)
			v.required(path+".backup.set", name, "backup.set", b.Set == "")
			if db := b.Database; db != nil {
				v.required(path+".backup.database.dsn", name, "backup.database.dsn", db.DSN == "")
				v.required(path+".backup.database.query", name, "backup.database.query", db.Query == "")
			}
		}
	}
}

func (v *validator) readiness() {
	v.ids("readiness", "readiness check", len(v.p.Readiness), func(i int) string { return v.p.Readiness[i].ID })
	for i, r := range v.p.Readiness {
		path := fmt.Sprintf("readiness[%d]", i)
		name := elemName("readiness check", r.ID, i)
		v.required(path+".id", name, "id", r.ID == "")
		v.required(path+".owner", name, "owner", r.Owner == "")
		v.roleRef(path+".owner", name, "owner", r.Owner)
		v.required(path+".action", name, "action", r.Action == "")
		v.action(path, name, r.Action, r.Params)
		v.actionScope(path, name, r.Action, r.Scope)
		checkEnum(v, path+".scope", name, "scope", r.Scope, ScopeGlobal, ScopeServer)
		for j, role := range r.Roles {
			checkEnum(v, fmt.Sprintf("%s.server_roles[%d]", path, j), name, "server role", role, ServerRoles...)
		}
	}
}
