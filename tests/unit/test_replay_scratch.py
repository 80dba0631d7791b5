"""The replay's scratch dir reads the live lake wherever a local one is, and a replay refuses a
lake on object storage with a clear error instead of replaying an empty lake."""

from datetime import date

import pytest

from orchestration.errors import UserError
from orchestration.replay import prepare_scratch, replay
from orchestration.settings import Settings


def test_the_scratch_dir_links_the_lake_under_a_local_lake_uri(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "lake" / "raw" / "usage").mkdir(parents=True)
    (elsewhere / "lake" / "_ledger").mkdir()
    live = Settings(data_dir=tmp_path / "data", lake_location=str(elsewhere))
    scratch = prepare_scratch(live, tmp_path / "data" / "replay" / "x")
    assert (scratch.lake / "raw").resolve() == (elsewhere / "lake" / "raw").resolve()
    assert (scratch.lake / "raw" / "usage").is_dir()
    assert (scratch.lake / "_ledger").is_symlink() and not (scratch.lake / "quarantine").exists()


def test_a_replay_of_a_lake_on_s3_stops_with_a_clear_error(tmp_path):
    live = Settings(data_dir=tmp_path / "data", lake_location="s3://bucket/prefix")
    with pytest.raises(UserError, match=r"needs a local lake.*s3://bucket/prefix"):
        replay(live, date(2026, 8, 1), date(2026, 8, 2))
    assert not (tmp_path / "data" / "replay").exists()  # nothing prepared
