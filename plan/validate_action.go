package plan

import (
	"fmt"
	"slices"
	"strings"
)

// action checks an action binding against the catalog: the kind exists,
// every parameter is accepted and has the right type, and every required
// parameter is given. path is the element that holds action and params.
func (v *validator) action(path, owner, kind string, params map[string]any) {
	if v.cat == nil || kind == "" {
		return
	}
	spec, ok := v.cat.Action(kind)
	if !ok {
		v.add(path+".action", "%s runs action %q, which is not an action the bot knows", owner, kind)
		return
	}
	accepted := make(map[string]ParamSpec, len(spec.Params))
	names := make([]string, 0, len(spec.Params))
	for _, ps := range spec.Params {
		accepted[ps.Name] = ps
		names = append(names, ps.Name)
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ppath := path + ".params." + k
		ps, ok := accepted[k]
		if !ok {
			if len(names) == 0 {
				v.add(ppath, "action %s takes no parameters, but %s gives it %q", kind, owner, k)
			} else {
				v.add(ppath, "action %s does not accept parameter %q (it accepts %s)", kind, k, strings.Join(names, ", "))
			}
			continue
		}
		if msg := checkParam(ps, params[k]); msg != "" {
			v.add(ppath, "parameter %q of action %s %s", k, kind, msg)
		}
	}
	for _, ps := range spec.Params {
		if _, given := params[ps.Name]; ps.Required && !given {
			v.add(path+".action", "%s runs %s without its required parameter %q", owner, kind, ps.Name)
		}
	}
}

// actionScope reports an action that works on one server at a time bound
// to a step or readiness check that does not expand per server: the bot
// would have no server to run it on.
func (v *validator) actionScope(path, owner, kind string, scope Scope) {
	if v.cat == nil || kind == "" {
		return
	}
	spec, ok := v.cat.Action(kind)
	if !ok || spec.Target != ScopeServer || scope == ScopeServer {
		return
	}
	if scope != "" && scope != ScopeGlobal && scope != ScopeService {
		return // not a scope at all: reported as such
	}
	at := path + ".scope"
	if scope == "" {
		scope, at = ScopeGlobal, path+".action"
	}
	v.add(at, "%s runs %s, which acts on one server at a time, so its scope must be server, not %s", owner, kind, scope)
}

// checkParam returns why x is not a valid value of ps, or "".
func checkParam(ps ParamSpec, x any) string {
	switch ps.Type {
	case ParamString:
		if _, ok := x.(string); !ok {
			return fmt.Sprintf("must be text, not %s; write it in quotes", describeParamValue(x))
		}
	case ParamInt:
		switch x.(type) {
		case int, int64, uint64:
		default:
			return fmt.Sprintf("must be a whole number, not %s", describeParamValue(x))
		}
	case ParamBool:
		if _, ok := x.(bool); !ok {
			return fmt.Sprintf("must be true or false, not %s", describeParamValue(x))
		}
	case ParamDuration:
		s, ok := x.(string)
		if !ok {
			if _, isDur := x.(Duration); isDur {
				return ""
			}
			return fmt.Sprintf("must be a duration like 30s, 5m or 4h, not %s", describeParamValue(x))
		}
		if _, err := ParseDuration(s); err != nil {
			return "must be a duration: " + err.Error()
		}
	case ParamStrings:
		switch l := x.(type) {
		case []string:
		case []any:
			for i, item := range l {
				if _, ok := item.(string); !ok {
					return fmt.Sprintf("must be a list of texts, but item %d is %s", i+1, describeParamValue(item))
				}
			}
		default:
			return fmt.Sprintf("must be a list of texts, not %s", describeParamValue(x))
		}
	}
	return ""
}

// describeParamValue names a decoded parameter value for messages.
func describeParamValue(x any) string {
	switch x := x.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("the text %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case []any, []string:
		return "a list"
	case map[string]any:
		return "a mapping of keys"
	default:
		return fmt.Sprintf("the number %v", x)
	}
}
