package postgres_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/contingencia/contingencia/storage"
	"github.com/contingencia/contingencia/storage/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (storage.Store, storetest.Reopen) {
		s, schema := setup(t)
		return s, func(t *testing.T) storage.Store { return openStore(t, schema, storage.JobsConfig{}) }
	})
}

func TestBackend(t *testing.T) {
	storetest.RunBackend(t, func(t *testing.T, jobs storage.JobsConfig) storage.Backend {
		return openStore(t, newSchema(t), jobs)
	})
}
