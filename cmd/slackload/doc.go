// Command slackload measures the Slack adapter under load: N concurrent
// simulated responders send signed slash commands (`nota …`, `estado`)
// and button clicks to the bot at a target rate, then the tool reports
// acknowledgement latency (p50/p99), throughput and errors, checks that
// every acknowledged note and click is in the run's timeline, and
// measures in the same run the raw single-row INSERT rate of the same
// PostgreSQL at the same concurrency, printing the ratio.
//
// Without --target it starts everything in-process on 127.0.0.1:0: the
// bot with the Slack adapter, PostgreSQL from DATABASE_URL (a schema of
// its own, dropped at the end) and a local Slack API, so it runs with no
// setup:
//
//	go run ./cmd/slackload --rate 200 --duration 20s
//
// With --target it loads a running `contingencia serve` (loopback only)
// whose signing secret is --secret and whose database is --database, on
// the open run(s) --run.
//
// Commands are typed in the run's channel without naming the run, as
// people do (the bot finds the channel's run); --named puts the run id
// in every command instead. --runs spreads the responders over several
// drills, --cpuprofile profiles the whole process (in-process bot too).
// The tool exits 1 when a request failed or an acknowledged event is
// missing from the timeline, 2 on a usage error.
package main
