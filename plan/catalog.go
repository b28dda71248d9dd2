package plan

// ParamType is the type a plan file must give an action parameter.
type ParamType string

const (
	ParamString   ParamType = "string"
	ParamInt      ParamType = "int"
	ParamBool     ParamType = "bool"
	ParamDuration ParamType = "duration"
	ParamStrings  ParamType = "strings"
)

// ParamSpec describes one parameter an action accepts.
type ParamSpec struct {
	Name     string
	Type     ParamType
	Required bool
	Help     string
}

// ActionSpec describes an action kind: what it needs and how risky it is.
type ActionSpec struct {
	Kind   string
	Params []ParamSpec
	// Target says what the action runs on: "server", "service" or "run".
	Target Scope
	// Destructive actions get a pre-flight summary and a confirmation.
	Destructive bool
}

// Catalog resolves action kinds for validation. The actions package
// provides the real one; the domain only declares what it needs.
type Catalog interface {
	Action(kind string) (ActionSpec, bool)
}
