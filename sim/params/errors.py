"""Errors a user can fix: a configuration value or a data file that is not allowed.

Each message is one line naming the key or file, the value and what is allowed; the
command-line tools print it and exit with code 2 before doing any work.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2
"""Exit code of every command given a bad value, file or directory."""


class ConfigError(ValueError):
    """A configuration value that is not allowed; the message is one line."""


class DataFileError(ConfigError):
    """A data file that is missing, unreadable or lacks the columns its reader needs."""
