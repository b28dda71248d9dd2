package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Verb is what a slash command asks for.
type Verb string

// The verbs of `/contingencia` (DESIGN §5), named by their Spanish word.
const (
	VerbActivate Verb = "activar"
	VerbDrill    Verb = "simulacro"
	VerbStatus   Verb = "estado"
	VerbNote     Verb = "nota"
	VerbAssign   Verb = "asignar"
	VerbExport   Verb = "exportar"
	VerbClose    Verb = "cerrar"
	VerbAbort    Verb = "abortar"
	VerbPlan     Verb = "plan"
	VerbBackups  Verb = "respaldos"
	VerbHelp     Verb = "ayuda"
	// VerbPriorities reorders the affected services (the leader's first step).
	VerbPriorities Verb = "prioridades"
)

// verbs maps every accepted word, Spanish and English, to its verb.
var verbs = map[string]Verb{
	"activar": VerbActivate, "activate": VerbActivate,
	"simulacro": VerbDrill, "drill": VerbDrill,
	"estado": VerbStatus, "status": VerbStatus,
	"nota": VerbNote, "note": VerbNote,
	"asignar": VerbAssign, "assign": VerbAssign,
	"exportar": VerbExport, "export": VerbExport,
	"cerrar": VerbClose, "close": VerbClose,
	"abortar": VerbAbort, "abort": VerbAbort,
	"plan":      VerbPlan,
	"respaldos": VerbBackups, "backups": VerbBackups,
	"ayuda": VerbHelp, "help": VerbHelp,
	"prioridades": VerbPriorities, "priorities": VerbPriorities,
}

// ExportFormats are the formats `exportar` accepts.
var ExportFormats = []string{"csv", "json", "md", "html", "pdf"}

// Mention is a user named in a command: a Slack mention carries an id (and
// maybe a name), a Mattermost one a username.
type Mention struct {
	ID   string
	Name string
}

// Intent is a parsed slash command.
type Intent struct {
	Verb     Verb
	RunID    string   // CONT-YYYY-NNNN when given, to pick one of several runs
	Services []string // activar, simulacro, prioridades
	Text     string   // nota, abortar, cerrar
	Role     string   // asignar
	User     Mention  // asignar
	Format   string   // exportar
	Unknown  string   // the word that was not understood (Verb is then ayuda)
	Lang     string   // "en" when the verb was written in English
}

// ParseError is a command that was understood but is incomplete or wrong.
type ParseError struct {
	ES, EN string
}

func (e *ParseError) Error() string { return e.EN }

// MaxCommandLength bounds the text of a command (chat platforms allow a
// few thousand characters; a note is the longest thing one carries).
const MaxCommandLength = 4000

var (
	runIDPattern = regexp.MustCompile(`^(?i)CONT-\d{4}-\d{4,}$`)
	slackMention = regexp.MustCompile(`^<@([A-Z0-9]+)(?:\|([^>]*))?>$`)
	plainMention = regexp.MustCompile(`^@([\p{L}\p{N}._-]+)$`)
	englishVerbs = map[string]bool{"activate": true, "drill": true, "status": true, "note": true, "assign": true, "export": true, "close": true, "abort": true, "backups": true, "help": true, "priorities": true}
)

// ParseCommand parses the text after `/contingencia`. An empty or unknown
// verb yields the help intent (with Unknown set), never an error: anything
// not understood is answered with the help text.
func ParseCommand(text string) (Intent, error) {
	if !utf8.ValidString(text) {
		return Intent{}, &ParseError{ES: "El texto no es UTF-8 válido.", EN: "The text is not valid UTF-8."}
	}
	if len(text) > MaxCommandLength {
		return Intent{}, &ParseError{ES: "El texto es demasiado largo.", EN: "The text is too long."}
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return Intent{Verb: VerbHelp}, nil
	}
	word := strings.ToLower(fields[0])
	verb, ok := verbs[word]
	if !ok {
		return Intent{Verb: VerbHelp, Unknown: fields[0]}, nil
	}
	in := Intent{Verb: verb}
	if englishVerbs[word] {
		in.Lang = "en"
	}
	args := fields[1:]
	// Any verb about a run may name it, to pick one of several runs.
	if verb != VerbNote && verb != VerbActivate && verb != VerbDrill {
		args = in.takeRunID(args)
	}
	switch verb {
	case VerbActivate, VerbDrill, VerbPriorities:
		seen := map[string]bool{}
		for _, a := range args {
			for _, s := range strings.Split(a, ",") {
				s = strings.ToLower(strings.TrimSpace(s))
				if s != "" && !seen[s] {
					seen[s] = true
					in.Services = append(in.Services, s)
				}
			}
		}
	case VerbNote:
		args = in.takeRunID(args)
		in.Text = strings.TrimSpace(afterWords(text, len(fields)-len(args)))
		if in.Text == "" {
			return in, &ParseError{ES: "Escriba el texto de la nota: `nota TEXTO`.", EN: "Write the note's text: `note TEXT`."}
		}
	case VerbAbort, VerbClose:
		in.Text = strings.Join(args, " ")
	case VerbAssign:
		if len(args) != 2 {
			return in, &ParseError{ES: "Uso: `asignar ROL @usuario`.", EN: "Usage: `assign ROLE @user`."}
		}
		in.Role = strings.ToLower(args[0])
		m, ok := parseMention(args[1])
		if !ok {
			return in, &ParseError{ES: "Mencione a la persona con @: `asignar ROL @usuario`.", EN: "Mention the person with @: `assign ROLE @user`."}
		}
		in.User = m
	case VerbExport:
		in.Format = "pdf"
		if len(args) > 1 {
			return in, &ParseError{ES: "Uso: `exportar [csv|json|md|html|pdf]`.", EN: "Usage: `export [csv|json|md|html|pdf]`."}
		}
		if len(args) == 1 {
			in.Format = strings.ToLower(args[0])
			if !isFormat(in.Format) {
				return in, &ParseError{ES: "Formato desconocido «" + args[0] + "»: use csv, json, md, html o pdf.",
					EN: "Unknown format " + `"` + args[0] + `"` + ": use csv, json, md, html or pdf."}
			}
		}
	default:
		if len(args) > 0 {
			return in, &ParseError{ES: "`" + word + "` no lleva argumentos.", EN: "`" + word + "` takes no arguments."}
		}
	}
	return in, nil
}

// takeRunID removes a leading or trailing run id from args.
func (in *Intent) takeRunID(args []string) []string {
	if len(args) > 0 && runIDPattern.MatchString(args[0]) {
		in.RunID = strings.ToUpper(args[0])
		return args[1:]
	}
	if n := len(args); n > 0 && in.Verb != VerbNote && runIDPattern.MatchString(args[n-1]) {
		in.RunID = strings.ToUpper(args[n-1])
		return args[:n-1]
	}
	return args
}

// afterWords returns text after its first n whitespace-separated words,
// keeping the rest as typed (a note keeps its spacing and line breaks).
func afterWords(text string, n int) string {
	rest := text
	for range n {
		rest = strings.TrimLeft(rest, " \t\r\n")
		i := strings.IndexAny(rest, " \t\r\n")
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	return rest
}

func parseMention(s string) (Mention, bool) {
	if m := slackMention.FindStringSubmatch(s); m != nil {
		return Mention{ID: m[1], Name: m[2]}, true
	}
	if m := plainMention.FindStringSubmatch(s); m != nil {
		return Mention{Name: m[1]}, true
	}
	return Mention{}, false
}

func isFormat(f string) bool {
	for _, x := range ExportFormats {
		if f == x {
			return true
		}
	}
	return false
}
