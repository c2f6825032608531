"""How messages leave: SendGrid, Twilio, or the dev mailbox; webhooks by HTTPS POST."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from clientcenter.settings import Settings


def backends_for(settings: Settings, engine: Engine) -> dict:
    """The backend for each channel, as configured."""
    from clientcenter.delivery.dev_mailbox import DevMailbox
    from clientcenter.delivery.email_sendgrid import SendGridEmail
    from clientcenter.delivery.sms_twilio import TwilioSms
    from clientcenter.delivery.webhook_sender import WebhookSender

    d = settings.delivery
    dev = DevMailbox(engine)
    return {
        "email": SendGridEmail(settings) if d.email_backend == "sendgrid" else dev,
        "sms": TwilioSms(settings) if d.sms_backend == "twilio" else dev,
        "webhook": WebhookSender(settings, engine),
    }
