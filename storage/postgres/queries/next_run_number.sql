-- Reserves the next run number of a year.
INSERT INTO run_numbers AS n (year, last)
VALUES ($1, 1)
ON CONFLICT (year) DO UPDATE SET last = n.last + 1
RETURNING last
