package plan

import (
	"cmp"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
)

// RenderDoc writes p as a Markdown document in the structure of the written
// contingency plan: 1 background, 2 objective, 3 scope, 4 resources (4.1
// infrastructure, 4.2 people), 5 strategies (server roles, services and
// their targets), 6 responsibilities (6.1 actors, 6.2 team), 7 risks, 8 the
// plan (8.1 backup strategy: the readiness checks; 8.2 deployment: the
// assessing procedure), 9 restoration (one list per restore strategy), 10
// tests and 11 terms. Generating the document from the executable plan
// keeps the two from drifting apart.
//
// lang is "es" (the default when empty) or "en". The first paragraph of the
// plan's resources text is rendered under 4.1 and the rest under 4.2. The
// output depends only on p and lang. Passwords in check DSNs and URLs are
// redacted.
func RenderDoc(w io.Writer, p *Plan, lang string) error {
	if lang == "" {
		lang = "es"
	}
	l, ok := docLabels[lang]
	if !ok {
		return fmt.Errorf("rendering plan document: unknown language %q (use es or en)", lang)
	}
	d := &docWriter{p: p, lang: lang, l: l}
	d.header()
	d.narrative()
	d.resources()
	d.strategies()
	d.responsibilities()
	d.risks()
	d.contingency()
	d.restoration()
	d.tests()
	d.terms()
	if _, err := io.WriteString(w, d.b.String()); err != nil {
		return fmt.Errorf("writing plan document: %w", err)
	}
	return nil
}

// docWriter builds the document in memory, so that a write error can only
// happen once, at the end.
type docWriter struct {
	p    *Plan
	lang string
	l    *docText
	b    strings.Builder
}

func (d *docWriter) printf(format string, args ...any) { fmt.Fprintf(&d.b, format, args...) }

// para writes a paragraph, or nothing when text is blank.
func (d *docWriter) para(text string) {
	if text = strings.TrimSpace(text); text != "" {
		d.printf("%s\n\n", text)
	}
}

func (d *docWriter) heading(level int, text string) {
	d.printf("%s %s\n\n", strings.Repeat("#", level), text)
}

func (d *docWriter) text(t Text) string { return strings.TrimSpace(t.In(d.lang)) }

// table writes a Markdown table; cells are escaped.
func (d *docWriter) table(head []string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	d.printf("| %s |\n", strings.Join(head, " | "))
	d.printf("|%s\n", strings.Repeat(" --- |", len(head)))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = cell(c)
		}
		d.printf("| %s |\n", strings.Join(cells, " | "))
	}
	d.printf("\n")
}

// cell escapes a table cell: pipes would end it and newlines the row.
func cell(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	if s == "" {
		return "—"
	}
	return s
}

func (d *docWriter) header() {
	p := d.p
	d.heading(1, cmp.Or(d.text(p.Title), p.ID))
	var meta []string
	if p.Document != "" {
		meta = append(meta, fmt.Sprintf("**%s** %s", d.l.document, p.Document))
	}
	if p.Version != "" {
		meta = append(meta, fmt.Sprintf("**%s:** %s", d.l.version, p.Version))
	}
	if p.Date != "" {
		meta = append(meta, fmt.Sprintf("**%s:** %s", d.l.date, p.Date))
	}
	if p.Organization != "" {
		meta = append(meta, fmt.Sprintf("**%s:** %s", d.l.organization, p.Organization))
	}
	if len(meta) > 0 {
		d.para(strings.Join(meta, " · "))
	}
	note := fmt.Sprintf(d.l.generated, p.ID)
	if p.Hash != "" {
		note += fmt.Sprintf(d.l.hash, p.Hash)
	}
	d.para("> " + note)
}

func (d *docWriter) narrative() {
	d.heading(2, "1 "+d.l.background)
	d.para(d.text(d.p.Background))
	d.heading(2, "2 "+d.l.objective)
	d.para(d.text(d.p.Objective))
	d.heading(2, "3 "+d.l.scope)
	d.para(d.text(d.p.Scope))
}

// resources renders §4: the first paragraph of the resources text is the
// infrastructure (4.1), the rest the people (4.2).
func (d *docWriter) resources() {
	d.heading(2, "4 "+d.l.resources)
	first, rest := splitFirstParagraph(d.text(d.p.Resources))

	d.heading(3, "4.1 "+d.l.infrastructure)
	d.para(first)
	for _, u := range d.p.Units {
		if u.Provider {
			d.para(fmt.Sprintf(d.l.provider, u.ID, d.text(u.Name), len(d.p.Servers)))
		}
	}

	d.heading(3, "4.2 "+d.l.people)
	d.para(rest)
	d.para(d.l.seeTeam)
}

// splitFirstParagraph splits text at its first blank line.
func splitFirstParagraph(text string) (first, rest string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	first, rest, _ = strings.Cut(text, "\n\n")
	return strings.TrimSpace(first), strings.TrimSpace(rest)
}

func (d *docWriter) strategies() {
	p := d.p
	d.heading(2, "5 "+d.l.strategies)
	d.para(d.text(p.Strategy))

	// Server roles in the order the written plan lists them, each with its servers.
	for _, role := range docRoleOrder {
		var ids []string
		for _, s := range p.Servers {
			if s.Role == role {
				ids = append(ids, code(s.ID))
			}
		}
		if len(ids) > 0 {
			d.printf("- %s: %s\n", d.serverRoleLong(role), strings.Join(ids, ", "))
		}
	}
	for _, s := range p.Servers {
		if !slices.Contains(docRoleOrder, s.Role) {
			d.printf("- %s: `%s`\n", s.Role, s.ID)
		}
	}
	d.printf("\n")

	d.para(d.l.servicesIntro)
	for _, s := range p.Services {
		d.printf("- %s\n", cmp.Or(d.text(s.Name), s.ID))
	}
	d.printf("\n")

	d.heading(3, d.l.targetsTitle)
	services := slices.Clone(p.Services)
	slices.SortStableFunc(services, func(a, b Service) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
	})
	grouped := slices.ContainsFunc(services, func(s Service) bool { return s.Group != "" })
	head := []string{d.l.colPriority, d.l.colService, "RTO", "RPO", d.l.colManager, d.l.colDependsOn, d.l.colServers}
	if grouped {
		head = append([]string{d.l.colGroup}, head...)
	}
	var rows [][]string
	for _, s := range services {
		row := []string{
			fmt.Sprint(s.Priority),
			fmt.Sprintf("%s (`%s`)", cmp.Or(d.text(s.Name), s.ID), s.ID),
			s.RTO.String(), s.RPO.String(),
			d.roleName(s.Manager),
			codeList(s.DependsOn),
			codeList(s.Servers),
		}
		if grouped {
			row = append([]string{s.Group}, row...)
		}
		rows = append(rows, row)
	}
	d.table(head, rows)

	d.heading(3, d.l.serversTitle)
	rows = nil
	for _, s := range p.Servers {
		rows = append(rows, []string{
			code(s.ID),
			d.serverRoleShort(s.Role),
			s.Host,
			codeList(s.DependsOn),
			code(s.VSphere.Path),
			d.specSummary(s.Spec),
		})
	}
	d.table([]string{d.l.colServer, d.l.colRole, d.l.colHost, d.l.colDependsOn, d.l.colVSphere, d.l.colSpec}, rows)
}

// specSummary renders a server's expected configuration in one cell.
func (d *docWriter) specSummary(s Spec) string {
	var parts []string
	if s.CPUs > 0 {
		parts = append(parts, fmt.Sprintf("%d vCPU", s.CPUs))
	}
	if s.MemoryMB > 0 {
		parts = append(parts, fmt.Sprintf("%d MB", s.MemoryMB))
	}
	if len(s.DisksGB) > 0 {
		disks := make([]string, len(s.DisksGB))
		for i, g := range s.DisksGB {
			disks[i] = fmt.Sprint(g)
		}
		parts = append(parts, fmt.Sprintf(d.l.disks, strings.Join(disks, " + ")))
	}
	if len(s.Networks) > 0 {
		parts = append(parts, strings.Join(s.Networks, ", "))
	}
	return strings.Join(parts, ", ")
}

func (d *docWriter) responsibilities() {
	p := d.p
	d.heading(2, "6 "+d.l.responsibilities)
	d.para(d.l.responsibilitiesIntro)
	var rows [][]string
	for i, u := range p.Units {
		var rs []string
		for _, r := range u.Responsibilities {
			rs = append(rs, d.text(r))
		}
		unit := u.ID
		if u.Provider {
			unit += " " + d.l.providerMark
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), unit, strings.Join(rs, "<br>")})
	}
	d.table([]string{d.l.colNumber, d.l.colUnit, d.l.colResponsibility}, rows)

	d.heading(3, "6.1 "+d.l.actors)
	d.para(d.l.actorsIntro)
	for _, r := range p.Roles {
		if r.Team != TeamLeader {
			d.printf("- %s\n", d.withUnit(r))
		}
	}
	d.printf("\n")

	d.heading(3, "6.2 "+d.l.team)
	d.para(d.l.teamIntro)
	rows = nil
	for _, r := range p.Roles {
		var people []string
		for _, person := range r.People {
			people = append(people, person.Name)
		}
		team := string(r.Team)
		switch r.Team {
		case TeamLeader:
			team = d.l.leader
		case TeamMain:
			team = d.l.mainTeam
		}
		rows = append(rows, []string{r.Unit, cmp.Or(d.text(r.Name), r.ID), team, strings.Join(people, "<br>"), d.escalation(r)})
	}
	d.table([]string{d.l.colUnit, d.l.colRoleStaff, d.l.colTeam, d.l.colPeople, d.l.colEscalation}, rows)
}

// escalation describes who is paged when nobody in r acknowledges.
func (d *docWriter) escalation(r Role) string {
	if len(r.Escalation) == 0 {
		return ""
	}
	names := make([]string, len(r.Escalation))
	for i, id := range r.Escalation {
		names[i] = d.roleName(id)
	}
	chain := strings.Join(names, " → ")
	if r.AckTimeout > 0 {
		return fmt.Sprintf(d.l.escalateAfter, r.AckTimeout.String(), chain)
	}
	return chain
}

func (d *docWriter) risks() {
	d.heading(2, "7 "+d.l.risks)
	d.para(d.text(d.p.Risks))
}

// contingency renders §8: the readiness checks and the assessing procedures.
func (d *docWriter) contingency() {
	p := d.p
	d.heading(2, "8 "+d.l.contingency)
	d.heading(3, "8.1 "+d.l.backups)
	d.para(d.l.backupsIntro)
	for _, r := range p.Readiness {
		d.printf("- **%s**  \n  %s\n", cmp.Or(d.text(r.Title), r.ID), d.readinessMeta(r))
	}
	if len(p.Readiness) > 0 {
		d.printf("\n")
	}

	var rows [][]string
	for _, s := range p.Servers {
		copyCell := ""
		if c := s.Copy; c != nil {
			copyCell = strings.ToUpper(string(c.Format)) + " " + code(cmp.Or(c.Path, c.Datastore, c.Library))
		}
		backup := ""
		if b := s.Backup; b != nil {
			backup = fmt.Sprintf("%s `%s`", d.backupKind(b.Kind), b.Set)
			if b.MaxAge > 0 {
				backup += fmt.Sprintf(d.l.maxAge, b.MaxAge.String())
			}
		}
		rows = append(rows, []string{code(s.ID), copyCell, code(s.Snapshot), backup, code(s.ConfigDoc)})
	}
	if len(rows) > 0 {
		d.para(d.l.backupsTable)
		d.table([]string{d.l.colServer, d.l.colCopy, d.l.colSnapshot, d.l.colBackup, d.l.colConfigDoc}, rows)
	}

	d.heading(3, "8.2 "+d.l.deployment)
	d.para(d.l.deploymentIntro)
	d.procedures(PhaseAssessing)
}

// readinessMeta says who owns a readiness check, what runs it and where.
func (d *docWriter) readinessMeta(r ReadinessCheck) string {
	where := d.l.once
	switch r.Scope {
	case ScopeServer:
		n := 0
		for _, s := range d.p.Servers {
			if len(r.Roles) == 0 || slices.Contains(r.Roles, s.Role) {
				n++
			}
		}
		where = fmt.Sprintf(d.l.perServerCount, n)
		if len(r.Roles) > 0 {
			where += " (" + d.serverRoles(r.Roles) + ")"
		}
	case ScopeService:
		where = d.l.perService
	}
	parts := []string{
		fmt.Sprintf("%s: %s", d.l.owner, d.roleName(r.Owner)),
		fmt.Sprintf(d.l.verifiedBy, r.Action),
		where,
	}
	if ps := paramList(r.Params); ps != "" {
		parts = append(parts, ps)
	}
	return "_" + strings.Join(parts, " · ") + "_"
}

func (d *docWriter) restoration() {
	d.heading(2, "9 "+d.l.restoration)
	d.para(d.l.restorationIntro)
	n := 0
	for i := range d.p.Procedures {
		pr := &d.p.Procedures[i]
		if pr.Phase != PhaseRestoring {
			continue
		}
		n++
		d.heading(3, fmt.Sprintf("9.%d %s", n, cmp.Or(d.text(pr.Title), pr.ID)))
		if label, ok := d.l.strategy[pr.Strategy]; ok {
			d.para(fmt.Sprintf("_%s_", label))
		}
		d.steps(pr)
	}
}

func (d *docWriter) tests() {
	p := d.p
	d.heading(2, "10 "+d.l.tests)
	d.para(d.l.testsIntro)
	d.procedures(PhaseTesting)

	var rows [][]string
	for _, s := range p.Services {
		for _, c := range s.Checks {
			rows = append(rows, []string{cmp.Or(d.text(s.Name), s.ID), cmp.Or(d.text(c.Title), c.ID), code(c.Action), paramList(c.Params)})
		}
	}
	if len(rows) > 0 {
		d.heading(3, d.l.checksTitle)
		d.table([]string{d.l.colService, d.l.colCheck, d.l.colAction, d.l.colParams}, rows)
	}

	if dr := p.Drill; dr != nil {
		d.heading(3, d.l.drillTitle)
		d.para(fmt.Sprintf(d.l.drill, dr.Folder, dr.Network))
	}
	if p.ApprovalWindow > 0 {
		d.para(fmt.Sprintf(d.l.approvalWindow, p.ApprovalWindow.String()))
	}
}

func (d *docWriter) terms() {
	d.heading(2, "11 "+d.l.terms)
	for _, t := range d.p.Terms {
		d.printf("- **%s:** %s\n", t.Term, d.text(t.Meaning))
	}
	if len(d.p.Terms) > 0 {
		d.printf("\n")
	}
}

// procedures renders every procedure of a phase, each with a title of its
// own when the phase has several.
func (d *docWriter) procedures(phase Phase) {
	var prs []*Procedure
	for i := range d.p.Procedures {
		pr := &d.p.Procedures[i]
		if pr.Phase == phase {
			prs = append(prs, pr)
		}
	}
	for _, pr := range prs {
		if len(prs) > 1 {
			d.para(fmt.Sprintf("**%s**", cmp.Or(d.text(pr.Title), pr.ID)))
		}
		d.steps(pr)
	}
}

// steps renders a procedure as a numbered list: title, help, and a line of
// who does it, where, how and with whose approval.
func (d *docWriter) steps(pr *Procedure) {
	for i, st := range pr.Steps {
		marker := fmt.Sprintf("%d. ", i+1)
		indent := strings.Repeat(" ", len(marker)) // continuation lines line up with the text
		d.printf("%s**%s**\n\n", marker, cmp.Or(d.text(st.Title), st.ID))
		if help := d.text(st.Help); help != "" {
			d.printf("%s%s\n\n", indent, strings.ReplaceAll(help, "\n", "\n"+indent))
		}
		d.printf("%s%s\n\n", indent, d.stepMeta(st))
	}
}

func (d *docWriter) stepMeta(st Step) string {
	parts := []string{fmt.Sprintf("%s: %s", d.l.owner, d.roleName(st.Owner))}
	switch st.Scope {
	case ScopeService:
		parts = append(parts, d.l.perService)
	case ScopeServer:
		where := d.l.perServer
		if len(st.ServerRoles) > 0 {
			where += " (" + d.serverRoles(st.ServerRoles) + ")"
		}
		parts = append(parts, where)
	}
	switch st.Kind {
	case KindCheck, KindAction:
		if st.Action == "" {
			// A check step without an action runs the service's own checks.
			parts = append(parts, d.l.serviceChecks)
			break
		}
		how := fmt.Sprintf(d.l.kind[st.Kind], st.Action)
		if ps := paramList(st.Params); ps != "" {
			how += " (" + ps + ")"
		}
		parts = append(parts, how)
	case KindManual:
		parts = append(parts, d.l.kind[st.Kind])
	}
	if st.Confirm {
		parts = append(parts, d.l.confirm)
	}
	approvers := st.Approval
	if len(approvers) == 0 && st.Kind == KindApproval {
		approvers = d.p.Leaders
	}
	if len(approvers) > 0 {
		names := make([]string, len(approvers))
		for i, id := range approvers {
			names[i] = d.roleName(id)
		}
		parts = append(parts, fmt.Sprintf(d.l.approval, strings.Join(names, d.l.or)))
	} else if st.Kind == KindApproval {
		parts = append(parts, d.l.kind[st.Kind])
	}
	if st.Priorities {
		parts = append(parts, d.l.priorities)
	}
	if st.Optional {
		parts = append(parts, d.l.optional)
	}
	return "_" + strings.Join(parts, " · ") + "_"
}

// roleName is a role's name in the document's language with its unit, as
// in "Gestor de Respaldos (DIISIRC)", or the id when the plan has no such
// role.
func (d *docWriter) roleName(id string) string {
	if id == "" {
		return ""
	}
	if r, ok := d.p.Role(id); ok {
		return d.withUnit(*r)
	}
	return id
}

// withUnit names a role with its unit, unless the name already says it or
// the plan has a single unit.
func (d *docWriter) withUnit(r Role) string {
	name := cmp.Or(d.text(r.Name), r.ID)
	if r.Unit == "" || len(d.p.Units) < 2 || strings.Contains(name, r.Unit) {
		return name
	}
	return name + " (" + r.Unit + ")"
}

func (d *docWriter) serverRoleLong(r ServerRole) string {
	if s, ok := d.l.serverRoleLong[r]; ok {
		return s
	}
	return string(r)
}

func (d *docWriter) serverRoleShort(r ServerRole) string {
	if s, ok := d.l.serverRoleShort[r]; ok {
		return s
	}
	return string(r)
}

func (d *docWriter) serverRoles(rs []ServerRole) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = d.serverRoleShort(r)
	}
	return strings.Join(names, ", ")
}

func (d *docWriter) backupKind(k BackupKind) string {
	if s, ok := d.l.backupKind[k]; ok {
		return s
	}
	return string(k)
}

// code renders s as inline code; a value holding a backtick is fenced with
// two, as Markdown requires.
func code(s string) string {
	switch {
	case s == "":
		return ""
	case strings.Contains(s, "`"):
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

func codeList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = code(id)
	}
	return strings.Join(out, ", ")
}

// paramList renders action parameters as "key: value", sorted by key, with
// any password in a URL or DSN redacted.
func paramList(params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %s", k, code(paramValue(params[k])))
	}
	return strings.Join(parts, ", ")
}

func paramValue(v any) string {
	switch v := v.(type) {
	case string:
		return redact(v)
	case []any:
		items := make([]string, len(v))
		for i, x := range v {
			items[i] = paramValue(x)
		}
		return strings.Join(items, ", ")
	case []string:
		items := make([]string, len(v))
		for i, x := range v {
			items[i] = redact(x)
		}
		return strings.Join(items, ", ")
	default:
		return fmt.Sprint(v)
	}
}

// redact hides the password of a URL-shaped value (a DSN, in its user
// information or its query) or of a key=value DSN; anything else is
// returned as is.
func redact(s string) string {
	const hidden = "xxxxx"
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return s
		}
		changed := false
		if u.User != nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), hidden)
				changed = true
			}
		}
		if q := u.Query(); q.Has("password") {
			q.Set("password", hidden)
			u.RawQuery = q.Encode()
			changed = true
		}
		if changed {
			return u.String()
		}
		return s
	}
	if strings.Contains(s, "password=") {
		fields := strings.Fields(s)
		for i, f := range fields {
			if strings.HasPrefix(f, "password=") {
				fields[i] = "password=" + hidden
			}
		}
		return strings.Join(fields, " ")
	}
	return s
}

// docRoleOrder is the order in which the written plan lists server roles
// (seed §5).
var docRoleOrder = []ServerRole{
	RoleApp, RoleDatabase, RoleDBReplica, RoleWeb, RoleFiles, RoleDNS, RoleMail, RoleSessions, RolePgbouncer, RoleNginx,
}
