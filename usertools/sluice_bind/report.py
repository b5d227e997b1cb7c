"""How bind.py ends and speaks: the exit codes, the exceptions that lead to
them, and Out, through which every module prints (stdout unless --quiet;
warnings on stderr)."""

import sys


EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_ROLLBACK_FAILED = 4

PROG = "bind.py"


class UsageError(Exception):
    """The command line is wrong; nothing was changed."""


class Refused(Exception):
    """A safety check said no; nothing was changed."""

    def __init__(self, reasons):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class Failed(Exception):
    """Something was tried and did not work; changes were undone."""


class RollbackFailed(Failed):
    """A failure whose rollback failed too."""


class Out:
    """Messages for the user: printed unless quiet; warnings always, on
    stderr, prefixed with the program's name."""

    def __init__(self, stream=None, quiet=False, prog=PROG):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.prog = prog

    def __call__(self, msg):
        if not self.quiet:
            print(msg, file=self.stream)

    def warn(self, msg):
        print("%s: warning: %s" % (self.prog, msg), file=sys.stderr)
