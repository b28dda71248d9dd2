package plan

// Service returns the service with id, if any.
func (p *Plan) Service(id string) (*Service, bool) {
	for i := range p.Services {
		if p.Services[i].ID == id {
			return &p.Services[i], true
		}
	}
	return nil, false
}

// Server returns the server with id, if any.
func (p *Plan) Server(id string) (*Server, bool) {
	for i := range p.Servers {
		if p.Servers[i].ID == id {
			return &p.Servers[i], true
		}
	}
	return nil, false
}

// Role returns the role with id, if any.
func (p *Plan) Role(id string) (*Role, bool) {
	for i := range p.Roles {
		if p.Roles[i].ID == id {
			return &p.Roles[i], true
		}
	}
	return nil, false
}

// Unit returns the unit with id, if any.
func (p *Plan) Unit(id string) (*Unit, bool) {
	for i := range p.Units {
		if p.Units[i].ID == id {
			return &p.Units[i], true
		}
	}
	return nil, false
}

// Procedure returns the procedure with id, if any.
func (p *Plan) Procedure(id string) (*Procedure, bool) {
	for i := range p.Procedures {
		if p.Procedures[i].ID == id {
			return &p.Procedures[i], true
		}
	}
	return nil, false
}
