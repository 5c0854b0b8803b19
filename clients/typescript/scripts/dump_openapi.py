"""Print genserve's OpenAPI document as the server serves it, without starting a server.

Run with the repository's venv: ``.venv/bin/python clients/typescript/scripts/dump_openapi.py``.
The document does not depend on settings, so a default ``create_app()`` serves the same one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root

from app.main import create_app  # noqa: E402


def main() -> None:
    document = create_app().openapi()
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=False) + "\n")


if __name__ == "__main__":
    main()
