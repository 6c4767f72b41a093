"""What the end-to-end scripts share to drive sockscope on a terminal.

Python 3 standard library only.  The scripts write their own drivers (each
test asks different things of the terminal) and import this for the part
that must be right every time: a new session whose controlling terminal is
a fresh pseudo-terminal, as a shell would give it.
"""

import fcntl
import os
import pty
import termios


def spawn_on_tty(cmd, unset=()):
    """Run argv cmd on a new pseudo-terminal: its session's controlling
    terminal and its stdin, stdout and stderr.  Names in unset are removed
    from the child's environment.  Returns (pid, master, slave); the slave
    stays open here, so the caller can read the terminal's settings (close
    it when that is not needed)."""
    master, slave = pty.openpty()
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        for name in unset:
            os.environ.pop(name, None)
        os.execv(cmd[0], cmd)
    return pid, master, slave
