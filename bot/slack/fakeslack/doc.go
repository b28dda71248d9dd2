// Package fakeslack is a Slack Web API for tests and local load runs. It
// is slack-go's slacktest server extended with recording handlers for the
// methods the contingencia bot calls and slacktest lacks or answers with
// fixed data (chat.postMessage/update/delete/postEphemeral, views.open,
// conversations.create/invite/list/setTopic, pins.add and the files upload
// v2 flow), following Slack's documented request and response shapes and
// error codes. It records what the bot did, injects faults (HTTP 429 with
// Retry-After, Slack error codes) and drives Socket Mode over a local
// websocket. It talks only to loopback.
package fakeslack
