"""Errors of the voice role. Each names what a hall IT person has to fix: the token, the file, the folder."""

from __future__ import annotations

from pathlib import Path

from devices.errors import DeviceError

__all__ = ["ClipFormatMismatch", "ClipMissing", "ClipUnreadable", "TemplateError", "VoiceError"]


class VoiceError(DeviceError):
    """Base of the voice errors: the announcement cannot be made (the queue goes on)."""

    default_code = "voice_error"
    default_message = "叫号语音出现故障，请联系管理员"


class ClipMissing(VoiceError):
    """A token of the announcement has no clip: not in the manifest, or its file is absent."""

    default_code = "clip_missing"

    def __init__(self, token: str, folder: Path, file_name: str | None = None) -> None:
        self.token = token
        self.folder = folder
        self.file_name = file_name
        if file_name is None:
            message = (
                f"叫号语音缺少“{token}”的录音：文件夹 {folder} 的清单 manifest.json 中没有这一项。"
                f"请补录该片段并登记到清单，或修改叫号语音模板"
            )
            detail = f"token {token!r} not in the manifest of {folder}"
        else:
            message = (
                f"叫号语音缺少“{token}”的录音：文件夹 {folder} 中没有文件 {file_name}。"
                f"请补齐该文件，或把 [voice] clip_dir 设为空以使用自带语音"
            )
            detail = f"token {token!r}: {folder / file_name} does not exist"
        super().__init__(message, detail=detail)


class ClipFormatMismatch(VoiceError):
    """Clips of one announcement differ in channels, sample width or rate: they cannot be joined."""

    default_code = "clip_format_mismatch"

    def __init__(self, path: Path, found: str, expected: str, expected_from: Path) -> None:
        self.path = path
        super().__init__(
            f"叫号语音文件 {path} 的格式（{found}）与 {expected_from.name}（{expected}）不一致。"
            f"同一文件夹内的录音须为同一格式（声道数、位深、采样率都相同），请转换后再用",
            detail=f"{path}: {found}, expected {expected} like {expected_from}",
        )


class ClipUnreadable(VoiceError):
    """A clip file exists but is not a PCM WAV file the standard ``wave`` module can read."""

    default_code = "clip_unreadable"

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(
            f"叫号语音文件 {path} 无法读取（须为 PCM 编码的 WAV 文件）：{reason}",
            detail=f"{path}: {reason}",
        )


class TemplateError(VoiceError):
    """The announcement template is malformed or uses a placeholder other than {ticket} and {window}."""

    default_code = "template_error"

    def __init__(self, template: str, reason: str) -> None:
        self.template = template
        super().__init__(
            f"叫号语音模板“{template}”有误：{reason}。模板只能使用 {{ticket}}（号码）和 {{window}}（窗口号）",
            detail=f"template {template!r}: {reason}",
        )
