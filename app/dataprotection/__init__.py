"""A child's data over its life: the guardian's export, the admin's erasure, retention and the purge (docs/privacy.md)."""
