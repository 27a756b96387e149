package severity

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Severity
		ok   bool
	}{
		{"INFORMATIONAL", Informational, true},
		{"low", Low, true},
		{"Medium", Medium, true},
		{"HIGH", High, true},
		{"CRITICAL", Critical, true},
		{"SEVERE", 0, false},
		{"", 0, false},
	} {
		got, err := Parse(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestOrder(t *testing.T) {
	if !(Informational < Low && Low < Medium && Medium < High && High < Critical) {
		t.Fatal("scale is not ordered")
	}
	if s := Severity(9).String(); s != "Severity(9)" {
		t.Fatalf("out of range String() = %q", s)
	}
}
