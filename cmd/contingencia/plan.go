package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

func init() { commands = append(commands, newPlanCmd) }

func newPlanCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "plan",
		Short: "Validate, show and document a plan file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(a.stderr)
			_ = cmd.Usage()
			return &exitError{code: 2, err: errors.New("plan needs a subcommand")}
		},
	}
	c.AddCommand(newPlanValidateCmd(a), newPlanShowCmd(a), newPlanDocCmd(a))
	return c
}

func newPlanValidateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check plan files and print every problem as FILE:LINE:COL: message",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			failed := false
			for _, f := range files {
				_, err := plan.LoadFile(f, actions.Catalog())
				var problems plan.Problems
				switch {
				case err == nil:
					fmt.Fprintf(a.stdout, "%s: OK\n", f)
				case errors.As(err, &problems):
					failed = true
					for _, p := range problems {
						fmt.Fprintln(a.stdout, p)
					}
				default:
					failed = true
					fmt.Fprintf(a.stderr, "contingencia: %v\n", err)
				}
			}
			if failed {
				return silent
			}
			return nil
		},
	}
}

// langFlag adds --lang, defaulting to CONTINGENCIA_LANG or Spanish.
func langFlag(c *cobra.Command) *string {
	return c.Flags().String("lang", cmp.Or(os.Getenv("CONTINGENCIA_LANG"), "es"), "language of the output: es or en")
}

func checkLang(lang string) error {
	if lang != "es" && lang != "en" {
		return &exitError{code: 2, err: fmt.Errorf("--lang must be es or en, not %q", lang)}
	}
	return nil
}

// loadPlan loads a valid plan for show and doc; an invalid one has its
// problems printed on stderr.
func loadPlan(a *app, file string) (*plan.Plan, error) {
	p, err := plan.LoadFile(file, actions.Catalog())
	var problems plan.Problems
	if errors.As(err, &problems) {
		for _, pr := range problems {
			fmt.Fprintln(a.stderr, pr)
		}
		return nil, failf("%s is not a valid plan (%s); run 'contingencia plan validate %s'", file, countProblems(len(problems)), file)
	}
	return p, err
}

func newPlanShowCmd(a *app) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "show FILE",
		Short: "Show a plan as tables: services, servers, roles, procedures",
		Args:  cobra.ExactArgs(1),
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON, for machines")
	lang := langFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkLang(*lang); err != nil {
			return err
		}
		p, err := loadPlan(a, args[0])
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(struct {
				File string     `json:"file"`
				Hash string     `json:"hash"`
				Plan *plan.Plan `json:"plan"`
			}{p.Source, p.Hash, p})
		}
		return showPlan(a.stdout, p, *lang)
	}
	return c
}

func newPlanDocCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "doc FILE",
		Short: "Render a plan as the Markdown document of the written plan",
		Args:  cobra.ExactArgs(1),
	}
	lang := langFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkLang(*lang); err != nil {
			return err
		}
		p, err := loadPlan(a, args[0])
		if err != nil {
			return err
		}
		if err := plan.RenderDoc(a.stdout, p, *lang); err != nil {
			return fmt.Errorf("rendering %s as a document: %w", args[0], err)
		}
		return nil
	}
	return c
}

// showLabels are the words of `plan show`, in Spanish and English.
var showLabels = map[string]map[string]string{
	"es": {
		"file": "Archivo", "services": "SERVICIOS", "servers": "SERVIDORES", "roles": "ROLES", "procedures": "PROCEDIMIENTOS",
		"priority": "PRIORIDAD", "group": "GRUPO", "id": "ID", "name": "NOMBRE", "title": "TÍTULO", "role": "ROL",
		"vsphere": "RUTA VSPHERE", "depends": "DEPENDE DE", "unit": "UNIDAD", "people": "PERSONAS",
		"phase": "FASE", "strategy": "ESTRATEGIA", "steps": "PASOS", "leaders": "Líderes",
	},
	"en": {
		"file": "File", "services": "SERVICES", "servers": "SERVERS", "roles": "ROLES", "procedures": "PROCEDURES",
		"priority": "PRIORITY", "group": "GROUP", "id": "ID", "name": "NAME", "title": "TITLE", "role": "ROLE",
		"vsphere": "VSPHERE PATH", "depends": "DEPENDS ON", "unit": "UNIT", "people": "PEOPLE",
		"phase": "PHASE", "strategy": "STRATEGY", "steps": "STEPS", "leaders": "Leaders",
	},
}

// showPlan writes the plan as readable tables: services in priority
// order, servers, roles with their people, procedures with step counts.
func showPlan(w io.Writer, p *plan.Plan, lang string) error {
	l := showLabels[lang]
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	dash := func(s string) string { return cmp.Or(s, "-") }

	fmt.Fprintf(tw, "%s — %s\n", p.ID, p.Title.In(lang))
	fmt.Fprintf(tw, "%s: %s (sha256 %s)\n", l["file"], p.Source, p.Hash[:12])
	fmt.Fprintf(tw, "%s: %s\n", l["leaders"], strings.Join(p.Leaders, ", "))

	services := slices.Clone(p.Services)
	slices.SortStableFunc(services, func(a, b plan.Service) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Group, b.Group))
	})
	row("\n" + l["services"])
	row(l["priority"], l["group"], l["id"], l["name"], "RTO", "RPO", l["servers"])
	for _, s := range services {
		row(fmt.Sprint(s.Priority), dash(s.Group), s.ID, s.Name.In(lang), s.RTO.String(), s.RPO.String(), strings.Join(s.Servers, ", "))
	}

	row("\n" + l["servers"])
	row(l["id"], l["role"], l["vsphere"], l["depends"])
	for _, s := range p.Servers {
		row(s.ID, string(s.Role), s.VSphere.Path, dash(strings.Join(s.DependsOn, ", ")))
	}

	row("\n" + l["roles"])
	row(l["id"], l["name"], l["unit"], l["people"])
	for _, r := range p.Roles {
		people := make([]string, len(r.People))
		for i, person := range r.People {
			people[i] = person.Name
		}
		row(r.ID, r.Name.In(lang), r.Unit, dash(strings.Join(people, ", ")))
	}

	row("\n" + l["procedures"])
	row(l["id"], l["phase"], l["strategy"], l["steps"], l["title"])
	for _, pr := range p.Procedures {
		row(pr.ID, string(pr.Phase), dash(string(pr.Strategy)), fmt.Sprint(len(pr.Steps)), pr.Title.In(lang))
	}
	return tw.Flush()
}

func countProblems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}
