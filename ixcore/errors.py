"""Errors that the CLI turns into one-line messages and documented exit codes.

Exit codes: 0 ok, 1 a claim or verification failed, 2 usage or input error,
3 a missing external requirement (prover binary, guest ELF, library).
"""


class IxError(Exception):
    """Base class: `exit_code` tells the CLI how to exit; str(e) is the one-line message."""

    exit_code = 2


class InputError(IxError):
    """Malformed input file or argument. Message names the file (and offset or line)."""

    exit_code = 2


class ConfigError(IxError):
    """Bad configuration: unknown key, wrong type, unknown plugin name."""

    exit_code = 2


class VerificationError(IxError):
    """A claim or proof did not verify."""

    exit_code = 1


class IncompleteRun(IxError):
    """Jobs did not finish (workers lost, no progress within the executor timeout); the
    message names them. What finished was handed back, so a rerun resumes."""

    exit_code = 1


class MissingRequirement(IxError):
    """An external tool, file or library that a plugin needs is absent."""

    exit_code = 3


class PluginError(IxError):
    """Plugin registration problems: duplicate names, misspelled hooks."""

    exit_code = 2
