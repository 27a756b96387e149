"""Offline tests of heartbeat_function.py, run by heartbeat_function_test.go
with python3 -m unittest; fakes stand in for DynamoDB and EventBridge."""

import json
import unittest

import heartbeat_function as hf

HOUR = 3600
NOW = 1772600000  # 2026-03-04T04:53:20Z
ENV = {"TABLE_NAME": "secalerts-heartbeats", "MISSING_AFTER_HOURS": "3", "FORGET_AFTER_DAYS": "7"}


class ConditionalCheckFailed(Exception):
    response = {"Error": {"Code": "ConditionalCheckFailedException"}}


class FakeDynamoDB:
    """The part of the DynamoDB client the function uses, with pages of two
    items so the scan's pagination is exercised."""

    def __init__(self):
        self.items = {}

    def update_item(self, TableName, Key, UpdateExpression, ConditionExpression,
                    ExpressionAttributeNames, ExpressionAttributeValues):
        pk = Key["pk"]["S"]
        new = int(ExpressionAttributeValues[":t"]["N"])
        old = self.items.get(pk)
        if old is not None and not int(old["lastSeen"]["N"]) < new:
            raise ConditionalCheckFailed()
        item = {"pk": Key["pk"]}
        for name, attr in ExpressionAttributeNames.items():
            item[attr] = ExpressionAttributeValues[":" + name[1]]
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
        self.assertEqual(result, {"silent": 1})
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

    def test_reported_once_per_check(self):
        self.beat("111111111111", "us-east-1", NOW - 4 * HOUR)
        for hours in (0, 1, 2):
            _, reports = self.check(NOW + hours * HOUR)
            self.assertEqual([(r["account"], r["region"]) for r in reports], [("111111111111", "us-east-1")])

    def test_never_seen_is_not_invented(self):
        result, reports = self.check(NOW)
        self.assertEqual((result, reports), ({"silent": 0}, []))
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
        self.assertEqual(result, {"silent": 23})
        self.assertEqual([len(c) for c in events.calls], [10, 10, 3])
        self.assertEqual(len({(r["account"], r["region"]) for r in reports}), 23)
        for r in reports:
            want = "secalerts-acme" if int(r["account"]) % 2 else "secalerts-globex"
            self.assertEqual(r["bus"], want)

    def test_failed_put_raises(self):
        self.beat("111111111111", "eu-west-1", NOW - 4 * HOUR)
        with self.assertRaisesRegex(RuntimeError, "1 of 1 heartbeat-missing reports failed: secalerts-acme: AccessDeniedException"):
            self.check(NOW, FakeEvents(fail=1))

    def test_missing_after_hours_is_configurable(self):
        self.env["MISSING_AFTER_HOURS"] = "6"
        self.beat("111111111111", "eu-west-1", NOW - 5 * HOUR)
        _, reports = self.check(NOW)
        self.assertEqual(reports, [])
        _, reports = self.check(NOW + 2 * HOUR)
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports[0]["missingAfterHours"], 6)

    def test_rejects_bad_input(self):
        for bad in ({}, {"check": "yes"}, heartbeat("1111", "eu-west-1", NOW),
                    heartbeat("111111111111", "eu-west-1", NOW, bus="default"),
                    heartbeat("111111111111", "eu west 1", NOW)):
            with self.assertRaises(ValueError, msg=repr(bad)):
                hf.handler(bad, None, ddb=self.ddb, events=FakeEvents(), now=NOW)
        self.assertEqual(self.ddb.items, {})


if __name__ == "__main__":
    unittest.main()
