package shell

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contingencia/contingencia/plan"
)

// session is typed at the terminal, one line at a time. Button numbers are
// the ones the terminal shows (see testdata/session.es.txt).
var session = strings.Join([]string{
	"quien",
	"/contingencia activar portal api",
	"",                               // services: keep portal, api
	"",                               // strategy: keep ovf
	"incendio en el centro de datos", // assessment
	"n",                              // not a drill
	"como dba",
	"2", // Carla presses «Hecho» on a sysadmin step: refused
	"como sysadmin",
	"2", // Diego: done
	"como leader",
	"4",  // Ana requests approval to activate
	"27", // Ana approves her own request: confirmed, then refused
	"s",
	"como persona Beto Suplente",
	"quien",
	"27", // Beto approves: answers n first
	"n",
	"27", // then s
	"s",
	"como sysadmin",
	"12", // skip deploying web: asks for a reason
	"el servidor web se reemplaza",
	"contingencia nota enlace con CNT caído",
	"estado",
	"exportar md",
	"como nadie",
	"bailar",
	"99",
	"salir",
	"estado", // never read
}, "\n") + "\n"

func TestScriptedSession(t *testing.T) {
	f := setup(t, setupOptions{in: session, echo: true})
	ctx := context.Background()
	if err := f.shell.Run(ctx); err != nil {
		t.Fatal(err)
	}
	out := f.out.String()
	golden(t, "session.es.txt", strings.ReplaceAll(out, f.dir, "$DIR"))

	inOrder(t, out,
		"👤 Usted actúa como Ana Líder (Líder).",
		"── Activar contingencia",
		"Servicios afectados [portal, api]: ",
		"Estrategia de restauración [ovf]: ",
		"(solo usted) Contingencia CONT-2026-0001 declarada.",
		"# canal cont-2026-0001 creado; miembros: Ana Líder, Beto Suplente, Carla Datos, Diego Sistemas",
		"── 🚨 Contingencia CONT-2026-0001",
		"📌 Fijado:",
		"[2] Hecho",
		// The wrong role is refused, and says whose step it is.
		"👤 Ahora actúa como Carla Datos (Administrador de Base de Datos).",
		"[Carla Datos] pulsa «Hecho» en Evaluar los daños",
		"(solo usted) ⛔", "Administrador del Sistema",
		"👤 Ahora actúa como Diego Sistemas (Administrador del Sistema).",
		"[Diego Sistemas] pulsa «Hecho» en Evaluar los daños",
		"↻ Evaluación de daños", "✅ Evaluar los daños · Administrador del Sistema · Diego Sistemas a las 14:00 UTC",
		"[Ana Líder] pulsa «Solicitar aprobación» en Activar el plan",
		"── ⏳ Solicitud de aprobación", "[27] Aprobar  [28] Rechazar",
		// The requester cannot approve.
		"[Ana Líder] pulsa «Aprobar» en ⏳ Solicitud de aprobación: Activar el plan · toda la contingencia",
		"¿Confirmar? (s/n) s", "(solo usted) ⛔ Usted solicitó",
		"👤 Ahora actúa como Beto Suplente (Líder).",
		"👤 Usted actúa como Beto Suplente (Líder).",
		// A confirmation answered n presses nothing; answered s, it does.
		"[Beto Suplente] pulsa «Aprobar» en", "¿Confirmar? (s/n) n", "Cancelado: no se pulsó «Aprobar».",
		"[Beto Suplente] pulsa «Aprobar» en", "¿Confirmar? (s/n) s",
		"✅ Activar el plan · Líder · Ana Líder a las 14:00 UTC · aprobado por Beto Suplente",
		// A button that needs a reason asks for it.
		"[Diego Sistemas] pulsa «Omitir» en Desplegar el servidor desde su copia · web", "Motivo: el servidor web se reemplaza",
		"⏭️ Desplegar el servidor desde su copia · web · Administrador del Sistema · Diego Sistemas a las 14:00 UTC: el servidor web se reemplaza",
		"(solo usted) 📝 Nota registrada en CONT-2026-0001.",
		"(solo usted) ", "CONT-2026-0001",
		"📎 CONT-2026-0001 (MD) guardado en ",
		"No hay ningún rol ni persona «nadie» en el plan. Roles: lider, dba, sysadmin.",
		"No entiendo «bailar».",
		"No hay ningún botón [99] a la vista.",
	)
	if n := strings.Count(out, "[Diego Sistemas]> estado"); n != 1 {
		t.Fatalf("estado was read %d times, want once (nothing after salir)", n)
	}

	// The store holds what the conversation says.
	r, err := f.bot.Load(ctx, "CONT-2026-0001")
	if err != nil {
		t.Fatal(err)
	}
	evaluar, _ := r.Item("evaluacion/evaluar")
	activar, _ := r.Item("evaluacion/activar")
	web, _ := r.Item("restaurar/desplegar@web")
	switch {
	case evaluar.Status != plan.StatusDone || evaluar.By.Name != "Diego Sistemas" || evaluar.By.Platform != Platform:
		t.Fatalf("evaluar: %+v", evaluar.By)
	case activar.Status != plan.StatusDone || activar.ApprovedBy.Name != "Beto Suplente":
		t.Fatalf("activar: %s approved by %+v", activar.Status, activar.ApprovedBy)
	case web.Status != plan.StatusSkipped || web.Reason != "el servidor web se reemplaza":
		t.Fatalf("web: %s %q", web.Status, web.Reason)
	case r.Refusals != 2:
		t.Fatalf("%d refusals recorded, want 2", r.Refusals)
	case len(r.Notes) != 1:
		t.Fatalf("notes: %+v", r.Notes)
	}
	export, err := os.ReadFile(filepath.Join(f.dir, "out", "cont-2026-0001.md"))
	if err != nil || string(export) != "CONT-2026-0001 md\n" {
		t.Fatalf("export file: %q %v", export, err)
	}
}
