package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want time.Duration
		err  string
	}{
		{expr: "rate(1 hour)", want: time.Hour},
		{expr: "rate(15 minutes)", want: 15 * time.Minute},
		{expr: "rate(1 minute)", want: time.Minute},
		{expr: "rate(2 days)", want: 48 * time.Hour},
		{expr: "rate(1 hours)", err: "wants the unit singular"},
		{expr: "rate(2 hour)", err: "wants the unit plural"},
		{expr: "rate(0 hours)", err: "is not a rate expression"},
		{expr: "cron(0 * * * ? *)", err: "is not a rate expression"},
		{expr: "rate(1 week)", err: "is not a rate expression"},
		{expr: "1h", err: "is not a rate expression"},
	} {
		got, err := ParseRate(tc.expr)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one containing %q", tc.expr, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}

func TestMemberHeartbeat(t *testing.T) {
	useDetectors(t, testDetectors...)
	m, err := ParseMember(memberWith(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := (MemberHeartbeat{Enabled: true, Schedule: "rate(30 minutes)", Interval: 30 * time.Minute}); m.Heartbeat != want {
		t.Errorf("default heartbeat %+v, want %+v", m.Heartbeat, want)
	}
	m, err = ParseMember(memberWith(t, func(m obj) { m["heartbeat"] = obj{"enabled": false, "schedule": "rate(30 minutes)"} }))
	if err != nil {
		t.Fatal(err)
	}
	if want := (MemberHeartbeat{Enabled: false, Schedule: "rate(30 minutes)", Interval: 30 * time.Minute}); m.Heartbeat != want {
		t.Errorf("heartbeat %+v, want %+v", m.Heartbeat, want)
	}
	for _, tc := range []struct {
		value any
		want  string
	}{
		{obj{"schedule": "hourly"}, `secalerts:member.heartbeat.schedule: "hourly" is not a rate expression`},
		{obj{"schedule": "rate(2 days)"}, `secalerts:member.heartbeat.schedule: "rate(2 days)" is out of range`},
		{obj{"enabled": "yes"}, `secalerts:member.heartbeat.enabled: "yes" is not a boolean`},
		{obj{"interval": "rate(1 hour)"}, `secalerts:member.heartbeat.interval: unknown key "interval" (valid keys here: enabled, schedule)`},
		{"on", "secalerts:member.heartbeat: expected an object with keys enabled, schedule, got a string"},
	} {
		_, err := ParseMember(memberWith(t, func(m obj) { m["heartbeat"] = tc.value }))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("heartbeat %v: error %v, want one containing %q", tc.value, err, tc.want)
		}
	}
}

func TestHubHeartbeat(t *testing.T) {
	h, err := ParseHub(hubWith(t, nil), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if want := (HubHeartbeat{Enabled: true, MissingAfterMinutes: 90, RemindEveryHours: 24}); h.Heartbeat != want {
		t.Errorf("default heartbeat %+v, want %+v", h.Heartbeat, want)
	}
	h, err = ParseHub(hubWith(t, func(h obj) { h["heartbeat"] = obj{"enabled": false, "missingAfterMinutes": 360} }), allSecret)
	if err != nil {
		t.Fatal(err)
	}
	if want := (HubHeartbeat{Enabled: false, MissingAfterMinutes: 360, RemindEveryHours: 24}); h.Heartbeat != want {
		t.Errorf("heartbeat %+v, want %+v", h.Heartbeat, want)
	}
	for _, tc := range []struct {
		value any
		want  int
	}{
		{1, 1}, {12, 12}, {168, 168}, {"48", 48},
	} {
		h, err := ParseHub(hubWith(t, func(h obj) { h["heartbeat"] = obj{"remindEveryHours": tc.value} }), allSecret)
		if err != nil {
			t.Errorf("remindEveryHours %v: %v", tc.value, err)
			continue
		}
		if want := (HubHeartbeat{Enabled: true, MissingAfterMinutes: 90, RemindEveryHours: tc.want}); h.Heartbeat != want {
			t.Errorf("remindEveryHours %v: heartbeat %+v, want %+v", tc.value, h.Heartbeat, want)
		}
	}
	for _, tc := range []struct {
		value any
		want  string
	}{
		{obj{"missingAfterMinutes": 14}, "secalerts:hub.heartbeat.missingAfterMinutes: 14 is out of range (expected 15 to 10080 minutes"},
		{obj{"missingAfterMinutes": 10081}, "secalerts:hub.heartbeat.missingAfterMinutes: 10081 is out of range"},
		{obj{"missingAfterMinutes": "3h"}, `secalerts:hub.heartbeat.missingAfterMinutes: "3h" is not a whole number`},
		{obj{"missingAfterHours": 3}, `secalerts:hub.heartbeat.missingAfterHours: unknown key "missingAfterHours"`},
		{obj{"remindEveryHours": 0}, "secalerts:hub.heartbeat.remindEveryHours: 0 is out of range (expected 1 to 168 hours between reminders of a silence, 24 by default)"},
		{obj{"remindEveryHours": -3}, "secalerts:hub.heartbeat.remindEveryHours: -3 is out of range (expected 1 to 168 hours"},
		{obj{"remindEveryHours": 169}, "secalerts:hub.heartbeat.remindEveryHours: 169 is out of range"},
		{obj{"remindEveryHours": 1.5}, `secalerts:hub.heartbeat.remindEveryHours: "1.5" is not a whole number`},
		{obj{"remindEveryHours": "daily"}, `secalerts:hub.heartbeat.remindEveryHours: "daily" is not a whole number`},
		{obj{"remindEveryHours": true}, "secalerts:hub.heartbeat.remindEveryHours: expected a whole number, got a boolean"},
		{obj{"remindAfterHours": 24}, `secalerts:hub.heartbeat.remindAfterHours: unknown key "remindAfterHours" (valid keys here: enabled, missingAfterMinutes, remindEveryHours)`},
		{obj{"schedule": "rate(1 hour)"}, `secalerts:hub.heartbeat.schedule: unknown key "schedule" (valid keys here: enabled, missingAfterMinutes, remindEveryHours)`},
	} {
		_, err := ParseHub(hubWith(t, func(h obj) { h["heartbeat"] = tc.value }), allSecret)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("heartbeat %v: error %v, want one containing %q", tc.value, err, tc.want)
		}
	}
}
