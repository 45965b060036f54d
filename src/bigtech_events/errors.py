"""Errors a user can cause: reported as one line, never as a traceback."""

from __future__ import annotations


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
