package plan

import (
	"fmt"
	"strings"
)

// procedures checks the procedures and their steps.
func (v *validator) procedures() {
	v.ids("procedures", "procedure", len(v.p.Procedures), func(i int) string { return v.p.Procedures[i].ID })
	restoring := map[Strategy]int{}
	for i, pr := range v.p.Procedures {
		path := fmt.Sprintf("procedures[%d]", i)
		name := elemName("procedure", pr.ID, i)
		v.required(path+".id", name, "id", pr.ID == "")
		v.required(path+".phase", name, "phase", pr.Phase == "")
		checkEnum(v, path+".phase", name, "phase", pr.Phase, PhaseAssessing, PhaseRestoring, PhaseTesting)
		checkEnum(v, path+".strategy", name, "strategy", pr.Strategy, StrategyOVF, StrategyLibrary)
		if pr.Phase == PhaseRestoring {
			switch {
			case pr.Strategy == "":
				if _, bad := v.pos.written(path + ".strategy"); !bad {
					v.add(path+".phase", "%s restores servers but has no strategy; set strategy to ovf or library", name)
				}
			case pr.Strategy == StrategyOVF || pr.Strategy == StrategyLibrary:
				if first, dup := restoring[pr.Strategy]; dup {
					v.add(path+".strategy", "%s is a second restoring procedure with strategy %q (the first is %q); keep one per strategy", name, pr.Strategy, v.p.Procedures[first].ID)
				} else {
					restoring[pr.Strategy] = i
				}
			}
		}
		v.required(path+".steps", name, "steps", len(pr.Steps) == 0)
		v.ids(path+".steps", "step", len(pr.Steps), func(j int) string { return pr.Steps[j].ID })
		for j, st := range pr.Steps {
			v.step(fmt.Sprintf("%s.steps[%d]", path, j), st, j)
		}
	}
}

// step checks one step of a procedure.
func (v *validator) step(path string, st Step, i int) {
	name := elemName("step", st.ID, i)
	v.required(path+".id", name, "id", st.ID == "")
	v.requiredText(path+".title", name, "title", st.Title)
	v.required(path+".kind", name, "kind", st.Kind == "")
	checkEnum(v, path+".kind", name, "kind", st.Kind, KindManual, KindAction, KindCheck, KindApproval)
	checkEnum(v, path+".scope", name, "scope", st.Scope, ScopeGlobal, ScopeService, ScopeServer)
	for j, r := range st.ServerRoles {
		checkEnum(v, fmt.Sprintf("%s.server_roles[%d]", path, j), name, "server role", r, ServerRoles...)
	}

	if st.Owner == "" {
		if _, bad := v.pos.written(path + ".owner"); !bad {
			v.add(path+".owner", "%s has no owner; name the role that carries it out", name)
		}
	}
	v.roleRef(path+".owner", name, "owner", st.Owner)

	switch st.Kind {
	case KindAction, KindCheck:
		// A per-service check step without an action runs every functional
		// check the plan lists for the service (seed §9, §10).
		serviceChecks := st.Kind == KindCheck && st.Scope == ScopeService
		if st.Action == "" && !serviceChecks {
			if _, bad := v.pos.written(path + ".action"); !bad {
				if st.Kind == KindCheck {
					v.add(path+".kind", "%s is a step of kind check but names no action; only a check step with scope service may omit it, to run the service's checks", name)
				} else {
					v.add(path+".kind", "%s is a step of kind %s but names no action", name, st.Kind)
				}
			}
		}
		v.action(path, name, st.Action, st.Params)
		v.actionScope(path, name, st.Action, st.Scope)
	case KindManual, KindApproval:
		if st.Action != "" {
			v.add(path+".action", "%s is %s step, so it cannot run action %q; make it kind action or check, or remove the action", name, kindArticle[st.Kind], st.Action)
		}
		if len(st.Params) > 0 {
			v.add(path+".params", "%s is %s step, so it takes no action parameters", name, kindArticle[st.Kind])
		}
	}

	for j, r := range st.Approval {
		apath := fmt.Sprintf("%s.approval[%d]", path, j)
		k, ok := v.roleIDs[r]
		switch {
		case r == "":
		case !ok:
			v.add(apath, "%s needs approval from %q, which is not a role of this plan", name, r)
		case len(v.p.Roles[k].People) == 0:
			v.add(apath, "%s needs approval from role %q, which has no people", name, r)
		}
	}

	if st.Priorities && st.Owner != "" && len(v.p.Leaders) > 0 {
		leader := false
		for _, l := range v.p.Leaders {
			leader = leader || l == st.Owner
		}
		if !leader {
			v.add(path+".owner", "%s sets the service priorities, so its owner must be a leader role (%s), not %q", name, strings.Join(v.p.Leaders, ", "), st.Owner)
		}
	}
}

// kindArticle names the kinds of step without an action in messages.
var kindArticle = map[StepKind]string{KindManual: "a manual", KindApproval: "an approval"}
