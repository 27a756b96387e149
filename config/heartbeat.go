package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Heartbeat defaults: every forwarding rule of a member sends a heartbeat
// every half hour, and the hub reports a rule it has not heard from for 90
// minutes, which tolerates two lost or late heartbeats and still reports a
// disabled rule within two hours (at most 90 minutes plus the 5-minute
// check after its last heartbeat).
const (
	DefaultHeartbeatSchedule            = "rate(30 minutes)"
	DefaultHeartbeatMissingAfterMinutes = 90
	// DefaultHeartbeatRemindEveryHours reminds of a silence once a day
	// after its first report: hourly repeats of the same HIGH alert teach
	// people to ignore it.
	DefaultHeartbeatRemindEveryHours = 24
)

// Bounds of the heartbeat settings.
const (
	// minHeartbeatInterval keeps a schedule from costing more than it tells:
	// one event a minute per region is already 43,800 a month.
	minHeartbeatInterval = time.Minute
	// maxHeartbeatInterval is one day: a silence longer than that is not a
	// heartbeat any more.
	maxHeartbeatInterval = 24 * time.Hour
	// minMissingAfterMinutes is three of the hub's 5-minute checks: a
	// shorter limit reports heartbeats that are merely late.
	minMissingAfterMinutes = 15
	// maxMissingAfterMinutes is a week, about the time the hub remembers a
	// silent rule before it forgets it.
	maxMissingAfterMinutes = 7 * 24 * 60
	// minRemindEveryHours is the hub's check interval: it cannot remind
	// more often than it looks.
	minRemindEveryHours = 1
	// maxRemindEveryHours is a week: the hub forgets a silent account and
	// region about a week after it fell silent, so a longer interval would
	// never remind.
	maxRemindEveryHours = 168
)

// MemberHeartbeat is secalerts:member.heartbeat.
type MemberHeartbeat struct {
	// Enabled sends the heartbeat (default true).
	Enabled bool
	// Schedule is an EventBridge rate expression (default rate(1 hour)).
	Schedule string
	// Interval is Schedule as a duration.
	Interval time.Duration
}

// HubHeartbeat is secalerts:hub.heartbeat.
type HubHeartbeat struct {
	// Enabled watches the members' heartbeats (default true).
	Enabled bool
	// MissingAfterMinutes is how long a member's forwarding rule may stay
	// silent before the hub reports it (default 90). It must exceed every
	// member's schedule, twice for one lost heartbeat to go unreported.
	MissingAfterMinutes int
	// RemindEveryHours is how long after reporting a silence the hub
	// reports it again while it lasts (default 24).
	RemindEveryHours int
}

// rateShape is an EventBridge rate expression: "rate(value unit)", the unit
// singular when value is 1 and plural otherwise (EventBridge User Guide,
// "Creating a rule that runs on a schedule" -> rate expressions).
var rateShape = regexp.MustCompile(`^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$`)

// ParseRate reads an EventBridge rate expression as a duration.
func ParseRate(expr string) (time.Duration, error) {
	m := rateShape.FindStringSubmatch(expr)
	if m == nil {
		return 0, fmt.Errorf("%q is not a rate expression (expected rate(<number> <minute|minutes|hour|hours|day|days>), e.g. %s)", expr, DefaultHeartbeatSchedule)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, fmt.Errorf("%q: %w", expr, err)
	}
	name, plural := strings.CutSuffix(m[2], "s")
	if (n == 1) == plural {
		want := "singular"
		if n != 1 {
			want = "plural"
		}
		return 0, fmt.Errorf("%q: EventBridge wants the unit %s when the value is %d", expr, want, n)
	}
	unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[name]
	return time.Duration(n) * unit, nil
}

// readMemberHeartbeat reads secalerts:member.heartbeat; absent is the
// default, a heartbeat every half hour.
func readMemberHeartbeat(p *problems, o object) MemberHeartbeat {
	h := MemberHeartbeat{Enabled: true, Schedule: DefaultHeartbeatSchedule, Interval: 30 * time.Minute}
	raw, ok := o.raw("heartbeat")
	if !ok {
		return h
	}
	ho, ok := readObject(p, o.key("heartbeat"), raw, "enabled", "schedule")
	if !ok {
		return h
	}
	if b, _ := ho.boolean(p, "enabled"); b != nil {
		h.Enabled = *b
	}
	if s, ok := ho.str(p, "schedule"); ok {
		h.Schedule = s
		d, err := ParseRate(s)
		switch {
		case err != nil:
			p.addf(ho.key("schedule"), "%v", err)
		case d < minHeartbeatInterval || d > maxHeartbeatInterval:
			p.addf(ho.key("schedule"), "%q is out of range (expected every %s to every %s)", s, minHeartbeatInterval, maxHeartbeatInterval)
		default:
			h.Interval = d
		}
	}
	return h
}

// readHubHeartbeat reads secalerts:hub.heartbeat; absent is the default,
// on with 90 minutes and a daily reminder.
func readHubHeartbeat(p *problems, o object) HubHeartbeat {
	h := HubHeartbeat{Enabled: true, MissingAfterMinutes: DefaultHeartbeatMissingAfterMinutes, RemindEveryHours: DefaultHeartbeatRemindEveryHours}
	raw, ok := o.raw("heartbeat")
	if !ok {
		return h
	}
	ho, ok := readObject(p, o.key("heartbeat"), raw, "enabled", "missingAfterMinutes", "remindEveryHours")
	if !ok {
		return h
	}
	if b, _ := ho.boolean(p, "enabled"); b != nil {
		h.Enabled = *b
	}
	if n, ok := ho.integer(p, "missingAfterMinutes"); ok && n != nil {
		h.MissingAfterMinutes = *n
		if *n < minMissingAfterMinutes || *n > maxMissingAfterMinutes {
			p.addf(ho.key("missingAfterMinutes"), "%d is out of range (expected %d to %d minutes, more than twice the longest secalerts:member.heartbeat.schedule of the members, %s by default)",
				*n, minMissingAfterMinutes, maxMissingAfterMinutes, DefaultHeartbeatSchedule)
		}
	}
	if n, ok := ho.integer(p, "remindEveryHours"); ok && n != nil {
		h.RemindEveryHours = *n
		if *n < minRemindEveryHours || *n > maxRemindEveryHours {
			p.addf(ho.key("remindEveryHours"), "%d is out of range (expected %d to %d hours between reminders of a silence, %d by default)",
				*n, minRemindEveryHours, maxRemindEveryHours, DefaultHeartbeatRemindEveryHours)
		}
	}
	return h
}
