package demo

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// serveSMTP is a simulated mail server: its banner carries what the
// checks look for; it accepts and discards mail.
func (s *services) serveSMTP(banners []string, log *slog.Logger) (string, error) {
	l, err := listen()
	if err != nil {
		return "", err
	}
	srv := smtp.NewServer(smtpBackend{})
	domain := "correo.simulado (contingencia demo, simulado)"
	for _, b := range banners {
		if !strings.Contains(domain+" ESMTP Service Ready", b) {
			domain += " " + b
		}
	}
	srv.Domain = domain
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = slogLogger{log}
	s.wg.Go(func() { _ = srv.Serve(l) })
	s.stops = append(s.stops, func() { _ = srv.Close() })
	return l.Addr().String(), nil
}

type smtpBackend struct{}

func (smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return smtpSession{}, nil }

type smtpSession struct{}

func (smtpSession) Reset()                               {}
func (smtpSession) Logout() error                        { return nil }
func (smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (smtpSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }

// slogLogger adapts the SMTP server's error log to slog.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.log.Debug("simulated SMTP server", "msg", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (l slogLogger) Println(v ...any) {
	l.log.Debug("simulated SMTP server", "msg", strings.TrimSpace(fmt.Sprintln(v...)))
}
