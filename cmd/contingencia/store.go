package main

import (
	"context"

	"github.com/contingencia/contingencia/storage/stores"
)

// openStore opens the store a --database URL names (empty: the embedded
// sqlite:contingencia.db) and applies pending migrations. The optional
// cfg carries the logger, the job workers and queues, the pool size.
func openStore(ctx context.Context, url string, cfg ...stores.Config) (stores.DB, error) {
	var c stores.Config
	if len(cfg) > 0 {
		c = cfg[0]
	}
	return stores.Open(ctx, url, c)
}
