package postgres

import "testing"

func TestJSONBKeepsNumbers(t *testing.T) {
	tests := []struct {
		payload string
		want    bool
	}{
		{`{"a":1,"b":-2.50,"c":"1e5","d":"-0"}`, true},
		{`{"text":"entre-líneas e ideas"}`, true},
		{`{"n":1e2}`, false},
		{`{"n":[1,2,{"m":1.5E-7}]}`, false},
		{`{"n":-0}`, false},
		{`{"n":-0.000}`, false},
		{`{"n":-0.001}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.payload, func(t *testing.T) {
			if got := jsonbKeepsNumbers([]byte(tt.payload)); got != tt.want {
				t.Fatalf("jsonbKeepsNumbers(%s) = %v, want %v", tt.payload, got, tt.want)
			}
		})
	}
}
