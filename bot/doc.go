// Package bot is the ChatOps application: it turns intents from any chat
// adapter (Slack, Mattermost, the terminal) into plan commands, stores the
// resulting events in one transaction, and only then produces the side
// effects: message updates, action jobs, pages. It renders runs into a
// platform-neutral message model; adapters turn that into Block Kit,
// Mattermost attachments or terminal text.
package bot
