# One image for the API and the workers: Debian's tesseract with Vietnamese, poppler,
# fonts with Vietnamese glyphs, and sohoa in a virtualenv.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd \
      poppler-utils qpdf fonts-noto-core fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY records records
COPY ingest ingest
COPY application application
COPY cli cli
COPY ocr ocr
COPY extract extract
COPY signing signing
COPY storage storage
COPY search search
COPY reuse reuse
COPY stats stats
COPY audit audit
COPY api api
COPY watch watch
COPY specimens specimens
RUN python -m venv /opt/sohoa && /opt/sohoa/bin/pip install --no-cache-dir .
ENV PATH=/opt/sohoa/bin:$PATH OMP_THREAD_LIMIT=1 SOHOA_DATA=/data
VOLUME /data
EXPOSE 8000
CMD ["sohoa", "serve", "--host", "0.0.0.0", "--port", "8000"]
