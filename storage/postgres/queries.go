package postgres

import _ "embed" // the queries below

var (
	//go:embed queries/find_batch.sql
	sqlFindBatch string
	//go:embed queries/lock_run.sql
	sqlLockRun string
	//go:embed queries/insert_events.sql
	sqlInsertEvents string
	//go:embed queries/upsert_run.sql
	sqlUpsertRun string
	//go:embed queries/select_events.sql
	sqlSelectEvents string
	//go:embed queries/run_exists.sql
	sqlRunExists string
	//go:embed queries/next_run_number.sql
	sqlNextRunNumber string
	//go:embed queries/list_runs.sql
	sqlListRuns string
)

//go:embed queries/append_fast.sql
var sqlAppendFast string

//go:embed queries/append_fast_one.sql
var sqlAppendFastOne string
