"""Opening the user's files safely: only readable regular files of a sane size.

A FIFO or a device (``/dev/zero``) would hang or never end, a symbolic-link loop is not
"not found", and a huge file would exhaust memory: each is refused with one line.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import LoyaltySurveyError

__all__ = ["check_regular_file"]


def check_regular_file(path: Path, error: type[LoyaltySurveyError], max_bytes: int, what: str = "data file") -> None:
    """Raise ``error`` (naming ``path``) unless it is a readable regular file of at most ``max_bytes``."""
    source = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise error("is a symbolic link to a file that does not exist", source=source) from None
        raise error("file not found", source=source) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"is a loop of symbolic links, not a {what}", source=source) from None
        raise error(f"cannot be read ({exc.strerror or exc})", source=source) from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"is a directory, not a {what}", source=source)
    if not stat.S_ISREG(info.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a device or special file"
        raise error(f"is {kind}, not a {what}; save it to a file first", source=source)
    if info.st_size > max_bytes:
        size = f"{info.st_size / 1024 ** 2:.0f} MB" if max_bytes < 1024 ** 3 else f"{info.st_size / 1024 ** 3:.1f} GB"
        raise error(f"is {size}, larger than a {what} may be ({max_bytes // 1024 ** 2} MB)", source=source)
    if not os.access(path, os.R_OK):
        raise error("cannot be read (permission denied)", source=source)
