"""Count the skipped tests of a pytest JUnit report and fail on any not allowed.

usage: skips.py REPORT.xml ALLOWED  (ALLOWED: test file paths, or FILE::TEST for one test, one a
line, '#' comments)
Prints `ci: N tests, S skipped (A allowed, U unexpected)`; exit 1 when U > 0.
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def main(report: str, allowed_path: str) -> int:
    with open(allowed_path) as fh:
        allowed = {line.split("#", 1)[0].strip() for line in fh} - {""}
    cases = list(ET.parse(report).getroot().iter("testcase"))
    skipped = [(c, c.find("skipped")) for c in cases if c.find("skipped") is not None]
    unexpected = [(c, s) for c, s in skipped
                  if c.get("file") not in allowed and f"{c.get('file')}::{c.get('name')}" not in allowed]
    print(f"ci: {len(cases)} tests, {len(skipped)} skipped ({len(skipped) - len(unexpected)} allowed, "
          f"{len(unexpected)} unexpected)")
    for c, s in unexpected:
        print(f"ci: unexpected skip: {c.get('file')}::{c.get('name')}: {s.get('message', '')}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
