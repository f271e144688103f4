# The two commands of the README: `make run` (the app on the embedded default) and `make test` (every test).
# Each installs what a fresh Debian/Ubuntu machine is missing first (Debian packages, Node.js, tauri-driver).

RUN_PACKAGES := build-essential pkg-config libwebkit2gtk-4.1-dev libxdo-dev libssl-dev \
	libayatana-appindicator3-dev librsvg2-dev
TEST_PACKAGES := $(RUN_PACKAGES) xvfb xauth webkit2gtk-driver redis-server openssl chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Installs the Debian packages of $(1) that are missing, and Node.js when there is none.
define install_packages
	@missing=$$(for package in $(1); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$(echo $$missing)" ]; then \
		echo "Instalando paquetes: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v cargo >/dev/null 2>&1 || { echo "Falta Rust: instale rustup (https://rustup.rs) y vuelva a intentar"; exit 1; }
endef

.PHONY: run test deps-run deps-test ui bindings package package-check

run: deps-run ui
	cargo run --bin spooltrack

# Component tests (vitest) and the built interface in Chromium (ui/browser), both on the real core through the
# binary's test host (`spooltrack serve --dev`), then every Rust test.
test: deps-test ui
	cargo build --bin spooltrack
	cd ui && npm test && npm run test:browser
	cargo test --workspace

deps-run:
	$(call install_packages,$(RUN_PACKAGES))

# tauri-driver bridges WebDriver to the real app for the end-to-end smoke test (tests/e2e.rs).
deps-test:
	$(call install_packages,$(TEST_PACKAGES))
	@command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked --version '^2'

# The app embeds ui/dist at compile time, so it is built before any cargo build.
ui: ui/node_modules/.installed
	cd ui && npm run build

ui/node_modules/.installed: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	touch $@

# Regenerates ui/src/bindings.ts from the Rust IPC contract.
bindings:
	UPDATE_BINDINGS=1 cargo test --test bindings

# The Debian package, built by Tauri's bundler from a release build (link-time optimised, stripped):
# target/release/bundle/deb/Spooltrack_<version>_amd64.deb. Install it with `sudo apt install ./Spooltrack_*.deb`.
package: deps-run ui
	ui/node_modules/.bin/tauri build --bundles deb

# CI's check of the package on this machine: installs it, runs the installed `spooltrack doctor` (on a demo shop
# of its own) and the end-to-end smoke test against the installed binary, removes it and checks that no binary
# is left behind.
package-check: package
	$(SUDO) apt-get install -y -qq --reinstall ./target/release/bundle/deb/Spooltrack_*_amd64.deb
	test "$$(command -v spooltrack)" = /usr/bin/spooltrack
	home=$$(mktemp -d) && HOME=$$home XDG_CONFIG_HOME= XDG_DATA_HOME= spooltrack doctor
	SPOOLTRACK_APP=/usr/bin/spooltrack cargo test --test e2e
	$(SUDO) apt-get remove -y -qq spooltrack
	test ! -e /usr/bin/spooltrack
