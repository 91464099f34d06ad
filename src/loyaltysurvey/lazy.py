"""Packages that import their heavy modules on first use (PEP 562 module ``__getattr__``)."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` whose public ``names`` (name -> relative
    module) are imported when first used, then kept in the package's namespace.

    >>> getattr_, dir_ = lazy_exports("loyaltysurvey", {"Settings": ".settings"})
    >>> getattr_("Settings").__name__, "Settings" in dir_()
    ('Settings', True)
    """
    def __getattr__(name: str) -> Any:
        if name in names:
            module = import_module(package)
            value = getattr(import_module(names[name], package), name)
            setattr(module, name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(import_module(package))) | set(names))

    return __getattr__, __dir__
