"""Shared test set-up. With HALLCLIENT_BLOCK_QT=1 any import of PySide6 fails: the unit tier proves
that domain, services, store, sync, devices and printing run without Qt."""

from __future__ import annotations

import os
import sys

if os.environ.get("HALLCLIENT_BLOCK_QT") == "1":

    class _BlockQt:
        def find_spec(self, name, path=None, target=None):
            if name == "PySide6" or name.startswith("PySide6."):
                raise ImportError(f"{name} is blocked: the unit tier must not need Qt")
            return None

    sys.meta_path.insert(0, _BlockQt())

# No test reads or writes the OS keyring of the machine it runs on: secrets go to the file store
# (tests give it a temporary platform.secret_dir). Subprocesses inherit this.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
