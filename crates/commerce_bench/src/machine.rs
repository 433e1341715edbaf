//! What the reports say about where they ran: the machine, the toolchain, the database.

use std::process::Command;

fn run(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// A markdown block describing the machine and the date of the run.
pub fn describe() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        .unwrap_or_default();
    let postgres = crate::cluster::psql("postgres", "SHOW server_version");
    format!(
        "- Date: {}\n- Machine: {} cores ({cpu}), {memory} memory, {}\n- PostgreSQL {postgres} on 127.0.0.1 (same machine); load generator on the same cores\n- Build: release profile, {}\n",
        run("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        run("nproc", &[]),
        run("uname", &["-sr"]),
        run("rustc", &["-V"]),
    )
}

/// The heading from which a report's hand-written part starts; a new run keeps that part.
pub const NOTES_HEADING: &str = "\n## Findings and changes";

/// Writes a report under the workspace's `docs/`, keeping the hand-written part of the
/// previous one (from [`NOTES_HEADING`] on).
pub fn write_doc(name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(name);
    let previous = std::fs::read_to_string(&path).unwrap_or_default();
    match std::fs::write(&path, with_notes(text, &previous)) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
}

/// A new report followed by the hand-written part of the previous one, if it had one.
fn with_notes(text: &str, previous: &str) -> String {
    let notes = previous
        .find(NOTES_HEADING)
        .and_then(|at| previous.get(at..))
        .unwrap_or("");
    format!("{}\n{notes}", text.trim_end())
}

#[cfg(test)]
mod tests {
    use super::with_notes;

    #[test]
    fn a_new_run_keeps_the_hand_written_part() {
        let previous = "# Old\n\nold figures\n\n## Findings and changes\n\nkept\n";
        assert_eq!(
            with_notes("# New\n\nnew figures\n", previous),
            "# New\n\nnew figures\n\n## Findings and changes\n\nkept\n"
        );
        assert_eq!(with_notes("# New\n", "# Old\n"), "# New\n");
    }
}
