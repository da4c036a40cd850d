# mailaudit container image.
#   podman build -t mailaudit .          (or docker build)
#   podman run --rm mailaudit check example.org
#   podman run --rm -v "$PWD/testdata/zones:/zones:ro" mailaudit check demo.example --zone /zones

# ---- builder: compile, run the unit tests, install into a staging prefix ----
FROM debian:12 AS builder
# Dependencies first, from the script alone, so this layer survives source edits.
COPY scripts/install-deps.sh /tmp/install-deps.sh
# The unit tests are part of the image build: libcmocka-dev links them and
# libxml2-utils (xmllint) validates the XML report in the `demo` test.
RUN bash /tmp/install-deps.sh build \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y libcmocka-dev libxml2-utils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The prefix is baked into the binary (its data directory), so configure for
# /usr/local, where the runtime stage puts it, and only stage the install in
# /opt/mailaudit. Unit tests only: the `integration` ones need a running NSD.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr/local \
 && cmake --build build -j"$(nproc)" \
 && ctest --test-dir build --output-on-failure -L unit -j"$(nproc)" \
 && cmake --install build --prefix /opt/mailaudit --strip

# ---- runtime: shared libraries + the installed tree ----
FROM debian:12
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh runtime \
 && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh
# bin/mailaudit, share/mailaudit/*, share/man/man1/mailaudit.1
COPY --from=builder /opt/mailaudit/ /usr/local/
# Smoke test: the binary starts and finds its shared libraries.
RUN if ldd /usr/local/bin/mailaudit | grep 'not found'; then exit 1; fi; mailaudit --version
# A DNS audit needs no privileges.
RUN useradd --system --create-home --home-dir /home/mailaudit mailaudit \
 && mkdir /work && chown mailaudit: /work
USER mailaudit
WORKDIR /work
ENTRYPOINT ["mailaudit"]
