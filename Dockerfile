# Kehou API. Build:  docker build -t kehou .
# Run:    docker run -p 8000:8000 -e ENV=prod -e JWT_SECRET=... \
#           -e DATABASE_URL=postgresql://user:pass@db:5432/kehou kehou
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    MEDIA_DIR=/data/media

WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install .
COPY alembic.ini ./
COPY migrations ./migrations
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

RUN useradd --system --uid 10001 --home /app kehou \
 && mkdir -p /data/media && chown -R kehou /data
USER kehou

EXPOSE 8000
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["uvicorn", "app.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
