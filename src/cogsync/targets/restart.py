"""Ways to kill and restart a target between calls, for the durability check (DUR-1).

- :class:`RestartCommand`: a shell command the user gives (``--restart-command``); it
  returns once the restart was issued, and the kit then waits for the target to answer.
- :class:`InProcessRestart`: the in-process equivalent (``--restart``): the app is
  rebuilt from its factory over the same storage, as a fresh process would be.

Both only *issue* the restart. Waiting for the target to answer again is the
engine's job (it polls a harmless call, bounded by the run's deadline).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
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

    def restart(self, timeout: float | None = None) -> None:
        """Run the command; RestartFailed when it fails or outlives ``timeout`` (default: its own).

        Its output goes to a file, not a pipe: a server the command leaves running in the
        background keeps its inherited output open, and reading a pipe to its end would wait
        for that server to exit. The command runs in a session of its own, killed whole
        when it takes too long.
        """
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        with tempfile.TemporaryFile("w+") as output:
            process = subprocess.Popen(self.command, shell=True, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=output, start_new_session=True)
            try:
                code = process.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise RestartFailed(f"the restart command {self.command!r} did not return within "
                                    f"{limit:g} s (it should only issue the restart)") from None
            if code != 0:
                output.seek(0)
                said = output.read().strip().splitlines()
                raise RestartFailed(f"the restart command {self.command!r} exited {code}"
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

    def restart(self, timeout: float | None = None) -> None:
        """Rebuild the app (in this process: nothing to time out)."""
        try:
            self.target.restart()
        except Exception as exc:
            raise RestartFailed(f"the app could not be rebuilt: {type(exc).__name__}: {exc}") from exc
