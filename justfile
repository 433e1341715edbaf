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

# Benchmarks on a release build; writes docs/benchmarks.md (about 3 minutes).
bench:
    cargo build --release -p commerce_server -p tosspayments_sandbox -p commerce_bench
    cargo run --release -q -p commerce_bench --bin hc-bench -- bench

# Reliability drills on a release build; writes docs/reliability.md (about 6 minutes).
drill:
    cargo build --release -p commerce_server -p tosspayments_sandbox -p commerce_bench
    cargo run --release -q -p commerce_bench --bin hc-bench -- drill

# The drills CI runs: shorter, debug build, report printed only.
drill-quick:
    cargo build -p commerce_server -p tosspayments_sandbox -p commerce_bench
    cargo run -q -p commerce_bench --bin hc-bench -- drill --quick
