package actions

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/contingencia/contingencia/plan"
)

// Spec returns the catalog entry of kind.
func Spec(kind string) (plan.ActionSpec, bool) {
	for _, s := range Specs {
		if s.Kind == kind {
			return s, true
		}
	}
	return plan.ActionSpec{}, false
}

// ValidateParams checks params against the catalog entry of kind at run
// time: the kind exists, every parameter is accepted with the right type,
// every required one is given. Unlike the plan validator it also accepts
// the shapes JSON decoding produces (float64 whole numbers, []any), since
// parameters travel in job arguments. Its errors are permanent.
func ValidateParams(kind string, params map[string]any) error {
	spec, ok := Spec(kind)
	if !ok {
		return Permanent(fmt.Errorf("acción desconocida %q", kind))
	}
	var problems []string
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i := slices.IndexFunc(spec.Params, func(p plan.ParamSpec) bool { return p.Name == k })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("parámetro %q no admitido", k))
			continue
		}
		if _, err := convert(spec.Params[i].Type, params[k]); err != nil {
			problems = append(problems, fmt.Sprintf("parámetro %q: %v", k, err))
		}
	}
	for _, p := range spec.Params {
		if _, given := params[p.Name]; p.Required && !given {
			problems = append(problems, fmt.Sprintf("falta el parámetro obligatorio %q", p.Name))
		}
	}
	if len(problems) > 0 {
		return Permanent(fmt.Errorf("%s: %s", kind, strings.Join(problems, "; ")))
	}
	return nil
}

// convert turns a decoded parameter value into string, int64, bool,
// time.Duration or []string according to t.
func convert(t plan.ParamType, x any) (any, error) {
	switch t {
	case plan.ParamString:
		if s, ok := x.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("debe ser texto, no %T", x)
	case plan.ParamInt:
		switch n := x.(type) {
		case int:
			return int64(n), nil
		case int64:
			return n, nil
		case uint64:
			if n <= math.MaxInt64 {
				return int64(n), nil
			}
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return int64(n), nil
			}
		case json.Number:
			if v, err := n.Int64(); err == nil {
				return v, nil
			}
		}
		return nil, fmt.Errorf("debe ser un número entero, no %v", x)
	case plan.ParamBool:
		if b, ok := x.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("debe ser true o false, no %v", x)
	case plan.ParamDuration:
		switch d := x.(type) {
		case string:
			v, err := plan.ParseDuration(d)
			if err != nil {
				return nil, fmt.Errorf("%q no es una duración (use 30s, 5m, 4h, 2d)", d)
			}
			return v.D(), nil
		case plan.Duration:
			return d.D(), nil
		case time.Duration:
			return d, nil
		}
		return nil, fmt.Errorf("debe ser una duración como 30s, 5m o 4h, no %v", x)
	case plan.ParamStrings:
		switch l := x.(type) {
		case []string:
			return l, nil
		case []any:
			out := make([]string, len(l))
			for i, item := range l {
				s, ok := item.(string)
				if !ok {
					return nil, fmt.Errorf("el elemento %d debe ser texto, no %v", i+1, item)
				}
				out[i] = s
			}
			return out, nil
		case string:
			return []string{l}, nil
		}
		return nil, fmt.Errorf("debe ser una lista de textos, no %T", x)
	}
	return nil, fmt.Errorf("tipo de parámetro %q desconocido", t)
}

// param returns the converted value of name, or ok=false when absent or
// of the wrong type (ValidateParams reports those).
func (r Request) param(name string, t plan.ParamType) (any, bool) {
	x, given := r.Params[name]
	if !given || x == nil {
		return nil, false
	}
	v, err := convert(t, x)
	return v, err == nil
}

// String returns the text parameter name, or def.
func (r Request) String(name, def string) string {
	if v, ok := r.param(name, plan.ParamString); ok {
		return v.(string)
	}
	return def
}

// Int returns the whole-number parameter name, or def.
func (r Request) Int(name string, def int64) int64 {
	if v, ok := r.param(name, plan.ParamInt); ok {
		return v.(int64)
	}
	return def
}

// Bool returns the boolean parameter name, or def.
func (r Request) Bool(name string, def bool) bool {
	if v, ok := r.param(name, plan.ParamBool); ok {
		return v.(bool)
	}
	return def
}

// Duration returns the duration parameter name, or def.
func (r Request) Duration(name string, def time.Duration) time.Duration {
	if v, ok := r.param(name, plan.ParamDuration); ok {
		return v.(time.Duration)
	}
	return def
}

// Strings returns the list parameter name, or nil.
func (r Request) Strings(name string) []string {
	if v, ok := r.param(name, plan.ParamStrings); ok {
		return v.([]string)
	}
	return nil
}
