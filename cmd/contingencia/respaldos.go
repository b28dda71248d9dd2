package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/actions/check"
	"github.com/contingencia/contingencia/actions/vsphere"
)

func init() { commands = append(commands, newBackupsCmd) }

// newBackupsCmd is `contingencia respaldos`: the seed's §8.1 readiness
// checks, before any disaster.
func newBackupsCmd(a *app) *cobra.Command {
	var planFile string
	var asJSON bool
	c := &cobra.Command{
		Use:     "respaldos",
		Aliases: []string{"backups"},
		Short:   "Check the plan's backups (§8.1): copies exist and are younger than the RPO, database backups are recent, configuration documents exist",
		Args:    cobra.NoArgs,
	}
	c.Flags().StringVar(&planFile, "plan", os.Getenv("CONTINGENCIA_PLAN"), "plan file (env CONTINGENCIA_PLAN; default: the embedded Quipux plan)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	lang := langFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkLang(*lang); err != nil {
			return err
		}
		ctx := cmd.Context()
		p, err := loadRunPlan(planFile)
		if err != nil {
			return err
		}
		cc := check.Config{}
		providers := []actions.Provider{}
		if u := os.Getenv("VSPHERE_URL"); u != "" {
			insecure, err := envBool("VSPHERE_INSECURE")
			if err != nil {
				return err
			}
			vc, err := vsphere.Connect(ctx, vsphere.Config{URL: u, Insecure: insecure})
			if err != nil {
				return err
			}
			defer vc.Close(context.WithoutCancel(ctx))
			cc.Copies = vc
			providers = append(providers, vc)
		}
		providers = append(providers, check.New(cc))
		results := actions.CheckReadiness(ctx, actions.NewDefaultRegistry(providers...), p)
		if asJSON {
			enc := json.NewEncoder(a.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(results); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(a.stdout, actions.ReadinessTable(p, results, *lang))
		}
		for _, r := range results {
			if !r.OK {
				return silent // the table says what is missing
			}
		}
		return nil
	}
	return c
}
