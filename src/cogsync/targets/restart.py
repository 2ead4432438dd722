"""Ways to kill and restart a target between calls, for the durability check (DUR-1).

- :class:`RestartCommand`: a shell command the user gives (``--restart-command``); it
  returns once the restart was issued, and the kit then waits for the target to answer.
- :class:`InProcessRestart`: the in-process equivalent (``--restart``): the app is
  rebuilt from its factory over the same storage, as a fresh process would be.

Both only *issue* the restart. Waiting for the target to answer again is the
engine's job (it polls a harmless call, bounded by the run's deadline).
"""

from __future__ import annotations

import subprocess
from typing import Any

from cogsync.errors import InfrastructureError, UsageError

#: At most this long for a restart command to return (it should only issue the restart).
COMMAND_TIMEOUT = 60.0


class RestartFailed(InfrastructureError):
    """The restart could not be issued: the command failed, or the app would not rebuild."""


class RestartCommand:
    """Runs ``command`` in a shell to kill and restart the target."""

    def __init__(self, command: str, *, timeout: float = COMMAND_TIMEOUT) -> None:
        if not isinstance(command, str) or not command.strip():
            raise UsageError.bad_argument(
                "restart_command", command, "a shell command that kills and restarts the target"
            )
        self.command = command
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"RestartCommand({self.command!r})"

    @property
    def description(self) -> str:
        return f"the restart command {self.command!r}"

    def restart(self) -> None:
        try:
            done = subprocess.run(self.command, shell=True, capture_output=True, text=True,
                                  timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RestartFailed(f"the restart command {self.command!r} did not return within "
                                f"{self.timeout:g} s (it should only issue the restart)") from None
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise RestartFailed(f"the restart command {self.command!r} exited {done.returncode}"
                                + (f": {said[-1]}" if said else ""))


class InProcessRestart:
    """Rebuilds an in-process target's app from its factory (see ``InProcessTarget.restart``)."""

    def __init__(self, target: Any) -> None:
        if not getattr(target, "supports_restart", False):
            raise UsageError(
                f"--restart rebuilds an in-process app from its factory, and {target.name} has none "
                "to rebuild: give --restart-command CMD for a server in another process."
            )
        self.target = target

    description = "an in-process restart (the app rebuilt from its factory over the same storage)"

    def restart(self) -> None:
        try:
            self.target.restart()
        except Exception as exc:
            raise RestartFailed(f"the app could not be rebuilt: {type(exc).__name__}: {exc}") from exc
