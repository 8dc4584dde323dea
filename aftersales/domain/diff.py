"""Line-by-line differences between two JSON values (equipment configuration history).

Pure Python (no Django). Dicts are compared key by key and lists index by index, to any
depth; anything else (a software version string, a number) is one "changed" line. A value
whose type changes (a list becoming a dict, 1 becoming "1") is one "changed" line too.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

DiffKind = Literal["added", "removed", "changed"]
Step = str | int

_BARE_KEY = re.compile(r"^[^\W\d][\w-]*$")


@dataclass(frozen=True)
class DiffLine:
    """One difference: `path` as people read it ("interfaces[0].ip", "hostname"; "" is the
    whole value), `before`/`after` the values there (None for an added/removed side) and
    `steps` the same path as dict keys and list indexes, for programs."""

    path: str
    kind: DiffKind
    before: Any
    after: Any
    steps: tuple[Step, ...] = field(default=(), repr=False)


def format_path(steps: tuple[Step, ...]) -> str:
    """'interfaces[0].ip' for ("interfaces", 0, "ip"); odd keys are quoted: '["a.b"]'."""
    text = ""
    for step in steps:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _BARE_KEY.match(step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step, ensure_ascii=False)}]"
    return text


def _same(a: Any, b: Any) -> bool:
    # JSON tells true from 1 and 1 from 1.0 from "1"; Python's == does not.
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)  # 0.0 and -0.0 are equal numbers but different JSON
    return a == b


def _walk(before: Any, after: Any, steps: tuple[Step, ...], out: list[DiffLine]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before:
            if key not in after:
                out.append(DiffLine(format_path((*steps, key)), "removed", before[key], None, (*steps, key)))
            else:
                _walk(before[key], after[key], (*steps, key), out)
        for key in after:
            if key not in before:
                out.append(DiffLine(format_path((*steps, key)), "added", None, after[key], (*steps, key)))
        return
    if isinstance(before, list) and isinstance(after, list):
        common = min(len(before), len(after))
        for index in range(common):
            _walk(before[index], after[index], (*steps, index), out)
        for index in range(common, len(before)):
            out.append(DiffLine(format_path((*steps, index)), "removed", before[index], None, (*steps, index)))
        for index in range(common, len(after)):
            out.append(DiffLine(format_path((*steps, index)), "added", None, after[index], (*steps, index)))
        return
    if not _same(before, after):
        out.append(DiffLine(format_path(steps), "changed", before, after, steps))


def json_diff(before: Any, after: Any) -> list[DiffLine]:
    """The differences that turn `before` into `after`, in document order."""
    out: list[DiffLine] = []
    _walk(before, after, (), out)
    return out


def apply_diff(before: Any, lines: list[DiffLine]) -> Any:
    """`before` with `lines` applied (a new value; `before` is not changed).

    apply_diff(a, json_diff(a, b)) equals b. Removed list items are taken from the end
    first so the indexes of the others stay valid.
    """
    if any(line.steps == () for line in lines):
        return copy.deepcopy(next(line.after for line in lines if line.steps == ()))
    value = copy.deepcopy(before)
    removed_from_lists = sorted(
        (line for line in lines if line.kind == "removed" and isinstance(line.steps[-1], int)),
        key=lambda line: line.steps, reverse=True,
    )
    deferred = {id(line) for line in removed_from_lists}
    for line in lines:
        if id(line) in deferred:
            continue
        parent = value
        for step in line.steps[:-1]:
            parent = parent[step]
        last = line.steps[-1]
        if line.kind == "removed":
            del parent[last]
        elif isinstance(parent, list) and last == len(parent):
            parent.append(copy.deepcopy(line.after))
        else:
            parent[last] = copy.deepcopy(line.after)
    for line in removed_from_lists:
        parent = value
        for step in line.steps[:-1]:
            parent = parent[step]
        del parent[line.steps[-1]]
    return value
