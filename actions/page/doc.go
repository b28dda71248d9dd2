// Package page pages the people holding a plan's roles when a contingency
// starts or a step needs them: a direct message with an Acknowledge button
// and a mention in the run's channel (through the bot), an e-mail over
// SMTP, and an optional webhook per role. Escalation timers are River
// scheduled jobs: when nobody holding a role acknowledges within its
// timeout, the next link of its escalation chain is paged and the leader
// is told. Every page, delivery result, acknowledgement and escalation is
// an event of the run.
package page
