# flowatlas report in a container, for scheduled runs (docs/scheduling.md, "Container").
#
#   docker build -t flowatlas .
#   docker run --rm -v "$PWD/dataflows/absoloop:/map:ro" -v "$PWD/outputs:/outputs" flowatlas
#
# The map is mounted read-only at /map, the outputs root at /outputs (the run lands in
# /outputs/<map id>/<UTC stamp>/, `latest` beside it); arguments after the image name are
# passed to `flowatlas report` (default: --fail-on high). Exit codes are the runner's.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY lib ./lib
COPY notebooks ./notebooks
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
# graphviz brings `dot`; DejaVu gives the diagrams' labels a font. Debian's security updates
# keep these current, so their versions are not pinned here.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /wheels
# flowatlas with its report extra (papermill, nbconvert, ipykernel, xlsxwriter), at the versions the
# test suite last passed with (constraints.txt)
RUN set -- /wheels/flowatlas-*.whl \
 && pip install --no-cache-dir --constraint /tmp/constraints.txt "$1[report]" \
 && rm -rf /wheels /tmp/constraints.txt \
 && useradd --create-home --uid 1000 flowatlas
USER 1000:1000
WORKDIR /home/flowatlas
VOLUME ["/map", "/outputs"]
ENTRYPOINT ["flowatlas", "report", "/map", "--out", "/outputs"]
CMD ["--fail-on", "high"]
