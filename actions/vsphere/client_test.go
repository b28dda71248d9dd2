package vsphere

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

// passwordSimulator is a vCenter simulator over TLS that wants the user
// contingencia, password secreto.
func passwordSimulator(t *testing.T) *simulator.Server {
	t.Helper()
	m := simulator.VPX()
	t.Cleanup(m.Remove)
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.TLS = new(tls.Config)
	m.Service.Listen = &url.URL{User: url.UserPassword("contingencia", "secreto")}
	s := m.Service.NewServer()
	t.Cleanup(s.Close)
	return s
}

func TestConnect(t *testing.T) {
	s := passwordSimulator(t)
	ctx := context.Background()

	t.Run("logs in, runs an action and logs out", func(t *testing.T) {
		c, err := Connect(ctx, Config{URL: s.URL.String(), Insecure: true})
		if err != nil {
			t.Fatal(err)
		}
		srv := &plan.Server{ID: "vm0", VSphere: plan.VSphere{Path: "/DC0/vm/DC0_H0_VM0"}}
		reg := actions.NewDefaultRegistry(c)
		res, err := reg.Execute(ctx, actions.Request{Kind: "vsphere.power_on", Server: srv})
		if err != nil || !res.AlreadyDone {
			t.Fatalf("power_on on a running simulator VM = %+v, %v", res, err)
		}
		if err := c.Close(ctx); err != nil {
			t.Fatal(err)
		}
	})
	refusals := []struct {
		name, url, want string
	}{
		{"no URL", "", "no URL"},
		{"no credentials", "https://" + s.URL.Host + "/sdk", "no user and password"},
		{"wrong password", "https://contingencia:mala@" + s.URL.Host + "/sdk", "logging in to vSphere"},
		{"untrusted certificate", s.URL.String(), "certificate"},
	}
	for _, tc := range refusals {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			insecure := tc.name != "untrusted certificate"
			c, err := Connect(ctx, Config{URL: tc.url, Insecure: insecure})
			if err == nil {
				_ = c.Close(ctx)
				t.Fatal("connected")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestStatCopy(t *testing.T) {
	simulate(t, func(e *env) {
		ova := filepath.Join(ovfDir(t), "contingencia-tiny.ova")
		fi, err := os.Stat(ova)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name     string
			copy     *plan.Copy
			wantSize int64
			wantErr  string
		}{
			{"a copy on a datastore", &plan.Copy{Datastore: "[LocalDS_0] copias/contingencia-tiny.ova"}, fi.Size(), ""},
			{"a local copy", &plan.Copy{Path: ova}, fi.Size(), ""},
			{"a missing datastore file", &plan.Copy{Datastore: "[LocalDS_0] copias/nada.ova"}, 0, "nada.ova"},
			{"a missing datastore", &plan.Copy{Datastore: "[OtroDS] copias/x.ova"}, 0, "OtroDS"},
			{"a malformed datastore path", &plan.Copy{Datastore: "copias/x.ova"}, 0, "no tiene la forma"},
			{"no copy", nil, 0, "no tiene copia"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				srv := *e.server(t, "db-quipux-01")
				srv.Copy = tc.copy
				st, err := e.client.StatCopy(e.ctx, &srv)
				if tc.wantErr != "" {
					if !actions.IsPermanent(err) || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("StatCopy = %v, want a permanent error containing %q", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if st.Size != tc.wantSize || st.Modified.IsZero() || time.Since(st.Modified) > 24*time.Hour && tc.copy.Datastore != "" {
					t.Errorf("StatCopy = %+v, want size %d and a recent modification", st, tc.wantSize)
				}
			})
		}
	})
}

// TestSessionExpired: vCenter forgot the bot's session (it restarted, or
// the session timed out between disasters); the next action logs in
// again and goes through, and so does the next readiness check.
func TestSessionExpired(t *testing.T) {
	s := passwordSimulator(t)
	ctx := context.Background()

	var logs strings.Builder
	c, err := Connect(ctx, Config{URL: s.URL.String(), Insecure: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	reg := actions.NewDefaultRegistry(c)
	srv := &plan.Server{ID: "vm0", VSphere: plan.VSphere{Path: "/DC0/vm/DC0_H0_VM0"}}

	forget := func() {
		t.Helper()
		if err := session.NewManager(c.Vim()).Logout(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := methods.GetCurrentTime(ctx, c.Vim()); !fault.Is(err, &types.NotAuthenticated{}) {
			t.Fatalf("after logging out, a call answered %v, want NotAuthenticated", err)
		}
	}
	forget()
	res, err := reg.Execute(ctx, actions.Request{Kind: "vsphere.power_on", Server: srv})
	if err != nil || !res.AlreadyDone {
		t.Fatalf("power_on after the session expired = %+v, %v", res, err)
	}
	if !strings.Contains(logs.String(), "logged in to vSphere again") {
		t.Errorf("no log line about logging in again:\n%s", logs.String())
	}

	forget()
	if pf, planned, err := reg.Preflight(ctx, actions.Request{Kind: "vsphere.power_off", Server: srv}); err != nil || !planned || pf.Summary == "" {
		t.Fatalf("a dry run after the session expired = %+v %v %v", pf, planned, err)
	}

	forget()
	mail := &plan.Server{ID: "mail", Copy: &plan.Copy{Format: plan.FormatOVA, Datastore: "[LocalDS_0] nada.ova"}, VSphere: plan.VSphere{Datacenter: "DC0"}}
	if _, err := c.StatCopy(ctx, mail); err == nil || fault.Is(err, &types.NotAuthenticated{}) {
		t.Fatalf("stat of a missing copy after the session expired = %v, want not found (and logged in again)", err)
	}
}
