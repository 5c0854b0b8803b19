"""Inference is open by default and closed by GENSERVE_PROTECT_INFERENCE."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jobkit import AUTH, make_settings

from app.main import create_app


@pytest.mark.parametrize("protect", [False, True])
def test_sample_needs_the_key_only_when_protected(
    tmp_path: Path, weights_dir: Path, protect: bool
) -> None:
    settings = make_settings(tmp_path, weights_dir, embedded_worker=False,
                             protect_inference=protect)
    with TestClient(create_app(settings)) as client:
        anonymous = client.post("/sample", json={"model": "tiny-gmm", "n": 1})
        keyed = client.post("/sample", json={"model": "tiny-gmm", "n": 1}, headers=AUTH)
    assert keyed.status_code == 200
    if protect:
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["rule"] == "bearer_token"
    else:
        assert anonymous.status_code == 200
