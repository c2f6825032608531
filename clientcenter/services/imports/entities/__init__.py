"""The kinds of rows an import takes, in the order their files are read (accounts first:
contacts and policies name their account by customer id)."""

from clientcenter.services.imports.entities.accounts import Accounts
from clientcenter.services.imports.entities.base import Book, Entity, ParsedRow
from clientcenter.services.imports.entities.contacts import Contacts
from clientcenter.services.imports.entities.policies import Policies

ENTITIES: tuple[Entity, ...] = (Accounts(), Contacts(), Policies())

__all__ = ["ENTITIES", "Book", "Entity", "ParsedRow"]
