DROP TABLE run_numbers;
DROP TABLE events;
DROP FUNCTION contingencia_events_append_only();
DROP TABLE runs;
