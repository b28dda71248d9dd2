package page

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Webhook posts pages as JSON to the role's webhook URL (plan: role.webhook),
// for a PagerDuty, SMS or other gateway in between.
type Webhook struct {
	Client  *http.Client
	Timeout time.Duration // default 10s
}

// WebhookBody is the JSON a webhook receives.
type WebhookBody struct {
	RunID    string `json:"run_id"`
	Role     string `json:"role"`
	RoleName string `json:"role_name"`
	Person   string `json:"person"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Level    int    `json:"level"`
	Drill    bool   `json:"drill"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	Link     string `json:"link,omitempty"`
}

// Name is the channel's name in page events.
func (w *Webhook) Name() string { return "webhook" }

// Send posts the page to url; any status outside 2xx is a failure.
func (w *Webhook) Send(ctx context.Context, url string, m Message) error {
	if url == "" {
		return ErrNoAddress
	}
	body, err := json.Marshal(WebhookBody{RunID: m.RunID, Role: m.Role, RoleName: m.RoleName, Person: m.Person.Name,
		Email: m.Person.Email, Phone: m.Person.Phone, Level: m.Level, Drill: m.Drill, Subject: m.Subject(), Text: m.Text(), Link: m.Link})
	if err != nil {
		return err
	}
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
