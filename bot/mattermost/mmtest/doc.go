// Package mmtest is an in-process Mattermost server for tests: the REST
// API v4 endpoints the adapter uses, answered the way the real server
// answers them (status codes, model.AppError bodies, 403 on updating a
// deleted post, 429 with the rate limiter's headers), plus the server's
// other half: it sends slash commands, button clicks and dialog
// submissions to an integration with the exact request shapes Mattermost
// uses, and records what the integration answered.
package mmtest
