package bot

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Intent
	}{
		{"empty asks for help", "  ", Intent{Verb: VerbHelp}},
		{"unknown word answers with help", "reiniciar todo", Intent{Verb: VerbHelp, Unknown: "reiniciar"}},
		{"activate with services", "activar quipux firmaec", Intent{Verb: VerbActivate, Services: []string{"quipux", "firmaec"}}},
		{"activate with commas, duplicates and case", "ACTIVAR Quipux,firmaec quipux", Intent{Verb: VerbActivate, Services: []string{"quipux", "firmaec"}}},
		{"english alias", "activate bsg", Intent{Verb: VerbActivate, Services: []string{"bsg"}, Lang: "en"}},
		{"drill", "simulacro gpr", Intent{Verb: VerbDrill, Services: []string{"gpr"}}},
		{"status", "estado", Intent{Verb: VerbStatus}},
		{"status of one run", "estado cont-2026-0007", Intent{Verb: VerbStatus, RunID: "CONT-2026-0007"}},
		{"note keeps its spacing", "nota  se cayó  el enlace\ncon CNT", Intent{Verb: VerbNote, Text: "se cayó  el enlace\ncon CNT"}},
		{"note for one run", "nota CONT-2026-0001 listo", Intent{Verb: VerbNote, RunID: "CONT-2026-0001", Text: "listo"}},
		{"assign with a Slack mention", "asignar dba <@U0123ABC|carla>", Intent{Verb: VerbAssign, Role: "dba", User: Mention{ID: "U0123ABC", Name: "carla"}}},
		{"assign with a Mattermost mention", "assign DBA @carla.perez", Intent{Verb: VerbAssign, Role: "dba", User: Mention{Name: "carla.perez"}, Lang: "en"}},
		{"export defaults to pdf", "exportar", Intent{Verb: VerbExport, Format: "pdf"}},
		{"export csv of a run", "exportar CSV CONT-2026-0002", Intent{Verb: VerbExport, Format: "csv", RunID: "CONT-2026-0002"}},
		{"close with a reason", "cerrar servicios en producción", Intent{Verb: VerbClose, Text: "servicios en producción"}},
		{"abort", "abortar falsa alarma", Intent{Verb: VerbAbort, Text: "falsa alarma"}},
		{"plan", "plan", Intent{Verb: VerbPlan}},
		{"backups", "respaldos", Intent{Verb: VerbBackups}},
		{"help in english", "help", Intent{Verb: VerbHelp, Lang: "en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommand(tt.text)
			if err != nil {
				t.Fatalf("ParseCommand(%q): %v", tt.text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseCommand(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		text, wantES string
	}{
		{"nota", "Escriba el texto de la nota: `nota TEXTO`."},
		{"asignar dba", "Uso: `asignar ROL @usuario`."},
		{"asignar dba carla", "Mencione a la persona con @: `asignar ROL @usuario`."},
		{"exportar docx", "Formato desconocido «docx»: use csv, json, md, html o pdf."},
		{"exportar csv pdf", "Uso: `exportar [csv|json|md|html|pdf]`."},
		{"estado ahora", "`estado` no lleva argumentos."},
		{"nota \xff", "El texto no es UTF-8 válido."},
		{"nota " + strings.Repeat("a", MaxCommandLength), "El texto es demasiado largo."},
	}
	for _, tt := range tests {
		t.Run(tt.text[:min(len(tt.text), 20)], func(t *testing.T) {
			_, err := ParseCommand(tt.text)
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("ParseCommand(%q): want *ParseError, got %v", tt.text, err)
			}
			if pe.ES != tt.wantES || pe.EN == "" {
				t.Fatalf("ParseCommand(%q): got %q / %q, want %q", tt.text, pe.ES, pe.EN, tt.wantES)
			}
		})
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"activar quipux", "nota hola", "asignar dba <@U1|x>", "exportar csv CONT-2026-0001", "", "estado"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		in, err := ParseCommand(text)
		if err != nil {
			if pe, ok := err.(*ParseError); !ok || pe.ES == "" || pe.EN == "" {
				t.Fatalf("error without both languages: %v", err)
			}
			return
		}
		if _, ok := verbs[string(in.Verb)]; !ok {
			t.Fatalf("unknown verb %q", in.Verb)
		}
		if in.Verb == VerbNote && (strings.TrimSpace(in.Text) == "" || !utf8.ValidString(in.Text)) {
			t.Fatalf("note without valid text: %q", in.Text)
		}
		if in.Verb == VerbExport && !isFormat(in.Format) {
			t.Fatalf("export format %q", in.Format)
		}
	})
}
