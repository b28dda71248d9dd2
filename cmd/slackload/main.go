package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	target      string
	secret      string
	database    string
	planPath    string
	runID       string
	rate        float64
	duration    time.Duration
	concurrency int
	clicks      float64
	status      float64
	saturate    time.Duration
	named       bool
	cpuprofile  string
	runs        int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "slackload:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("slackload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.target, "target", "", "base URL of a running bot on loopback (default: start one in-process)")
	fs.StringVar(&o.secret, "secret", os.Getenv("SLACK_SIGNING_SECRET"), "signing secret of --target (SLACK_SIGNING_SECRET)")
	fs.StringVar(&o.database, "database", os.Getenv("DATABASE_URL"), "PostgreSQL URL (DATABASE_URL; default: local PostgreSQL)")
	fs.StringVar(&o.planPath, "plan", "testdata/plans/quipux.yaml", "plan file")
	fs.StringVar(&o.runID, "run", "", "open run(s) to load, comma-separated (with --target)")
	fs.IntVar(&o.runs, "runs", 1, "in-process: how many drills the responders are spread over")
	fs.Float64Var(&o.rate, "rate", 200, "requests per second")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to send at --rate")
	fs.IntVar(&o.concurrency, "concurrency", 16, "simulated responders sending at once")
	fs.Float64Var(&o.clicks, "clicks", 0.1, "share of requests that are button clicks")
	fs.Float64Var(&o.status, "status", 0.05, "share of requests that are `estado`")
	fs.DurationVar(&o.saturate, "saturate", 5*time.Second, "closed-loop phase measuring sustained throughput (0: skip)")
	fs.BoolVar(&o.named, "named", false, "name the run in every command instead of letting the bot find the channel's run")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (in-process bot included) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.rate <= 0 || o.concurrency <= 0 || o.duration <= 0 || o.runs <= 0:
		return o, usageError{errors.New("--rate, --concurrency, --duration and --runs must be positive")}
	case o.runs > 100:
		return o, usageError{errors.New("--runs is bounded to 100")}
	case o.duration > 10*time.Minute || o.saturate > 10*time.Minute:
		return o, usageError{errors.New("--duration and --saturate are bounded to 10m")}
	case o.clicks < 0 || o.status < 0 || o.clicks+o.status > 1:
		return o, usageError{errors.New("--clicks and --status are shares between 0 and 1")}
	case o.target != "" && (o.secret == "" || o.runID == ""):
		return o, usageError{errors.New("--target needs --secret and --run")}
	}
	if o.target != "" {
		if err := loopbackOnly(o.target); err != nil {
			return o, usageError{err}
		}
	}
	if o.database == "" {
		o.database = "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"
	}
	return o, nil
}

// loopbackOnly refuses targets off this machine: a load tool is no
// traffic generator for other people's servers.
func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--target %q is not a URL", target)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--target %s is not a loopback address", host)
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parse(args, os.Stderr)
	if err != nil {
		return err
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	limit := o.duration + o.saturate + 5*time.Minute
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	var sys *system
	if o.target == "" {
		if sys, err = startSystem(ctx, o); err != nil {
			return err
		}
		defer sys.close()
		o.target, o.secret = sys.url, sys.secret
	} else if sys, err = attach(ctx, o); err != nil {
		return err
	} else {
		defer sys.close()
	}

	l := newLoader(o, sys)
	fmt.Fprintf(stdout, "slackload: %s, runs %s, %d responders, %.0f req/s for %s (notes %.0f%%, clicks %.0f%%, estado %.0f%%)\n",
		o.target, strings.Join(sys.runIDs(), ","), o.concurrency, o.rate, o.duration, 100*(1-o.clicks-o.status), 100*o.clicks, 100*o.status)
	paced := l.paced(ctx)
	report(stdout, "paced", paced)

	var sat result
	if o.saturate > 0 {
		sat = l.closedLoop(ctx, o.saturate)
		report(stdout, "saturation (closed loop)", sat)
	}
	if sys.flush != nil {
		if err := sys.flush(ctx); err != nil {
			return fmt.Errorf("waiting for the bot to settle: %w", err)
		}
	}
	lost, err := l.verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "timeline: %d acknowledged notes and %d acknowledged clicks checked, %d lost\n", l.notesAcked(), l.clicksAcked(), lost)

	raw, err := rawInsertRate(ctx, o.database, o.concurrency, max(o.saturate, 3*time.Second))
	if err != nil {
		return fmt.Errorf("measuring the raw INSERT rate: %w", err)
	}
	fmt.Fprintf(stdout, "raw single-row INSERT: %.0f rows/s (%d connections)\n", raw, o.concurrency)
	if sat.n > 0 {
		fmt.Fprintf(stdout, "ratio: sustained %.0f req/s = %.0f%% of the raw INSERT rate\n", sat.throughput(), 100*sat.throughput()/raw)
	}
	if paced.errors+sat.errors > 0 || lost > 0 {
		return fmt.Errorf("%d errors, %d lost events", paced.errors+sat.errors, lost)
	}
	return nil
}
