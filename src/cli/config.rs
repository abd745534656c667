//! `ecsync config defaults` and `ecsync config check FILE`.

use std::path::Path;

use crate::node::config_file;

/// Prints the commented default config file.
pub fn defaults() -> anyhow::Result<()> {
    print!("{}", config_file::defaults_file());
    Ok(())
}

/// Prints the effective config of `file` (defaults filled in), or fails with the one line saying what is wrong.
pub fn check(file: &Path) -> anyhow::Result<()> {
    let loaded = config_file::load(file)?;
    let n = loaded.set.len();
    let keys = if n == 1 { "key" } else { "keys" };
    println!(
        "# The effective config of {} ({n} {keys} set, the rest default).",
        file.display()
    );
    print!(
        "{}",
        config_file::render(&loaded.config, false, loaded.auto_validate_per_tick())
    );
    Ok(())
}
