"""Finding the bundled questionnaires, example data and report templates.

In an installed wheel they live in ``loyaltysurvey/_bundled``; in a source
checkout (editable install) they are the repository's ``questionnaires/`` and
``reports/`` folders.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_path"]

_PACKAGE = Path(__file__).resolve().parent


def bundled_path(*parts: str, must_exist: bool = True) -> Path:
    for root in (_PACKAGE / "_bundled", _PACKAGE.parent.parent):
        candidate = root.joinpath(*parts)
        if candidate.exists() or (not must_exist and candidate.parent.is_dir()):
            return candidate
    raise FileNotFoundError("/".join(parts))
