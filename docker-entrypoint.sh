#!/bin/sh
# Migrations first, so the schema always matches the code that serves it.
set -e
alembic upgrade head
exec "$@"
