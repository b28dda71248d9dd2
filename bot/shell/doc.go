// Package shell is the terminal adapter: the break-glass laptop mode for the
// day the chat platform is down too. It renders the same messages as the
// chat platforms (the header, the checklist with numbered buttons, approval
// requests, pages) as plain text, and lets one person at the keyboard act as
// every responder: `/contingencia …` commands are typed, buttons are pressed
// by their number, and `como ROL` / `as ROLE` switches who is acting.
//
// A Shell is a bot.Surface (platform "shell") and a bot.DirectMessenger. New
// registers it with the bot. Run reads commands from Config.In until it ends;
// As, Type, Press and Answer drive the same conversation from a script
// (`contingencia demo --auto`), printing it as it goes.
//
// In the terminal, people are simulated: the Origin of a request is
// {Platform: "shell", UserID: the person's e-mail (or name), UserName: the
// person's name, ChannelID: "terminal"}; plan.Person.Identifies matches shell
// actors by name.
package shell
