package shell

import "fmt"

// tr picks the Spanish or English text of the adapter; Spanish is the
// default.
func tr(lang, es, en string, args ...any) string {
	if lang == "en" {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(es, args...)
}

// yes reports whether an answer to a yes/no prompt means yes, in either
// language.
func yes(answer string) bool {
	switch answer {
	case "s", "S", "si", "sí", "Si", "Sí", "SI", "SÍ", "y", "Y", "yes", "Yes", "YES":
		return true
	}
	return false
}

// shellHelp is the help of the terminal's own commands.
func shellHelp(lang string) string {
	if lang == "en" {
		return `Terminal commands:
  /contingencia …       a bot command (the slash is optional: "contingencia status", or just "status")
  N [REASON]            press the button numbered N (a reason for skip and reject may follow)
  as ROLE               act as the first person holding ROLE (role id or name; "as leader")
  as person NAME        act as that person of the plan
  whoami                who you are acting as
  help                  this text and the bot's commands
  exit                  leave`
	}
	return `Órdenes de la terminal:
  /contingencia …       una orden del bot (la barra es opcional: "contingencia estado", o solo "estado")
  N [MOTIVO]            pulsa el botón número N (omitir y rechazar admiten el motivo a continuación)
  como ROL              actúa como la primera persona que tiene ROL (id o nombre del rol; "como líder")
  como persona NOMBRE   actúa como esa persona del plan
  quien                 con quién está actuando
  ayuda                 este texto y las órdenes del bot
  salir                 termina`
}
