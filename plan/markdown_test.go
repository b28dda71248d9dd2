package plan_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contingencia/contingencia/plan"
)

// update rewrites the golden files of this package's tests instead of
// comparing against them: go test ./plan -run TestRenderDoc -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	quipuxPlan = "../testdata/plans/quipux.yaml"
	smallPlan  = "../testdata/plans/small.yaml"
)

// loadPlan loads and validates a plan file of testdata (without an action
// catalog: plan does not import actions).
func loadPlan(tb testing.TB, path string) *plan.Plan {
	tb.Helper()
	p, err := plan.LoadFile(path, nil)
	if err != nil {
		tb.Fatalf("loading %s:\n%v", path, err)
	}
	return p
}

func renderDoc(tb testing.TB, p *plan.Plan, lang string) string {
	tb.Helper()
	var b bytes.Buffer
	if err := plan.RenderDoc(&b, p, lang); err != nil {
		tb.Fatalf("RenderDoc(%s, %q): %v", p.ID, lang, err)
	}
	return b.String()
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(tb testing.TB, path, got string) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got == string(want) {
		return
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			tb.Fatalf("%s differs at line %d (run with -update if the change is intended):\n got: %q\nwant: %q", path, i+1, g, w)
		}
	}
}

func TestRenderDoc(t *testing.T) {
	p := loadPlan(t, quipuxPlan)
	for _, lang := range []string{"es", "en"} {
		t.Run("quipux plan in "+lang+" matches the golden document", func(t *testing.T) {
			checkGolden(t, filepath.Join("..", "testdata", "golden", "quipux-doc."+lang+".md"), renderDoc(t, p, lang))
		})
	}
}

// TestRenderDocSections checks the seed's structure: every numbered section
// once, in order, in both languages.
func TestRenderDocSections(t *testing.T) {
	tests := []struct {
		lang     string
		headings []string
	}{
		{"es", []string{
			"## 1 Antecedentes", "## 2 Objetivo", "## 3 Alcance", "## 4 Recursos", "### 4.1 Infraestructura",
			"### 4.2 Recurso humano", "## 5 Estrategias de plan de contingencia", "## 6 Responsabilidades específicas",
			"### 6.1 Actores", "### 6.2 Equipo de contingencia", "## 7 Identificación de riesgos",
			"## 8 Plan de contingencia", "### 8.1 Estrategia de respaldos", "### 8.2 Despliegue del plan de contingencia",
			"## 9 Proceso de restauración", "### 9.1 ", "## 10 Pruebas", "## 11 Abreviaturas y términos relacionados",
		}},
		{"en", []string{
			"## 1 Background", "## 2 Objective", "## 3 Scope", "## 4 Resources", "### 4.1 Infrastructure",
			"### 4.2 People", "## 5 Contingency plan strategies", "## 6 Specific responsibilities",
			"### 6.1 Actors", "### 6.2 Contingency team", "## 7 Risk identification",
			"## 8 Contingency plan", "### 8.1 Backup strategy", "### 8.2 Deploying the contingency plan",
			"## 9 Restoration process", "### 9.1 ", "## 10 Tests", "## 11 Abbreviations and related terms",
		}},
	}
	plans := map[string]*plan.Plan{"quipux": loadPlan(t, quipuxPlan), "small": loadPlan(t, smallPlan)}
	for _, tt := range tests {
		for _, name := range []string{"quipux", "small"} {
			t.Run(name+" plan in "+tt.lang+" has every section in order", func(t *testing.T) {
				doc := renderDoc(t, plans[name], tt.lang)
				at := 0
				for _, h := range tt.headings {
					i := strings.Index(doc[at:], "\n"+h)
					if i < 0 {
						t.Fatalf("heading %q missing or out of order", h)
					}
					at += i + 1
				}
				if n := strings.Count(doc, "\n## "); n != 11 {
					t.Errorf("document has %d top-level sections, want 11", n)
				}
			})
		}
	}
}

// TestRenderDocCoversPlan guards against drift: everything a responder acts
// on in the executable plan appears in the written one.
func TestRenderDocCoversPlan(t *testing.T) {
	p := loadPlan(t, quipuxPlan)
	for _, lang := range []string{"es", "en"} {
		t.Run("quipux plan in "+lang+" names every step, service, server, role and term", func(t *testing.T) {
			doc := renderDoc(t, p, lang)
			var want []string
			for _, pr := range p.Procedures {
				for _, st := range pr.Steps {
					want = append(want, "**"+st.Title.In(lang)+"**")
				}
			}
			for _, s := range p.Services {
				want = append(want, s.Name.In(lang), s.RTO.String())
				for _, c := range s.Checks {
					want = append(want, c.Title.In(lang))
				}
			}
			for _, s := range p.Servers {
				want = append(want, "`"+s.ID+"`", s.VSphere.Path, s.ConfigDoc)
			}
			for _, r := range p.Roles {
				want = append(want, r.Name.In(lang))
				for _, person := range r.People {
					want = append(want, person.Name)
				}
			}
			for _, u := range p.Units {
				for _, r := range u.Responsibilities {
					want = append(want, r.In(lang))
				}
			}
			for _, r := range p.Readiness {
				want = append(want, r.Title.In(lang))
			}
			for _, term := range p.Terms {
				want = append(want, "**"+term.Term+":** "+term.Meaning.In(lang))
			}
			for _, s := range want {
				if !strings.Contains(doc, s) {
					t.Errorf("document does not contain %q", s)
				}
			}
		})
	}
}

func TestRenderDocSteps(t *testing.T) {
	p := loadPlan(t, smallPlan)
	tests := []struct {
		name, lang string
		want       []string
	}{
		{"an action step shows its action, confirmation and approvers", "es", []string{
			"2. **Desplegar el servidor desde su copia**\n\n   _Responsable: Administrador del Sistema · por servidor · acción `vsphere.deploy_ovf` (power_on: `true`) · con confirmación · aprobación: Líder_",
		}},
		{"a priorities step says so", "en", []string{
			"1. **Set the priority of the services**\n\n   _Owner: Leader · manual · sets the priorities_",
		}},
		{"an optional server step names its server roles", "es", []string{
			"_Responsable: Administrador de Base de Datos · por servidor (base de datos) · manual · opcional (si el caso lo requiere)_",
		}},
		{"a check step shows its parameters sorted", "en", []string{
			"_Owner: System Administrator · check `check.http` (status: `200`, url: `https://portal.example.gob.ec/`)_",
		}},
		{"an approval step names its approvers", "es", []string{
			"2. **Activar el plan**\n\n   _Responsable: Líder · aprobación: Líder_",
		}},
		{"readiness checks count the servers they cover", "es", []string{
			"- **Respaldo de base de datos**  \n  _Responsable: Administrador de Base de Datos · verificación `check.backup` · en cada servidor (1) (base de datos)_",
		}},
		{"the team table shows leaders, people and escalation", "en", []string{
			"| TI | Leader | Leader | Ana Líder<br>Beto Suplente | — |",
			"| TI | Database Administrator | Main team | Carla Datos | no answer in 10m: Leader |",
		}},
		{"the resources text is split into infrastructure and people", "en", []string{
			"### 4.1 Infrastructure\n\nAn example virtual data centre.\n\n### 4.2 People\n\nA team of three roles.\n\n",
		}},
		{"services are listed by priority with their targets", "es", []string{
			"| 1 | Portal ciudadano (`portal`) | 4h | 1d | Administrador del Sistema | — | `db`, `app`, `web` |",
			"| 2 | API de trámites (`api`) | 8h | 1d | Administrador del Sistema | `portal` | `db`, `app` |",
		}},
		{"the drill target and approval window are stated", "es", []string{
			"Los simulacros restauran en la carpeta `/DC0/vm/simulacro` y la red `VM Network`, nunca sobre producción.",
			"Una aprobación concedida vale durante 30m.",
		}},
		{"the document is bound to the plan version", "en", []string{
			"Plan version (SHA-256): `" + p.Hash + "`.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := renderDoc(t, p, tt.lang)
			for _, w := range tt.want {
				if !strings.Contains(doc, w) {
					t.Errorf("document does not contain:\n%s\n--- document:\n%s", w, doc)
				}
			}
		})
	}
}

func TestRenderDocApprovalStep(t *testing.T) {
	tests := []struct {
		name      string
		approvers []string
		want      string
	}{
		{"an approval step without approvers is approved by the leaders", nil, "_Responsable: Administrador del Sistema · aprobación: Líder_"},
		{"approvers are joined with or", []string{"lider", "dba"}, "_Responsable: Administrador del Sistema · aprobación: Líder o Administrador de Base de Datos_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadPlan(t, smallPlan)
			st := &p.Procedures[0].Steps[1]
			st.Owner, st.Approval = "sysadmin", tt.approvers
			if doc := renderDoc(t, p, "es"); !strings.Contains(doc, tt.want) {
				t.Errorf("document does not contain %q", tt.want)
			}
		})
	}
}

func TestRenderDocServiceChecksStep(t *testing.T) {
	p := loadPlan(t, smallPlan)
	p.Procedures[2].Steps[0] = plan.Step{ID: "pruebas", Title: plan.Text{ES: "Pruebas del servicio", EN: "Service tests"},
		Owner: "sysadmin", Kind: plan.KindCheck, Scope: plan.ScopeService}
	for lang, want := range map[string]string{
		"es": "_Responsable: Administrador del Sistema · por servicio · el bot ejecuta las pruebas funcionales del servicio (sección 10)_",
		"en": "_Owner: System Administrator · per service · the bot runs the service's functional tests (section 10)_",
	} {
		t.Run("a check step without an action runs the service's checks in "+lang, func(t *testing.T) {
			if doc := renderDoc(t, p, lang); !strings.Contains(doc, want) {
				t.Errorf("document does not contain %q", want)
			}
		})
	}
}

func TestRenderDocLanguage(t *testing.T) {
	p := loadPlan(t, smallPlan)
	t.Run("an empty language renders Spanish", func(t *testing.T) {
		if got, want := renderDoc(t, p, ""), renderDoc(t, p, "es"); got != want {
			t.Error("RenderDoc with lang \"\" differs from lang \"es\"")
		}
	})
	t.Run("an unknown language is an error and writes nothing", func(t *testing.T) {
		var b bytes.Buffer
		err := plan.RenderDoc(&b, p, "fr")
		if err == nil || !strings.Contains(err.Error(), `"fr"`) {
			t.Errorf("RenderDoc(fr) error = %v, want one naming the language", err)
		}
		if b.Len() != 0 {
			t.Errorf("RenderDoc(fr) wrote %d bytes", b.Len())
		}
	})
	t.Run("English text falls back to Spanish where the plan has none", func(t *testing.T) {
		q := *p
		q.Objective = plan.Text{ES: "Solo en español."}
		if doc := renderDoc(t, &q, "en"); !strings.Contains(doc, "## 2 Objective\n\nSolo en español.\n") {
			t.Error("English document does not fall back to the Spanish objective")
		}
	})
}

func TestRenderDocDeterministic(t *testing.T) {
	p := loadPlan(t, quipuxPlan)
	first := renderDoc(t, p, "es")
	for i := range 20 {
		if renderDoc(t, p, "es") != first {
			t.Fatalf("render %d differs from the first", i+2)
		}
	}
}

func TestRenderDocRedactsPasswords(t *testing.T) {
	tests := []struct {
		name, dsn, want, secret string
	}{
		{"password in a URL", "postgres://app:s3cret@db.example.gob.ec:5432/app", "postgres://app:xxxxx@db.example.gob.ec:5432/app", "s3cret"},
		{"password in a URL query", "postgres://db.example.gob.ec/app?password=s3cret&sslmode=require", "postgres://db.example.gob.ec/app?password=xxxxx&sslmode=require", "s3cret"},
		{"password in a key=value DSN", "host=db.example.gob.ec user=app password=s3cret dbname=app", "host=db.example.gob.ec user=app password=xxxxx dbname=app", "s3cret"},
		{"a URL without a password is left alone", "postgres://app@db.example.gob.ec/app", "postgres://app@db.example.gob.ec/app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadPlan(t, smallPlan)
			p.Services[0].Checks = []plan.Check{{ID: "db", Title: plan.Text{ES: "BD"}, Action: "check.postgres",
				Params: map[string]any{"dsn": tt.dsn, "query": "SELECT 1"}}}
			doc := renderDoc(t, p, "es")
			if !strings.Contains(doc, "dsn: `"+tt.want+"`") {
				t.Errorf("document does not show dsn %q", tt.want)
			}
			if tt.secret != "" && strings.Contains(doc, tt.secret) {
				t.Errorf("document shows the password %q", tt.secret)
			}
		})
	}
}

func TestRenderDocEscapesTables(t *testing.T) {
	p := loadPlan(t, smallPlan)
	p.Roles[1].People = append(p.Roles[1].People, plan.Person{Name: "Eva | Pipe"})
	doc := renderDoc(t, p, "es")
	if !strings.Contains(doc, `Carla Datos<br>Eva \| Pipe`) {
		t.Error("a pipe in a table cell is not escaped")
	}
	// Every table row has as many cells as its header.
	for _, block := range strings.Split(doc, "\n\n") {
		if !strings.HasPrefix(block, "| ") {
			continue
		}
		lines := strings.Split(block, "\n")
		head := pipes(lines[0])
		for _, l := range lines[1:] {
			if pipes(l) != head {
				t.Errorf("table row has %d cell borders, its header %d: %s", pipes(l), head, l)
			}
		}
	}
}

// pipes counts the unescaped pipes of a table line: its cell borders.
func pipes(line string) int {
	n := 0
	for i := range len(line) {
		if line[i] == '|' && (i == 0 || line[i-1] != '\\') {
			n++
		}
	}
	return n
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderDocWriteError(t *testing.T) {
	err := plan.RenderDoc(failingWriter{}, loadPlan(t, smallPlan), "es")
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("RenderDoc to a failing writer: error = %v, want the write error", err)
	}
}
