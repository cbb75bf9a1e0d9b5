"""GOV.UK Notify, through its own client library (notifications-python-client)."""

from __future__ import annotations

import requests
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from .base import Message, Outcome, Result


class GovukNotifyNotifier:
    def __init__(self, *, api_key: str, base_url: str, templates: dict[str, str], timeout: float = 10):
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self.templates = templates

    def send(self, message: Message) -> Outcome:
        template = self.templates.get(f"{message.kind}_{message.channel}")
        if not template:
            return Outcome(
                Result.PERMANENT, reason=f"no NOTIFY template is set for {message.kind} by {message.channel}"
            )
        try:
            if message.channel == "sms":
                response = self.client.send_sms_notification(
                    phone_number=message.to,
                    template_id=template,
                    personalisation=message.personalisation,
                    reference=message.reference,
                )
            else:
                response = self.client.send_email_notification(
                    email_address=message.to,
                    template_id=template,
                    personalisation=message.personalisation,
                    reference=message.reference,
                )
        except APIError as error:
            return _classify(error)
        return Outcome(Result.SENT, provider_id=str(response.get("id")))

    def find(self, reference: str) -> str | None:
        found = self.client.get_all_notifications(reference=reference).get("notifications") or []
        return str(found[0]["id"]) if found else None


def _classify(error: APIError) -> Outcome:
    status = error.status_code if error.response is not None else None
    reason = f"{status or 'no answer'}: {str(error.message)[:200]}"
    if status is None:
        cause = error.__cause__
        if isinstance(cause, requests.ConnectTimeout):
            return Outcome(Result.TEMPORARY, reason="could not connect to Notify")  # nothing was sent
        # Read timeouts and dropped connections: Notify may have accepted it.
        return Outcome(Result.UNKNOWN, reason=f"no answer from Notify ({type(cause).__name__})")
    if status == 429 or status >= 500:
        return Outcome(Result.TEMPORARY, reason=reason)
    return Outcome(Result.PERMANENT, reason=reason)
