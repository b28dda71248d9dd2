package plan

// The labels of `plan doc`, in Spanish and English.

// docText is every fixed text of the document in one language. Formats
// take their arguments in the order their comments give.
type docText struct {
	document, version, date, organization string
	generated                             string // plan id
	hash                                  string // plan hash

	background, objective, scope, resources, infrastructure, people string
	provider                                                        string // unit id, unit name, number of servers
	seeTeam                                                         string

	strategies, servicesIntro, targetsTitle, serversTitle string
	disks                                                 string // disk sizes

	responsibilities, responsibilitiesIntro, providerMark string
	actors, actorsIntro, team, teamIntro                  string
	leader, mainTeam                                      string
	escalateAfter                                         string // timeout, chain

	risks, contingency, backups, backupsIntro, backupsTable string
	deployment, deploymentIntro                             string
	restoration, restorationIntro                           string
	tests, testsIntro, checksTitle                          string
	drillTitle                                              string
	drill                                                   string // folder, network
	approvalWindow                                          string // window
	terms                                                   string

	owner, once, perService, perServer string
	perServerCount                     string // number of servers
	verifiedBy                         string // action kind
	maxAge                             string // duration
	confirm, priorities, optional, or  string
	approval                           string // approving role names
	serviceChecks                      string

	colPriority, colService, colManager, colDependsOn, colServers, colGroup string
	colServer, colRole, colHost, colVSphere, colSpec                        string
	colNumber, colUnit, colResponsibility                                   string
	colRoleStaff, colTeam, colPeople, colEscalation                         string
	colCopy, colSnapshot, colBackup, colConfigDoc                           string
	colCheck, colAction, colParams                                          string

	kind                            map[StepKind]string // action and check take the action kind
	strategy                        map[Strategy]string
	backupKind                      map[BackupKind]string
	serverRoleLong, serverRoleShort map[ServerRole]string
}

var docLabels = map[string]*docText{"es": &docES, "en": &docEN}

var docES = docText{
	document: "Manual técnico", version: "Versión", date: "Fecha", organization: "Institución",
	generated: "Documento generado desde el plan ejecutable `%s`: el bot sigue exactamente estos pasos.",
	hash:      " Versión del plan (SHA-256): `%s`.",

	background: "Antecedentes", objective: "Objetivo", scope: "Alcance", resources: "Recursos",
	infrastructure: "Infraestructura", people: "Recurso humano",
	provider: "Proveedor: %s (%s). El plan describe %d servidores virtuales (sección 5).",
	seeTeam:  "El equipo responsable de poner en marcha el plan se detalla en la sección 6.2.",

	strategies:    "Estrategias de plan de contingencia",
	servicesIntro: "Los que permiten dar los siguientes servicios:",
	targetsTitle:  "Prioridades y objetivos de recuperación",
	serversTitle:  "Servidores",
	disks:         "discos de %s GB",

	responsibilities:      "Responsabilidades específicas",
	responsibilitiesIntro: "A continuación, se presentan las actividades a desarrollar como parte del plan de contingencia dentro del proceso de recuperación de desastres:",
	providerMark:          "(proveedor)",
	actors:                "Actores",
	actorsIntro:           "Entes que intervienen en el plan de contingencia:",
	team:                  "Equipo de contingencia",
	teamIntro:             "A continuación se detalla el equipo responsable de poner en marcha el plan de contingencia.",
	leader:                "Líder", mainTeam: "Equipo principal",
	escalateAfter: "sin respuesta en %s: %s",

	risks: "Identificación de riesgos", contingency: "Plan de contingencia",
	backups:      "Estrategia de respaldos",
	backupsIntro: "Ante un eventual desastre que afecte a uno o varios servidores, se debe contar con la siguiente información, que el bot verifica antes de cualquier desastre:",
	backupsTable: "Copias y respaldos de cada servidor:",
	deployment:   "Despliegue del plan de contingencia",
	deploymentIntro: "Ante un eventual desastre que comprometa el centro de datos, se debe solicitar una evaluación de los daños y activar el plan de contingencia, " +
		"siguiendo los siguientes pasos:",
	restoration: "Proceso de restauración",
	restorationIntro: "Una vez reunido el equipo técnico de trabajo, se iniciarán las actividades de restauración de los servicios, siguiendo los siguientes pasos. " +
		"El líder elige la estrategia al activar el plan; los pasos por servicio se repiten para cada servicio afectado, en el orden de prioridad, " +
		"y los pasos por servidor para cada servidor que el servicio necesita, en orden de dependencias.",
	tests: "Pruebas",
	testsIntro: "Una vez restaurado cada servicio, se realizarán las pruebas de funcionamiento; cuando las pruebas sean satisfactorias se procederá a poner en producción " +
		"y dar por finalizado el incidente.",
	checksTitle:    "Pruebas funcionales por servicio",
	drillTitle:     "Simulacros",
	drill:          "Los simulacros restauran en la carpeta `%s` y la red `%s`, nunca sobre producción.",
	approvalWindow: "Una aprobación concedida vale durante %s.",
	terms:          "Abreviaturas y términos relacionados",

	owner: "Responsable", once: "una vez", perService: "por servicio", perServer: "por servidor",
	perServerCount: "en cada servidor (%d)",
	verifiedBy:     "verificación `%s`",
	maxAge:         ", antigüedad máxima %s",
	confirm:        "con confirmación", priorities: "define las prioridades", optional: "opcional (si el caso lo requiere)", or: " o ",
	approval:      "aprobación: %s",
	serviceChecks: "el bot ejecuta las pruebas funcionales del servicio (sección 10)",

	colPriority: "Prioridad", colService: "Servicio", colManager: "Gestor", colDependsOn: "Depende de", colServers: "Servidores", colGroup: "Grupo",
	colServer: "Servidor", colRole: "Rol", colHost: "Host", colVSphere: "Ubicación vSphere", colSpec: "Especificación",
	colNumber: "No.", colUnit: "Dirección / Departamento", colResponsibility: "Responsabilidad específica en contingencia",
	colRoleStaff: "Contingente – personal", colTeam: "Responsable", colPeople: "Personas", colEscalation: "Escalamiento",
	colCopy: "Copia", colSnapshot: "Snapshot", colBackup: "Respaldo", colConfigDoc: "Documento de configuración",
	colCheck: "Prueba", colAction: "Verificación", colParams: "Parámetros",

	kind: map[StepKind]string{
		KindManual: "manual", KindAction: "acción `%s`", KindCheck: "verificación `%s`", KindApproval: "aprobación",
	},
	strategy: map[Strategy]string{
		StrategyOVF:     "Estrategia `ovf`: copias OVF u OVA que el proveedor levanta como servidores nuevos.",
		StrategyLibrary: "Estrategia `library`: RollBack desde la librería de respaldos, a nivel de storage o cintas.",
	},
	backupKind: map[BackupKind]string{BackupStorage: "storage", BackupTape: "cinta"},
	serverRoleLong: map[ServerRole]string{
		RoleApp: "Servidor de Aplicación", RoleDatabase: "Servidor de Base de Datos", RoleDBReplica: "Servidores de Réplica de Base de Datos",
		RoleWeb: "Servidor WEB", RoleFiles: "Servidor de Archivos", RoleDNS: "Servidor de DNS", RoleMail: "Servidor de Correos",
		RoleSessions: "Servidor de Sesiones", RolePgbouncer: "Servidor de PgBouncer", RoleNginx: "Servidor de NGINX",
	},
	serverRoleShort: map[ServerRole]string{
		RoleApp: "aplicación", RoleDatabase: "base de datos", RoleDBReplica: "réplica de base de datos", RoleWeb: "web",
		RoleFiles: "archivos", RoleDNS: "DNS", RoleMail: "correo", RoleSessions: "sesiones", RolePgbouncer: "PgBouncer", RoleNginx: "NGINX",
	},
}

var docEN = docText{
	document: "Technical manual", version: "Version", date: "Date", organization: "Institution",
	generated: "Document generated from the executable plan `%s`: the bot follows exactly these steps.",
	hash:      " Plan version (SHA-256): `%s`.",

	background: "Background", objective: "Objective", scope: "Scope", resources: "Resources",
	infrastructure: "Infrastructure", people: "People",
	provider: "Provider: %s (%s). The plan describes %d virtual servers (section 5).",
	seeTeam:  "The team responsible for putting the plan into action is listed in section 6.2.",

	strategies:    "Contingency plan strategies",
	servicesIntro: "They provide the following services:",
	targetsTitle:  "Priorities and recovery targets",
	serversTitle:  "Servers",
	disks:         "%s GB disks",

	responsibilities:      "Specific responsibilities",
	responsibilitiesIntro: "These are the activities to carry out as part of the contingency plan within the disaster recovery process:",
	providerMark:          "(provider)",
	actors:                "Actors",
	actorsIntro:           "Those who take part in the contingency plan:",
	team:                  "Contingency team",
	teamIntro:             "This is the team responsible for putting the contingency plan into action.",
	leader:                "Leader", mainTeam: "Main team",
	escalateAfter: "no answer in %s: %s",

	risks: "Risk identification", contingency: "Contingency plan",
	backups:         "Backup strategy",
	backupsIntro:    "Should a disaster affect one or more servers, the following information must be at hand; the bot verifies it before any disaster:",
	backupsTable:    "Copies and backups of each server:",
	deployment:      "Deploying the contingency plan",
	deploymentIntro: "Should a disaster compromise the data centre, a damage assessment must be requested and the contingency plan activated, in these steps:",
	restoration:     "Restoration process",
	restorationIntro: "Once the technical team has gathered, the restoration of the services begins, in these steps. " +
		"The leader chooses the strategy when activating the plan; per-service steps repeat for each affected service, in priority order, " +
		"and per-server steps for each server the service needs, in dependency order.",
	tests:          "Tests",
	testsIntro:     "Once each service is restored, the functional tests are run; when they pass, the service is put into production and the incident is closed.",
	checksTitle:    "Functional tests per service",
	drillTitle:     "Drills",
	drill:          "Drills restore into folder `%s` and network `%s`, never over production.",
	approvalWindow: "A granted approval stays valid for %s.",
	terms:          "Abbreviations and related terms",

	owner: "Owner", once: "once", perService: "per service", perServer: "per server",
	perServerCount: "on each server (%d)",
	verifiedBy:     "checked by `%s`",
	maxAge:         ", at most %s old",
	confirm:        "with confirmation", priorities: "sets the priorities", optional: "optional (if the case requires it)", or: " or ",
	approval:      "approval: %s",
	serviceChecks: "the bot runs the service's functional tests (section 10)",

	colPriority: "Priority", colService: "Service", colManager: "Manager", colDependsOn: "Depends on", colServers: "Servers", colGroup: "Group",
	colServer: "Server", colRole: "Role", colHost: "Host", colVSphere: "vSphere location", colSpec: "Specification",
	colNumber: "No.", colUnit: "Directorate / Department", colResponsibility: "Specific responsibility in a contingency",
	colRoleStaff: "Role", colTeam: "Team", colPeople: "People", colEscalation: "Escalation",
	colCopy: "Copy", colSnapshot: "Snapshot", colBackup: "Backup", colConfigDoc: "Configuration document",
	colCheck: "Test", colAction: "Check", colParams: "Parameters",

	kind: map[StepKind]string{
		KindManual: "manual", KindAction: "action `%s`", KindCheck: "check `%s`", KindApproval: "approval",
	},
	strategy: map[Strategy]string{
		StrategyOVF:     "Strategy `ovf`: OVF or OVA copies the provider brings up as new servers.",
		StrategyLibrary: "Strategy `library`: rollback from the backup library, at storage or tape level.",
	},
	backupKind: map[BackupKind]string{BackupStorage: "storage", BackupTape: "tape"},
	serverRoleLong: map[ServerRole]string{
		RoleApp: "Application server", RoleDatabase: "Database server", RoleDBReplica: "Database replica servers",
		RoleWeb: "Web server", RoleFiles: "File server", RoleDNS: "DNS server", RoleMail: "Mail server",
		RoleSessions: "Session server", RolePgbouncer: "PgBouncer server", RoleNginx: "NGINX server",
	},
	serverRoleShort: map[ServerRole]string{
		RoleApp: "application", RoleDatabase: "database", RoleDBReplica: "database replica", RoleWeb: "web",
		RoleFiles: "files", RoleDNS: "DNS", RoleMail: "mail", RoleSessions: "sessions", RolePgbouncer: "PgBouncer", RoleNginx: "NGINX",
	},
}
