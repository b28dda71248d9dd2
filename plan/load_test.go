package plan_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// validPlan is a small plan with no mistakes; the tests of each rule break
// one thing in a copy of it, or use the files in testdata/plans/invalid.
const validPlan = `# A small, valid plan.
id: mini
title: Plan mínimo
leaders: [director]
approval_window: 30m
units:
  - id: dit
    name: {es: Dirección de TI, en: IT directorate}
roles:
  - id: director
    name: Director
    unit: dit
    team: leader
    people:
      - {name: Ana, slack: U0001, mattermost: ana}
  - id: admin
    name: Administrador
    unit: dit
    team: main
    ack_timeout: 15m
    escalation: [director]
    people:
      - name: Bruno
services:
  - id: web
    name: Portal
    priority: 1
    rto: 4h
    rpo: 1d
    manager: admin
    servers: [web-01, db-01]
    checks:
      - id: home
        title: Portada
        action: check.http
        params:
          url: https://portal.example.gob.ec/
          status: 200
          timeout: 10s
      - id: name
        title: Nombre
        action: check.dns
        params: {name: portal.example.gob.ec, expect: [192.0.2.10]}
servers:
  - id: db-01
    role: database
    vsphere: &placement
      path: /DC0/vm/db-01
      datacenter: DC0
      datastore: ds1
    copy: {format: ova, path: /copias/db-01.ova, max_age: 1w}
  - id: web-01
    role: web
    depends_on: [db-01]
    vsphere:
      <<: *placement
      path: /DC0/vm/web-01
    spec: {cpus: 2, memory_mb: 4096, disks_gb: [40]}
procedures:
  - id: restore
    title: Restaurar
    phase: restoring
    strategy: ovf
    steps:
      - id: priorities
        title: Definir prioridades
        owner: director
        kind: manual
        priorities: true
      - id: deploy
        title: {es: Desplegar OVF, en: Deploy the OVF}
        owner: admin
        kind: action
        scope: server
        action: vsphere.deploy_ovf
        params: {power_on: true}
        approval: [director]
`

func TestLoadValidPlan(t *testing.T) {
	p, err := plan.Load("mini.yaml", []byte(validPlan), actions.Catalog())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	sum := sha256.Sum256([]byte(validPlan))
	t.Run("records source and hash", func(t *testing.T) {
		if p.Source != "mini.yaml" || p.Hash != hex.EncodeToString(sum[:]) {
			t.Errorf("Source, Hash = %q, %q", p.Source, p.Hash)
		}
	})
	t.Run("reads a plain string as Spanish text", func(t *testing.T) {
		if p.Title != (plan.Text{ES: "Plan mínimo"}) {
			t.Errorf("Title = %#v", p.Title)
		}
		if got := p.Units[0].Name; got != (plan.Text{ES: "Dirección de TI", EN: "IT directorate"}) {
			t.Errorf("unit name = %#v", got)
		}
	})
	t.Run("reads durations", func(t *testing.T) {
		s := p.Services[0]
		if s.RTO.D() != 4*time.Hour || s.RPO.D() != 24*time.Hour || p.ApprovalWindow.D() != 30*time.Minute {
			t.Errorf("RTO, RPO, approval window = %v, %v, %v", s.RTO, s.RPO, p.ApprovalWindow)
		}
		if got := p.Servers[0].Copy.MaxAge.D(); got != 7*24*time.Hour {
			t.Errorf("copy max_age = %v", got)
		}
	})
	t.Run("keeps parameter types", func(t *testing.T) {
		params := p.Services[0].Checks[0].Params
		if params["status"] != 200 || params["url"] != "https://portal.example.gob.ec/" || params["timeout"] != "10s" {
			t.Errorf("check params = %#v", params)
		}
		expect, ok := p.Services[0].Checks[1].Params["expect"].([]any)
		if !ok || len(expect) != 1 || expect[0] != "192.0.2.10" {
			t.Errorf("expect = %#v", p.Services[0].Checks[1].Params["expect"])
		}
		if p.Procedures[0].Steps[1].Params["power_on"] != true {
			t.Errorf("step params = %#v", p.Procedures[0].Steps[1].Params)
		}
	})
	t.Run("resolves anchors and merge keys", func(t *testing.T) {
		want := plan.VSphere{Path: "/DC0/vm/web-01", Datacenter: "DC0", Datastore: "ds1"}
		if got := p.Servers[1].VSphere; got != want {
			t.Errorf("merged vsphere = %#v, want %#v", got, want)
		}
	})
}

// TestShippedPlans loads every plan in testdata/plans: the plans the
// project ships must always be valid.
func TestShippedPlans(t *testing.T) {
	files, err := filepath.Glob("../testdata/plans/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, err := plan.LoadFile(f, actions.Catalog()); err != nil {
				t.Errorf("LoadFile:\n%v", err)
			}
		})
	}
}

func TestParseStructure(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
		nilPlan    bool
	}{
		{name: "empty file", yaml: "", nilPlan: true,
			want: []string{"f.yaml:1:1: the file is empty: a plan needs at least id, title, leaders, units, roles, services, servers and procedures"}},
		{name: "only comments", yaml: "# nothing yet\n", nilPlan: true,
			want: []string{"f.yaml:1:1: the file is empty: a plan needs at least id, title, leaders, units, roles, services, servers and procedures"}},
		{name: "a list instead of a mapping", yaml: "- id: x\n", nilPlan: true,
			want: []string{`f.yaml:1:1: a plan must be a mapping of keys (id, title, services, …), not a list`}},
		{name: "a second document", yaml: "id: a\n---\nid: b\n",
			want: []string{"f.yaml:3:1: a plan file holds one plan; this second YAML document is not read"}},
		{name: "duplicate key", yaml: "id: a\nid: b\n", nilPlan: true,
			want: []string{`f.yaml:2:1: YAML syntax error: mapping key "id" already defined at [1:1]`}},
		{name: "merge of a scalar", yaml: "id: a\ndrill:\n  <<: x\n  folder: f\n",
			want: []string{"f.yaml:3:7: a merge key (<<) must refer to a mapping, not the text \"x\""}},
		{name: "a key that is a list", yaml: "id: a\n? [x]\n: 1\n", nilPlan: true,
			want: []string{"f.yaml:3:1: YAML syntax error: found an invalid key for this map"}},
		{name: "number too large", yaml: "services:\n  - priority: 18446744073709551615\n",
			want: []string{"f.yaml:2:15: priority is too large"}},
		{name: "number beyond any integer", yaml: "services:\n  - priority: 99999999999999999999\n",
			want: []string{`f.yaml:2:15: priority must be a whole number, not the text "99999999999999999999"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, problems := plan.Parse("f.yaml", []byte(tt.yaml))
			if (p == nil) != tt.nilPlan {
				t.Errorf("plan = %v, want nil: %v", p, tt.nilPlan)
			}
			assertProblems(t, problems, tt.want)
		})
	}
}

func TestParseReadsNumbersAsText(t *testing.T) {
	p, problems := plan.Parse("f.yaml", []byte("id: 2024\nversion: 1.0\ntitle: 7\n"))
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if p.ID != "2024" || p.Version != "1.0" || p.Title.ES != "7" {
		t.Errorf("ID, Version, Title = %q, %q, %q", p.ID, p.Version, p.Title.ES)
	}
}

func TestProblems(t *testing.T) {
	ps := plan.Problems{
		{File: "a.yaml", Line: 2, Col: 5, Msg: "second"},
		{File: "a.yaml", Line: 1, Col: 3, Msg: "first"},
	}
	t.Run("renders one per line", func(t *testing.T) {
		want := "a.yaml:2:5: second\na.yaml:1:3: first"
		if got := ps.Error(); got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
	})
	t.Run("renders a problem without position", func(t *testing.T) {
		if got := (plan.Problem{Msg: "no id"}).String(); got != "plan: no id" {
			t.Errorf("String() = %q", got)
		}
	})
	t.Run("Load sorts by position", func(t *testing.T) {
		_, err := plan.Load("x.yaml", []byte("title: T\nfoo: 1\nid: x\nbar: 2\n"), nil)
		var got plan.Problems
		if !errors.As(err, &got) {
			t.Fatalf("error %T is not Problems", err)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Line < got[i-1].Line {
				t.Errorf("problems out of order: %v", got)
			}
		}
		if len(got) < 2 || got[0].Line != 1 || !strings.Contains(got[0].Msg, "leaders") {
			t.Errorf("problems = %v", got)
		}
	})
}

func TestLoadFile(t *testing.T) {
	t.Run("names the file in problems", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(path, []byte(strings.Replace(validPlan, "owner: admin", "owner: dbadmin", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := plan.LoadFile(path, actions.Catalog())
		want := path + `:72:16: step "deploy" has owner "dbadmin", which is not a role of this plan`
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
	t.Run("reports a missing file", func(t *testing.T) {
		_, err := plan.LoadFile(filepath.Join(t.TempDir(), "none.yaml"), nil)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error = %v, want not exist", err)
		}
	})
}

func assertProblems(tb testing.TB, got plan.Problems, want []string) {
	tb.Helper()
	lines := make([]string, len(got))
	for i, p := range got {
		lines[i] = p.String()
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		tb.Errorf("problems:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func BenchmarkLoadQuipux(b *testing.B) {
	data, err := os.ReadFile("../testdata/plans/quipux.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cat := actions.Catalog()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := plan.Load("quipux.yaml", data, cat); err != nil {
			b.Fatal(err)
		}
	}
}
