package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/contingencia/contingencia/storage/stores"
)

func init() { commands = append(commands, newMigrateCmd) }

func newMigrateCmd(a *app) *cobra.Command {
	var down bool
	c := &cobra.Command{
		Use:   "migrate [--database URL] [--down]",
		Short: "Apply the database migrations (ours and the job queue's)",
		Long: `Apply the pending database migrations under a lock, so that replicas
starting together do not race. --down reverts every migration instead,
DROPPING ALL DATA: it exists for CI's up-down-up check and for uninstalling.`,
		Args: cobra.NoArgs,
	}
	database := c.Flags().String("database", os.Getenv("DATABASE_URL"),
		"store URL: postgres://… or sqlite:PATH (default $DATABASE_URL, else sqlite:contingencia.db)")
	c.Flags().BoolVar(&down, "down", false, "revert every migration, dropping all data")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		kind, _, err := stores.Parse(*database)
		if err != nil {
			return failf("%v", err)
		}
		db, err := stores.Connect(ctx, *database, stores.Config{})
		if err != nil {
			return failf("%v", err)
		}
		defer db.Close()
		if down {
			err = db.MigrateDown(ctx)
		} else {
			err = db.Migrate(ctx)
		}
		if err != nil {
			return failf("%v", err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			return failf("%v", err)
		}
		fmt.Fprintf(a.stdout, "%s schema at version %d\n", kind, v)
		return nil
	}
	return c
}
