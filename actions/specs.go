package actions

import "github.com/contingencia/contingencia/plan"

// Specs is every action kind the bot can run, with the parameters a plan
// may give it. The plan validator checks plan files against it; executors
// register under these kinds.
var Specs = []plan.ActionSpec{
	// vSphere restore actions (seed §9). Placement comes from the server's
	// vsphere block; parameters only adjust behaviour.
	{Kind: "vsphere.deploy_ovf", Target: plan.ScopeServer, Destructive: true, Params: []plan.ParamSpec{
		{Name: "power_on", Type: plan.ParamBool, Help: "power the VM on after deploying"},
	}},
	{Kind: "vsphere.revert_snapshot", Target: plan.ScopeServer, Destructive: true, Params: []plan.ParamSpec{
		{Name: "snapshot", Type: plan.ParamString, Help: "snapshot name; defaults to the server's snapshot"},
		{Name: "power_on", Type: plan.ParamBool},
	}},
	{Kind: "vsphere.power_on", Target: plan.ScopeServer},
	{Kind: "vsphere.power_off", Target: plan.ScopeServer, Destructive: true, Params: []plan.ParamSpec{
		{Name: "force", Type: plan.ParamBool, Help: "power off instead of a guest shutdown"},
	}},
	{Kind: "vsphere.clone", Target: plan.ScopeServer, Destructive: true, Params: []plan.ParamSpec{
		{Name: "template", Type: plan.ParamString, Help: "template or VM to clone; defaults to the server's template"},
		{Name: "power_on", Type: plan.ParamBool},
	}},
	{Kind: "vsphere.verify_config", Target: plan.ScopeServer},

	// Functional checks (seed §9 "verificar", §10 pruebas).
	{Kind: "check.http", Target: plan.ScopeService, Params: []plan.ParamSpec{
		{Name: "url", Type: plan.ParamString, Required: true},
		{Name: "status", Type: plan.ParamInt, Help: "expected status (default 200)"},
		{Name: "contains", Type: plan.ParamString, Help: "text the body must contain"},
		{Name: "min_cert_validity", Type: plan.ParamDuration, Help: "certificate must stay valid at least this long"},
		{Name: "timeout", Type: plan.ParamDuration},
	}},
	{Kind: "check.tcp", Target: plan.ScopeService, Params: []plan.ParamSpec{
		{Name: "address", Type: plan.ParamString, Required: true, Help: "host:port"},
		{Name: "timeout", Type: plan.ParamDuration},
	}},
	{Kind: "check.dns", Target: plan.ScopeService, Params: []plan.ParamSpec{
		{Name: "name", Type: plan.ParamString, Required: true},
		{Name: "expect", Type: plan.ParamStrings, Required: true, Help: "addresses the name must resolve to"},
		{Name: "server", Type: plan.ParamString, Help: "resolver host:port; defaults to the system's"},
		{Name: "timeout", Type: plan.ParamDuration},
	}},
	{Kind: "check.postgres", Target: plan.ScopeService, Params: []plan.ParamSpec{
		{Name: "dsn", Type: plan.ParamString, Required: true},
		{Name: "query", Type: plan.ParamString, Required: true},
		{Name: "expect", Type: plan.ParamString, Help: "expected first column of the first row"},
		{Name: "timeout", Type: plan.ParamDuration},
	}},
	{Kind: "check.smtp", Target: plan.ScopeService, Params: []plan.ParamSpec{
		{Name: "address", Type: plan.ParamString, Required: true, Help: "host:port"},
		{Name: "banner_contains", Type: plan.ParamString},
		{Name: "ehlo", Type: plan.ParamString, Help: "name to greet with (default contingencia.invalid)"},
		{Name: "timeout", Type: plan.ParamDuration},
	}},
	{Kind: "check.file", Target: plan.ScopeService, Params: []plan.ParamSpec{
		{Name: "path", Type: plan.ParamString, Required: true},
		{Name: "min_size", Type: plan.ParamInt, Help: "minimum size in bytes"},
		{Name: "max_age", Type: plan.ParamDuration, Help: "modified no longer ago than this"},
	}},

	// Readiness checks of seed §8.1, per server, from the server's fields.
	{Kind: "check.copy", Target: plan.ScopeServer},       // OVF/OVA copy exists and is younger than the RPO
	{Kind: "check.backup", Target: plan.ScopeServer},     // database / file backup is recent
	{Kind: "check.config_doc", Target: plan.ScopeServer}, // configuration document exists

	// Paging and notification.
	{Kind: "page.role", Target: plan.ScopeGlobal, Params: []plan.ParamSpec{
		{Name: "role", Type: plan.ParamString, Required: true},
	}},
}

// catalog implements plan.Catalog over Specs.
type catalog map[string]plan.ActionSpec

func (c catalog) Action(kind string) (plan.ActionSpec, bool) {
	s, ok := c[kind]
	return s, ok
}

// Catalog returns the catalog of every action kind, for plan validation.
func Catalog() plan.Catalog {
	c := make(catalog, len(Specs))
	for _, s := range Specs {
		c[s.Kind] = s
	}
	return c
}
