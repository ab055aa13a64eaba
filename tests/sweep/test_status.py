import json

from bumpdiff.sweep.spec import Member
from bumpdiff.sweep.status import STATUS, read_status, record_status


def test_a_recorded_member_is_read_back_with_its_group(tmp_path):
    assert read_status(tmp_path) == {}
    status = {}
    record_status(tmp_path, status, Member("lr-s3", ("seed=3",)), {"status": "done"})
    assert read_status(tmp_path) == {"lr-s3": {"group": "lr", "status": "done"}}
    assert json.loads((tmp_path / STATUS).read_text()) == status
