"""Offline tests of heartbeat_function.py, run by heartbeat_function_test.go
with python3 -m unittest; fakes stand in for DynamoDB and EventBridge."""

import json
import unittest

import heartbeat_function as hf

HOUR = 3600
NOW = 1772600000  # 2026-03-04T04:53:20Z
ENV = {"TABLE_NAME": "secalerts-heartbeats", "MISSING_AFTER_HOURS": "3", "FORGET_AFTER_DAYS": "7", "REMIND_EVERY_HOURS": "24"}


class ConditionalCheckFailed(Exception):
    response = {"Error": {"Code": "ConditionalCheckFailedException"}}


class Throttled(Exception):
    response = {"Error": {"Code": "ProvisionedThroughputExceededException"}}


class FakeDynamoDB:
    """The part of the DynamoDB client the function uses, with pages of two
    items so the scan's pagination is exercised. UpdateItem evaluates the
    two conditions the function writes and, like DynamoDB, keeps the
    attributes an update does not set."""

    def __init__(self):
        self.items = {}
        self.fail_updates = 0

    def update_item(self, TableName, Key, UpdateExpression, ConditionExpression,
                    ExpressionAttributeNames, ExpressionAttributeValues):
        if self.fail_updates:
            self.fail_updates -= 1
            raise Throttled()
        names, values = ExpressionAttributeNames, ExpressionAttributeValues
        pk = Key["pk"]["S"]
        old = self.items.get(pk)
        current = None if old is None else old.get(names["#t"])
        if ConditionExpression == "attribute_not_exists(#t) OR #t < :t":
            ok = current is None or int(current["N"]) < int(values[":t"]["N"])
        elif ConditionExpression == "#t = :t":
            ok = current == values[":t"]
        else:
            raise AssertionError("unexpected condition %r" % ConditionExpression)
        if not ok:
            raise ConditionalCheckFailed()
        if not UpdateExpression.startswith("SET "):
            raise AssertionError("unexpected update %r" % UpdateExpression)
        item = dict(old or {"pk": Key["pk"]})
        for assignment in UpdateExpression[len("SET "):].split(","):
            name, value = (part.strip() for part in assignment.split("="))
            item[names[name]] = values[value]
        self.items[pk] = item

    def scan(self, TableName, ExclusiveStartKey=None):
        keys = sorted(self.items)
        start = 0 if ExclusiveStartKey is None else keys.index(ExclusiveStartKey["pk"]["S"]) + 1
        page = keys[start:start + 2]
        out = {"Items": [self.items[k] for k in page]}
        if start + 2 < len(keys):
            out["LastEvaluatedKey"] = {"pk": {"S": page[-1]}}
        return out


class FakeEvents:
    def __init__(self, fail=0):
        self.calls = []
        self.fail = fail

    def put_events(self, Entries):
        self.calls.append(Entries)
        results = [{"EventId": "e%d" % i} for i in range(len(Entries))]
        for r in results[:self.fail]:
            r.pop("EventId")
            r["ErrorCode"] = "AccessDeniedException"
        return {"FailedEntryCount": min(self.fail, len(Entries)), "Entries": results}

    def reports(self):
        return [json.loads(e["Detail"]) | {"bus": e["EventBusName"], "source": e["Source"], "detailType": e["DetailType"]}
                for call in self.calls for e in call]


def heartbeat(account, region, at, bus="secalerts-acme"):
    return {"bus": bus, "account": account, "region": region, "time": hf.iso(at)}


class HeartbeatTest(unittest.TestCase):
    def setUp(self):
        self.env = dict(ENV)
        self._environ = hf.os.environ
        hf.os.environ = self.env
        self.ddb = FakeDynamoDB()

    def tearDown(self):
        hf.os.environ = self._environ

    def beat(self, account, region, at, now=None, **kw):
        return hf.handler(heartbeat(account, region, at, **kw), None, ddb=self.ddb, now=at if now is None else now)

    def check(self, now, events=None):
        events = events or FakeEvents()
        result = hf.handler({"check": True}, None, ddb=self.ddb, events=events, now=now)
        return result, events.reports()

    def test_alarm_math(self):
        self.beat("111111111111", "eu-west-1", NOW - (2 * HOUR + 59 * 60))  # 2h59m ago: fine
        self.beat("111111111111", "us-east-1", NOW - (3 * HOUR + 60))      # 3h01m ago: silent
        self.beat("222222222222", "eu-west-1", NOW - 3 * HOUR)              # exactly 3h: still fine
        result, reports = self.check(NOW)
        self.assertEqual(result, {"silent": 1, "reported": 1})
        self.assertEqual(len(reports), 1)
        r = reports[0]
        self.assertEqual((r["account"], r["region"]), ("111111111111", "us-east-1"))
        self.assertEqual(r["bus"], "secalerts-acme")
        self.assertEqual(r["customer"], "acme")
        self.assertEqual(r["source"], "secalerts.heartbeat")
        self.assertEqual(r["detailType"], "secalerts heartbeat missing")
        self.assertEqual(r["lastSeen"], hf.iso(NOW - 3 * HOUR - 60))
        self.assertEqual(r["silentHours"], "3.0")
        self.assertEqual(r["missingAfterHours"], 3)
        self.assertEqual(r["reminder"], False)
        self.assertEqual(r["firstReported"], hf.iso(NOW))
        self.assertEqual(r["remindEveryHours"], 24)
        self.assertEqual(r["report"], "first report; reminders every 24 hours while silent")

    def test_first_report_is_recorded(self):
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)
        self.check(NOW)
        item = self.ddb.items["111111111111#us-east-1"]
        self.assertEqual((item["lastReported"], item["firstReported"]), ({"N": str(NOW)}, {"N": str(NOW)}))
        self.assertEqual(item["lastSeen"], {"N": str(NOW - 4 * HOUR)}, "reporting must not touch lastSeen")

    def test_not_repeated_within_the_interval(self):
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual(len(reports), 1)
        # Hourly checks, each a little early as schedules are: none is due
        # until the 24th.
        for hours in range(1, 24):
            result, reports = self.check(NOW + hours * HOUR - 20)
            self.assertEqual((result, reports), ({"silent": 1, "reported": 0}, []), "check after %d hours" % hours)

    def test_reminder_after_the_interval(self):
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)
        self.check(NOW)
        # The 24th hourly check, 20 seconds early, reminds.
        _, reports = self.check(NOW + 24 * HOUR - 20)
        self.assertEqual(len(reports), 1)
        r = reports[0]
        self.assertEqual((r["account"], r["region"]), ("111111111111", "us-east-1"))
        self.assertEqual(r["reminder"], True)
        self.assertEqual(r["firstReported"], hf.iso(NOW))
        self.assertEqual(r["silentHours"], "28.0")
        self.assertEqual(r["report"], "reminder, every 24 hours while silent; first reported " + hf.iso(NOW))
        # The next reminder counts from this one; the first report stays.
        _, reports = self.check(NOW + 25 * HOUR)
        self.assertEqual(reports, [])
        _, reports = self.check(NOW + 48 * HOUR)
        self.assertEqual([(r["reminder"], r["firstReported"]) for r in reports], [(True, hf.iso(NOW))])

    def test_remind_every_hours_is_configurable(self):
        self.env["REMIND_EVERY_HOURS"] = "1"
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)
        for hours in (0, 1, 2):
            _, reports = self.check(NOW + hours * HOUR)
            self.assertEqual([(r["region"], r["reminder"]) for r in reports], [("us-east-1", hours > 0)])
            self.assertEqual(reports[0]["remindEveryHours"], 1)
        self.env["REMIND_EVERY_HOURS"] = "6"
        for hours in (3, 4, 5, 6, 7):
            _, reports = self.check(NOW + hours * HOUR)
            self.assertEqual(reports, [], "check after %d hours" % hours)
        _, reports = self.check(NOW + 8 * HOUR)
        self.assertEqual(len(reports), 1)

    def test_reminder_sample_is_what_the_function_writes(self):
        # testdata/events/heartbeat-missing/HIGH--reminder.json is what the
        # detector and message tests read: it must stay the function's shape.
        with open("../../testdata/events/heartbeat-missing/HIGH--reminder.json") as f:
            sample = json.load(f)
        first, now = hf.parse_time("2026-03-04T06:00:12Z"), hf.parse_time(sample["time"])
        self.beat("111111111111", "eu-west-1", hf.parse_time("2026-03-04T02:59:00Z"))
        _, reports = self.check(first)
        self.assertEqual([r["reminder"] for r in reports], [False])
        events = FakeEvents()
        self.check(now, events)
        self.assertEqual([json.loads(e["Detail"]) for e in events.calls[0]], [sample["detail"]])

    def test_new_silence_after_recovery_is_reported_at_once(self):
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)
        self.check(NOW)
        self.beat("111111111111", "us-east-1", NOW + HOUR)      # heard from again
        _, reports = self.check(NOW + 2 * HOUR)
        self.assertEqual(reports, [])
        # Silent again: 3h01m after the last heartbeat, well within the 24
        # hours of the first silence's reminder.
        _, reports = self.check(NOW + 4 * HOUR + 60)
        self.assertEqual(len(reports), 1)
        self.assertEqual((reports[0]["reminder"], reports[0]["firstReported"], reports[0]["lastSeen"]),
                         (False, hf.iso(NOW + 4 * HOUR + 60), hf.iso(NOW + HOUR)))

    def test_heard_from_during_the_check_is_not_marked(self):
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)

        class BeatDuringPut(FakeEvents):
            def put_events(inner, Entries):
                # The pair is heard from between the scan and the report.
                self.beat("111111111111", "us-east-1", NOW - 60, now=NOW)
                return FakeEvents.put_events(inner, Entries)

        _, reports = self.check(NOW, BeatDuringPut())
        self.assertEqual(len(reports), 1)
        self.assertNotIn("lastReported", self.ddb.items["111111111111#us-east-1"])
        # Its next silence is a new one, reported as soon as it is found.
        _, reports = self.check(NOW + 3 * HOUR)
        self.assertEqual([r["reminder"] for r in reports], [False])

    def test_forgotten_during_the_check_is_not_recreated(self):
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)

        class ExpireDuringPut(FakeEvents):
            def put_events(inner, Entries):
                self.ddb.items.clear()  # the TTL deleted it
                return FakeEvents.put_events(inner, Entries)

        self.check(NOW, ExpireDuringPut())
        self.assertEqual(self.ddb.items, {})

    def test_item_of_the_previous_version_is_reported_once_then_reminded(self):
        # Items written before lastReported existed have none.
        self.beat("111111111111", "us-east-1", NOW - 30 * HOUR)
        self.assertNotIn("lastReported", self.ddb.items["111111111111#us-east-1"])
        _, reports = self.check(NOW)
        self.assertEqual([r["reminder"] for r in reports], [False])
        _, reports = self.check(NOW + HOUR)
        self.assertEqual(reports, [])

    def test_never_seen_is_not_invented(self):
        result, reports = self.check(NOW)
        self.assertEqual((result, reports), ({"silent": 0, "reported": 0}, []))
        self.beat("111111111111", "eu-west-1", NOW - 10 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual({(r["account"], r["region"]) for r in reports}, {("111111111111", "eu-west-1")})

    def test_pair_that_comes_back_is_cleared(self):
        self.beat("111111111111", "eu-west-1", NOW - 5 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual(len(reports), 1)
        self.beat("111111111111", "eu-west-1", NOW + 10 * 60)
        _, reports = self.check(NOW + HOUR)
        self.assertEqual(reports, [])

    def test_late_heartbeat_does_not_turn_back_the_clock(self):
        self.beat("111111111111", "eu-west-1", NOW - HOUR, now=NOW)
        self.assertEqual(self.beat("111111111111", "eu-west-1", NOW - 5 * HOUR, now=NOW), {"recorded": False})
        _, reports = self.check(NOW)
        self.assertEqual(reports, [])

    def test_future_time_is_not_believed(self):
        self.beat("111111111111", "eu-west-1", NOW + 100 * HOUR, now=NOW - 4 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual(len(reports), 1, "a heartbeat dated in the future must count as received when it arrived")

    def test_forgotten_after_ttl(self):
        self.beat("111111111111", "eu-west-1", NOW - 8 * 24 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual(reports, [])
        self.beat("111111111111", "eu-west-1", NOW - 6 * 24 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual(len(reports), 1)

    def test_reports_go_to_each_pairs_bus_in_batches_of_ten(self):
        for i in range(23):
            self.beat("1%011d" % i, "eu-west-1", NOW - 4 * HOUR, bus="secalerts-acme" if i % 2 else "secalerts-globex")
        events = FakeEvents()
        result, reports = self.check(NOW, events)
        self.assertEqual(result, {"silent": 23, "reported": 23})
        self.assertEqual([len(c) for c in events.calls], [10, 10, 3])
        self.assertEqual(len({(r["account"], r["region"]) for r in reports}), 23)
        for r in reports:
            want = "secalerts-acme" if int(r["account"]) % 2 else "secalerts-globex"
            self.assertEqual(r["bus"], want)

    def test_failed_put_raises(self):
        self.beat("111111111111", "eu-west-1", NOW - 4 * HOUR)
        with self.assertRaisesRegex(RuntimeError, "1 of 1 heartbeat-missing reports failed: secalerts-acme: AccessDeniedException"):
            self.check(NOW, FakeEvents(fail=1))

    def test_failed_put_is_retried_at_the_next_check(self):
        self.beat("111111111111", "eu-west-1", NOW - 4 * HOUR)
        self.beat("222222222222", "eu-west-1", NOW - 4 * HOUR)
        # The first entry of the batch fails, the second is taken.
        with self.assertRaisesRegex(RuntimeError, "1 of 2 heartbeat-missing reports failed"):
            self.check(NOW, FakeEvents(fail=1))
        self.assertNotIn("lastReported", self.ddb.items["111111111111#eu-west-1"])
        self.assertEqual(self.ddb.items["222222222222#eu-west-1"]["lastReported"], {"N": str(NOW)})
        # The next check sends only the failed one, still as a first report.
        result, reports = self.check(NOW + HOUR)
        self.assertEqual(result, {"silent": 2, "reported": 1})
        self.assertEqual([(r["account"], r["reminder"], r["firstReported"]) for r in reports],
                         [("111111111111", False, hf.iso(NOW + HOUR))])
        _, reports = self.check(NOW + 2 * HOUR)
        self.assertEqual(reports, [])

    def test_unrecorded_report_raises_and_is_sent_again(self):
        self.beat("111111111111", "eu-west-1", NOW - 4 * HOUR)
        self.beat("222222222222", "eu-west-1", NOW - 4 * HOUR)
        self.ddb.fail_updates = 1
        with self.assertRaisesRegex(RuntimeError, "1 of 2 heartbeat-missing reports failed: recording the report of 111111111111#eu-west-1"):
            self.check(NOW)
        # The other pair was still recorded; better twice than never.
        self.assertIn("lastReported", self.ddb.items["222222222222#eu-west-1"])
        _, reports = self.check(NOW + HOUR)
        self.assertEqual([r["account"] for r in reports], ["111111111111"])

    def test_missing_after_hours_is_configurable(self):
        self.env["MISSING_AFTER_HOURS"] = "6"
        self.beat("111111111111", "eu-west-1", NOW - 5 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual(reports, [])
        _, reports = self.check(NOW + 2 * HOUR)
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports[0]["missingAfterHours"], 6)

    def test_settings_must_be_positive(self):
        for key in ("MISSING_AFTER_HOURS", "FORGET_AFTER_DAYS", "REMIND_EVERY_HOURS"):
            env = dict(ENV, **{key: "0"})
            with self.assertRaisesRegex(ValueError, key, msg=key):
                hf.Settings.from_env(env)
        self.assertEqual(hf.Settings.from_env({"TABLE_NAME": "t"}).remind_every_hours, 24)

    def test_rejects_bad_input(self):
        for bad in ({}, {"check": "yes"}, heartbeat("1111", "eu-west-1", NOW),
                    heartbeat("111111111111", "eu-west-1", NOW, bus="default"),
                    heartbeat("111111111111", "eu west 1", NOW)):
            with self.assertRaises(ValueError, msg=repr(bad)):
                hf.handler(bad, None, ddb=self.ddb, events=FakeEvents(), now=NOW)
        self.assertEqual(self.ddb.items, {})


if __name__ == "__main__":
    unittest.main()
