package config

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Role
	}{{"hub", RoleHub}, {"member", RoleMember}} {
		if got, err := ParseRole(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseRole(%q) = %q, %v", tc.in, got, err)
		}
	}
	for _, in := range []string{"", "Hub", "spoke"} {
		_, err := ParseRole(in)
		if err == nil || !strings.Contains(err.Error(), "secalerts:role") || !strings.Contains(err.Error(), "hub or member") {
			t.Errorf("ParseRole(%q) error = %v; want one naming secalerts:role and hub or member", in, err)
		}
	}
}

func TestDefaultRegions(t *testing.T) {
	got := DefaultRegions()
	want := []string{
		"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
		"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("DefaultRegions() = %v, want %v", got, want)
	}
	got[0] = "changed"
	if DefaultRegions()[0] != "ap-northeast-1" {
		t.Error("DefaultRegions returns the package's own slice")
	}
	for _, r := range knownRegions() {
		if !regionShape.MatchString(r) {
			t.Errorf("known region %q does not match regionShape", r)
		}
	}
}
