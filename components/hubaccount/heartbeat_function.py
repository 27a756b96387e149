"""secalerts heartbeat function (Python 3.12, standard library and boto3).

Two kinds of invocation:

* a member heartbeat, handed over by the heartbeat rule of a customer bus as
  {"bus": ..., "account": ..., "region": ..., "time": ...}: it records when
  that account and region were last heard from;
* the hourly check, {"check": true}: it reports an account and region
  silent for longer than MISSING_AFTER_HOURS with one
  "secalerts heartbeat missing" event on the customer's bus, which the
  hub's heartbeat-missing rule delivers to the customer and the operator.

A silence is reported when it is first found and then reminded of every
REMIND_EVERY_HOURS, not at every check: 24 identical alerts a day teach
people to ignore them. The item remembers when its silence was first and
last reported (firstReported, lastReported), written only once PutEvents
took the report, so a report that failed goes out again at the next check.
A pair heard from since its last report (lastSeen >= lastReported) that
falls silent again is a new silence, reported at once.

A pair is only ever reported after it was heard from once: the hub does not
invent accounts or regions, and learns them from the heartbeats themselves.
A pair silent for FORGET_AFTER_DAYS is forgotten (DynamoDB TTL), so a
retired account or region stops being reported.

Every failure raises: the function's Errors alarm and its dead-letter queue
tell the operator.
"""

import datetime
import json
import os
import time

SOURCE = "secalerts.heartbeat"
DETAIL_TYPE = "secalerts heartbeat missing"
BUS_PREFIX = "secalerts-"
# PutEvents takes at most 10 entries per call.
PUT_EVENTS_BATCH = 10
# The check runs hourly, but never exactly an hour apart (schedule jitter,
# cold starts): a reminder is due half a check early, so one due in 24 hours
# goes out at the 24th check, not the 25th.
CHECK_SLACK = 1800


def handler(event, context, ddb=None, events=None, now=None):
    """Lambda entry point; ddb, events and now are for tests."""
    settings = Settings.from_env(os.environ)
    now = int(time.time()) if now is None else now
    if isinstance(event, dict) and event.get("check") is True:
        if ddb is None or events is None:
            import boto3  # only in Lambda: tests pass fakes

            ddb = ddb or boto3.client("dynamodb")
            events = events or boto3.client("events")
        return check(ddb, events, settings, now)
    if isinstance(event, dict) and "bus" in event:
        if ddb is None:
            import boto3

            ddb = boto3.client("dynamodb")
        return record(ddb, settings, parse_heartbeat(event), now)
    raise ValueError("unexpected input: want a heartbeat from the heartbeat rule or {\"check\": true}")


class Settings:
    def __init__(self, table, missing_after_hours, forget_after_days, remind_every_hours):
        if not table:
            raise ValueError("TABLE_NAME is not set")
        if missing_after_hours <= 0 or forget_after_days <= 0 or remind_every_hours <= 0:
            raise ValueError("MISSING_AFTER_HOURS, FORGET_AFTER_DAYS and REMIND_EVERY_HOURS must be positive")
        self.table = table
        self.missing_after_hours = missing_after_hours
        self.missing_after = missing_after_hours * 3600
        self.forget_after = forget_after_days * 86400
        self.remind_every_hours = remind_every_hours
        self.remind_every = remind_every_hours * 3600

    @classmethod
    def from_env(cls, env):
        return cls(env.get("TABLE_NAME", ""), int(env.get("MISSING_AFTER_HOURS", "3")),
                   int(env.get("FORGET_AFTER_DAYS", "7")), int(env.get("REMIND_EVERY_HOURS", "24")))


def parse_heartbeat(event):
    """Checks the rule's input: every field is written by EventBridge from
    an aws.events event, but a function should not trust its input blindly."""
    bus, account, region = event.get("bus", ""), event.get("account", ""), event.get("region", "")
    if not (isinstance(bus, str) and bus.startswith(BUS_PREFIX)):
        raise ValueError("heartbeat: bus %r is not a secalerts customer bus" % (bus,))
    if not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
        raise ValueError("heartbeat: account %r is not an AWS account ID" % (account,))
    if not (isinstance(region, str) and 0 < len(region) <= 32 and all(c.isalnum() or c == "-" for c in region)):
        raise ValueError("heartbeat: region %r is not an AWS region" % (region,))
    return {"bus": bus, "account": account, "region": region, "time": event.get("time")}


def parse_time(value):
    """Epoch seconds of an EventBridge time (2026-03-04T05:06:07Z), or None."""
    if not isinstance(value, str):
        return None
    try:
        t = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp())


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(ddb, settings, hb, now):
    """Stores the heartbeat's time for its account and region. A heartbeat
    delivered late (EventBridge retries for up to a day) never moves the
    time back; a clock in the future is not believed. The item's
    lastReported and firstReported are left alone: a lastSeen after
    lastReported is what tells a later silence from the one reported."""
    seen = parse_time(hb["time"])
    if seen is None or seen > now:
        seen = now
    try:
        ddb.update_item(
            TableName=settings.table,
            Key={"pk": {"S": hb["account"] + "#" + hb["region"]}},
            UpdateExpression="SET #a = :a, #r = :r, #b = :b, #t = :t, #x = :x",
            ConditionExpression="attribute_not_exists(#t) OR #t < :t",
            ExpressionAttributeNames={"#a": "account", "#r": "region", "#b": "bus", "#t": "lastSeen", "#x": "expiresAt"},
            ExpressionAttributeValues={
                ":a": {"S": hb["account"]},
                ":r": {"S": hb["region"]},
                ":b": {"S": hb["bus"]},
                ":t": {"N": str(seen)},
                ":x": {"N": str(seen + settings.forget_after)},
            },
        )
    except Exception as e:  # noqa: BLE001 - only the conditional failure is expected
        if error_code(e) != "ConditionalCheckFailedException":
            raise
        return {"recorded": False}
    return {"recorded": True}


def error_code(e):
    response = getattr(e, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code", "")
    return ""


def number(item, name):
    """An N attribute of item as an int, or None when it is absent (items
    written before the function reported only once)."""
    attr = item.get(name)
    return None if attr is None else int(attr["N"])


def due_pairs(items, settings, now):
    """The items silent for longer than missing_after (exactly that much is
    still fine) whose silence is unreported or whose last report is
    remind_every old. Forgotten items (TTL passed, not yet deleted: DynamoDB
    deletes expired items within a few days) are skipped. Also returns how
    many pairs are silent, due or not."""
    out, silent = [], 0
    for item in items:
        last, expires = int(item["lastSeen"]["N"]), int(item["expiresAt"]["N"])
        if expires <= now or now - last <= settings.missing_after:
            continue
        silent += 1
        reported = number(item, "lastReported")
        first = None
        if reported is not None and reported > last:
            # This silence was reported: remind of it, or wait.
            if now - reported < settings.remind_every - CHECK_SLACK:
                continue
            first = number(item, "firstReported") or reported
        out.append({
            "pk": item["pk"]["S"],
            "account": item["account"]["S"],
            "region": item["region"]["S"],
            "bus": item["bus"]["S"],
            "lastSeen": last,
            # None: the first report of this silence.
            "firstReported": first,
        })
    out.sort(key=lambda p: (p["bus"], p["account"], p["region"]))
    return out, silent


def scan(ddb, table):
    kwargs = {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        yield from page.get("Items", [])
        if not page.get("LastEvaluatedKey"):
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def report_entry(pair, settings, now):
    reminder = pair["firstReported"] is not None
    first = iso(pair["firstReported"] if reminder else now)
    if reminder:
        # Text for people: an input transformer cannot choose between two.
        report = "reminder, every %d hours while silent; first reported %s" % (settings.remind_every_hours, first)
    else:
        report = "first report; reminders every %d hours while silent" % settings.remind_every_hours
    return {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPE,
        "EventBusName": pair["bus"],
        "Resources": [],
        "Detail": json.dumps({
            "account": pair["account"],
            "region": pair["region"],
            "customer": pair["bus"][len(BUS_PREFIX):],
            "lastSeen": iso(pair["lastSeen"]),
            "silentHours": "%.1f" % ((now - pair["lastSeen"]) / 3600),
            "missingAfterHours": settings.missing_after_hours,
            "reminder": reminder,
            "firstReported": first,
            "remindEveryHours": settings.remind_every_hours,
            "report": report,
        }, sort_keys=True),
    }


def mark_reported(ddb, settings, pair, now):
    """Stores that pair's silence was reported now. The condition on
    lastSeen skips a pair heard from since the scan (its next silence is a
    new one) or forgotten since (an update would create a bare item)."""
    first = now if pair["firstReported"] is None else pair["firstReported"]
    try:
        ddb.update_item(
            TableName=settings.table,
            Key={"pk": {"S": pair["pk"]}},
            UpdateExpression="SET #r = :r, #f = :f",
            ConditionExpression="#t = :t",
            ExpressionAttributeNames={"#r": "lastReported", "#f": "firstReported", "#t": "lastSeen"},
            ExpressionAttributeValues={
                ":r": {"N": str(now)},
                ":f": {"N": str(first)},
                ":t": {"N": str(pair["lastSeen"])},
            },
        )
    except Exception as e:  # noqa: BLE001 - only the conditional failure is expected
        if error_code(e) != "ConditionalCheckFailedException":
            raise


def check(ddb, events, settings, now):
    """Reports every silent pair whose report is due, and remembers each
    report PutEvents took; one it did not take is due again at the next
    check (or the Lambda retry of this one)."""
    due, silent = due_pairs(scan(ddb, settings.table), settings, now)
    failed, reasons = 0, []
    for i in range(0, len(due), PUT_EVENTS_BATCH):
        batch = due[i:i + PUT_EVENTS_BATCH]
        resp = events.put_events(Entries=[report_entry(p, settings, now) for p in batch])
        results = resp.get("Entries", [])
        if len(results) != len(batch):
            # PutEvents answers one result per entry, in order; without
            # that nothing can be marked reported.
            failed += len(batch)
            reasons.append("PutEvents returned %d results for %d entries" % (len(results), len(batch)))
            continue
        for pair, result in zip(batch, results):
            if result.get("ErrorCode"):
                failed += 1
                reasons.append("%s: %s" % (pair["bus"], result["ErrorCode"]))
                continue
            try:
                mark_reported(ddb, settings, pair, now)
            except Exception as e:  # noqa: BLE001 - the others are still marked, then it raises
                failed += 1
                reasons.append("recording the report of %s: %s" % (pair["pk"], e))
    if failed:
        raise RuntimeError("putting or recording %d of %d heartbeat-missing reports failed: %s" % (failed, len(due), ", ".join(reasons)))
    return {"silent": silent, "reported": len(due)}
