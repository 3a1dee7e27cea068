//! The `api` binary: read `.env` if there is one, parse the command line and hand over to
//! `api::cli`.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: glibc keeps what a burst of large reads freed in its
/// per-thread arenas, so the server's resident memory stayed at its peak after load; mimalloc
/// hands freed pages back (measured in `bench/results-2026-11-29-allocator.md`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The heap in 4 KiB pages, not 2 MiB ones. mimalloc asks the kernel for transparent huge pages
/// on its arena, so every 2 MiB of the heap that a request touched became resident whole and
/// could be handed back only whole: the server's live heap is about 5 MiB after start
/// (heaptrack), but its arena was 16 MiB resident, all of it huge pages, and a unit's 50 tasks
/// at 16 connections peaked at 66–70 MiB. In small pages: 58–59 MiB, 53 instead of 60–65 after
/// load, and no fewer requests a second (`bench/results-2026-11-29-small-pages.md`).
///
/// Process-wide and only for what is touched from here on (a page or two the runtime's own
/// start touched stay huge). An operator who sets `MIMALLOC_ALLOW_THP` in the environment (not
/// in `.env`: the allocator reads it before `main`) decides for themselves.
fn heap_in_small_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // Refused only under a sandbox that filters prctl; the server then runs as before, with
        // more resident memory, so there is nothing to report or stop for.
        let _ = nix::sys::prctl::set_thp_disable(true);
    }
}

fn main() -> ExitCode {
    heap_in_small_pages();
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The kernel, asked back, says huge pages are off for the process (CI does not set
    /// `MIMALLOC_ALLOW_THP`).
    #[test]
    fn the_heap_is_kept_in_small_pages() {
        assert!(std::env::var_os("MIMALLOC_ALLOW_THP").is_none());
        super::heap_in_small_pages();
        assert_eq!(nix::sys::prctl::get_thp_disable(), Ok(true));
    }
}
