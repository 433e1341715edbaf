//! `headless-commerce`: thin entry point; see `cli` for the commands.

use std::process::ExitCode;

use commerce_server::{cli, settings::Settings, telemetry};

/// mimalloc instead of the system allocator: a request allocates many small, short-lived
/// buffers (JSON, SQL text, headers), and glibc's `malloc`/`free` led the server's CPU profile
/// under load (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(command) => command,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("headless-commerce: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("headless-commerce: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(cli::run(command, settings))
}
