"""Errors a user can cause: reported as one line, never as a traceback."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator


class UserError(Exception):
    """A problem in the user's input (a seed, a rule, a package, an argument).

    The message is one line naming where the problem is (file:line, or
    table:row:column) and what to do about it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class ValidationFailed(UserError):
    """A package failed validation; ``problems`` holds one line per defect."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}")


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM); raised like KeyboardInterrupt so cleanup runs."""

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


_OS_FIXES = {
    errno.ENOSPC: "free some space there (or choose another place) and run the command again",
    errno.EDQUOT: "free some space within your quota (or choose another place) and run the command again",
    errno.EACCES: "check its permissions (or choose another place) and run the command again",
    errno.EPERM: "check its permissions (or choose another place) and run the command again",
    errno.EROFS: "the file system is read-only; choose a writable place and run the command again",
    errno.ENOTDIR: "a part of that path is a file, not a directory; choose another path",
    errno.EISDIR: "it is a directory where a file belongs; choose another path",
    errno.EEXIST: "something else is already there; choose another path",
    errno.ENOENT: "check that the path exists",
}


def os_error_message(exc: OSError, where: object = None) -> str:
    """One line for an operating-system error: the path, the cause, what to do.

    ``where`` names the path when the error carries none (a library writing a file).
    """
    path = exc.filename if exc.filename is not None else where
    cause = exc.strerror or str(exc) or type(exc).__name__
    fix = _OS_FIXES.get(exc.errno or 0, "check that path and run the command again")
    return " ".join(f"{path if path is not None else 'a file'}: {cause}; {fix}".split())


@contextlib.contextmanager
def naming(path: object) -> Iterator[None]:
    """Give ``path`` to an operating-system error raised inside that names no file of its own
    (a library writing to a full disk), so that its one-line message says where."""
    try:
        yield
    except OSError as exc:
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
