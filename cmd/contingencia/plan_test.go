package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliPlan is a small valid plan; services are written out of priority
// order so that `plan show` has to sort them.
const cliPlan = `id: mini
title: {es: Plan mínimo, en: Minimal plan}
leaders: [director]
units:
  - {id: dit, name: Dirección de TI}
roles:
  - id: director
    name: {es: Directora, en: Director}
    unit: dit
    people: [{name: Ana}, {name: Eva}]
  - {id: admin, name: Administrador, unit: dit, people: [{name: Bruno}]}
services:
  - {id: mail, name: Correo, priority: 2, rto: 8h, rpo: 2d, servers: [mail-01]}
  - {id: web, name: Portal, priority: 1, rto: 4h, rpo: 1d, servers: [web-01]}
servers:
  - id: mail-01
    role: mail
    vsphere: {path: /DC0/vm/mail-01, datacenter: DC0, datastore: ds1}
  - id: web-01
    role: web
    vsphere: {path: /DC0/vm/web-01, datacenter: DC0, datastore: ds1}
procedures:
  - id: restore
    title: {es: Restaurar, en: Restore}
    phase: restoring
    strategy: ovf
    steps:
      - {id: priorities, title: Prioridades, owner: director, kind: manual, priorities: true}
      - {id: deploy, title: Desplegar, owner: admin, kind: action, scope: server, action: vsphere.deploy_ovf}
`

// writePlan writes content to a file in a fresh directory and returns its path.
func writePlan(tb testing.TB, name, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// runCLI runs the CLI with args and returns its exit code and output.
func runCLI(tb testing.TB, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestPlanValidate(t *testing.T) {
	good := writePlan(t, "good.yaml", cliPlan)
	bad := writePlan(t, "bad.yaml", strings.NewReplacer(
		"rto: 8h", "rto: 8 horas",
		"owner: admin", "owner: dbadmin",
		"leaders: [director]", "leaders: [director]\nlanguage: es",
	).Replace(cliPlan))

	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{name: "a valid plan is OK", args: []string{good}, code: 0, stdout: good + ": OK\n"},
		{name: "every problem with its position", args: []string{bad}, code: 1, stdout: bad + `:4:1: unknown key "language" in the plan; known keys are id, title, document, version, date, organization, background, objective, scope, resources, strategy, risks, terms, units, roles, leaders, services, servers, readiness, drill, approval_window, procedures` + "\n" +
			bad + `:14:48: rto: "8 horas" is not a duration (use 30m, 4h, 2d, 1w)` + "\n" +
			bad + `:30:47: step "deploy" has owner "dbadmin", which is not a role of this plan` + "\n"},
		{name: "several files", args: []string{good, bad}, code: 1},
		{name: "a missing file", args: []string{filepath.Join(t.TempDir(), "none.yaml")}, code: 1, stderr: "no such file"},
		{name: "no file is a usage error", args: nil, code: 2, stderr: "requires at least 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"plan", "validate"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if tt.stdout != "" && stdout != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.stderr)
			}
		})
	}
	t.Run("several files report each", func(t *testing.T) {
		_, stdout, _ := runCLI(t, "plan", "validate", good, bad)
		if !strings.HasPrefix(stdout, good+": OK\n"+bad+":4:1: ") || strings.Count(stdout, "\n") != 4 {
			t.Errorf("stdout:\n%s", stdout)
		}
	})
}

func TestPlanShow(t *testing.T) {
	t.Setenv("CONTINGENCIA_LANG", "")
	path := writePlan(t, "mini.yaml", cliPlan)

	t.Run("tables in Spanish, services by priority", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "plan", "show", path)
		if code != 0 {
			t.Fatalf("exit code = %d: %s", code, stderr)
		}
		for _, want := range []string{
			"mini — Plan mínimo",
			"SERVICIOS\nPRIORIDAD  GRUPO  ID    NOMBRE  RTO  RPO  SERVIDORES\n" +
				"1          -      web   Portal  4h   1d   web-01\n" +
				"2          -      mail  Correo  8h   2d   mail-01\n",
			"web-01   web   /DC0/vm/web-01   -",
			"director  Directora      dit     Ana, Eva",
			"restore  restoring  ovf         2      Restaurar",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
	})
	t.Run("tables in English", func(t *testing.T) {
		_, stdout, _ := runCLI(t, "plan", "show", "--lang", "en", path)
		for _, want := range []string{"mini — Minimal plan", "PRIORITY  GROUP  ID", "director  Director ", "Restore"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
	})
	t.Run("language from CONTINGENCIA_LANG", func(t *testing.T) {
		t.Setenv("CONTINGENCIA_LANG", "en")
		if _, stdout, _ := runCLI(t, "plan", "show", path); !strings.Contains(stdout, "mini — Minimal plan") {
			t.Errorf("output is not in English:\n%s", stdout)
		}
	})
	t.Run("JSON for machines", func(t *testing.T) {
		code, stdout, _ := runCLI(t, "plan", "show", "--json", path)
		var got struct {
			File string
			Hash string
			Plan struct {
				ID       string
				Services []struct {
					ID  string
					RTO string
				}
			}
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 0 {
			t.Fatalf("exit %d, decoding %q: %v", code, stdout, err)
		}
		sum := sha256.Sum256([]byte(cliPlan))
		if got.File != path || got.Hash != hex.EncodeToString(sum[:]) || got.Plan.ID != "mini" || got.Plan.Services[1].RTO != "4h" {
			t.Errorf("JSON = %+v", got)
		}
	})
	t.Run("an invalid plan fails with its problems", func(t *testing.T) {
		bad := writePlan(t, "bad.yaml", strings.Replace(cliPlan, "leaders: [director]", "leaders: []", 1))
		code, stdout, stderr := runCLI(t, "plan", "show", bad)
		if code != 1 || stdout != "" || !strings.Contains(stderr, bad+":3:10: the plan's leaders list is empty") ||
			!strings.Contains(stderr, "is not a valid plan (1 problem)") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
	t.Run("an unknown language is a usage error", func(t *testing.T) {
		if code, _, stderr := runCLI(t, "plan", "show", "--lang", "fr", path); code != 2 || !strings.Contains(stderr, "--lang") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

func TestPlanNeedsSubcommand(t *testing.T) {
	for _, args := range [][]string{{"plan"}, {"plan", "frobnicate"}} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit code %d, want 2", args, code)
		}
	}
}

func TestPlanDoc(t *testing.T) {
	t.Setenv("CONTINGENCIA_LANG", "")
	path := writePlan(t, "mini.yaml", cliPlan)
	sum := sha256.Sum256([]byte(cliPlan))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{name: "Spanish by default", args: []string{path}, stdout: []string{"# Plan mínimo\n", hex.EncodeToString(sum[:]), "Directora"}},
		{name: "English on request", args: []string{"--lang", "en", path}, stdout: []string{"# Minimal plan\n", "Restore"}},
		{name: "an invalid plan fails", args: []string{writePlan(t, "bad.yaml", "id: x\n")}, code: 1, stderr: "is not a valid plan"},
		{name: "an unknown language is a usage error", args: []string{"--lang", "de", path}, code: 2, stderr: "--lang must be es or en"},
		{name: "one file only", args: []string{path, path}, code: 2, stderr: "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"plan", "doc"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, tt.code, tt.stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("document lacks %q:\n%s", want, stdout)
				}
			}
		})
	}
}
