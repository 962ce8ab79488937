"""首问负责制: the inquiry record's vocabularies."""

from __future__ import annotations

from enum import StrEnum


class InquiryChannel(StrEnum):
    WINDOW = "window"
    PHONE = "phone"
    LETTER = "letter"
    ONLINE = "online"


class InquiryClassification(StrEnum):
    OWN_DUTY = "own_duty"
    COLLEAGUE = "colleague"
    OTHER_WINDOW = "other_window"
    OUTSIDE_HALL = "outside_hall"


class InquiryAction(StrEnum):
    ANSWERED = "answered"
    GUIDED = "guided"
    REFERRED = "referred"
    REGISTERED = "registered"


class InquiryStatus(StrEnum):
    CLOSED = "closed"
    AWAITING_REPLY = "awaiting_reply"


CHANNEL_LABELS = {
    InquiryChannel.WINDOW: "窗口",
    InquiryChannel.PHONE: "电话",
    InquiryChannel.LETTER: "来信",
    InquiryChannel.ONLINE: "网络",
}
CLASSIFICATION_LABELS = {
    InquiryClassification.OWN_DUTY: "本人职责",
    InquiryClassification.COLLEAGUE: "本部门他人",
    InquiryClassification.OTHER_WINDOW: "其他窗口",
    InquiryClassification.OUTSIDE_HALL: "非本中心事项",
}
ACTION_LABELS = {
    InquiryAction.ANSWERED: "当场解答",
    InquiryAction.GUIDED: "引导办理",
    InquiryAction.REFERRED: "转办",
    InquiryAction.REGISTERED: "登记待回复",
}


def status_after(action: InquiryAction) -> InquiryStatus:
    if action in (InquiryAction.REFERRED, InquiryAction.REGISTERED):
        return InquiryStatus.AWAITING_REPLY
    return InquiryStatus.CLOSED
