# genserve: one image for the API (CMD) and the training workers (`genserve worker`).
# CPU by default; the compose `gpu` profile builds with TORCH_INDEX pointing at a CUDA wheel index.
FROM python:3.11-slim

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GENSERVE_WEIGHTS_DIR=/srv/genserve/weights \
    GENSERVE_DATA_DIR=/var/lib/genserve \
    GENSERVE_HOST=0.0.0.0

WORKDIR /srv/genserve
RUN pip install --no-cache-dir --index-url "${TORCH_INDEX}" torch==2.13.0
COPY pyproject.toml README.md ./
COPY app ./app
COPY models ./models
RUN pip install --no-cache-dir .

# A fixed numeric uid, so the shared volumes' owner is the same in every container.
RUN useradd --system --uid 10001 --home-dir /var/lib/genserve genserve \
    && mkdir -p /var/lib/genserve \
    && chown 10001:10001 /var/lib/genserve /srv/genserve
# The shipped models seed the weights volume the first time it is mounted; workers publish
# trained versions into the model store on the data volume (GENSERVE_MODEL_STORE).
COPY --chown=10001:10001 weights ./weights
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--http", "app.server:HttpToolsProtocol", "--loop", "asyncio"]
