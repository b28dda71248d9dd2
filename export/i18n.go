package export

// msgs holds the user-facing text of the exports: Spanish first, English
// second.
var msgs = map[string][2]string{
	"title":         {"Línea de tiempo de la contingencia", "Contingency timeline"},
	"title.drill":   {"Línea de tiempo del simulacro", "Drill timeline"},
	"run":           {"Corrida", "Run"},
	"plan":          {"Plan", "Plan"},
	"plan.hash":     {"Versión del plan (SHA-256)", "Plan version (SHA-256)"},
	"drill":         {"Simulacro", "Drill"},
	"yes":           {"sí", "yes"},
	"no":            {"no", "no"},
	"strategy":      {"Estrategia de restauración", "Restore strategy"},
	"strategy.ovf":  {"copias OVF/OVA", "OVF/OVA copies"},
	"strategy.lib":  {"librería de respaldos", "backup library"},
	"first":         {"Primer evento", "First event"},
	"last":          {"Último evento", "Last event"},
	"state":         {"Estado", "State"},
	"state.open":    {"en curso", "in progress"},
	"state.closed":  {"cerrada", "closed"},
	"state.aborted": {"abortada", "aborted"},
	"events":        {"Número de eventos", "Event count"},
	"head":          {"Hash de cabeza de la cadena", "Chain head hash"},
	"chain":         {"Cadena de hashes", "Hash chain"},
	"chain.ok":      {"verificada: cada evento coincide con su hash", "verified: every event matches its hash"},
	"chain.bad":     {"NO VERIFICA: evento %d (%s, %s): %s", "DOES NOT VERIFY: event %d (%s, %s): %s"},
	"generated":     {"Generado", "Generated"},
	"plan.missing":  {"Sin archivo del plan: fases y objetivos RTO desconocidos.", "No plan file: phases and RTO targets are unknown."},
	"plan.mismatch": {"Atención: el archivo del plan usado (%s) no es la versión con la que se declaró la corrida; fases, títulos y RTO provienen de él.", "Warning: the plan file used (%s) is not the version the run was declared with; phases, titles and RTO come from it."},
	"pdf.truncated": {"Este PDF lista los primeros %d de %d eventos; la exportación JSON contiene todos y se verifica con «contingencia verify --file».", "This PDF lists the first %d of %d events; the JSON export holds them all and verifies with `contingencia verify --file`."},
	"services":      {"Servicios: hitos y RTO", "Services: milestones and RTO"},
	"service":       {"Servicio", "Service"},
	"priority":      {"Prioridad", "Priority"},
	"declared":      {"Declarada", "Declared"},
	"restore.start": {"Inicio de restauración", "Restore started"},
	"restored":      {"Restaurado", "Restored"},
	"verified":      {"Verificado", "Verified"},
	"rto.target":    {"RTO objetivo", "RTO target"},
	"rto.achieved":  {"RTO logrado", "RTO achieved"},
	"rto.status":    {"Resultado", "Result"},
	"rto.met":       {"cumplido", "met"},
	"rto.missed":    {"incumplido", "missed"},
	"rto.pending":   {"pendiente", "pending"},
	"rto.unknown":   {"sin objetivo", "no target"},
	"rpo":           {"Datos restaurados (RPO)", "Data restored (RPO)"},
	"rpo.target":    {"RPO objetivo", "RPO target"},
	"rpo.data_at":   {"Datos hasta", "Data up to"},
	"rpo.achieved":  {"Pérdida de datos (RPO logrado)", "Data lost (RPO achieved)"},
	"rpo.no_data":   {"sin fecha del origen", "source date unknown"},
	"none":          {"—", "—"},
	"timeline":      {"Eventos", "Events"},
	"col.seq":       {"N.º", "Seq"},
	"col.at":        {"Hora (UTC)", "Time (UTC)"},
	"col.type":      {"Tipo", "Type"},
	"col.actor":     {"Actor (nombre, plataforma, id de usuario)", "Actor (name, platform, user id)"},
	"col.detail":    {"Detalle", "Detail"},
	"col.hash":      {"Hash", "Hash"},
	"chart":         {"Cronología por servicio", "Timeline per service"},
	"chart.legend":  {"Barra: de la declaración a la restauración (verde: dentro del RTO, rojo: fuera). Línea discontinua: RTO objetivo. ▲ inicio de restauración, ● restaurado, ♦ verificado.", "Bar: from declaration to restoration (green: within RTO, red: past it). Dashed line: RTO target. ▲ restore started, ● restored, ♦ verified."},
	"chart.empty":   {"Sin servicios declarados.", "No services declared."},
	"footer":        {"Exportado por contingencia. Verifique la cadena con «contingencia verify».", "Exported by contingencia. Verify the chain with `contingencia verify`."},
	"page":          {"Página", "Page"},
}

// tr returns the message id in lang.
func tr(lang, id string) string {
	m, ok := msgs[id]
	if !ok {
		return id
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}
