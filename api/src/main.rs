//! The `api` binary: read `.env` if there is one, parse the command line and hand over to
//! `api::cli`.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: glibc keeps what a burst of large reads freed in its
/// per-thread arenas, so the server's resident memory stayed at its peak after load; mimalloc
/// hands freed pages back (measured in `bench/results-2026-11-29-allocator.md`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before any thread exists: settings in `.env` fill in what the environment does not set.
    let dotenv = dotenvy::dotenv();
    let cli = api::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(err) = dotenv
        && !err.not_found()
    {
        eprintln!("error: cannot read .env: {err}");
        return ExitCode::FAILURE;
    }
    match runtime.block_on(api::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole chain of causes on one line.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
