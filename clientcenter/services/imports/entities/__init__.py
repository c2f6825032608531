"""The kinds of rows an import takes, in the order their files are read: accounts first
(contacts, policies, invoices and certificate holders name their account by customer id),
then policies before what names a policy, and vehicles before the coverages that name one."""

from clientcenter.services.imports.entities.accounts import Accounts
from clientcenter.services.imports.entities.base import Book, Entity, ParsedRow
from clientcenter.services.imports.entities.certificate_holders import CertificateHolders
from clientcenter.services.imports.entities.contacts import Contacts
from clientcenter.services.imports.entities.coverages import Coverages
from clientcenter.services.imports.entities.drivers import Drivers
from clientcenter.services.imports.entities.invoices import Invoices
from clientcenter.services.imports.entities.policies import Policies
from clientcenter.services.imports.entities.vehicles import Vehicles

ENTITIES: tuple[Entity, ...] = (
    Accounts(),
    Contacts(),
    Policies(),
    Vehicles(),
    Coverages(),
    Drivers(),
    Invoices(),
    CertificateHolders(),
)

__all__ = ["ENTITIES", "Book", "Entity", "ParsedRow"]
