"""Open connections per client (``app.server.ConnectionCounts``) and the process-wide cap's
default: what the protocols admit, refuse and release (QA F5)."""

from __future__ import annotations

import resource

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.server import ConnectionCounts, client_key, connection_cap


@pytest.fixture
def counts() -> ConnectionCounts:
    return ConnectionCounts(per_client=2)


def test_a_client_is_admitted_up_to_its_cap_and_refused_past_it(counts: ConnectionCounts) -> None:
    assert [counts.admit("10.0.0.1") for _ in range(3)] == [True, True, False]


def test_a_refused_connection_is_not_counted(counts: ConnectionCounts) -> None:
    counts.admit("10.0.0.1")
    counts.admit("10.0.0.1")
    counts.admit("10.0.0.1")  # refused
    assert counts.held("10.0.0.1") == 2


def test_one_clients_cap_leaves_other_clients_alone(counts: ConnectionCounts) -> None:
    counts.admit("10.0.0.1")
    counts.admit("10.0.0.1")
    assert counts.admit("10.0.0.2")


def test_a_closed_connection_frees_its_clients_slot(counts: ConnectionCounts) -> None:
    counts.admit("10.0.0.1")
    counts.admit("10.0.0.1")
    counts.release("10.0.0.1")
    assert counts.admit("10.0.0.1")


def test_a_client_with_no_connection_left_is_forgotten(counts: ConnectionCounts) -> None:
    for address in ("10.0.0.1", "10.0.0.2"):
        counts.admit(address)
        counts.release(address)
    assert len(counts) == 0


def test_a_cap_of_zero_admits_every_connection() -> None:
    counts = ConnectionCounts(per_client=0)
    assert all(counts.admit("10.0.0.1") for _ in range(1000))


def test_an_ipv6_client_is_its_slash_64() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::7") \
        == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")


def test_an_ipv4_mapped_address_is_its_ipv4_client() -> None:
    assert client_key("::ffff:192.0.2.7") == client_key("192.0.2.7") == "192.0.2.7"


def test_a_name_that_is_no_address_is_its_own_client() -> None:
    assert client_key("testclient") == "testclient"


def test_the_process_cap_defaults_to_three_quarters_of_the_soft_file_limit() -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    expected = None if soft == resource.RLIM_INFINITY else max(soft * 3 // 4, 1)
    assert connection_cap(Settings()) == expected


def test_a_process_cap_of_zero_is_no_cap() -> None:
    assert connection_cap(Settings(max_connections=0)) is None


def test_a_set_process_cap_is_kept() -> None:
    assert connection_cap(Settings(max_connections=500)) == 500


@pytest.mark.parametrize(
    "setting", ["max_connections_per_client", "max_connections", "body_timeout_s"]
)
def test_a_negative_connection_setting_is_refused(setting: str) -> None:
    with pytest.raises(ValidationError, match=setting):
        Settings(**{setting: -1})
