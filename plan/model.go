package plan

import "time"

// Text is a user-facing string in Spanish (the default) and English.
type Text struct {
	ES string `yaml:"es" json:"es"`
	EN string `yaml:"en,omitempty" json:"en,omitempty"`
}

// In returns the text in lang ("es" or "en"), falling back to Spanish.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ES
}

// Plan is one contingency plan: the single source of truth the written
// document describes. A plan file holds exactly one.
type Plan struct {
	ID       string `yaml:"id" json:"id"`
	Title    Text   `yaml:"title" json:"title"`
	Document string `yaml:"document,omitempty" json:"document,omitempty"` // e.g. "MA-2022-QUIPUX-01"
	Version  string `yaml:"version,omitempty" json:"version,omitempty"`
	Date     string `yaml:"date,omitempty" json:"date,omitempty"`
	// Organization names who owns the plan (seed §1).
	Organization string `yaml:"organization,omitempty" json:"organization,omitempty"`

	// Narrative sections of the written plan, kept so that `plan doc` can
	// render the executable plan back into the document's structure.
	Background Text     `yaml:"background,omitempty" json:"background"` // §1 antecedentes
	Objective  Text     `yaml:"objective,omitempty" json:"objective"`   // §2 objetivo
	Scope      Text     `yaml:"scope,omitempty" json:"scope"`           // §3 alcance
	Resources  Text     `yaml:"resources,omitempty" json:"resources"`   // §4 recursos
	Strategy   Text     `yaml:"strategy,omitempty" json:"strategy"`     // §5 estrategias
	Risks      Text     `yaml:"risks,omitempty" json:"risks"`           // §7 riesgos
	Terms      []Term   `yaml:"terms,omitempty" json:"terms,omitempty"` // §11
	Units      []Unit   `yaml:"units" json:"units"`                     // §6 direcciones
	Roles      []Role   `yaml:"roles" json:"roles"`                     // §6.1, §6.2
	Leaders    []string `yaml:"leaders" json:"leaders"`                 // role ids that may lead a run

	Services  []Service        `yaml:"services" json:"services"`                       // §5
	Servers   []Server         `yaml:"servers" json:"servers"`                         // §5
	Readiness []ReadinessCheck `yaml:"readiness,omitempty" json:"readiness,omitempty"` // §8.1
	Drill     *DrillTarget     `yaml:"drill,omitempty" json:"drill,omitempty"`
	// Approval windows: how long a granted approval stays valid.
	ApprovalWindow Duration `yaml:"approval_window,omitempty" json:"approval_window,omitempty"`

	Procedures []Procedure `yaml:"procedures" json:"procedures"` // §8.2, §9, §10

	// Source is the file the plan was loaded from; Hash is the hex SHA-256
	// of its bytes: the plan version a run is bound to.
	Source string `yaml:"-" json:"-"`
	Hash   string `yaml:"-" json:"-"`

	// pos is where each value was written in Source, so that validation
	// can point at the exact line and column (set by Parse).
	pos srcPositions `yaml:"-" json:"-"`
}

// Term is one abbreviation of the glossary (seed §11).
type Term struct {
	Term    string `yaml:"term" json:"term"`
	Meaning Text   `yaml:"meaning" json:"meaning"`
}

// Unit is a directorate or department with responsibilities in the plan
// (seed §6: DIISIRC, DIPSE, and the provider CNT).
type Unit struct {
	ID               string `yaml:"id" json:"id"`
	Name             Text   `yaml:"name" json:"name"`
	Provider         bool   `yaml:"provider,omitempty" json:"provider,omitempty"`
	Responsibilities []Text `yaml:"responsibilities,omitempty" json:"responsibilities,omitempty"`
}

// Team says whether a role leads or belongs to the main team (seed §6.2).
type Team string

const (
	TeamLeader Team = "leader"
	TeamMain   Team = "main"
)

// Role is a responsibility held by people (seed §6.1 actors, §6.2 team).
type Role struct {
	ID     string   `yaml:"id" json:"id"`
	Name   Text     `yaml:"name" json:"name"`
	Unit   string   `yaml:"unit" json:"unit"`
	Team   Team     `yaml:"team" json:"team"`
	People []Person `yaml:"people" json:"people"`
	// Escalation lists role ids paged, in order, when nobody holding this
	// role acknowledges within AckTimeout.
	Escalation []string `yaml:"escalation,omitempty" json:"escalation,omitempty"`
	AckTimeout Duration `yaml:"ack_timeout,omitempty" json:"ack_timeout,omitempty"`
	Webhook    string   `yaml:"webhook,omitempty" json:"webhook,omitempty"`
}

// Person is someone who can hold a role, with an identity per platform.
type Person struct {
	Name       string `yaml:"name" json:"name"`
	Slack      string `yaml:"slack,omitempty" json:"slack,omitempty"`           // Slack user id, e.g. U0123ABC
	Mattermost string `yaml:"mattermost,omitempty" json:"mattermost,omitempty"` // Mattermost username
	Email      string `yaml:"email,omitempty" json:"email,omitempty"`
	Phone      string `yaml:"phone,omitempty" json:"phone,omitempty"`
}

// Service is an electronic service the plan protects (seed §5).
type Service struct {
	ID       string   `yaml:"id" json:"id"`
	Name     Text     `yaml:"name" json:"name"`
	Group    string   `yaml:"group,omitempty" json:"group,omitempty"` // priorities are unique within a group
	Priority int      `yaml:"priority" json:"priority"`               // 1 = most critical
	RTO      Duration `yaml:"rto" json:"rto"`
	RPO      Duration `yaml:"rpo" json:"rpo"`
	Manager  string   `yaml:"manager,omitempty" json:"manager,omitempty"` // role id of the service manager
	Servers  []string `yaml:"servers" json:"servers"`
	// DependsOn lists services that must be restored first.
	DependsOn []string `yaml:"depends_on,omitempty" json:"depends_on,omitempty"`
	Checks    []Check  `yaml:"checks,omitempty" json:"checks,omitempty"`
}

// Check is a functional verification of a service (seed §9 "verificar que
// el servicio está funcionando", §10 pruebas).
type Check struct {
	ID     string         `yaml:"id" json:"id"`
	Title  Text           `yaml:"title" json:"title"`
	Action string         `yaml:"action" json:"action"` // check.http, check.tcp, …
	Params map[string]any `yaml:"params,omitempty" json:"params,omitempty"`
}

// ServerRole is the kind of a server (seed §5).
type ServerRole string

const (
	RoleApp       ServerRole = "app"
	RoleDatabase  ServerRole = "database"
	RoleDBReplica ServerRole = "db_replica"
	RoleWeb       ServerRole = "web"
	RoleFiles     ServerRole = "files"
	RoleDNS       ServerRole = "dns"
	RoleMail      ServerRole = "mail"
	RoleSessions  ServerRole = "sessions"
	RolePgbouncer ServerRole = "pgbouncer"
	RoleNginx     ServerRole = "nginx"
)

// ServerRoles lists every server role, in the default restore order: a
// role earlier in the list is restored before a later one when the plan
// gives no explicit dependency (DB before replicas before app before web).
var ServerRoles = []ServerRole{
	RoleDNS, RoleDatabase, RoleDBReplica, RolePgbouncer, RoleFiles, RoleSessions,
	RoleMail, RoleApp, RoleWeb, RoleNginx,
}

// Server is a virtual machine one or more services need (seed §5).
type Server struct {
	ID        string     `yaml:"id" json:"id"`
	Role      ServerRole `yaml:"role" json:"role"`
	Host      string     `yaml:"host,omitempty" json:"host,omitempty"` // DNS name or address
	DependsOn []string   `yaml:"depends_on,omitempty" json:"depends_on,omitempty"`
	VSphere   VSphere    `yaml:"vsphere" json:"vsphere"`
	Copy      *Copy      `yaml:"copy,omitempty" json:"copy,omitempty"`         // §8.1 OVF/OVA copy
	Snapshot  string     `yaml:"snapshot,omitempty" json:"snapshot,omitempty"` // snapshot name for RollBack
	Backup    *Backup    `yaml:"backup,omitempty" json:"backup,omitempty"`     // §8.1 backups
	Spec      Spec       `yaml:"spec" json:"spec"`
	// ConfigDoc is where the configuration and architecture document of
	// this server lives (§8.1 "información de la configuración").
	ConfigDoc string `yaml:"config_doc,omitempty" json:"config_doc,omitempty"`
}

// VSphere places a server in the inventory.
type VSphere struct {
	Path         string `yaml:"path" json:"path"` // inventory path of the VM, e.g. /DC0/vm/quipux/app-01
	Datacenter   string `yaml:"datacenter" json:"datacenter"`
	Cluster      string `yaml:"cluster,omitempty" json:"cluster,omitempty"`
	ResourcePool string `yaml:"resource_pool,omitempty" json:"resource_pool,omitempty"`
	Host         string `yaml:"host,omitempty" json:"host,omitempty"`
	Datastore    string `yaml:"datastore" json:"datastore"`
	Folder       string `yaml:"folder,omitempty" json:"folder,omitempty"`
	Network      string `yaml:"network,omitempty" json:"network,omitempty"`
	Template     string `yaml:"template,omitempty" json:"template,omitempty"` // for clone "with similar characteristics"
}

// CopyFormat is the format of a server copy (seed §8.1).
type CopyFormat string

const (
	FormatOVF CopyFormat = "ovf"
	FormatOVA CopyFormat = "ova"
)

// Copy locates the OVF/OVA copy of a server.
type Copy struct {
	Format CopyFormat `yaml:"format" json:"format"`
	// Exactly one of these locates the copy.
	Path      string   `yaml:"path,omitempty" json:"path,omitempty"`           // file path or URL
	Datastore string   `yaml:"datastore,omitempty" json:"datastore,omitempty"` // "[ds] folder/file.ova"
	Library   string   `yaml:"library,omitempty" json:"library,omitempty"`     // content library item "lib/item"
	MaxAge    Duration `yaml:"max_age,omitempty" json:"max_age,omitempty"`     // defaults to the services' RPO
}

// BackupKind is where a backup-library copy lives (seed §9: storage or tape).
type BackupKind string

const (
	BackupStorage BackupKind = "storage"
	BackupTape    BackupKind = "tape"
)

// Backup describes the backups of a server in the backup library.
type Backup struct {
	Kind   BackupKind `yaml:"kind" json:"kind"`
	Set    string     `yaml:"set" json:"set"`                       // backup set / job name
	Path   string     `yaml:"path,omitempty" json:"path,omitempty"` // where the latest file appears
	MaxAge Duration   `yaml:"max_age,omitempty" json:"max_age,omitempty"`
	// Database describes the database backup, for database servers.
	Database *DatabaseCheck `yaml:"database,omitempty" json:"database,omitempty"`
}

// DatabaseCheck says how to verify a database's information (§9
// "verificar la información de base de datos").
type DatabaseCheck struct {
	DSN    string `yaml:"dsn" json:"dsn"`
	Query  string `yaml:"query" json:"query"`
	Expect string `yaml:"expect,omitempty" json:"expect,omitempty"`
}

// Spec is the expected configuration of a server (verify_config, clone).
type Spec struct {
	CPUs       int      `yaml:"cpus" json:"cpus"`
	MemoryMB   int      `yaml:"memory_mb" json:"memory_mb"`
	DisksGB    []int    `yaml:"disks_gb,omitempty" json:"disks_gb,omitempty"`
	Networks   []string `yaml:"networks,omitempty" json:"networks,omitempty"` // one per NIC
	GuestTools bool     `yaml:"guest_tools,omitempty" json:"guest_tools,omitempty"`
	GuestOS    string   `yaml:"guest_os,omitempty" json:"guest_os,omitempty"`
}

// DrillTarget is the isolated place drills restore into: never production.
type DrillTarget struct {
	Folder       string `yaml:"folder" json:"folder"`
	Network      string `yaml:"network" json:"network"`
	ResourcePool string `yaml:"resource_pool,omitempty" json:"resource_pool,omitempty"`
	Datastore    string `yaml:"datastore,omitempty" json:"datastore,omitempty"`
}

// ReadinessCheck is one of the §8.1 items the bot verifies before any
// disaster: per server (Scope "server") or once (Scope "global").
type ReadinessCheck struct {
	ID     string         `yaml:"id" json:"id"`
	Title  Text           `yaml:"title" json:"title"`
	Owner  string         `yaml:"owner" json:"owner"` // role id
	Action string         `yaml:"action" json:"action"`
	Scope  Scope          `yaml:"scope,omitempty" json:"scope,omitempty"`
	Roles  []ServerRole   `yaml:"server_roles,omitempty" json:"server_roles,omitempty"` // limit to these server roles
	Params map[string]any `yaml:"params,omitempty" json:"params,omitempty"`
}

// Phase is a stage of a run; each procedure belongs to one.
type Phase string

const (
	PhaseAssessing Phase = "assessing" // §8.2 damage assessment and activation
	PhaseRestoring Phase = "restoring" // §9 restoration
	PhaseTesting   Phase = "testing"   // §10 tests, production, close
)

// Strategy is how servers are restored (seed §9).
type Strategy string

const (
	StrategyOVF     Strategy = "ovf"     // OVF/OVA copies through the provider
	StrategyLibrary Strategy = "library" // rollback from the backup library (storage or tape)
)

// Procedure is an ordered list of steps for one phase; restore procedures
// are bound to a strategy.
type Procedure struct {
	ID       string   `yaml:"id" json:"id"`
	Title    Text     `yaml:"title" json:"title"`
	Phase    Phase    `yaml:"phase" json:"phase"`
	Strategy Strategy `yaml:"strategy,omitempty" json:"strategy,omitempty"`
	Steps    []Step   `yaml:"steps" json:"steps"`
}

// StepKind says how a step is carried out.
type StepKind string

const (
	KindManual   StepKind = "manual"   // a person does it and marks it done
	KindAction   StepKind = "action"   // the bot runs an action after confirmation
	KindCheck    StepKind = "check"    // the bot runs a functional check
	KindApproval StepKind = "approval" // a holder of an approving role signs off
)

// Scope says how a step expands over the affected services.
type Scope string

const (
	ScopeGlobal  Scope = "global"  // once per run
	ScopeService Scope = "service" // once per affected service
	ScopeServer  Scope = "server"  // once per server of the affected services
)

// Step is one line of a procedure.
type Step struct {
	ID    string   `yaml:"id" json:"id"`
	Title Text     `yaml:"title" json:"title"`
	Owner string   `yaml:"owner" json:"owner"` // role id
	Kind  StepKind `yaml:"kind" json:"kind"`
	Scope Scope    `yaml:"scope,omitempty" json:"scope,omitempty"` // default global
	// ServerRoles limits a server-scoped step to servers of these roles.
	ServerRoles []ServerRole   `yaml:"server_roles,omitempty" json:"server_roles,omitempty"`
	Action      string         `yaml:"action,omitempty" json:"action,omitempty"`
	Params      map[string]any `yaml:"params,omitempty" json:"params,omitempty"`
	Confirm     bool           `yaml:"confirm,omitempty" json:"confirm,omitempty"`
	Approval    []string       `yaml:"approval,omitempty" json:"approval,omitempty"` // approving role ids
	// Optional steps may be skipped without a reason ("si el caso lo requiere").
	Optional bool `yaml:"optional,omitempty" json:"optional,omitempty"`
	// Priorities marks the step where the leader confirms service priorities.
	Priorities bool `yaml:"priorities,omitempty" json:"priorities,omitempty"`
	Help       Text `yaml:"help,omitempty" json:"help,omitempty"`
}

// Duration is a time.Duration written as "4h", "30m" or "2d" in plan files.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
