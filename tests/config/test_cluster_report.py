"""The drills' replica-share goal: counted while the replica is up, the whole run shown beside."""

from cluster.report import replica_share
from cluster.verdicts import Verdict


def replica_drill(on_replica: int, on_primary: int) -> Verdict:
    return Verdict("replica stopped", heavy_reads=(on_replica, on_primary))


def test_heavy_reads_the_replica_drill_sends_to_the_primary_do_not_count_against_the_goal():
    # The last full run's figures: 592 of the primary's 605 came while the replica was away.
    share = replica_share((4_280, 605), replica_drill(150, 592))

    assert share.met
    assert share.lines[0].startswith("PASS  heavy reads on the replica while it was up: 99.7%")
    assert "over the whole run: 87.6%" in share.lines[1]
    assert share.summary == "replica share 99.7% (whole run 87.6%)"


def test_a_router_that_sends_heavy_reads_to_the_primary_outside_the_drill_misses_the_goal():
    share = replica_share((4_000, 900), replica_drill(100, 400))

    assert not share.met
    assert share.lines[0].startswith("FAIL  heavy reads on the replica while it was up: 88.6%")


def test_statistics_that_could_not_be_read_fail_the_goal_rather_than_claim_a_share():
    share = replica_share((None, 605), replica_drill(0, 0))

    assert not share.met
    assert share.lines == ["FAIL  heavy reads on the replica: no pg_stat_statements on the replica"]
