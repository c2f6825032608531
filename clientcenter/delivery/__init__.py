"""How messages leave: SendGrid, Twilio, or the dev mailbox."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from clientcenter.settings import Settings


def backends_for(settings: Settings, engine: Engine) -> dict:
    """The backend for each channel, as configured."""
    from clientcenter.delivery.dev_mailbox import DevMailbox
    from clientcenter.delivery.email_sendgrid import SendGridEmail
    from clientcenter.delivery.sms_twilio import TwilioSms

    d = settings.delivery
    dev = DevMailbox(engine)
    return {
        "email": SendGridEmail(settings) if d.email_backend == "sendgrid" else dev,
        "sms": TwilioSms(settings) if d.sms_backend == "twilio" else dev,
    }
