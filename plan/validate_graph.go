package plan

import (
	"fmt"
	"strings"
)

// cycles reports dependency cycles between servers and between services:
// a cycle means nothing in it can ever be restored first.
func (v *validator) cycles() {
	serverDeps := make([][]string, len(v.p.Servers))
	for i, s := range v.p.Servers {
		serverDeps[i] = s.DependsOn
	}
	v.cycle("servers", "server", v.serverIDs, serverDeps)
	serviceDeps := make([][]string, len(v.p.Services))
	for i, s := range v.p.Services {
		serviceDeps[i] = s.DependsOn
	}
	v.cycle("services", "service", v.serviceIDs, serviceDeps)
}

// cycle finds cycles in the graph where element i of the list at path
// depends on deps[i] (ids resolved through index). Each cycle is reported
// once, at the dependency that closes it, naming every element in order.
func (v *validator) cycle(path, kind string, index map[string]int, deps [][]string) {
	const (
		unvisited = iota
		onStack
		done
	)
	state := make([]int, len(deps))
	var stack []int
	var visit func(i int)
	visit = func(i int) {
		state[i] = onStack
		stack = append(stack, i)
		for j, dep := range deps[i] {
			k, ok := index[dep]
			if !ok {
				continue // reported as an unknown reference
			}
			switch state[k] {
			case unvisited:
				visit(k)
			case onStack:
				start := len(stack) - 1
				for stack[start] != k {
					start--
				}
				names := make([]string, 0, len(stack)-start+1)
				for _, n := range stack[start:] {
					names = append(names, v.idAt(path, n))
				}
				names = append(names, dep)
				v.add(fmt.Sprintf("%s[%d].depends_on[%d]", path, i, j), "%ss depend on each other in a cycle: %s", kind, strings.Join(names, " → "))
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = done
	}
	for i := range deps {
		if state[i] == unvisited {
			visit(i)
		}
	}
}

func (v *validator) idAt(path string, i int) string {
	if path == "servers" {
		return v.p.Servers[i].ID
	}
	return v.p.Services[i].ID
}
