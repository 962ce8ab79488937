"""Fonts and the stylesheet: one CJK family everywhere, so that no glyph falls back to a Japanese shape."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

import resources

log = logging.getLogger(__name__)
PREFERRED = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC")


def install_fonts(app: QApplication) -> str:
    """Load the shipped WenQuanYi font, then pick the best CJK family present; returns its name."""
    QFontDatabase.addApplicationFont(str(resources.path("fonts", "wqy-microhei.ttc")))
    families = set(QFontDatabase.families())
    family = next((f for f in PREFERRED if f in families), "WenQuanYi Micro Hei")
    font = QFont(family, 11)
    app.setFont(font)
    log.info("UI font: %s", family)
    return family


STYLESHEET = """
QMainWindow, QDialog, QWidget#customerScreen { background: #f4f6f9; }
QGroupBox { font-weight: bold; border: 1px solid #c9d3e0; border-radius: 6px; margin-top: 14px;
            background: #ffffff; padding: 8px 6px 6px 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #1d4e89; }
QPushButton { padding: 6px 14px; border-radius: 4px; border: 1px solid #9fb3cc; background: #ffffff; }
QPushButton:hover { background: #eaf1fb; }
QPushButton:disabled { color: #a0a0a0; background: #f0f0f0; }
QPushButton[role="primary"] { background: #1d6fd1; color: white; border: 1px solid #1759a8; font-weight: bold; }
QPushButton[role="primary"]:disabled { background: #8fb4e3; }
QPushButton[role="danger"] { background: #c0392b; color: white; border: 1px solid #962d22; }
QLabel[role="ticket"] { font-size: 40px; font-weight: bold; color: #1d6fd1; }
QLabel[role="hint"] { color: #5b6b7f; }
QLabel[role="error"] { color: #b3261e; }
QLabel[role="ok"] { color: #1e7d32; }
QLabel[role="decision"] { font-size: 15px; font-weight: bold; padding: 6px; border-radius: 4px;
                          background: #eef4fc; }
QStatusBar QLabel { padding: 0 8px; }
"""
