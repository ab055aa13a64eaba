"""sweep.json: the status of every member of a sweep (done or failed, with its error and
seconds), read by the runner to skip finished members and by the aggregate."""

from __future__ import annotations

import json
from pathlib import Path

from bumpdiff.store.runfolder import atomic_write_text
from bumpdiff.sweep.spec import Member, group_of

STATUS = "sweep.json"


def read_status(root: Path) -> dict[str, dict]:
    path = root / STATUS
    return json.loads(path.read_text()) if path.is_file() else {}


def record_status(root: Path, status: dict[str, dict], member: Member, entry: dict) -> None:
    status[member.name] = {"group": group_of(member), **entry}
    atomic_write_text(root / STATUS, json.dumps(status, indent=1, sort_keys=True) + "\n")
