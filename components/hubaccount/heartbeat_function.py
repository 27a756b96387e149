"""secalerts heartbeat function (Python 3.12, standard library and boto3).

Two kinds of invocation:

* a member heartbeat, handed over by the heartbeat rule of a customer bus as
  {"bus": ..., "account": ..., "region": ..., "time": ...}: it records when
  that account and region were last heard from;
* the hourly check, {"check": true}: it reports every account and region
  silent for longer than MISSING_AFTER_HOURS with one
  "secalerts heartbeat missing" event on the customer's bus, which the
  hub's heartbeat-missing rule delivers to the customer and the operator.

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
    def __init__(self, table, missing_after_hours, forget_after_days):
        if not table:
            raise ValueError("TABLE_NAME is not set")
        if missing_after_hours <= 0 or forget_after_days <= 0:
            raise ValueError("MISSING_AFTER_HOURS and FORGET_AFTER_DAYS must be positive")
        self.table = table
        self.missing_after_hours = missing_after_hours
        self.missing_after = missing_after_hours * 3600
        self.forget_after = forget_after_days * 86400

    @classmethod
    def from_env(cls, env):
        return cls(env.get("TABLE_NAME", ""), int(env.get("MISSING_AFTER_HOURS", "3")),
                   int(env.get("FORGET_AFTER_DAYS", "7")))


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
    time back; a clock in the future is not believed."""
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


def silent_pairs(items, settings, now):
    """The items silent for longer than missing_after: exactly that much is
    still fine. Forgotten items (TTL passed, not yet deleted: DynamoDB
    deletes expired items within a few days) are skipped."""
    out = []
    for item in items:
        last, expires = int(item["lastSeen"]["N"]), int(item["expiresAt"]["N"])
        if expires <= now or now - last <= settings.missing_after:
            continue
        out.append({
            "account": item["account"]["S"],
            "region": item["region"]["S"],
            "bus": item["bus"]["S"],
            "lastSeen": last,
        })
    out.sort(key=lambda p: (p["bus"], p["account"], p["region"]))
    return out


def scan(ddb, table):
    kwargs = {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        yield from page.get("Items", [])
        if not page.get("LastEvaluatedKey"):
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def report_entry(pair, settings, now):
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
        }, sort_keys=True),
    }


def check(ddb, events, settings, now):
    """Reports every silent pair once."""
    silent = silent_pairs(scan(ddb, settings.table), settings, now)
    entries = [report_entry(p, settings, now) for p in silent]
    failed, reasons = 0, []
    for i in range(0, len(entries), PUT_EVENTS_BATCH):
        batch = entries[i:i + PUT_EVENTS_BATCH]
        resp = events.put_events(Entries=batch)
        failed += resp.get("FailedEntryCount", 0)
        for entry, result in zip(batch, resp.get("Entries", [])):
            if result.get("ErrorCode"):
                reasons.append("%s: %s" % (entry["EventBusName"], result["ErrorCode"]))
    if failed:
        raise RuntimeError("putting %d of %d heartbeat-missing reports failed: %s" % (failed, len(entries), ", ".join(reasons)))
    return {"silent": len(silent)}
