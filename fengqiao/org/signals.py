"""Signals other apps listen to, so that the organisation does not depend on them."""

from django.dispatch import Signal

# Sent inside the transaction that moved a unit (and its subtree) under another parent,
# with unit_id, old_path and new_path.
unit_moved = Signal()
