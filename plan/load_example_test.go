package plan_test

import (
	"fmt"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// Load reports every problem of a plan file at once, each with the line
// and column of the value it is about.
func ExampleLoad() {
	file := []byte(`id: example
title: Plan de ejemplo
leaders: [director]
units:
  - {id: dit, name: Dirección de TI}
roles:
  - {id: director, name: Director, unit: dit, people: [{name: Ana}]}
services:
  - {id: web, name: Portal, priority: 1, rto: 4 horas, rpo: 1d, servers: [web-01]}
servers:
  - id: web-01
    role: web
    vsphere: {path: /DC0/vm/web-01, datacenter: DC0, datastore: ds1}
procedures:
  - id: restore
    title: Restaurar
    phase: restoring
    strategy: ovf
    steps:
      - {id: deploy, title: Desplegar, owner: dbadmin, kind: action, scope: server, action: vsphere.deploy_ovf}
`)
	_, err := plan.Load("example.yaml", file, actions.Catalog())
	fmt.Println(err)
	// Output:
	// example.yaml:9:47: rto: "4 horas" is not a duration (use 30m, 4h, 2d, 1w)
	// example.yaml:20:47: step "deploy" has owner "dbadmin", which is not a role of this plan
}
