package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// TestValidateRules loads one invalid plan per rule from
// testdata/plans/invalid and checks every problem, with its exact
// position.
func TestValidateRules(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"action-parameters.yaml", []string{
			`action-parameters.yaml:33:19: parameter "status" of action check.http must be a whole number, not the text "200"`,
			`action-parameters.yaml:34:20: parameter "timeout" of action check.http must be a duration: "soon" is not a duration (use 30m, 4h, 2d, 1w)`,
			`action-parameters.yaml:35:19: action check.http does not accept parameter "method" (it accepts url, status, contains, min_cert_validity, timeout)`,
			`action-parameters.yaml:41:19: parameter "expect" of action check.dns must be a list of texts, not the text "192.0.2.10"`,
			`action-parameters.yaml:44:17: check "ping" of service "web" runs action "check.icmp", which is not an action the bot knows`,
			`action-parameters.yaml:53:13: readiness check "db" runs check.postgres without its required parameter "dsn"`,
			`action-parameters.yaml:67:28: parameter "power_on" of action vsphere.deploy_ovf must be true or false, not the text "yes"`,
			`action-parameters.yaml:67:43: action vsphere.deploy_ovf does not accept parameter "folder" (it accepts power_on)`,
			`action-parameters.yaml:74:25: action vsphere.power_on takes no parameters, but step "power" gives it "force"`,
		}},
		{"action-scope.yaml", []string{
			`action-scope.yaml:35:13: readiness check "copies" runs check.copy, which acts on one server at a time, so its scope must be server, not global`,
			`action-scope.yaml:46:16: step "deploy" runs vsphere.deploy_ovf, which acts on one server at a time, so its scope must be server, not service`,
			`action-scope.yaml:52:17: step "power" runs vsphere.power_on, which acts on one server at a time, so its scope must be server, not global`,
		}},
		{"approval-without-people.yaml", []string{
			`approval-without-people.yaml:47:30: step "deploy" needs approval from role "auditor", which has no people`,
		}},
		{"bad-ids.yaml", []string{
			`bad-ids.yaml:14:9: role id "admin sistemas" must be a plain word: ASCII letters, digits, '-', '_' or '.', starting with a letter or digit`,
			`bad-ids.yaml:21:9: service id "web@portal" must be a plain word: ASCII letters, digits, '-', '_' or '.', starting with a letter or digit`,
			`bad-ids.yaml:28:9: server id "web/01" must be a plain word: ASCII letters, digits, '-', '_' or '.', starting with a letter or digit`,
			`bad-ids.yaml:32:9: procedure id "-test" must be a plain word: ASCII letters, digits, '-', '_' or '.', starting with a letter or digit`,
			`bad-ids.yaml:36:14: step id "cerrar todo" must be a plain word: ASCII letters, digits, '-', '_' or '.', starting with a letter or digit`,
			`bad-ids.yaml:37:14: step id "verificación" must be a plain word: ASCII letters, digits, '-', '_' or '.', starting with a letter or digit`,
		}},
		{"bad-durations.yaml", []string{
			`bad-durations.yaml:20:18: ack_timeout: "ten minutes" is not a duration (use 30m, 4h, 2d, 1w)`,
			`bad-durations.yaml:21:18: approval_window: "1 hour" is not a duration (use 30m, 4h, 2d, 1w)`,
			`bad-durations.yaml:26:10: rto: "4 horas" is not a duration (use 30m, 4h, 2d, 1w)`,
			`bad-durations.yaml:27:10: rpo: "1.5d" is not a duration (use 30m, 4h, 2d, 1w)`,
			`bad-durations.yaml:36:16: max_age: "ayer" is not a duration (use 30m, 4h, 2d, 1w)`,
			`bad-durations.yaml:40:16: max_age: "-2d" is not a duration (use 30m, 4h, 2d, 1w)`,
		}},
		{"bad-enums.yaml", []string{
			`bad-enums.yaml:17:11: role "admin" has team "support", which is not one of: leader, main`,
			`bad-enums.yaml:29:11: server "web-01" has role "webserver", which is not one of: dns, database, db_replica, pgbouncer, files, sessions, mail, app, web, nginx`,
			`bad-enums.yaml:31:20: server "web-01" has copy format "vmdk", which is not one of: ovf, ova`,
			`bad-enums.yaml:32:20: server "web-01" has backup kind "cloud", which is not one of: storage, tape`,
			`bad-enums.yaml:38:12: readiness check "copies" has scope "cluster", which is not one of: global, server`,
			`bad-enums.yaml:39:25: readiness check "copies" has server role "proxy", which is not one of: dns, database, db_replica, pgbouncer, files, sessions, mail, app, web, nginx`,
			`bad-enums.yaml:43:12: procedure "restore" has phase "recovery", which is not one of: assessing, restoring, testing`,
			`bad-enums.yaml:49:15: step "deploy" has kind "automatic", which is not one of: manual, action, check, approval`,
			`bad-enums.yaml:50:16: step "deploy" has scope "everything", which is not one of: global, service, server`,
			`bad-enums.yaml:51:34: step "deploy" has server role "cache", which is not one of: dns, database, db_replica, pgbouncer, files, sessions, mail, app, web, nginx`,
			`bad-enums.yaml:55:15: procedure "restore-tape" has strategy "tape", which is not one of: ovf, library`,
		}},
		{"duplicate-ids.yaml", []string{
			`duplicate-ids.yaml:7:9: unit id "dit" is used twice (first at line 5)`,
			`duplicate-ids.yaml:22:9: role id "admin" is used twice (first at line 16)`,
			`duplicate-ids.yaml:39:13: check id "home" is used twice (first at line 35)`,
			`duplicate-ids.yaml:43:9: service id "web" is used twice (first at line 28)`,
			`duplicate-ids.yaml:53:9: server id "web-01" is used twice (first at line 50)`,
			`duplicate-ids.yaml:65:13: step id "check" is used twice (first at line 61)`,
			`duplicate-ids.yaml:69:9: procedure id "test" is used twice (first at line 57)`,
		}},
		{"duplicate-priorities.yaml", []string{
			`duplicate-priorities.yaml:29:15: service "mail" has priority 1, the same as service "quipux"; priorities must be unique within a group`,
			`duplicate-priorities.yaml:43:15: service "ntp" has priority 1, the same as service "dns" in group "base"; priorities must be unique within a group`,
		}},
		{"missing-fields.yaml", []string{
			`missing-fields.yaml:1:1: the plan has no id`,
			`missing-fields.yaml:1:1: the plan has no title`,
			`missing-fields.yaml:3:5: unit #1 has no id`,
			`missing-fields.yaml:4:5: unit "dit" has no name`,
			`missing-fields.yaml:6:5: role "director" has no name`,
			`missing-fields.yaml:6:5: role "director" has no unit`,
			`missing-fields.yaml:10:5: service "web" has no name`,
			`missing-fields.yaml:10:5: service "web" has no priority`,
			`missing-fields.yaml:10:5: service "web" has no rto`,
			`missing-fields.yaml:10:5: service "web" has no rpo`,
			`missing-fields.yaml:10:5: service "web" has no servers`,
			`missing-fields.yaml:12:9: check #1 of service "web" has no id`,
			`missing-fields.yaml:12:9: check #1 of service "web" has no action`,
			`missing-fields.yaml:14:5: server "web-01" has no role`,
			`missing-fields.yaml:16:7: server "web-01" has no vsphere.path`,
			`missing-fields.yaml:16:7: server "web-01" has no vsphere.datacenter`,
			`missing-fields.yaml:16:7: server "web-01" has no vsphere.datastore`,
			`missing-fields.yaml:18:5: procedure #1 has no id`,
			`missing-fields.yaml:18:5: procedure #1 has no phase`,
			`missing-fields.yaml:20:9: step #1 has no id`,
			`missing-fields.yaml:20:9: step #1 has no kind`,
			`missing-fields.yaml:22:5: procedure "test" has no steps`,
			`missing-fields.yaml:25:5: readiness check "copies" has no action`,
		}},
		{"no-leaders.yaml", []string{
			`no-leaders.yaml:3:10: the plan's leaders list is empty; name the roles that may lead a run`,
		}},
		{"priorities-owner.yaml", []string{
			`priorities-owner.yaml:38:16: step "priorities" sets the service priorities, so its owner must be a leader role (director), not "admin"`,
		}},
		{"restoring-strategies.yaml", []string{
			`restoring-strategies.yaml:34:12: procedure "restore-any" restores servers but has no strategy; set strategy to ovf or library`,
			`restoring-strategies.yaml:46:15: procedure "restore-ovf-again" is a second restoring procedure with strategy "ovf" (the first is "restore-ovf"); keep one per strategy`,
		}},
		{"server-cycle.yaml", []string{
			`server-cycle.yaml:34:18: servers depend on each other in a cycle: db-01 → web-01 → app-01 → db-01`,
		}},
		{"service-cycle.yaml", []string{
			`service-cycle.yaml:34:18: services depend on each other in a cycle: quipux → mail → quipux`,
			`service-cycle.yaml:41:18: services depend on each other in a cycle: dns → dns`,
		}},
		{"step-action-kind.yaml", []string{
			`step-action-kind.yaml:40:15: step "deploy" is a step of kind action but names no action`,
			`step-action-kind.yaml:44:15: step "verify" is a step of kind check but names no action; only a check step with scope service may omit it, to run the service's checks`,
			`step-action-kind.yaml:49:17: step "call" is a manual step, so it cannot run action "page.role"; make it kind action or check, or remove the action`,
			`step-action-kind.yaml:50:18: step "call" is a manual step, so it takes no action parameters`,
			`step-action-kind.yaml:55:17: step "sign" is an approval step, so it cannot run action "page.role"; make it kind action or check, or remove the action`,
		}},
		{"step-without-owner.yaml", []string{
			`step-without-owner.yaml:36:9: step "verify" has no owner; name the role that carries it out`,
			`step-without-owner.yaml:41:16: step "close" has no owner; name the role that carries it out`,
		}},
		{"syntax.yaml", []string{
			`syntax.yaml:5:1: YAML syntax error: ',' or ']' must be specified`,
		}},
		{"unknown-keys.yaml", []string{
			`unknown-keys.yaml:4:1: unknown key "colour" in the plan; known keys are id, title, document, version, date, organization, background, objective, scope, resources, strategy, risks, terms, units, roles, leaders, services, servers, readiness, drill, approval_window, procedures`,
			`unknown-keys.yaml:14:9: unknown key "slak" in a person; did you mean "slack"?`,
			`unknown-keys.yaml:29:7: unknown key "datastor" in a vsphere block; did you mean "datastore"?`,
			`unknown-keys.yaml:32:7: unknown key "memory" in a spec; did you mean "memory_mb"?`,
			`unknown-keys.yaml:35:28: unknown key "fr" in a text (only es and en); known keys are es, en`,
			`unknown-keys.yaml:41:9: unknown key "onwer" in a step; did you mean "owner"?`,
		}},
		{"unknown-references.yaml", []string{
			`unknown-references.yaml:3:21: the plan has leader "jefe", which is not a role of this plan`,
			`unknown-references.yaml:20:28: role "admin" has escalation "gerente", which is not a role of this plan`,
			`unknown-references.yaml:23:11: role "dba" belongs to unit "dba-unit", which is not a unit of this plan`,
			`unknown-references.yaml:32:14: service "web" has manager "servicios", which is not a role of this plan`,
			`unknown-references.yaml:33:23: service "web" needs server "app-01", which is not a server of this plan`,
			`unknown-references.yaml:34:18: service "web" depends on service "db", which is not a service of this plan`,
			`unknown-references.yaml:38:18: server "web-01" depends on server "db-01", which is not a server of this plan`,
			`unknown-references.yaml:43:12: readiness check "copies" has owner "backups", which is not a role of this plan`,
			`unknown-references.yaml:54:16: step "deploy" has owner "dbadmin", which is not a role of this plan`,
			`unknown-references.yaml:58:30: step "deploy" needs approval from "auditor", which is not a role of this plan`,
		}},
		{"wrong-types.yaml", []string{
			`wrong-types.yaml:3:10: leaders must be a list, not the text "director"`,
			`wrong-types.yaml:16:15: priority must be a whole number, not the text "high"`,
			`wrong-types.yaml:19:14: servers must be a list, not the text "web-01"`,
			`wrong-types.yaml:23:14: vsphere must be a mapping of keys, not the text "/DC0/vm/web-01"`,
			`wrong-types.yaml:27:22: item 2 of disks_gb must be a whole number, not the text "big"`,
			`wrong-types.yaml:30:12: title must be text, or a mapping with es and en, not a list`,
			`wrong-types.yaml:40:18: confirm must be true or false, not the text "yes please"`,
		}},
	}
	files, err := filepath.Glob("../testdata/plans/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("%d files in testdata/plans/invalid, %d cases: give every file a case", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../testdata/plans/invalid", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Load(tt.file, data, actions.Catalog())
			if p != nil {
				t.Errorf("Load returned a plan for an invalid file")
			}
			var got plan.Problems
			if err != nil {
				got = err.(plan.Problems)
			}
			assertProblems(t, got, tt.want)
		})
	}
}

func TestValidateReportsEverythingAtOnce(t *testing.T) {
	broken := strings.NewReplacer(
		"rto: 4h", "rto: 4 horas",
		"owner: admin", "owner: dbadmin",
		"priorities: true", "priorities: true\n        colour: red",
	).Replace(validPlan)
	_, err := plan.Load("mini.yaml", []byte(broken), actions.Catalog())
	want := []string{
		`mini.yaml:28:10: rto: "4 horas" is not a duration (use 30m, 4h, 2d, 1w)`,
		`mini.yaml:70:9: unknown key "colour" in a step; known keys are id, title, owner, kind, scope, server_roles, action, params, confirm, approval, optional, priorities, help`,
		`mini.yaml:73:16: step "deploy" has owner "dbadmin", which is not a role of this plan`,
	}
	var got plan.Problems
	if err != nil {
		got = err.(plan.Problems)
	}
	assertProblems(t, got, want)
}

func TestValidateWithoutCatalog(t *testing.T) {
	broken := strings.NewReplacer(
		"action: vsphere.deploy_ovf", "action: vsphere.teleport",
		"kind: manual", "kind: manual\n        action: page.role",
	).Replace(validPlan)
	p, problems := plan.Parse("mini.yaml", []byte(broken))
	if len(problems) > 0 {
		t.Fatalf("Parse: %v", problems)
	}
	assertProblems(t, plan.Validate(p, nil), []string{
		`mini.yaml:69:17: step "priorities" is a manual step, so it cannot run action "page.role"; make it kind action or check, or remove the action`,
	})
}

func TestValidatePlanBuiltInCode(t *testing.T) {
	p := &plan.Plan{ID: "code", Title: plan.Text{ES: "Plan"}, Leaders: []string{"boss"}}
	assertProblems(t, plan.Validate(p, nil), []string{
		"plan: the plan has no units",
		"plan: the plan has no roles",
		"plan: the plan has no services",
		"plan: the plan has no servers",
		"plan: the plan has no procedures",
		`plan: the plan has leader "boss", which is not a role of this plan`,
	})
}
