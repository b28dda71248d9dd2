package plan

import (
	"slices"
	"strings"
)

// Identifies reports whether a person of the plan is the actor, by the
// identity the actor's platform uses: Slack user id, Mattermost username
// (or id), e-mail, or, in the terminal adapter, the person's name.
func (pp Person) Identifies(a Actor) bool {
	switch a.Platform {
	case "slack":
		return pp.Slack != "" && pp.Slack == a.UserID
	case "mattermost":
		return pp.Mattermost != "" && (strings.EqualFold(pp.Mattermost, a.Name) || pp.Mattermost == a.UserID)
	case "shell":
		return pp.Name == a.Name || (pp.Email != "" && pp.Email == a.UserID)
	case "email":
		return pp.Email != "" && strings.EqualFold(pp.Email, a.UserID)
	}
	return false
}

// Holds reports whether the actor holds role in this run: as one of the
// role's people in the plan, or by an assignment made during the run.
func (r *Run) Holds(a Actor, role string) bool {
	if a.Platform == System.Platform {
		return false
	}
	for _, as := range r.Assigned {
		if as.Role == role && (as.UserID == a.UserID || as.Person.Identifies(a)) {
			return true
		}
	}
	rl, ok := r.Plan.Role(role)
	if !ok {
		return false
	}
	for _, pp := range rl.People {
		if pp.Identifies(a) {
			return true
		}
	}
	return false
}

// RolesOf lists the roles the actor holds in this run, in plan order.
func (r *Run) RolesOf(a Actor) []string {
	var out []string
	for _, rl := range r.Plan.Roles {
		if r.Holds(a, rl.ID) {
			out = append(out, rl.ID)
		}
	}
	return out
}

// IsLeader reports whether the actor holds one of the plan's leader roles.
func (r *Run) IsLeader(a Actor) bool {
	return slices.ContainsFunc(r.Plan.Leaders, func(role string) bool { return r.Holds(a, role) })
}

// Holders returns the people holding role in this run: run assignments
// first (they take over), then the plan's people.
func (r *Run) Holders(role string) []Person {
	var out []Person
	for _, as := range r.Assigned {
		if as.Role == role {
			out = append(out, as.Person)
		}
	}
	if rl, ok := r.Plan.Role(role); ok {
		out = append(out, rl.People...)
	}
	return out
}

// SameActor reports whether two actors are the same person on the same
// platform: the test for the two-person rule.
func SameActor(a, b Actor) bool {
	return a.Platform == b.Platform && a.UserID == b.UserID
}

// PlanHolds reports whether the actor holds role in the plan itself,
// before any run exists (used to authorise declaring a run).
func (p *Plan) PlanHolds(a Actor, role string) bool {
	rl, ok := p.Role(role)
	if !ok {
		return false
	}
	return slices.ContainsFunc(rl.People, func(pp Person) bool { return pp.Identifies(a) })
}
