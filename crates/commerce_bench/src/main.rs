//! `hc-bench`: the benchmarks (`just bench`) and reliability drills (`just drill`) of
//! headless-commerce, run against real `headless-commerce serve` processes, the `toss-sandbox`
//! binary and the local PostgreSQL, on loopback only. Every run is bounded in time and count.

mod bench;
mod cluster;
mod drill;
mod floors;
mod fuzz;
mod growth;
mod invariants;
mod load;
mod machine;

use std::process::ExitCode;

const USAGE: &str = "usage: hc-bench bench [--quick] | hc-bench flows [SECONDS] | hc-bench drill [--quick] [--only NAMES]
  --quick  shorter runs, report printed only (docs/ untouched); what CI runs
  flows    the flow at concurrency 64 alone (default 10 s), printed; for comparing builds
  --only   comma-separated drills: oversell,outage,kill,webhooks,postgres,fuzz (report printed only)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let quick = words.contains(&"--quick");
    // The benchmarks drive their load from one thread: the load generator shares the cores
    // with what it measures, and one thread wakes fewer others than a pool would. The drills
    // keep a multi-threaded runtime (one of them blocks a thread on a PostgreSQL restart).
    let runtime = match words.first() {
        Some(&"bench" | &"flows") => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match words.first() {
            Some(&"bench") => bench::main(quick).await,
            Some(&"flows") => {
                let seconds = words.get(1).and_then(|w| w.parse().ok()).unwrap_or(10);
                bench::flows_only(seconds).await
            }
            Some(&"drill") => {
                let only = words
                    .iter()
                    .position(|w| *w == "--only")
                    .and_then(|i| words.get(i + 1));
                drill::main(quick, only.copied()).await
            }
            _ => {
                eprintln!("{USAGE}");
                ExitCode::from(2)
            }
        }
    })
}
