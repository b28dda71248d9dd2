package check

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/contingencia/contingencia/actions"
)

// maxBody is how much of a response body check.http reads.
const maxBody = 1 << 20

// HTTP runs check.http: GET url, expect status (default 200), optionally
// text in the body, and for HTTPS a certificate valid at least
// min_cert_validity more.
func (c *Checks) HTTP(ctx context.Context, req actions.Request) (actions.Result, error) {
	url := req.String("url", "")
	want := int(req.Int("status", 200))
	cctx, cancel, timeout := c.withTimeout(ctx, req)
	defer cancel()

	hreq, err := http.NewRequestWithContext(cctx, http.MethodGet, url, nil)
	if err != nil {
		return actions.Result{}, actions.Permanent(fmt.Errorf("URL %q no válida: %w", url, err))
	}
	hreq.Header.Set("User-Agent", "contingencia-check/1")
	transport := c.transport()
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	start := c.cfg.Now()
	resp, err := client.Do(hreq)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, err, "GET %s falló", url)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	elapsed := c.cfg.Now().Sub(start)
	if err != nil {
		return actions.Result{}, fail(ctx, timeout, err, "GET %s: leyendo la respuesta", url)
	}
	details := map[string]any{"url": url, "status": resp.StatusCode, "latency_ms": elapsed.Milliseconds()}
	msg := fmt.Sprintf("HTTP %d en %s", resp.StatusCode, ms(elapsed))
	if resp.StatusCode != want {
		return actions.Result{Details: details}, fail(ctx, timeout, nil, "GET %s: HTTP %d, se esperaba %d", url, resp.StatusCode, want)
	}
	if text := req.String("contains", ""); text != "" {
		if !bytes.Contains(body, []byte(text)) {
			return actions.Result{Details: details}, fail(ctx, timeout, nil, "GET %s: HTTP %d pero la respuesta no contiene %q", url, resp.StatusCode, text)
		}
		msg += fmt.Sprintf("; contiene %q", text)
	}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		cert := resp.TLS.PeerCertificates[0]
		left := cert.NotAfter.Sub(c.cfg.Now())
		details["cert_not_after"] = actions.FormatTime(cert.NotAfter)
		days := int(left.Hours() / 24)
		if minLeft := req.Duration("min_cert_validity", 0); left < minLeft {
			return actions.Result{Details: details}, fail(ctx, timeout, nil,
				"GET %s: el certificado vence en %d días (%s), menos que el mínimo de %s",
				url, days, actions.FormatTime(cert.NotAfter), actions.FormatAge(minLeft))
		}
		msg += fmt.Sprintf("; certificado válido %d días", days)
	} else if strings.HasPrefix(strings.ToLower(url), "https:") {
		msg += "; sin certificado"
	}
	return actions.Result{Message: msg, Details: details}, nil
}
