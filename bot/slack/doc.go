// Package slack is the bot's Slack adapter. It serves `/contingencia`
// and the interactive messages in HTTP mode (Handler: POST
// /slack/commands and /slack/interactions, every request verified with
// the signing secret) or Socket Mode (Run, with the app token), turns
// them into bot commands, clicks and activations, and answers within
// Slack's three seconds: the activation form opens as a modal, refusals
// and replies are ephemeral, exports are uploaded with the files upload
// v2 flow. As the bot's Surface it creates each run's channel, invites
// the role holders, and posts, updates and pins the run's messages,
// rendered as Block Kit within Slack's limits.
//
// Wiring:
//
//	a, err := slack.New(slack.Config{Bot: b, Token: botToken, SigningSecret: secret})
//	b.Register(a)
//	mux.Handle("/slack/", a.Handler())
package slack
