#!/usr/bin/env python3
"""bench/exchange_gen.py - write a large document of an exchange format to stdout,
for measuring `kyokun add` on big files (bench/exchange.sh --huge) and for the
KYOKUN_TEST_HUGE run of tests/cli/test_exchange_bad.sh.

    python3 bench/exchange_gen.py stix|misp|veris MB [bad]     valid records up to MB megabytes
    python3 bench/exchange_gen.py deep|wide|garbage MB        hostile: nesting, tiny values, random bytes

With "bad" the last record lacks a required field (the file must be refused whole).
Records are foreign ones (no kyokun case inside): an incident, an event with an
EventReport, a VERIS 1.4 incident; ids are UUIDv5 of their number.
"""
import json
import os
import sys
import uuid

kind, mb = sys.argv[1], int(sys.argv[2])
bad = len(sys.argv) > 3 and sys.argv[3] == "bad"
size = mb << 20
out = sys.stdout


def u(i, k):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kyokun-bench-%s-%d" % (k, i)))


def records(make, sep, head, tail):
    out.write(head)
    n, i = len(head), 0
    while n < size - 4096:
        s = json.dumps(make(i), ensure_ascii=False)
        if i:
            out.write(sep)
        out.write(s)
        n += len(s.encode()) + len(sep)
        i += 1
    if bad:
        r = make(i)
        for k in ("name", "info", "incident_id"):
            r.pop(k, None)
            if "Event" in r:
                r["Event"].pop(k, None)
        out.write(sep + json.dumps(r, ensure_ascii=False))
    out.write(tail)
    print("%s: %d records" % (kind, i + bad), file=sys.stderr)


if kind == "stix":
    records(lambda i: {"type": "incident", "spec_version": "2.1", "id": "incident--" + u(i, "i"),
                       "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
                       "name": "大規模テスト事案 %d" % i, "description": "サービス停止が発生した。\n" * 8},
            ",\n", '{"type":"bundle","id":"bundle--%s","objects":[\n' % u(0, "b"), "\n]}\n")
elif kind == "misp":
    records(lambda i: {"Event": {"uuid": u(i, "m"), "info": "大規模テスト事案 %d" % i, "date": "2020-01-01",
                                 "Tag": [{"name": "tlp:clear"}],
                                 "EventReport": [{"content": "# 概要\nサービス停止が発生した。\n" * 8}]}},
            ",\n", "[\n", "\n]\n")
elif kind == "veris":
    records(lambda i: {"schema_version": "1.4.1", "incident_id": u(i, "v").upper(),
                       "summary": "Service outage after a DoS. " * 8, "timeline": {"incident": {"year": 2020}},
                       "security_incident": "Confirmed"}, "\n", "", "\n")
elif kind == "deep":
    out.write("[" * (size // 2) + "]" * (size // 2))
elif kind == "wide":
    out.write('{"type":"bundle","objects":[' + ",".join(["1"] * (size // 2 - 16)) + "]}")
elif kind == "garbage":
    out.flush()
    sys.stdout.buffer.write(os.urandom(size))
else:
    sys.exit("usage: exchange_gen.py stix|misp|veris|deep|wide|garbage MB [bad]")
