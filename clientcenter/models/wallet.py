"""Apple Wallet's PassKit web service: the devices that asked for updates of a pass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from clientcenter.models.base import created_at_field, updated_at_field, utc_column


class WalletRegistration(SQLModel, table=True):
    """One device registered for one pass (services/wallet/passkit.py): APNs pushes go to its
    push token when the pass's card changes. No foreign key to the vehicle: an import may
    delete it, and the push sweep forgets the registration then."""

    __tablename__ = "wallet_registration"
    __table_args__ = (UniqueConstraint("device_library_id", "serial_number"),)
    id: int | None = Field(default=None, primary_key=True)
    device_library_id: str = Field(max_length=64, index=True)
    serial_number: str = Field(max_length=64, index=True)  # f"{policy number}-{vehicle id}"
    vehicle_id: int = Field(index=True)
    push_token: str = Field(max_length=200)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    # The card's last change that this device was pushed (or had when it registered): the
    # sweep pushes again once the card changes after it.
    pushed_through: datetime = utc_column(nullable=False)
