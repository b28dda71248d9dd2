package vsphere

import (
	"context"
	"crypto/tls"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/simulator"

	"github.com/contingencia/contingencia/actions"
	"github.com/contingencia/contingencia/plan"
)

func TestConnect(t *testing.T) {
	m := simulator.VPX()
	defer m.Remove()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.TLS = new(tls.Config)
	m.Service.Listen = &url.URL{User: url.UserPassword("contingencia", "secreto")}
	s := m.Service.NewServer()
	defer s.Close()
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
