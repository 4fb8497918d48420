"""What the command line prints for bad input, checked the same way everywhere."""

from __future__ import annotations

import re

_HEAD = re.compile(r"^truce: error: (.+): (\d+) problems?$")


def problem_lines(stderr: str) -> list[str]:
    """The problems of a bad-input report: a first line naming the file and how many problems there are,
    then exactly one indented line per problem; or one line for an error that is not about a file's content.
    No traceback either way."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.rstrip("\n").splitlines()
    assert lines and lines[0].startswith("truce: error: "), stderr
    head = _HEAD.match(lines[0])
    if head is None:
        assert len(lines) == 1, stderr
        return []
    assert len(lines) == 1 + int(head.group(2)), stderr
    assert all(line.startswith("  ") and line.strip() for line in lines[1:]), stderr
    return [line.strip() for line in lines[1:]]
