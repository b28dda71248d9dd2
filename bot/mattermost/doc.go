// Package mattermost is the Mattermost adapter of the bot: the
// `/contingencia` custom slash command, interactive message buttons and
// interactive dialogs, and the bot.Surface that posts and updates a run's
// messages through the REST API v4 with a bot account token.
//
// Mattermost signs none of the requests it sends to an integration except
// the slash command (which carries the command token). Every button the
// adapter renders therefore carries, in its integration context, an
// HMAC-SHA256 made by the bot over the run, the step, the action, the
// channel and the confirmation texts; every dialog carries one in its
// state, bound to the user it was opened for. A click or submission whose
// MAC does not verify is refused with 401 and reaches nothing.
//
// Risky buttons (bot.Button.Confirm) have no native confirmation in
// Mattermost: a click on one opens an interactive dialog that shows the
// confirmation text, and only its submission performs the click. Buttons
// that need a reason (skip, reject) open a dialog with a required text
// area the same way.
//
// Ephemeral answers go back only through the slash-command response
// (response_type ephemeral) and the action response's ephemeral_text:
// bot tokens cannot create ephemeral posts.
package mattermost
