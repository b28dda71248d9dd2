package plan

import (
	"cmp"
	"slices"
	"strings"
)

// ItemDef is one line of a run's checklist: a plan step expanded for one
// target (the run, a service or a server).
type ItemDef struct {
	Key       string // "procedure/step", "procedure/step@service" or "procedure/step@server"
	Procedure *Procedure
	Step      *Step
	Phase     Phase
	Service   string   // set for service-scoped items
	Server    string   // set for server-scoped items
	Services  []string // the affected services this item serves (empty for global items)
}

// ItemKey builds the checklist key of a step for a target ("" for global).
func ItemKey(procedure, step, target string) string {
	k := procedure + "/" + step
	if target != "" {
		k += "@" + target
	}
	return k
}

// SplitItemKey splits a checklist key into procedure, step and target.
func SplitItemKey(key string) (procedure, step, target string, ok bool) {
	head, target, _ := strings.Cut(key, "@")
	procedure, step, ok = strings.Cut(head, "/")
	return procedure, step, target, ok && procedure != "" && step != ""
}

// phaseOrder is the order in which phases run.
var phaseOrder = map[Phase]int{PhaseAssessing: 0, PhaseRestoring: 1, PhaseTesting: 2}

// DefaultOrder returns services sorted by the plan's priorities (then group
// and id, so the order is total), keeping only those in ids.
func (p *Plan) DefaultOrder(ids []string) []string {
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b string) int {
		sa, _ := p.Service(a)
		sb, _ := p.Service(b)
		if sa == nil || sb == nil {
			return strings.Compare(a, b)
		}
		return cmp.Or(cmp.Compare(sa.Priority, sb.Priority), strings.Compare(sa.Group, sb.Group), strings.Compare(a, b))
	})
	return out
}

// RestoreOrder orders services for restoring: by the given priority order,
// but never before a service they depend on (when that one is affected too).
func (p *Plan) RestoreOrder(order []string) []string {
	rank := make(map[string]int, len(order))
	for i, id := range order {
		rank[id] = i
	}
	var out []string
	done := make(map[string]bool, len(order))
	var visit func(id string, path map[string]bool)
	visit = func(id string, path map[string]bool) {
		if done[id] || path[id] {
			return // path guards against cycles the validator reports
		}
		path[id] = true
		if s, ok := p.Service(id); ok {
			deps := slices.Clone(s.DependsOn)
			slices.SortFunc(deps, func(a, b string) int { return cmp.Compare(rank[a], rank[b]) })
			for _, d := range deps {
				if _, affected := rank[d]; affected {
					visit(d, path)
				}
			}
		}
		done[id] = true
		out = append(out, id)
	}
	for _, id := range order {
		visit(id, map[string]bool{})
	}
	return out
}

// ServersOf returns the servers a service needs, with the servers they
// depend on, in restore order: dependencies first, then by server role
// (DB before replicas before app before web), then id.
func (p *Plan) ServersOf(service string) []string {
	s, ok := p.Service(service)
	if !ok {
		return nil
	}
	need := map[string]bool{}
	var add func(id string)
	add = func(id string) {
		if need[id] {
			return
		}
		need[id] = true
		if srv, ok := p.Server(id); ok {
			for _, d := range srv.DependsOn {
				add(d)
			}
		}
	}
	for _, id := range s.Servers {
		add(id)
	}
	return p.sortServers(need)
}

// roleRank is a server role's position in the default restore order.
func roleRank(r ServerRole) int {
	if i := slices.Index(ServerRoles, r); i >= 0 {
		return i
	}
	return len(ServerRoles)
}

// sortServers returns the set in dependency order (a topological sort
// whose ties are broken by role rank and id, so it is deterministic).
func (p *Plan) sortServers(set map[string]bool) []string {
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	less := func(a, b string) int {
		sa, _ := p.Server(a)
		sb, _ := p.Server(b)
		ra, rb := len(ServerRoles), len(ServerRoles)
		if sa != nil {
			ra = roleRank(sa.Role)
		}
		if sb != nil {
			rb = roleRank(sb.Role)
		}
		return cmp.Or(cmp.Compare(ra, rb), strings.Compare(a, b))
	}
	slices.SortFunc(ids, less)
	var out []string
	placed := map[string]bool{}
	var visit func(id string, path map[string]bool)
	visit = func(id string, path map[string]bool) {
		if placed[id] || path[id] {
			return
		}
		path[id] = true
		if srv, ok := p.Server(id); ok {
			deps := slices.Clone(srv.DependsOn)
			slices.SortFunc(deps, less)
			for _, d := range deps {
				if set[d] {
					visit(d, path)
				}
			}
		}
		placed[id] = true
		out = append(out, id)
	}
	for _, id := range ids {
		visit(id, map[string]bool{})
	}
	return out
}

// Expand builds the checklist of a run: the assessing procedure, the
// restoring procedure of the strategy and the testing procedure, in that
// order. Inside a procedure, global steps keep their place; each run of
// consecutive per-service or per-server steps is expanded service by
// service in restore order, so that the most critical service is brought
// back first, each server appearing once, under the first service that
// needs it, after the servers it depends on.
func (p *Plan) Expand(services []string, strategy Strategy, order []string) []ItemDef {
	if len(order) == 0 {
		order = p.DefaultOrder(services)
	}
	order = p.RestoreOrder(order)
	procs := make([]*Procedure, 0, len(p.Procedures))
	for i := range p.Procedures {
		pr := &p.Procedures[i]
		if pr.Phase == PhaseRestoring && pr.Strategy != strategy {
			continue
		}
		procs = append(procs, pr)
	}
	slices.SortStableFunc(procs, func(a, b *Procedure) int { return cmp.Compare(phaseOrder[a.Phase], phaseOrder[b.Phase]) })

	// Each server is claimed by the first service, in restore order, that needs it.
	claim := map[string]string{}
	serversOf := map[string][]string{}
	usedBy := map[string][]string{}
	for _, svc := range order {
		for _, srv := range p.ServersOf(svc) {
			usedBy[srv] = append(usedBy[srv], svc)
			if _, ok := claim[srv]; !ok {
				claim[srv] = svc
				serversOf[svc] = append(serversOf[svc], srv)
			}
		}
	}

	var items []ItemDef
	for _, pr := range procs {
		steps := pr.Steps
		for i := 0; i < len(steps); {
			if scopeOf(&steps[i]) == ScopeGlobal {
				st := &steps[i]
				items = append(items, ItemDef{Key: ItemKey(pr.ID, st.ID, ""), Procedure: pr, Step: st, Phase: pr.Phase, Services: slices.Clone(order)})
				i++
				continue
			}
			j := i
			for j < len(steps) && scopeOf(&steps[j]) != ScopeGlobal {
				j++
			}
			for _, svc := range order {
				for k := i; k < j; k++ {
					st := &steps[k]
					if scopeOf(st) == ScopeService {
						items = append(items, ItemDef{Key: ItemKey(pr.ID, st.ID, svc), Procedure: pr, Step: st, Phase: pr.Phase, Service: svc, Services: []string{svc}})
						continue
					}
					for _, srv := range serversOf[svc] {
						server, _ := p.Server(srv)
						if server != nil && len(st.ServerRoles) > 0 && !slices.Contains(st.ServerRoles, server.Role) {
							continue
						}
						items = append(items, ItemDef{Key: ItemKey(pr.ID, st.ID, srv), Procedure: pr, Step: st, Phase: pr.Phase, Server: srv, Services: slices.Clone(usedBy[srv])})
					}
				}
			}
			i = j
		}
	}
	return items
}

func scopeOf(s *Step) Scope {
	if s.Scope == "" {
		return ScopeGlobal
	}
	return s.Scope
}
