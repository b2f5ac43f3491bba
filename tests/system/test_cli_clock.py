# SPDX-License-Identifier: BSD-2-Clause
# `ipbl clock show|set|advance`: the manual clock is shared by every process through
# DATA_DIR/clock, set and advance are refused (exit 2) unless [testing] manual_clock = yes,
# and bad input or an unusable data directory gives the contract's exit codes.

import os
import re
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IPBL = os.environ.get("IPBL", str(REPO / "build" / "src" / "cli" / "ipbl"))
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def write_conf(d, manual=True, data=None):
    d = Path(d)
    conf = d / ("manual.conf" if manual else "system.conf")
    text = "[main]\ndata_dir = %s\n" % (data if data is not None else d / "data")
    if manual:
        text += "[testing]\nmanual_clock = yes\n"
    conf.write_text(text)
    return conf


def ipbl(conf, *args):
    return subprocess.run([IPBL, "-c", str(conf)] + list(args), capture_output=True, text=True,
                          timeout=30)


def out(r):
    assert r.returncode == 0, (r.returncode, r.stderr)
    line = r.stdout.strip()
    assert RFC3339.match(line), line
    return line


def epoch(text):
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc).timestamp())


def test_set_then_show_in_second_process(tmp_path):
    conf = write_conf(tmp_path)
    assert out(ipbl(conf, "clock", "set", "2026-11-22T07:30:00Z")) == "2026-11-22T07:30:00Z"
    assert (tmp_path / "data" / "clock").exists()
    assert out(ipbl(conf, "clock", "show")) == "2026-11-22T07:30:00Z"
    time.sleep(1.1)  # a manual clock does not move by itself
    assert out(ipbl(conf, "clock", "show")) == "2026-11-22T07:30:00Z"


def test_set_with_fraction_and_offset(tmp_path):
    conf = write_conf(tmp_path)
    assert out(ipbl(conf, "clock", "set", "2026-01-02T03:04:05.678Z")) == "2026-01-02T03:04:05Z"
    assert out(ipbl(conf, "clock", "set", "2026-01-02T03:04:05+00:00")) == "2026-01-02T03:04:05Z"


def test_set_epoch_seconds(tmp_path):
    conf = write_conf(tmp_path)
    assert out(ipbl(conf, "clock", "set", "@0")) == "1970-01-01T00:00:00Z"
    assert out(ipbl(conf, "clock", "set", "@1795339933")) == "2026-11-22T09:32:13Z"


@pytest.mark.parametrize("delta,seconds", [
    ("25h", 25 * 3600), ("30s", 30), ("5m", 300), ("7d", 7 * 86400), ("1500ms", 1), ("90", 90),
])
def test_advance_seen_by_second_process(tmp_path, delta, seconds):
    conf = write_conf(tmp_path)
    out(ipbl(conf, "clock", "set", "2026-11-22T00:00:00Z"))
    shown = out(ipbl(conf, "clock", "advance", delta))
    assert epoch(shown) == epoch("2026-11-22T00:00:00Z") + seconds
    assert out(ipbl(conf, "clock", "show")) == shown


def test_advances_accumulate(tmp_path):
    conf = write_conf(tmp_path)
    out(ipbl(conf, "clock", "set", "2026-11-22T00:00:00Z"))
    for _ in range(4):
        out(ipbl(conf, "clock", "advance", "6h"))
    assert out(ipbl(conf, "clock", "show")) == "2026-11-23T00:00:00Z"


def test_concurrent_advances_all_counted(tmp_path):
    conf = write_conf(tmp_path)
    out(ipbl(conf, "clock", "set", "2026-11-22T00:00:00Z"))
    procs = [subprocess.Popen([IPBL, "-c", str(conf), "clock", "advance", "1h"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(8)]
    for p in procs:
        assert p.wait(timeout=30) == 0, p.stderr.read()
        p.stderr.close()
    assert out(ipbl(conf, "clock", "show")) == "2026-11-22T08:00:00Z"


def test_new_manual_clock_starts_at_system_time(tmp_path):
    conf = write_conf(tmp_path)
    shown = epoch(out(ipbl(conf, "clock", "show")))
    assert abs(shown - time.time()) < 60


@pytest.mark.parametrize("args", [["set", "2026-11-22T07:30:00Z"], ["advance", "25h"]])
def test_refused_without_manual_clock(tmp_path, args):
    conf = write_conf(tmp_path, manual=False)
    r = ipbl(conf, "clock", *args)
    assert r.returncode == 2, r.stderr
    first = r.stderr.splitlines()[0]
    assert "refused" in first and "manual_clock" in first
    assert r.stdout == ""
    assert not (tmp_path / "data" / "clock").exists()


def test_refused_when_manual_clock_no(tmp_path):
    conf = tmp_path / "no.conf"
    conf.write_text("[main]\ndata_dir = %s\n[testing]\nmanual_clock = no\n" % (tmp_path / "d"))
    r = ipbl(conf, "clock", "advance", "1h")
    assert r.returncode == 2 and "refused" in r.stderr


def test_show_system_clock(tmp_path):
    conf = write_conf(tmp_path, manual=False)
    shown = epoch(out(ipbl(conf, "clock", "show")))
    assert abs(shown - time.time()) < 60


def test_manual_file_ignored_when_off(tmp_path):
    manual = write_conf(tmp_path)
    system = write_conf(tmp_path, manual=False)
    out(ipbl(manual, "clock", "set", "2001-01-01T00:00:00Z"))
    assert epoch(out(ipbl(system, "clock", "show"))) > epoch("2020-01-01T00:00:00Z")


@pytest.mark.parametrize("args", [
    ["set", "yesterday"],
    ["set", "2026-11-22 07:30:00"],
    ["set", "2026-11-22T07:30:00+01:00"],
    ["set", "@"],
    ["set", "@-5"],
    ["advance", "soon"],
    ["advance", "-1h"],
    ["advance", "5y"],
    ["advance", ""],
    ["set", "@99999999999999999999"],
    ["set", "@253402300800"],
    ["set", "1969-12-31T23:59:59Z"],
    ["advance", "100000000d"],
])
def test_bad_input_exit_2(tmp_path, args):
    conf = write_conf(tmp_path)
    out(ipbl(conf, "clock", "set", "2026-11-22T00:00:00Z"))
    r = ipbl(conf, "clock", *args)
    assert r.returncode == 2, (args, r.stderr)
    assert args[1] in r.stderr.splitlines()[0]
    assert out(ipbl(conf, "clock", "show")) == "2026-11-22T00:00:00Z"


@pytest.mark.parametrize("args", [[], ["set"], ["advance"], ["show", "x"], ["set", "@1", "@2"],
                                  ["rewind", "1h"]])
def test_usage_exit_2(tmp_path, args):
    conf = write_conf(tmp_path)
    r = ipbl(conf, "clock", *args)
    assert r.returncode == 2, (args, r.stderr)
    assert "usage" in r.stderr


def test_advance_past_year_9999_refused(tmp_path):
    conf = write_conf(tmp_path)
    out(ipbl(conf, "clock", "set", "9999-12-31T00:00:00Z"))
    r = ipbl(conf, "clock", "advance", "2d")
    assert r.returncode == 2 and "9999" in r.stderr
    assert out(ipbl(conf, "clock", "advance", "1h")) == "9999-12-31T01:00:00Z"


def test_help(tmp_path):
    r = ipbl(write_conf(tmp_path), "clock", "--help")
    assert r.returncode == 0 and "advance" in r.stdout


def test_unusable_data_dir_exit_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory\n")
    conf = write_conf(tmp_path, data=blocker / "data")
    r = ipbl(conf, "clock", "advance", "1h")
    assert r.returncode == 1, r.stderr
    assert str(blocker / "data") in r.stderr.splitlines()[0]


def test_unreadable_config_exit_1(tmp_path):
    r = ipbl(tmp_path / "absent.conf", "clock", "show")
    assert r.returncode == 1 and "absent.conf" in r.stderr


def test_bad_config_exit_2(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("[testing]\nmanual_clock = perhaps\n")
    r = ipbl(conf, "clock", "show")
    assert r.returncode == 2 and "bad.conf:2" in r.stderr


def test_long_running_reader_sees_changes(tmp_path):
    """A process that keeps the clock file mapped (as ipbld does) sees set and advance."""
    import mmap
    import struct

    conf = write_conf(tmp_path)
    out(ipbl(conf, "clock", "set", "2026-11-22T00:00:00Z"))
    with open(tmp_path / "data" / "clock", "rb") as f:
        m = mmap.mmap(f.fileno(), 16, prot=mmap.PROT_READ)
        try:
            def now():
                return struct.unpack_from("<q", m, 8)[0] // 1000

            assert now() == epoch("2026-11-22T00:00:00Z")
            out(ipbl(conf, "clock", "advance", "25h"))
            assert now() == epoch("2026-11-23T01:00:00Z")
            out(ipbl(conf, "clock", "set", "@1000"))
            assert now() == 1000
        finally:
            m.close()
