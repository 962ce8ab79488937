"""Clerk sign-in: staff number, password, window. The check runs off the GUI thread (scrypt takes ~50 ms)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from hallclient.services.auth import AuthService, ClerkSession, WindowTakenError
from hallclient.ui.threads import Runner, error_text


class LoginDialog(QDialog):
    signed_in = Signal(object)  # ClerkSession

    def __init__(
        self, auth: AuthService, runner: Runner, hall_name: str, window_no: str, host: str = ""
    ) -> None:
        super().__init__()
        self._auth, self._runner, self._host = auth, runner, host
        self.session: ClerkSession | None = None
        self.setWindowTitle(f"{hall_name} · 窗口工作人员登录")
        self.setMinimumWidth(420)
        title = QLabel(f"<b style='font-size:18px'>{hall_name}</b><br>窗口服务系统")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.staff_no = QLineEdit()
        self.staff_no.setPlaceholderText("请输入工号")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("请输入密码")
        self.window_no = QLineEdit(window_no)
        form = QFormLayout()
        form.addRow("工号", self.staff_no)
        form.addRow("密码", self.password)
        form.addRow("窗口号", self.window_no)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.ok = QPushButton("登录")
        self.ok.setProperty("role", "primary")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.submit)
        cancel = QPushButton("退出")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def submit(self) -> None:
        staff_no, password, window_no = (
            self.staff_no.text().strip(),
            self.password.text(),
            self.window_no.text(),
        )
        if not staff_no or not password:
            self.message.setText("请输入工号和密码")
            return
        self._attempt(staff_no, password, window_no.strip(), take_over=False)

    def _attempt(self, staff_no: str, password: str, window_no: str, *, take_over: bool) -> None:
        self.ok.setEnabled(False)
        self.message.setText("正在验证…")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, WindowTakenError) and self._confirm_take_over(exc.message):
                self._attempt(staff_no, password, window_no, take_over=True)
                return
            self._on_login_failed(exc)

        self._runner.run_in_background(
            lambda: self._auth.login(staff_no, password, window_no, self._host, take_over=take_over),
            self._on_login_done,
            failed,
        )

    def _confirm_take_over(self, message: str) -> bool:
        answer = QMessageBox.question(self, "窗口已被占用", message + "\n\n是否接管本窗口？")
        return answer == QMessageBox.StandardButton.Yes

    def _on_login_done(self, session: ClerkSession) -> None:
        self.session = session
        self.password.clear()
        self.signed_in.emit(session)
        self.accept()

    def _on_login_failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.password.clear()
        self.message.setText(error_text(exc))
