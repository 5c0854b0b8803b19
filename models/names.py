"""The one rule for model and dataset names, checked where a name enters and nowhere else.

A name becomes a folder (``<weights_dir>/<name>``) and a database key, so it must be safe as
both: 1-63 characters of ``a-z 0-9 - _ .``, starting with a letter or digit, never ``..``.
The rule is matched whole (``fullmatch``): a ``$`` alone would also match before a trailing
newline, and ``"name\\n"`` would pass.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = ["NAME_PATTERN", "NAME_RULE", "Name", "is_valid_name"]

NAME_PATTERN = r"^(?!.*\.\.)[a-z0-9][a-z0-9_.-]{0,62}$"
"""The rule as a regular expression (JSON Schema's dialect too); match it whole."""
NAME_RULE = (
    "1-63 characters of a-z, 0-9, '-', '_' and '.', starting with a letter or digit, "
    "without '..'"
)
_NAME = re.compile(NAME_PATTERN)


def is_valid_name(name: object) -> bool:
    """Whether ``name`` is a safe model or dataset name (see the module docstring)."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def _checked(name: str) -> str:
    if not is_valid_name(name):
        raise PydanticCustomError(
            "string_pattern_mismatch", "{name} is not a valid name: {rule}",
            {"name": repr(name[:80]), "rule": NAME_RULE},
        )
    return name


Name = Annotated[
    str,
    AfterValidator(_checked),
    WithJsonSchema({"type": "string", "pattern": NAME_PATTERN, "minLength": 1, "maxLength": 63}),
]
"""A model or dataset name in a request schema: ``model: Name``."""
