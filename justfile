# headless-commerce chores. `just` lists them.

_default:
    @just --list

# Run the whole test suite (the README's test command).
test:
    cargo test --workspace

# Formatting and lints, as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Fail if commerce_domain depends on infrastructure crates.
check-layers:
    bash .ci/check-layers

# Build the crate docs, warnings as errors.
doc:
    RUSTDOCFLAGS="-D warnings" cargo doc -p commerce_domain --no-deps

# Everything CI runs, PostgreSQL start-up included.
ci:
    bash .ci/run
