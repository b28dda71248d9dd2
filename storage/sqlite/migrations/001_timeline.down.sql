DROP TRIGGER events_no_delete;
DROP TRIGGER events_no_update;
DROP TABLE run_numbers;
DROP TABLE batches;
DROP TABLE events;
DROP TABLE runs;
