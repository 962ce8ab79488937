"""The yardstick of `hallclient bench start`: a bare PySide6 window, nothing of ours imported."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel

if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    label = QLabel("hello")
    label.show()
    app.processEvents()
    print("READY", flush=True)
