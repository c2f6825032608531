"""Bringing an agency's book in from its management system's CSV exports (docs/import.md).

reader streams one file (encoding, delimiter, quotes, size), columns maps its headers to our
fields, values parses the cells exports really hold, entities knows how each kind of row is
keyed, compared and written, report holds what happened, and run ties them together: each
file streamed once, in a savepoint that a refused row rolls back (a dry run writes nothing).
"""
